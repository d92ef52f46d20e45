// Runs one TypeScript worker in its own Node process (through bin/run-ts.js, so tsx compiles it)
// and resolves with the value it sends back over IPC. A process of its own keeps one side's JIT
// and GC state out of the other side's CPU figures.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_INPUT, type WorkerReply } from '../workers/protocol';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Fork `script` (a path from the repo root), give it `input`, resolve with its result. */
export function runWorker<I, O>(script: string, input: I, timeoutMs: number): Promise<O> {
  installExitHook();
  // The input goes in the environment: an IPC message could arrive before the worker listens.
  const env = { ...process.env, [WORKER_INPUT]: JSON.stringify(input) };
  const child = fork(RUN_TS, [script], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
