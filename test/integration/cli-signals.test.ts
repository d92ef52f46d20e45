// SIGHUP (what a dropped SSH session sends) is handled as SIGTERM by every front end: a running
// plan stops at its next safe point, the lab removes its data. Real processes, real signals; each
// signal is sent once the output shows the moment it is about, never after a fixed time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct, replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'bin/replication-console.js');
const WEB = path.join(ROOT, 'bin/web-server.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A real process, and a promise of its exit with everything it printed. */
function start(script: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; out: () => string; exit: Promise<Exit> } {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, REDISCLI_AUTH: '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, out: () => stdout, exit };
}

/** Resolves once the process's stdout satisfies `ready`; rejects if it exits first. */
function whenOutput(run: ReturnType<typeof start>, ready: (stdout: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (ready(run.out())) {
        run.child.stdout?.off('data', check);
        resolve();
      }
    };
    run.child.stdout?.on('data', check);
    void run.exit.then((e) => reject(new Error(`exited (${e.code ?? e.signal}) before the output was ready:\n${e.stdout}\n${e.stderr}`)));
    check();
  });
}

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rc-cli-signals-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});
const own = disposeAfterEach();

describe('SIGHUP', () => {
  it('stops a switchover --method fence at a safe point: one master, no fence left, the outcome says aborted', { timeout: 60_000 }, async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
    const run = start(CLI, ['switchover', '--seed', lab.address('master'), '--to', lab.address('replica-1'), '--method', 'fence', '--yes'], {
      REPLICATION_CONSOLE_DATA_DIR: path.join(scratch, 'data'),
    });
    await whenOutput(run, (out) => /\[1\/\d+\]/.test(out));
    run.child.kill('SIGHUP');
    const exit = await run.exit;
    // Handled, not killed by it: the handler stopped the plan and the process exited by itself.
    expect(exit.signal).toBeNull();
    expect(exit.stderr).toContain('SIGHUP: stopping the plan at its next safe point');
    expect(exit.code).toBe(1);
    expect(exit.stdout).toMatch(/✗ Aborted after \d+ ms\./);
    expect(exit.stderr).toMatch(/" stopped: .*the journal keeps it/);
    // The journal names the signal and finds the nodes settled: rolled back, nothing fenced.
    const journal = await start(CLI, ['interrupted', '--json'], { REPLICATION_CONSOLE_DATA_DIR: path.join(scratch, 'data') }).exit;
    const { reports } = JSON.parse(journal.stdout) as { reports: { cause: string; fenced: unknown[]; settled: boolean }[] };
    expect(reports).toEqual([expect.objectContaining({ cause: 'SIGHUP received', fenced: [], settled: true })]);
    const roles = await Promise.all(lab.nodeNames.map(async (name) => (await replication(lab, name)).role));
    expect(roles.filter((role) => role === 'master')).toHaveLength(1);
    for (const name of lab.nodeNames) {
      const redis = direct(lab, name);
      try {
        expect(await redis.config('GET', 'min-replicas-to-write'), name).toEqual(['min-replicas-to-write', '0']);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('stops `replication-console lab` and removes its temp dir', { timeout: 60_000 }, async () => {
    const run = start(CLI, ['lab'], { TMPDIR: scratch });
    await whenOutput(run, (out) => out.includes('Press Ctrl-C'));
    expect((await readdir(scratch)).filter((name) => name.startsWith('replication-console-lab-'))).toHaveLength(1);
    run.child.kill('SIGHUP');
    const exit = await run.exit;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('stops the web mode with --lab and removes the lab temp dir', { timeout: 60_000 }, async () => {
    const run = start(WEB, ['--lab', '--no-open', '--port', '0'], { TMPDIR: scratch, REPLICATION_CONSOLE_DATA_DIR: path.join(scratch, 'data') });
    await whenOutput(run, (out) => /Replication Console \(web mode\): http/.test(out));
    expect((await readdir(scratch)).filter((name) => name.startsWith('replication-console-lab-'))).toHaveLength(1);
    run.child.kill('SIGHUP');
    const exit = await run.exit;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
    expect((await readdir(scratch)).filter((name) => name.startsWith('replication-console-lab-'))).toEqual([]);
  });
});

describe('lab without redis-server', () => {
  it('says what to install, with no "Internal error"', async () => {
    // An empty PATH: no redis-server (node runs by its full path).
    const run = start(CLI, ['lab'], { PATH: scratch });
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^replication-console: cannot start the lab: redis-server was not found on PATH: .*apt-get install redis-server.*brew install redis/);
    expect(exit.stderr).not.toMatch(/Internal error/);
    expect(exit.stderr.trim().split('\n')).toHaveLength(1);
  });
});
