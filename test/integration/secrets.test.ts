// The secret grep: a password-protected lab, the real web server (its own process) driven over
// its WebSocket, a profile saved with secrets and connected through, a switchover and a
// masterauth step run, a wrong password, then the CLI (topology, watch, switchover --yes) with
// REDISCLI_AUTH. Everything the app wrote is captured: every WebSocket message, every process's
// stdout and stderr, and every file in the data directory. The test password, the stored SSH
// passphrase and the wrong password appear 0 times in all of it. The one exception is the web
// mode's opt-in secrets file: plain text, mode 0600, readable only by this user.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionOutcome, ActionPlan } from '../../electron/shared/actions';
import type { ConnectionProfile, ProfileList } from '../../electron/shared/profiles';
import type { ApiError, TopologySnapshot } from '../../electron/shared/types';
import { SECRETS_FILE } from '../../electron/app/secret-store';
import { direct, replication } from '../helpers/actions';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'Grep-Me-Pw-5v8Kq2';
const PASSPHRASE = 'Ssh-Passphrase-Zt41Lm';
const WRONG_PASSWORD = 'Wrong-Pw-Xc93Nb';
const NEEDLES = [PASSWORD, PASSPHRASE, WRONG_PASSWORD, Buffer.from(PASSWORD).toString('base64')];

let lab: Lab;
let dataDir: string;
/** Everything the app said, by where it was seen. */
const captured: { source: string; text: string }[] = [];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(2), password: PASSWORD });
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-secrets-'));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await lab?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Start one of our processes on the test's data directory; its output is captured. */
function start(entry: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, entry, {
    cwd: ROOT,
    env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1', REDISCLI_AUTH: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const name = entry.slice(1).join(' ');
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      children.delete(child);
      captured.push({ source: `${name} stdout`, text: output.stdout }, { source: `${name} stderr`, text: output.stderr });
      resolve(code);
    });
  });
  return { child, output, exited };
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof start> {
  return start(['bin/replication-console.js', ...args], env);
}

async function until<T>(find: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** A WebSocket client that keeps every message it receives, as received. */
class Client {
  readonly ws: WebSocket;
  readonly messages: string[] = [];
  #nextId = 1;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => this.messages.push(String(data)));
  }

  async opened(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
  }

  async call<T>(channel: string, args: unknown[], timeoutMs = 60_000): Promise<Result<T>> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ id, channel, args }));
    const text = await until(() => this.messages.find((m) => (JSON.parse(m) as { id?: number }).id === id), `the answer to ${channel}`, timeoutMs);
    return (JSON.parse(text) as { result: Result<T> }).result;
  }

  async value<T>(channel: string, args: unknown[]): Promise<T> {
    const result = await this.call<T>(channel, args);
    if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
    return result.value;
  }

  ticks(): number {
    return this.messages.filter((m) => m.startsWith('{"push":"topology:tick"')).length;
  }
}

/** Every file under the data directory, with its bytes as text. */
function filesIn(root: string): { file: string; text: string; mode: number }[] {
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      return { file: path.relative(root, file), text: fs.readFileSync(file).toString('latin1'), mode: fs.statSync(file).mode & 0o777 };
    });
}

function occurrences(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const needle of NEEDLES) {
    const n = text.split(needle).length - 1;
    if (n > 0) out[needle] = n;
  }
  return out;
}

describe('secrets', () => {
  // Three CLI processes, the web server and two plans: well within this, even on a loaded machine.
  it('never reach the WebSocket, the output of any process, or any file the app writes (but the 0600 opt-in file)', { timeout: 180_000 }, async () => {
    const master = lab.address('master');
    const replica1 = lab.address('replica-1');
    const replica2 = lab.address('replica-2');

    // The real web server, in its own process, on the test's data directory.
    const web = start(['bin/web-server.js', '--no-open']);
    const url = await until(() => /^Replication Console \(web mode\): (http:\/\/\S+)$/m.exec(web.output.stdout)?.[1], 'the web server URL', 60_000);
    const { host, searchParams } = new URL(url);
    const client = new Client(`ws://${host}/api?token=${searchParams.get('token') ?? ''}`);
    await client.opened();

    // Opt in to the secrets file, then save a profile with a password and an SSH passphrase.
    expect(await client.value('profile:secret-storage', ['file'])).toBe('file');
    const profile = await client.value<ConnectionProfile>('profile:save', [{ name: 'grep lab', seeds: [master], secrets: { password: PASSWORD, sshPassphrase: PASSPHRASE } }]);
    expect(profile.secrets).toEqual({ password: true, sentinelPassword: false, sshPassword: false, sshPassphrase: true });
    const list = await client.value<ProfileList>('profile:list', []);
    expect(list).toMatchObject({ secretStorage: 'file', problems: [] });
    const exported = await client.value<string>('profile:export', []);
    expect(exported).toContain('"grep lab"');

    // A wrong password: refused, and the message does not repeat it.
    const wrong = await client.call('topology:connect', [{ seeds: [master], password: WRONG_PASSWORD }]);
    expect(wrong.ok === false && wrong.error.code).toBe('AUTH_FAILED');

    // Through the profile: its stored password fills the connection.
    const snapshot = await client.value<TopologySnapshot>('topology:connect', [{ seeds: [], profileId: profile.id }]);
    expect(snapshot.connection).toMatchObject({ profileName: 'grep lab', readOnly: false });
    expect(snapshot.nodes.filter((n) => n.reachable)).toHaveLength(3);
    const ticksBefore = client.ticks();
    await until(() => client.ticks() >= ticksBefore + 2, 'two ticks');

    // A step that sends the password itself: CONFIG SET masterauth on a replica that lacks it.
    const admin = direct(lab, 'replica-2', PASSWORD);
    await admin.config('SET', 'masterauth', '');
    admin.disconnect();
    const moved = await client.value<ActionPlan>('action:plan', [{ kind: 'replicaof', node: replica2, master: replica1, options: { setMasterauth: true } }]);
    expect(moved.steps.some((s) => /CONFIG SET masterauth/.test(s.command))).toBe(true);
    const movedOutcome = await client.value<ActionOutcome>('action:execute', [{ planId: moved.id, confirmAddress: moved.confirmAddress ?? undefined }]);
    expect(movedOutcome.status).toBe('ok');

    // A switchover, journaled and audited.
    const plan = await client.value<ActionPlan>('action:plan', [{ kind: 'switchover', to: replica1, options: { stepTimeoutMs: 10_000 } }]);
    const outcome = await client.value<ActionOutcome>('action:execute', [{ planId: plan.id, confirmAddress: plan.confirmAddress ?? undefined }]);
    expect(outcome.status).toBe('ok');
    expect((await replication(lab, 'replica-1', PASSWORD)).role).toBe('master');
    expect((await client.value<{ entries: unknown[] }>('audit:list', [])).entries.length).toBeGreaterThanOrEqual(2);
    await client.value('events:list', []);
    await client.value('journal:interrupted', []);
    client.ws.close();
    web.child.kill('SIGTERM');
    expect(await web.exited, web.output.stderr).toBe(0);

    // The CLI with REDISCLI_AUTH: topology, watch, a switchover back, and a wrong password.
    const topology = cli(['topology', '--seed', replica1, '--format', 'json'], { REDISCLI_AUTH: PASSWORD });
    expect(await topology.exited, topology.output.stderr).toBe(0);
    expect(topology.output.stdout).toContain(replica1);
    const watch = cli(['watch', '--seed', replica1, '--format', 'json', '--interval', '200'], { REDISCLI_AUTH: PASSWORD });
    await until(() => watch.output.stdout.split('\n').filter(Boolean).length >= 2, 'two watch ticks');
    watch.child.kill('SIGINT');
    expect(await watch.exited, watch.output.stderr).toBe(0);
    const back = cli(['switchover', '--to', master, '--yes'], { REDISCLI_AUTH: PASSWORD });
    expect(await back.exited, back.output.stderr).toBe(0);
    expect(back.output.stdout).toMatch(/switchover|Switch/i);
    expect((await replication(lab, 'master', PASSWORD)).role).toBe('master');
    const denied = cli(['topology', '--seed', master], { REDISCLI_AUTH: WRONG_PASSWORD });
    expect(await denied.exited, denied.output.stderr).toBe(4);
    expect(denied.output.stderr).toMatch(/authentication failed/);

    // Every WebSocket message.
    expect(client.messages.length).toBeGreaterThan(10);
    captured.push(...client.messages.map((text, i) => ({ source: `websocket message ${i}`, text })));

    // Every file in the data directory.
    const files = filesIn(dataDir);
    const names = files.map((f) => f.file);
    for (const expected of ['audit.jsonl', 'topology-memory.json', 'profiles.json', 'settings.json', SECRETS_FILE]) expect(names).toContain(expected);
    expect(names.some((n) => n.startsWith('journal'))).toBe(true);
    const secretsFile = files.find((f) => f.file === SECRETS_FILE);
    // The exception, by design: plain text, readable by this user only. Finding the password there
    // also shows the grep finds what is there.
    expect(secretsFile?.mode).toBe(0o600);
    expect(occurrences(secretsFile?.text ?? '')).toEqual({ [PASSWORD]: 1, [PASSPHRASE]: 1 });
    captured.push(...files.filter((f) => f.file !== SECRETS_FILE).map((f) => ({ source: `file ${f.file}`, text: f.text })));

    const found = captured.map((c) => ({ source: c.source, hits: occurrences(c.text) })).filter((c) => Object.keys(c.hits).length > 0);
    expect(found).toEqual([]);
    // What was grepped is real: the profile, the audit of both plans and the CLI's output are in it.
    const all = captured.map((c) => c.text).join('\n');
    expect(all).toContain('grep lab');
    expect(all).toContain('masterauth');
    expect(all).toContain(`FAILOVER TO 127.0.0.1 ${lab.port('replica-1')}`);
  });
});
