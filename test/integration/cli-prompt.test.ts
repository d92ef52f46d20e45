// The confirmation prompt on a real terminal (a pseudo-terminal made by util-linux's `script`):
// Ctrl-C there cancels with 130 and Ctrl-D with 1, both saying nothing was sent, and nothing is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';

const CLI = path.resolve(import.meta.dirname, '../../bin/replication-console.js');
const SCRIPT = '/usr/bin/script';
const ESC = String.fromCharCode(27);

/** Runs the CLI on a terminal and presses `key` once its prompt is up; resolves with what it printed and its exit code. */
function atPrompt(args: string[], key: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const command = [process.execPath, CLI, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn(SCRIPT, ['-qfec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', REDISCLI_AUTH: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let pressed = false;
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    // The prompt, and readline's cursor move after it: the line editor is listening.
    if (!pressed && new RegExp(`to run it: ${ESC}\\[\\d+G`).test(out)) {
      pressed = true;
      child.stdin.write(key);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-cli-prompt-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});
const own = disposeAfterEach();

describe.runIf(existsSync(SCRIPT))('the confirmation prompt on a terminal', () => {
  it.each([
    ['Ctrl-C', '\x03', 130],
    ['Ctrl-D', '\x04', 1],
  ])('%s cancels: "cancelled; nothing was sent.", exit %i, the replica untouched', { timeout: 60_000 }, async (_name, key, code) => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const run = await atPrompt(['detach', '--node', lab.address('replica-1')], key, { REPLICATION_CONSOLE_DATA_DIR: dataDir });
    expect(run.out).toContain('replication-console: cancelled; nothing was sent.');
    expect(run.out).not.toMatch(/Internal error|ABORT_ERR/);
    expect(run.code).toBe(code);
    expect((await replication(lab, 'replica-1')).role).toBe('slave');
  });
});
