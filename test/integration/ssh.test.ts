// SSH tunnels through a real OpenSSH server (Debian's sshd on a loopback port, started here):
// a master and its replica reached only through the tunnel, over one SSH session; known_hosts
// as OpenSSH keeps it; and each way the tunnel can fail, with its own message.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect as netConnect, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { connectWithHostKeyPrompt } from '../../electron/cli/host-key-prompt';
import { ReplicationEngine } from '../../electron/engine/engine';
import type { EngineError } from '../../electron/engine/errors';
import { openTunnel } from '../../electron/engine/ssh-tunnel';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { SshOptions } from '../../electron/shared/types';
import { disposeAfterEach } from '../helpers/dispose';
import { node, waitForTick } from '../helpers/engine';
import { keygenFingerprint, makeKey, PASSPHRASE, startSshd, type Sshd } from '../helpers/sshd';
import { runCli } from '../helpers/cli';
import { DEAD_PORT } from '../helpers/dead-port';

const own = disposeAfterEach();
const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}/;

/** The options to reach `sshd` as root with its authorized key, checking `knownHosts`. */
function sshTo(sshd: Sshd, knownHostsFile: string, extra: Partial<SshOptions> = {}): SshOptions {
  return { host: '127.0.0.1', port: sshd.port, user: 'root', keyFile: sshd.key.file, knownHostsFile, ...extra };
}

/** A known_hosts file that lists the server's real host key. */
function knownHostsFor(sshd: Sshd): string {
  const file = join(sshd.dir, `known_hosts.${sshd.port}`);
  writeFileSync(file, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  return file;
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected a failure');
}

/** A TCP echo server standing in for a node behind the bastion, where no Redis is needed. */
async function echoServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Send a line through host:port and read it back. */
function echo(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(text));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
  });
}

describe('SSH tunnel to a real topology', () => {
  it('reaches a master and its discovered replica only through the tunnel, over one SSH session', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const sshd = own(await startSshd());
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 3000, commandTimeoutMs: 3000 }));

    const snapshot = await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 300, ssh: sshTo(sshd, knownHostsFor(sshd)) });

    expect(snapshot.nodes.map((n) => [n.address, n.role, n.reachable]).sort()).toEqual(
      [
        [lab.address('master'), 'master', true],
        [lab.address('replica-1'), 'replica', true],
      ].sort(),
    );
    expect(snapshot.connection?.ssh).toBe(`root@127.0.0.1:${sshd.port}`);
    // Both nodes were dialled as the bastion sees them (sshd logs each direct-tcpip target) ...
    for (const name of ['master', 'replica-1']) {
      expect(sshd.log()).toContain(`target 127.0.0.1 port ${lab.port(name)}`);
    }
    // ... and one SSH session carried them all.
    expect(sshd.sessions()).toBe(1);
    // Disconnecting ends it.
    await engine.disconnect();
    await sshd.waitForLog(() => sshd.closedSessions() === 1, 5000, 'the SSH session ending');
  });

  it('the bastion going away: every node fails naming the tunnel, and all come back over one new session once it is back', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const sshd = own(await startSshd());
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 2000, commandTimeoutMs: 2000 }));
    await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 200, ssh: sshTo(sshd, knownHostsFor(sshd)) });

    await sshd.stop();
    const down = await waitForTick(
      engine,
      (u) => u.snapshot.nodes.length === 2 && u.snapshot.nodes.every((n) => !n.reachable && /the SSH tunnel root@/.test(n.error?.message ?? '')),
      20_000,
      'every node failing through the dropped tunnel',
    );
    expect(node(down.snapshot, lab.address('replica-1')).error).toMatchObject({
      code: 'SSH',
      message: expect.stringContaining(`${lab.address('replica-1')}: the SSH tunnel root@127.0.0.1:${sshd.port} dropped`),
    });
    // Re-opened on use (at most every 2 s): the nodes then also say why that failed.
    await waitForTick(
      engine,
      (u) => u.snapshot.nodes.some((n) => (n.error?.message ?? '').includes(`re-opening it failed: the SSH bastion 127.0.0.1:${sshd.port} refused the connection`)),
      20_000,
      'a failed re-open named on a node',
    );
    // Re-opened again and again (every 2 s): each failure said once, not one clause more per attempt.
    const later = await waitForTick(engine, (u) => u.snapshot.takenAt >= Date.now() - 1000 && u.snapshot.seq > down.snapshot.seq + 25, 20_000, 'several re-opens later');
    for (const n of later.snapshot.nodes) expect((n.error?.message ?? '').split('re-opening it failed').length, n.error?.message).toBeLessThanOrEqual(2);
    // Every node unread through the console's own tunnel: not "down → fail over first" over nodes that are up.
    const blind = later.snapshot.warnings.find((w) => w.code === 'MASTER_DOWN');
    expect(blind?.message).toContain(`${lab.address('master')} cannot be read`);
    expect(blind?.message).toContain("nor any node: the console's SSH tunnel is down");
    expect(blind?.message).not.toMatch(/fail over first|Promote the replica/);

    const restarted = own(await startSshd({ dir: sshd.dir, port: sshd.port }));
    await waitForTick(engine, (u) => u.snapshot.nodes.length === 2 && u.snapshot.nodes.every((n) => n.reachable), 20_000, 'the nodes back through the tunnel');
    expect(restarted.sessions()).toBe(1);
  });

  it('a node the bastion cannot connect to is unreachable, named with the tunnel', async () => {
    const sshd = own(await startSshd());
    const tunnel = await openTunnel(sshTo(sshd, knownHostsFor(sshd)));
    own({ close: async () => tunnel.close() });
    const closedPort = DEAD_PORT;
    const error = await failure(tunnel.endpoint('127.0.0.1', closedPort));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain(`127.0.0.1:${closedPort}: the SSH bastion root@127.0.0.1:${sshd.port} could not connect to it`);
  });
});

describe('known_hosts', () => {
  it('an unknown host: HOST_KEY_UNKNOWN with the fingerprint ssh-keygen -lf prints; accepting it adds it, and the next connect passes', async () => {
    const sshd = own(await startSshd());
    const knownHosts = join(sshd.dir, 'fresh', '.ssh', 'known_hosts');
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 3000, commandTimeoutMs: 3000 }));
    const lab = own(await Lab.start({ nodes: masterWithReplicas(0) }));
    const options = { seeds: [lab.address('master')], pollIntervalMs: 300 };

    const unknown = await failure(engine.connect({ ...options, ssh: sshTo(sshd, knownHosts) }));
    expect(unknown.code).toBe('HOST_KEY_UNKNOWN');
    expect(unknown.message).toContain('ED25519');
    expect(FINGERPRINT.exec(unknown.message)?.[0]).toBe(sshd.hostFingerprint);
    expect(sshd.hostFingerprint).toBe(keygenFingerprint(join(sshd.dir, 'host_ed25519.pub')));

    // A fingerprint that is not this key's accepts nothing.
    const wrong = await failure(engine.connect({ ...options, ssh: sshTo(sshd, knownHosts, { acceptHostKey: `SHA256:${'A'.repeat(43)}` }) }));
    expect(wrong.code).toBe('HOST_KEY_UNKNOWN');
    expect(wrong.message).toContain('is not this key');

    await engine.connect({ ...options, ssh: sshTo(sshd, knownHosts, { acceptHostKey: sshd.hostFingerprint }) });
    expect(readFileSync(knownHosts, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    await engine.disconnect();

    const again = await engine.connect({ ...options, ssh: sshTo(sshd, knownHosts) });
    expect(again.nodes[0]?.reachable).toBe(true);
  });

  it('a changed host key is refused with HOST_KEY_CHANGED, naming the file, the line and the new fingerprint', async () => {
    const sshd = own(await startSshd());
    const other = makeKey(join(sshd.dir, 'other_host_key'));
    const knownHosts = join(sshd.dir, 'known_hosts_changed');
    writeFileSync(knownHosts, `# an old entry\n[127.0.0.1]:${sshd.port} ${other.publicLine}\n`);

    const error = await failure(openTunnel(sshTo(sshd, knownHosts, { acceptHostKey: sshd.hostFingerprint })));
    expect(error.code).toBe('HOST_KEY_CHANGED');
    expect(error.message).toContain(`${knownHosts}:2`);
    expect(error.message).toContain(sshd.hostFingerprint);
    expect(error.message).toContain(keygenFingerprint(`${other.file}.pub`));
    // Even an accepted fingerprint does not override a changed key, as with ssh.
    expect(readFileSync(knownHosts, 'utf8')).not.toContain(sshd.hostPublicKey);
  });

  it('a @revoked host key is refused with HOST_KEY_REVOKED, and the CLI exits 4 as for the other host-key refusals', async () => {
    const sshd = own(await startSshd());
    const knownHosts = join(sshd.dir, 'known_hosts_revoked');
    writeFileSync(knownHosts, `@revoked [127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);

    const error = await failure(openTunnel(sshTo(sshd, knownHosts)));
    expect(error.code).toBe('HOST_KEY_REVOKED');
    expect(error.message).toBe(`the ED25519 host key of '[127.0.0.1]:${sshd.port}' (${sshd.hostFingerprint}) is marked @revoked in ${knownHosts}:1: refusing to connect`);
    // It exited 3, "unreachable or an SSH failure", where a changed or unknown key exits 4.
    const run = await runCli(['topology', '--ssh', `root@127.0.0.1:${sshd.port}`, '--ssh-key', sshd.key.file, '--ssh-known-hosts', knownHosts, '--seed', `127.0.0.1:${DEAD_PORT}`]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('is marked @revoked');
  });

  it('a hashed entry made by ssh-keygen -H matches', async () => {
    const sshd = own(await startSshd());
    const knownHosts = knownHostsFor(sshd);
    execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
    expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);

    const tunnel = await openTunnel(sshTo(sshd, knownHosts));
    tunnel.close();
    expect(sshd.sessions()).toBe(1);
  });

  it('the CLI prompt: OpenSSH wording on a terminal, "yes" accepts; without a terminal, the flag to pass', async () => {
    const sshd = own(await startSshd());
    const knownHosts = join(sshd.dir, 'prompted_known_hosts');
    const connect = async (options: { ssh?: SshOptions }) => {
      const tunnel = await openTunnel(options.ssh as SshOptions);
      tunnel.close();
      return 'connected';
    };

    const noTerminal = await failure(
      connectWithHostKeyPrompt({ seeds: [], ssh: sshTo(sshd, knownHosts) }, connect, { input: new PassThrough(), output: new PassThrough() }),
    );
    expect(noTerminal.code).toBe('HOST_KEY_UNKNOWN');
    expect(noTerminal.message).toContain(`--ssh-accept-host-key ${sshd.hostFingerprint}`);
    // A wrong fingerprint given to accept: said to be wrong (the same "no terminal" text hid it).
    const wrong = 'SHA256:' + 'A'.repeat(43);
    const mismatch = await failure(
      connectWithHostKeyPrompt({ seeds: [], ssh: sshTo(sshd, knownHosts, { acceptHostKey: wrong }) }, connect, { input: new PassThrough(), output: new PassThrough() }),
    );
    expect(mismatch.code).toBe('HOST_KEY_UNKNOWN');
    expect(mismatch.message).toContain(`the fingerprint given to accept (${wrong}) is not this key's`);

    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = Object.assign(new PassThrough(), { isTTY: true });
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
      if (shown.endsWith('(yes/no/[fingerprint])? ')) input.write('yes\n');
    });
    const result = await connectWithHostKeyPrompt({ seeds: [], ssh: sshTo(sshd, knownHosts) }, connect, { input, output });
    expect(result).toBe('connected');
    expect(shown).toContain(`The authenticity of host '[127.0.0.1]:${sshd.port}' can't be established.\nED25519 key fingerprint is ${sshd.hostFingerprint}.\n`);
    expect(shown).toContain('Are you sure you want to continue connecting (yes/no/[fingerprint])? ');
    expect(readFileSync(knownHosts, 'utf8')).toContain(sshd.hostPublicKey);
  });
});

describe('each failure has its own message', () => {
  it('a key the server does not accept: authentication failed, with the methods tried', async () => {
    const sshd = own(await startSshd());
    const error = await failure(openTunnel(sshTo(sshd, knownHostsFor(sshd), { keyFile: sshd.strangerKey.file })));
    expect(error.code).toBe('SSH');
    expect(error.message).toBe(
      `SSH authentication failed for root@127.0.0.1:${sshd.port} (tried: publickey (${sshd.strangerKey.file}); the server accepts: publickey)`,
    );
  });

  it('an encrypted key: without a passphrase, with a wrong one, and with the right one', async () => {
    const sshd = own(await startSshd());
    const knownHosts = knownHostsFor(sshd);
    const missing = await failure(openTunnel(sshTo(sshd, knownHosts, { keyFile: sshd.encryptedKey.file })));
    expect(missing.message).toBe(`the SSH key ${sshd.encryptedKey.file} is encrypted: give the passphrase (--ssh-askpass)`);
    const wrong = await failure(openTunnel(sshTo(sshd, knownHosts, { keyFile: sshd.encryptedKey.file, passphrase: 'not the passphrase' })));
    expect(wrong.message).toBe(`the SSH key ${sshd.encryptedKey.file}: wrong passphrase`);
    expect(wrong.message).not.toContain('not the passphrase');
    expect(sshd.sessions()).toBe(0);

    const tunnel = await openTunnel(sshTo(sshd, knownHosts, { keyFile: sshd.encryptedKey.file, passphrase: PASSPHRASE }));
    tunnel.close();
    expect(sshd.sessions()).toBe(1);
  });

  it('a missing key file, a closed bastion port, and one that never answers', async () => {
    const sshd = own(await startSshd());
    const knownHosts = knownHostsFor(sshd);
    const noFile = await failure(openTunnel(sshTo(sshd, knownHosts, { keyFile: join(sshd.dir, 'no_such_key') })));
    expect(noFile).toMatchObject({ code: 'SSH', message: `the SSH key file ${join(sshd.dir, 'no_such_key')} does not exist` });

    const closedPort = DEAD_PORT;
    const refused = await failure(openTunnel({ ...sshTo(sshd, knownHosts), port: closedPort }));
    expect(refused).toMatchObject({ code: 'SSH', message: `the SSH bastion 127.0.0.1:${closedPort} refused the connection (is sshd listening on that port?)` });

    // A port that accepts and never speaks SSH (a firewall black hole, a wrong service) hits the ready timeout.
    const silent = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    own({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const silentPort = (silent.address() as { port: number }).port;
    const timedOut = await failure(openTunnel({ ...sshTo(sshd, knownHosts), port: silentPort }, { readyTimeoutMs: 500 }));
    expect(timedOut).toMatchObject({
      code: 'SSH',
      message: `the SSH bastion 127.0.0.1:${silentPort} did not complete the SSH handshake in time (unreachable, or not an SSH server)`,
    });
  });

  it('a port that is not an SSH server: what it sent (an HTTP server, a Redis), or that it closed saying nothing, where ssh2 says "Connection lost before handshake" or timed out', async () => {
    const sshd = own(await startSshd());
    const knownHosts = knownHostsFor(sshd);
    const web = createHttpServer((_request, response) => response.end('hello'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    own({
      close: () =>
        new Promise<void>((resolve) => {
          web.close(() => resolve());
          web.closeAllConnections();
        }),
    });
    const webPort = (web.address() as { port: number }).port;
    const answered = await failure(openTunnel({ ...sshTo(sshd, knownHosts), port: webPort }));
    expect(answered).toMatchObject({
      code: 'SSH',
      message: `the SSH bastion 127.0.0.1:${webPort} answered, but not as an SSH server (it sent "HTTP/1.1 400 Bad Request"): is ${webPort} its SSH port?`,
    });
    // The CLI says the same, exit 3 (an SSH failure).
    const run = await runCli(['topology', '--ssh', `root@127.0.0.1:${webPort}`, '--ssh-key', sshd.key.file, '--ssh-known-hosts', knownHosts, '--seed', `127.0.0.1:${DEAD_PORT}`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`answered, but not as an SSH server (it sent "HTTP/1.1 400 Bad Request")`);

    // A Redis port: it answers ssh2's version line with an error and keeps the line open, so the
    // handshake waited out its timeout and said "unreachable, or not an SSH server".
    const lab = own(await Lab.start({ nodes: masterWithReplicas(0) }));
    const redisPort = lab.port('master');
    const redis = await failure(openTunnel({ ...sshTo(sshd, knownHosts), port: redisPort }, { readyTimeoutMs: 1000 }));
    expect(redis.code).toBe('SSH');
    expect(redis.message).toMatch(new RegExp(`^the SSH bastion 127\\.0\\.0\\.1:${redisPort} answered, but not as an SSH server \\(it sent "-ERR unknown command 'SSH-2\\.0-`));

    const mute = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    own({ close: () => new Promise<void>((resolve) => mute.close(() => resolve())) });
    const mutePort = (mute.address() as { port: number }).port;
    const closed = await failure(openTunnel({ ...sshTo(sshd, knownHosts), port: mutePort }));
    expect(closed).toMatchObject({
      code: 'SSH',
      message: `the SSH bastion 127.0.0.1:${mutePort} closed the connection before the SSH handshake, without a word: is ${mutePort} its SSH port, and is it an SSH server?`,
    });
  });

  it('a bastion with AllowTcpForwarding no: the node fails with the forwarding refusal, through the engine too', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(0) }));
    const sshd = own(await startSshd({ allowTcpForwarding: false }));
    const knownHosts = knownHostsFor(sshd);

    const tunnel = await openTunnel(sshTo(sshd, knownHosts));
    own({ close: async () => tunnel.close() });
    const error = await failure(tunnel.endpoint('127.0.0.1', lab.port('master')));
    expect(error.code).toBe('SSH');
    expect(error.message).toBe(
      `${lab.address('master')}: the SSH bastion root@127.0.0.1:${sshd.port} refused to forward to it (administratively prohibited: AllowTcpForwarding?)`,
    );

    tunnel.close();

    const engine = own(new ReplicationEngine({ connectTimeoutMs: 3000, commandTimeoutMs: 3000 }));
    const viaEngine = await failure(engine.connect({ seeds: [lab.address('master')], ssh: sshTo(sshd, knownHosts) }));
    expect(viaEngine.message).toContain('administratively prohibited: AllowTcpForwarding?');
    // The failed connect closed its SSH session: both sessions end.
    expect(sshd.sessions()).toBe(2);
    await sshd.waitForLog(() => sshd.closedSessions() === 2, 5000, 'both SSH sessions ending');
  });

  it('a dropped session: nodes fail naming the tunnel, and it is re-opened on the next use once the interval has passed', async () => {
    const sshd = own(await startSshd());
    const target = own(await echoServer());
    let now = 1_000_000;
    const tunnel = await openTunnel(sshTo(sshd, knownHostsFor(sshd)), { reopenIntervalMs: 60_000, now: () => now });
    own({ close: async () => tunnel.close() });
    const local = await tunnel.endpoint('127.0.0.1', target.port);
    expect(await echo(local.port, 'before')).toBe('before');

    sshd.dropSessions();
    // Wait (bounded) until the tunnel has noticed: endpoint() then fails naming it.
    let dropped: EngineError | null = null;
    for (let attempt = 0; attempt < 100 && !dropped; attempt++) {
      dropped = await tunnel.endpoint('127.0.0.1', target.port).then(
        () => null,
        (error: EngineError) => error,
      );
      if (!dropped) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(dropped?.code).toBe('SSH');
    expect(dropped?.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${target.port}: the SSH tunnel root@127\\.0\\.0\\.1:${sshd.port} (dropped|failed)`));
    // Within the interval it is not re-opened: the same failure, no new session.
    const sessionsAfterDrop = sshd.sessions();
    await expect(tunnel.endpoint('127.0.0.1', target.port)).rejects.toThrow(/SSH tunnel root@/);
    expect(sshd.sessions()).toBe(sessionsAfterDrop);

    now += 60_000;
    const again = await tunnel.endpoint('127.0.0.1', target.port);
    expect(again.port).toBe(local.port);
    expect(await echo(again.port, 'after')).toBe('after');
    expect(sshd.sessions()).toBe(2);
  });
});

describe('password authentication', () => {
  // The real sshd cannot be given a root password here (no PAM, no password set for root, and we
  // do not change the machine's accounts), so password authentication is tested against an ssh2
  // server in the test: what is checked is our client's side (the password sent, a refusal explained).
  it('a right password opens the tunnel; a wrong one fails naming the method, never the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rc-ssh-password-'));
    own({ close: async () => rmSync(dir, { recursive: true, force: true }) });
    const hostKey = makeKey(join(dir, 'host_key'));
    const server = new ssh2.Server({ hostKeys: [readFileSync(hostKey.file)] }, (client) => {
      client.on('authentication', (context) => {
        if (context.method === 'password' && context.username === 'ops' && context.password === 'bastion-secret') context.accept();
        else context.reject(['password']);
      });
      client.on('ready', () => {
        client.on('tcpip', (accept, _reject, info) => {
          const channel = accept();
          const socket = netConnect(info.destPort, info.destIP, () => socket.pipe(channel).pipe(socket));
          socket.on('error', () => channel.close());
        });
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    own({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const port = (server.address() as { port: number }).port;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey.publicLine.split(' ').slice(0, 2).join(' ')}\n`);
    const options: SshOptions = { host: '127.0.0.1', port, user: 'ops', password: 'bastion-secret', knownHostsFile: knownHosts };

    const wrong = await failure(openTunnel({ ...options, password: 'not-it' }));
    expect(wrong.message).toBe(`SSH authentication failed for ops@127.0.0.1:${port} (tried: password; the server accepts: password)`);
    expect(wrong.message).not.toContain('not-it');

    const target = own(await echoServer());
    const tunnel = await openTunnel(options);
    own({ close: async () => tunnel.close() });
    const local = await tunnel.endpoint('127.0.0.1', target.port);
    expect(await echo(local.port, 'through')).toBe('through');
  });
});

describe('the CLI through a bastion', () => {
  it('topology --ssh: an unknown host key names the flag to pass; passed, the key is added and the topology printed', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const sshd = own(await startSshd());
    const knownHosts = join(sshd.dir, 'cli_known_hosts');
    const args = ['topology', '--ssh', `root@127.0.0.1:${sshd.port}`, '--ssh-key', sshd.key.file, '--ssh-known-hosts', knownHosts, '--seed', lab.address('master')];

    const unknown = await runCli(args);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain(`--ssh-accept-host-key ${sshd.hostFingerprint}`);
    expect(unknown.stdout).toBe('');

    const accepted = await runCli([...args, '--ssh-accept-host-key', sshd.hostFingerprint, '--format', 'json']);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    const topology = JSON.parse(accepted.stdout) as { nodes: { address: string; reachable: boolean }[] };
    expect(topology.nodes.map((n) => [n.address, n.reachable]).sort()).toEqual(
      [
        [lab.address('master'), true],
        [lab.address('replica-1'), true],
      ].sort(),
    );
    expect(readFileSync(knownHosts, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);

    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${lab.address('replica-1')}  replica`);
    // One SSH session per run: the accepted run and the one after.
    expect(sshd.sessions()).toBe(2);
  });
});
