// The CLI is an adapter over ConsoleService, as the desktop app and the web mode are: its topology
// change goes through the hub's typed API (the same channels the renderer calls), is audited as
// the CLI's, and is journalled in the service's plan journal; a refusal reaches the exit code
// through its error code.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { ConsoleHub } from '../../electron/app/console-hub';
import { JOURNAL_DIR } from '../../electron/engine/actions/journal';
import { fail, main } from '../../electron/cli/main';
import { replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';

let dataDir: string;
const own = disposeAfterEach();

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-cli-service-'));
  vi.stubEnv('REPLICATION_CONSOLE_DATA_DIR', dataDir);
  vi.stubEnv('REDISCLI_AUTH', '');
});
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(dataDir, { recursive: true, force: true });
});

/** Run main() in this process, recording every call the CLI makes on the hub and what it prints. */
async function run(argv: string[]): Promise<{ code: number; calls: string[]; stdout: string; stderr: string }> {
  const calls: string[] = [];
  const invoke = ConsoleHub.prototype.invoke;
  vi.spyOn(ConsoleHub.prototype, 'invoke').mockImplementation(function (this: ConsoleHub, topology, channel, args) {
    calls.push(`${String(topology)} ${channel}`);
    return invoke.call(this, topology, channel, args);
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: unknown) => void stdout.push(String(text)));
  vi.spyOn(console, 'error').mockImplementation((text: unknown) => void stderr.push(String(text)));
  let code: number;
  try {
    code = await main(argv);
  } catch (error) {
    code = fail(error);
  }
  vi.restoreAllMocks();
  return { code, calls, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

describe('the CLI over ConsoleService', () => {
  it("promote: connect, plan and execute are the API's calls on the main topology, audited as cli, journalled in the service's journal", async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const result = await run(['promote', '--node', lab.address('replica-1'), '--yes', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(['main topology:connect', 'main action:plan', 'main action:execute']);
    const [planLine, outcomeLine] = result.stdout.split('\n');
    const plan = (JSON.parse(planLine ?? '{}') as { plan: { id: string } }).plan;
    expect(JSON.parse(outcomeLine ?? '{}')).toMatchObject({ outcome: { ok: true } });
    expect((await replication(lab, 'replica-1')).role).toBe('master');

    const audit = (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n');
    expect(audit.map((line) => JSON.parse(line) as unknown)).toEqual([expect.objectContaining({ planId: plan.id, outcome: 'ok', who: expect.objectContaining({ interface: 'cli' }) })]);
    // The plan went through the service's journal (in the data directory), closed once it ended.
    expect(await readdir(path.join(dataDir, JOURNAL_DIR, 'done'))).toEqual([`${plan.id}.jsonl`]);
  });

  it('a read-only connection is refused by the service (READ_ONLY, exit 2) having sent nothing; a plan its checks refuse exits 1', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const readOnly = await run(['detach', '--node', lab.address('replica-1'), '--read-only', '--yes']);
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toMatch(/^replication-console: .*read-only/);
    expect(readOnly.calls).toEqual(['main topology:connect', 'main action:plan']);
    expect((await replication(lab, 'replica-1')).role).toBe('slave');
    // A refusal by the service's own check (the node is unreachable) is the plan's verdict: exit 1.
    const refused = await run(['detach', '--node', '127.0.0.1:1', '--seed', lab.address('master'), '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/✗ UNREACHABLE_TARGET/);
    expect(refused.calls).toEqual(['main topology:connect', 'main action:plan']);
  });
});
