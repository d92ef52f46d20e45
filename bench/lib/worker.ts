// Runs one TypeScript worker in its own Node process and resolves with the value it sends back
// over IPC. A process of its own keeps one side's JIT and GC state out of the other side's CPU
// figures. The worker runs as an esbuild bundle made the way the CLI and `serve` are built
// (scripts/build-node.mjs), not through tsx: tsx compiles with keepNames, which wraps every
// function the engine creates (a closure per poll) in a property definition that users' builds
// do not have, and the bench measures the code users run.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBundleOptions } from '../../scripts/build-node.mjs';
import { WORKER_INPUT, type WorkerReply } from '../workers/protocol';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Fork `script` (a path from the repo root), give it `input`, resolve with its result. */
export async function runWorker<I, O>(script: string, input: I, timeoutMs: number): Promise<O> {
  installExitHook();
  const bundle = await bundled(script);
  // The input goes in the environment: an IPC message could arrive before the worker listens.
  const env = { ...process.env, [WORKER_INPUT]: JSON.stringify(input) };
  const child = fork(bundle, [], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  live.add(child);
  return new Promise<O>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      // A worker has nothing left to do once it has replied (or timed out): make sure it is gone.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`${script} did not finish within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    child.on('message', (message: WorkerReply<O>) => {
      finish(() => (message.ok ? resolve(message.value) : reject(new Error(`${script}: ${message.error}`))));
    });
    child.once('error', (error) => finish(() => reject(error)));
    child.once('exit', (code, signal) => {
      live.delete(child);
      finish(() => reject(new Error(`${script} exited (${signal ?? `code ${code}`}) without a result`)));
    });
  });
}

/** Each worker script built once per bench run, into a temporary directory removed at exit. */
const bundles = new Map<string, Promise<string>>();
let bundleDir: Promise<string> | null = null;

function bundled(script: string): Promise<string> {
  let built = bundles.get(script);
  if (!built) {
    built = buildWorker(script);
    bundles.set(script, built);
  }
  return built;
}

async function buildWorker(script: string): Promise<string> {
  bundleDir ??= mkdtemp(path.join(os.tmpdir(), 'rc-bench-workers-'));
  const dir = await bundleDir;
  const outfile = path.join(dir, `${path.basename(script, '.ts')}.mjs`);
  const esbuild = await import('esbuild');
  await esbuild.build({ ...nodeBundleOptions(), entryPoints: [path.join(ROOT, script)], outfile });
  return outfile;
}

/** Remove the built workers (the bench calls it when it ends). */
export async function removeWorkerBundles(): Promise<void> {
  const dir = bundleDir && (await bundleDir);
  bundleDir = null;
  bundles.clear();
  if (dir) await rm(dir, { recursive: true, force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
