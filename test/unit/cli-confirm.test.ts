// The topology changes' terminal edges: the confirmation prompt cancelled (Ctrl-C, Ctrl-D), a
// refusal that says "nothing was sent" exactly when the API says so, --json errors a script can
// branch on, --override refused when it names no check, and the help's small corners.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActionPlan } from '../../electron/shared/actions';
import type { ReplicationConsoleApi } from '../../electron/shared/api';
import { ApiCallError } from '../../electron/shared/bind-api';
import { UsageError } from '../../electron/app/options';
import { ask, overrideCodes, PromptCancelled, runActionCommand } from '../../electron/cli/action-commands';
import { answerHelp, usageFailure } from '../../electron/cli/help';
import { fail, type CliSession } from '../../electron/cli/main';
import packageJson from '../../package.json';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A terminal-like prompt on streams of the test's own; `typed` is what the user presses. */
function prompt(typed: string | null, terminal = true): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  const answer = ask('Run 2 steps? [y/N] ', { input, output, terminal });
  if (typed === null) input.end();
  else input.write(typed);
  return answer;
}

describe('the confirmation prompt', () => {
  it('reads the answer', async () => {
    await expect(prompt(' yes \r')).resolves.toBe('yes');
    await expect(prompt('y\n', false)).resolves.toBe('y');
  });

  it('is cancelled by Ctrl-C (interrupted), Ctrl-D and the end of the input (not interrupted), never as an internal error', async () => {
    const ctrlC = await prompt('\x03').catch((error: unknown) => error);
    expect(ctrlC).toBeInstanceOf(PromptCancelled);
    expect(ctrlC).toMatchObject({ interrupted: true, message: 'cancelled; nothing was sent.' });
    await expect(prompt('\x04')).rejects.toMatchObject({ name: 'PromptCancelled', interrupted: false });
    await expect(prompt(null, false)).rejects.toMatchObject({ name: 'PromptCancelled', interrupted: false });
  });
});

const PLAN = {
  id: 'plan-1',
  request: { kind: 'detach', node: '127.0.0.1:7001', options: {} },
  createdAt: 0,
  expiresAt: 1,
  summary: 'Detach 127.0.0.1:7001',
  steps: [],
  checks: [],
  predictions: [],
  lostBytes: [],
  canRun: true,
  needsOverride: [],
  confirmAddress: null,
  nodes: ['127.0.0.1:7001'],
} as unknown as ActionPlan;

/** A session whose API plans PLAN and refuses to run it with `refusal`. */
function refusingSession(refusal: ApiCallError): CliSession {
  const api = {
    connect: vi.fn(async () => ({})),
    planAction: vi.fn(async () => PLAN),
    executeAction: vi.fn(async () => {
      throw refusal;
    }),
    onActionProgress: () => () => undefined,
  } as unknown as ReplicationConsoleApi;
  return { api, hub: {} as CliSession['hub'], options: { seeds: ['127.0.0.1:7001'] } as CliSession['options'] };
}

describe('a refused topology change', () => {
  it('says "nothing was sent" exactly when the API says so', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((text: string) => void lines.push(text));
    expect(fail(new ApiCallError('PLAN_STALE', 'The topology changed since the plan was made: plan again.', { nothingSent: true }))).toBe(1);
    expect(lines.at(-1)).toBe('replication-console: The topology changed since the plan was made: plan again; nothing was sent.');
    expect(fail(new ApiCallError('BUSY', 'another plan is running (p): wait for it or abort it', { nothingSent: true, runningPlanId: 'p' }))).toBe(1);
    expect(lines.at(-1)).toBe('replication-console: another plan is running (p): wait for it or abort it; nothing was sent.');
    for (const details of [{}, { nothingSent: false }]) {
      expect(fail(new ApiCallError('TIMEOUT', 'step 2 timed out', details))).toBe(3);
      expect(lines.at(-1)).toBe('replication-console: step 2 timed out');
    }
  });

  it('with --json, prints the error as a JSON line on stdout after the plan', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    const refusal = new ApiCallError('PLAN_STALE', 'the topology changed', { nothingSent: true });
    await expect(runActionCommand('detach', { node: '127.0.0.1:7001', yes: true, json: true }, refusingSession(refusal))).rejects.toBe(refusal);
    expect(out.map((line) => JSON.parse(line) as unknown)).toEqual([
      { plan: PLAN },
      { error: { code: 'PLAN_STALE', message: 'the topology changed', details: { nothingSent: true } } },
    ]);
  });

  it('without --json, prints no JSON error', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    const refusal = new ApiCallError('BUSY', 'busy', { nothingSent: true });
    await expect(runActionCommand('detach', { node: '127.0.0.1:7001', yes: true }, refusingSession(refusal))).rejects.toBe(refusal);
    expect(out.join('\n')).not.toContain('"error"');
  });
});

describe('--override', () => {
  it('takes the planner\'s check codes and refuses any other, listing them', () => {
    expect(overrideCodes(['FULL_SYNC', 'MASTER_DEMOTED'])).toEqual(['FULL_SYNC', 'MASTER_DEMOTED']);
    expect(overrideCodes(undefined)).toEqual([]);
    expect(() => overrideCodes(['FULL_SYNC', 'BOGUS_CODE'])).toThrow(UsageError);
    expect(() => overrideCodes(['full_sync'])).toThrow(/^--override full_sync is not a check code .*the codes: .*\bFULL_SYNC\b.*\bUNKNOWN_REPLICAS\b/);
  });

  it('is checked before anything is planned', async () => {
    const session = refusingSession(new ApiCallError('BUSY', 'busy'));
    await expect(runActionCommand('detach', { node: '127.0.0.1:7001', override: ['BOGUS'] }, session)).rejects.toThrow(UsageError);
    expect(session.api.planAction).not.toHaveBeenCalled();
  });
});

describe('a node flag given a URL', () => {
  it('says what it must be without the password in it', async () => {
    const session = refusingSession(new ApiCallError('BUSY', 'busy'));
    for (const [command, values] of [
      ['replicaof', { node: '127.0.0.1:7001', master: 'redis://:S3cr3tPW@127.0.0.1:7000' }],
      ['detach', { node: 'redis//:S3cr3tPW@127.0.0.1:7001' }],
    ] as const) {
      const refused = runActionCommand(command, values, session);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(/must be HOST:PORT, not "(redis:\/\/:)?\*\*\*@127\.0\.0\.1:700\d"/);
    }
    expect(session.api.planAction).not.toHaveBeenCalled();
  });
});

describe('help corners', () => {
  function answer(argv: string[]): { code: number | null; out: string; err: string } {
    let out = '';
    let err = '';
    vi.spyOn(console, 'log').mockImplementation((text: string) => void (out += `${text}\n`));
    vi.spyOn(console, 'error').mockImplementation((text: string) => void (err += `${text}\n`));
    const code = answerHelp(argv);
    vi.restoreAllMocks();
    return { code, out, err };
  }

  it('answers help --help and help help', () => {
    expect(answer(['help', '--help'])).toMatchObject({ code: 0, err: '', out: expect.stringMatching(/^replication-console: Redis and Valkey/) });
    expect(answer(['help', 'help'])).toMatchObject({ code: 0, err: '', out: expect.stringMatching(/^usage: replication-console help \[COMMAND\]\n/) });
  });

  it('starts interrupted --help with a usage line that names the command', () => {
    expect(answer(['interrupted', '--help']).out).toMatch(/^usage: replication-console interrupted \[--dismiss PLAN_ID\]/);
  });

  it('prints the version for --version, exit 0', () => {
    expect(answer(['--version'])).toEqual({ code: 0, out: `${packageJson.version}\n`, err: '' });
  });

  it('points a command\'s own mistake at that command\'s help, anything else at the whole help', () => {
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((text: string) => void lines.push(text));
    expect(usageFailure('switchover needs --to HOST:PORT', 'switchover')).toBe(2);
    expect(lines.at(-1)).toBe('replication-console: switchover needs --to HOST:PORT\nRun `replication-console switchover --help` for usage.');
    expect(fail(new UsageError('unknown option --frob'), 'topology')).toBe(2);
    expect(lines.at(-1)).toBe('replication-console: unknown option --frob\nRun `replication-console topology --help` for usage.');
    expect(fail(new UsageError('unknown command "frob"'), 'frob')).toBe(2);
    expect(lines.at(-1)).toBe('replication-console: unknown command "frob"\nRun `replication-console --help` for usage.');
  });
});
