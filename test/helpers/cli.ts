// The CLI as a user or a script runs it, for the integration tests: a real process of
// bin/replication-console.js with no terminal, its whole output and its exit code.
import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/replication-console.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** On top of this process's environment, where REDISCLI_AUTH is blanked: no password of the tester's shell leaks in. */
  env?: NodeJS.ProcessEnv;
  /** Written to the CLI's stdin (for --askpass); stdin is closed either way. */
  stdin?: string;
  /** Sends Ctrl-C (SIGINT) once the output so far satisfies it (for watch): a condition, never a fixed time. */
  stopWhen?: (stdout: string) => boolean;
  /** Called with the output so far and the process's pid whenever stdout grows (to signal it mid-run). */
  onStdout?: (stdout: string, pid: number) => void;
}

/** Runs the CLI with `args` until it exits. */
export function runCli(args: string[], { env, stdin, stopWhen, onStdout }: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, REDISCLI_AUTH: '', ...env } });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (onStdout && child.pid !== undefined) onStdout(stdout, child.pid);
      if (stopWhen && !stopped && stopWhen(stdout)) {
        stopped = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
