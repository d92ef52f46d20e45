import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Lab, docsLayout, masterWithReplicas } from '../../electron/lab/lab';
import { runCli as cli } from '../helpers/cli';
import { DEAD_PORT } from '../helpers/dead-port';

const BIN = 'bin/replication-console.js';
let lab: Lab;

beforeAll(async () => {
  lab = await Lab.start({ nodes: docsLayout(), password: 'cli-secret' });
});
afterAll(async () => lab?.close());

describe('replication-console CLI', () => {
  it('topology --format json prints the documented shape', async () => {
    const run = await cli(['topology', '--seed', lab.address('replica-1-1'), '--format', 'json'], { env: { REDISCLI_AUTH: 'cli-secret' } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { nodes: Array<Record<string, unknown>>; warnings: { code: string }[] };
    // The lab runs without persistence on purpose (restart tests): that risk is the only warning.
    expect(out.warnings.filter((w) => w.code !== 'MASTER_NO_PERSISTENCE')).toEqual([]);
    expect(out.nodes).toHaveLength(4);
    const byAddress = new Map(out.nodes.map((n) => [n.address, n]));
    expect(byAddress.get(lab.address('master'))).toMatchObject({ role: 'master', reachable: true, master: null, linkStatus: null, error: null });
    expect(byAddress.get(lab.address('replica-1-1'))).toMatchObject({
      role: 'replica',
      reachable: true,
      master: lab.address('replica-1'),
      linkStatus: 'up',
      error: null,
    });
    for (const n of out.nodes) {
      expect(typeof n.offset).toBe('number');
      expect(n.runId).toMatch(/^[0-9a-f]{40}$/);
      if (n.role === 'replica') expect(typeof n.lagBytes).toBe('number');
    }
  });

  it('topology --format tree and mermaid draw the cascade', async () => {
    const env = { REDISCLI_AUTH: 'cli-secret' };
    const tree = await cli(['topology', '--seed', lab.address('master')], { env });
    expect(tree.code).toBe(0);
    const lines = tree.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${lab.address('master')}  master`));
    expect(tree.stdout).toContain(`└─ ${lab.address('replica-1-1')}  replica`);
    const mermaid = await cli(['topology', '--seed', lab.address('master'), '--format', 'mermaid'], { env });
    expect(mermaid.stdout.split('\n')[0]).toBe('graph TD');
    expect(mermaid.stdout.match(/-->\|up\|/g)).toHaveLength(3);
  });

  it('watch --format json prints one line per tick and stops cleanly on Ctrl-C', async () => {
    const run = await cli(['watch', '--seed', lab.address('master'), '--interval', '200', '--format', 'json'], {
      env: { REDISCLI_AUTH: 'cli-secret' },
      stopWhen: (out) => out.split('\n').length > 5,
    });
    expect(run.code).toBe(0);
    const ticks = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; nodes: unknown[] });
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.map((t) => t.seq)).toEqual(ticks.map((_, i) => i + 1));
    expect(ticks.every((t) => t.nodes.length === 4)).toBe(true);
  });

  it('watch --format table shows every node', async () => {
    const run = await cli(['watch', '--seed', lab.address('master'), '--interval', '200'], {
      env: { REDISCLI_AUTH: 'cli-secret' },
      stopWhen: (out) => lab.nodeNames.every((name) => out.includes(lab.address(name))),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/NODE\s+ROLE\s+LINK\s+OFFSET\s+LAG/);
    for (const name of lab.nodeNames) expect(run.stdout).toContain(lab.address(name));
  });

  it('COMMAND --help prints that command\'s own usage and exits 0, connecting to and starting nothing', async () => {
    const lab = await cli(['lab', '--help']);
    expect(lab.code).toBe(0);
    expect(lab.stdout).toMatch(/^usage: replication-console lab\n/);
    // The usage, not a lab: `lab` itself prints its nodes' addresses and waits for Ctrl-C.
    expect(lab.stdout).not.toContain('Local replication lab');
    const topology = await cli(['topology', '--help']);
    expect(topology.code).toBe(0);
    expect(topology.stdout).toMatch(/^usage: replication-console topology /);
    expect(topology.stdout).toContain('--sentinel HOST:PORT');
    expect(topology.stdout).not.toContain('Commands:');
    const switchover = await cli(['switchover', '-h']);
    expect(switchover.code).toBe(0);
    expect(switchover.stdout).toMatch(/^usage: replication-console switchover --to HOST:PORT/);
    expect(switchover.stdout).toContain('paused-failover');
    expect(switchover.stdout).not.toMatch(/^ {2}replicaof /m);
    const unknown = await cli(['frobnicate', '--help']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const labWithOption = await cli(['lab', '--seed', '127.0.0.1:1']);
    expect(labWithOption.code).toBe(2);
    expect(labWithOption.stderr).toMatch(/lab takes no options/);
  });

  it('watch --problems: a summary line while healthy; a replica that goes away is the only row', async () => {
    const own = await Lab.start({ nodes: masterWithReplicas(2) });
    try {
      const gone = own.address('replica-2');
      let stopping: Promise<void> | null = null;
      const run = await cli(['watch', '--seed', own.address('master'), '--interval', '200', '--problems'], {
        stopWhen: (out) => {
          // Once a healthy summary is out, stop a replica; stop watching once it is reported.
          if (!stopping && / 3 nodes: 3 healthy/.test(out)) stopping = own.stop('replica-2');
          return stopping !== null && out.includes(`1 not (${gone} unreachable)`);
        },
      });
      await stopping;
      expect(run.code).toBe(0);
      const healthy = run.stdout.split('\n').find((l) => / 3 nodes: 3 healthy/.test(l));
      expect(healthy).toBeDefined();
      const report = run.stdout.slice(run.stdout.lastIndexOf('3 nodes: 2 healthy'));
      expect(report).toContain(`2 healthy, 1 not (${gone} unreachable)`);
      // Only the unhealthy node has a row: the master and the other replica are in the summary only.
      const rows = report.split('\n').filter((l) => /^\s*127\.0\.0\.1:\d+\s/.test(l));
      expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual([gone]);
      const usage = await cli(['topology', '--seed', own.address('master'), '--problems']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/^replication-console: topology does not take --problems\n/);
      const json = await cli(['watch', '--seed', own.address('master'), '--problems', '--format', 'json']);
      expect(json.code).toBe(2);
      expect(json.stderr).toMatch(/--problems is for watch, in the table format/);
    } finally {
      await own.close();
    }
  });

  it('watch piped into a reader that stops (| head): exits 0 at the next line, no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'watch', '--seed', lab.address('master'), '--interval', '200'], {
      env: { ...process.env, REDISCLI_AUTH: 'cli-secret' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    // The reader takes the first tick, then goes away, as `head` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toBe('');
  });

  it('watch stops cleanly on a Ctrl-C that arrives while a silent seed is still being dialled', async () => {
    // A port that accepts and never answers: discovery waits (up to --timeout) for its INFO.
    const sockets = new Set<Socket>();
    const dialled = new Promise<void>((resolve) => {
      const silent = createServer((socket) => {
        sockets.add(socket);
        resolve();
      });
      silent.listen(0, '127.0.0.1', () => {
        const { port } = silent.address() as AddressInfo;
        const child = spawn(process.execPath, [BIN, 'watch', '--seed', `127.0.0.1:${port}`, '--timeout', '60000']);
        running = { child, silent };
      });
    });
    let running: { child: ReturnType<typeof spawn>; silent: ReturnType<typeof createServer> } | undefined;
    await dialled;
    const { child, silent } = running ?? expect.unreachable('the CLI did not start');
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    // The CLI is connecting now: its handler is in place, so Ctrl-C stops it rather than killing it.
    child.kill('SIGINT');
    const started = Date.now();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  const failures: Array<[string, () => Promise<string[]>, number, RegExp]> = [
    ['a wrong password', async () => ['--seed', lab.address('master'), '--password', 'nope'], 4, /authentication failed/],
    ['a missing password', async () => ['--seed', lab.address('master')], 4, /requires a password/],
    ['a closed port', async () => ['--seed', `127.0.0.1:${DEAD_PORT}`], 3, /connection refused/],
    ['a bad address', async () => ['--seed', 'localhost:0'], 2, /invalid port/],
    ['an unknown option', async () => ['--seed', lab.address('master'), '--frob'], 2, /^replication-console: unknown option --frob\n/],
  ];
  it.each(failures)('%s: a one-line error, a specific exit code, no stack trace', async (_, args, code, message) => {
    const run = await cli(['topology', ...(await args())]);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).not.toContain('cli-secret');
    expect(run.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });
});
