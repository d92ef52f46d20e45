import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';

const BIN = 'bin/replication-console.js';
let lab: Lab;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI like a user would; `stopAfterMs` sends SIGINT (for watch). */
function cli(args: string[], { stopAfterMs, env }: { stopAfterMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = stopAfterMs ? setTimeout(() => child.kill('SIGINT'), stopAfterMs) : undefined;
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

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
    const run = await cli(['watch', '--seed', lab.address('master'), '--password', 'cli-secret', '--interval', '200', '--format', 'json'], {
      stopAfterMs: 2500,
    });
    expect(run.code).toBe(0);
    const ticks = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; nodes: unknown[] });
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ticks.map((t) => t.seq)).toEqual(ticks.map((_, i) => i + 1));
    expect(ticks.every((t) => t.nodes.length === 4)).toBe(true);
  });

  it('watch --format table shows every node', async () => {
    const run = await cli(['watch', '--seed', lab.address('master'), '--password', 'cli-secret', '--interval', '200'], { stopAfterMs: 1500 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/NODE\s+ROLE\s+LINK\s+OFFSET\s+LAG/);
    for (const name of lab.nodeNames) expect(run.stdout).toContain(lab.address(name));
  });

  const failures: Array<[string, () => Promise<string[]>, number, RegExp]> = [
    ['a wrong password', async () => ['--seed', lab.address('master'), '--password', 'nope'], 4, /authentication failed/],
    ['a missing password', async () => ['--seed', lab.address('master')], 4, /requires a password/],
    ['a closed port', async () => ['--seed', `127.0.0.1:${await freePort()}`], 3, /connection refused/],
    ['a bad address', async () => ['--seed', 'localhost:0'], 2, /invalid port/],
    ['an unknown option', async () => ['--seed', lab.address('master'), '--frob'], 2, /Unknown option '--frob'/],
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
