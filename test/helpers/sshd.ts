// A real OpenSSH server (Debian's /usr/sbin/sshd) on a free loopback port, run as the current
// user from a temp dir: its own ed25519 host key, authorized user keys (one with a passphrase),
// debug log on stderr (the tests count sessions and forwards in it). Stopped by pid.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../electron/lab/free-port';

export const SSHD = '/usr/sbin/sshd';
export const PASSPHRASE = 'correct horse battery staple';

export interface SshdOptions {
  /** AllowTcpForwarding: default yes. */
  allowTcpForwarding?: boolean;
  /** Reuse another server's directory (same host key and user keys), e.g. to restart it. */
  dir?: string;
  /** Listen on this port (a restart where the last one listened); default a free one. */
  port?: number;
}

/** A user key made with ssh-keygen: the private key file and its public line. */
export interface UserKey {
  file: string;
  publicLine: string;
}

export interface Sshd {
  port: number;
  dir: string;
  /** "ssh-ed25519 AAAA…" of the host key. */
  hostPublicKey: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it. */
  hostFingerprint: string;
  /** Authorized, no passphrase. */
  key: UserKey;
  /** Authorized, encrypted with PASSPHRASE. */
  encryptedKey: UserKey;
  /** Not authorized. */
  strangerKey: UserKey;
  /** Everything sshd logged so far. */
  log(): string;
  /** Stop sshd and its sessions, keeping its directory (for a restart on the same port). */
  stop(): Promise<void>;
  /** How many SSH sessions have authenticated so far (sshd's "Accepted …" lines). */
  sessions(): number;
  /** How many SSH sessions have ended so far (sshd's "Disconnected from user …" lines). */
  closedSessions(): number;
  /** Resolve once sshd's log satisfies `done` (checked on each line it writes); fail after `ms`. */
  waitForLog(done: (log: string) => boolean, ms: number, what: string): Promise<void>;
  /** End the open SSH sessions (the processes sshd forked for them, by pid), as a network drop would. */
  dropSessions(): void;
  close(): Promise<void>;
}

/**
 * Make an ed25519 key pair with ssh-keygen. A passphrase key gets 2 bcrypt-pbkdf rounds, not the
 * default 16: each decryption in ssh2 (pure JS) took ~1 s of a loaded core at 16, and what the
 * tests prove (encrypted, wrong or right passphrase) does not depend on the rounds.
 */
export function makeKey(file: string, passphrase = ''): UserKey {
  const rounds = passphrase === '' ? [] : ['-a', '2'];
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, ...rounds, '-C', '', '-f', file], { stdio: 'ignore' });
  return { file, publicLine: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/** A key's fingerprint as `ssh-keygen -lf` prints it (second field). */
export function keygenFingerprint(file: string): string {
  return execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1] ?? '';
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rc-sshd-'));
  const hostKeyFile = join(dir, 'host_ed25519');
  if (!existsSync(hostKeyFile)) {
    makeKey(hostKeyFile);
    const key = makeKey(join(dir, 'id_plain'));
    const encryptedKey = makeKey(join(dir, 'id_encrypted'), PASSPHRASE);
    makeKey(join(dir, 'id_stranger'));
    writeFileSync(join(dir, 'authorized_keys'), `${key.publicLine}\n${encryptedKey.publicLine}\n`, { mode: 0o600 });
  }
  // sshd running as root insists on its privilege separation directory, which Debian's service
  // unit makes at boot; a container that never started the service lacks it.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });

  const port = options.port ?? (await freePort());
  const config = join(dir, `sshd_config.${port}`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(dir, `sshd.${port}.pid`)}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowTcpForwarding ${options.allowTcpForwarding === false ? 'no' : 'yes'}`,
      // DEBUG1 logs every direct-tcpip target: the tests read which nodes went through the tunnel.
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );

  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start listening within 10 s:\n${log}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      stop(child).finally(() => reject(error));
    };
    child.stderr?.on('data', (text: string) => {
      log += text;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => fail(new Error(`sshd exited (${code}) before listening:\n${log}`)));
  });

  const publicLine = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim();
  return {
    port,
    dir,
    hostPublicKey: publicLine(hostKeyFile).split(' ').slice(0, 2).join(' '),
    hostFingerprint: keygenFingerprint(`${hostKeyFile}.pub`),
    key: { file: join(dir, 'id_plain'), publicLine: publicLine(join(dir, 'id_plain')) },
    encryptedKey: { file: join(dir, 'id_encrypted'), publicLine: publicLine(join(dir, 'id_encrypted')) },
    strangerKey: { file: join(dir, 'id_stranger'), publicLine: publicLine(join(dir, 'id_stranger')) },
    log: () => log,
    sessions: () => log.split('\n').filter((line) => /^Accepted \S+ for /.test(line)).length,
    closedSessions: () => log.split('\n').filter((line) => /^Disconnected from user /.test(line)).length,
    waitForLog: (done, ms, what) =>
      new Promise<void>((resolve, reject) => {
        if (done(log)) return resolve();
        const check = () => {
          if (!done(log)) return;
          clearTimeout(timer);
          child.stderr?.off('data', check);
          resolve();
        };
        const timer = setTimeout(() => {
          child.stderr?.off('data', check);
          reject(new Error(`sshd's log did not show ${what} within ${ms} ms:\n${log}`));
        }, ms);
        child.stderr?.on('data', check);
      }),
    dropSessions: () => killSessions(child, 'SIGKILL'),
    stop: () => stop(child),
    close: async () => {
      await stop(child);
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The processes sshd forked for its sessions, and theirs (each session calls setsid(), so a group kill misses them). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Gone already.
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function killSessions(child: ChildProcess, signal: NodeJS.Signals): void {
  for (const pid of descendants(child.pid ?? 0)) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited with its parent.
    }
  }
}

/** End sshd's sessions and then sshd itself (SIGTERM by pid), and wait for it to exit. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    killSessions(child, 'SIGTERM');
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}
