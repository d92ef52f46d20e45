// `replicaof`, `promote`, `switchover`, `failover`, `detach`, `sentinel-failover`: plan, show,
// confirm, run, report, through the same API the desktop app calls (ConsoleService's action
// channels, in process); this file only talks to the terminal.
import { createInterface } from 'node:readline/promises';
import type { ActionOptions, ActionRequest, CheckCode, SwitchoverMethod } from '../shared/actions';
import { MAIN_TOPOLOGY } from '../shared/api';
import { normalizeAddress } from '../engine/address';
import { isAddress } from '../shared/address-schema';
import { redactSeed } from '../shared/seed-url';
import { formatOutcome, formatPlan, ProgressPrinter, runnable, type Style } from './action-output';
import { clean } from './output';
import type { ConnectOptions } from '../shared/types';
import { ApiCallError } from '../shared/bind-api';
import { toApiError } from '../engine/errors';
import { UsageError, type ActionCommand, type OptionsOf, type OptionValues } from '../app/options';
import { connectWithHostKeyPrompt } from './host-key-prompt';
import type { CliSession } from './main';

export { ACTION_COMMANDS, isActionCommand, type ActionCommand } from '../app/options';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A topology change's options, its connection options included, as parseOptions read them. */
type Values = OptionValues<OptionsOf<ActionCommand>>;

function required(values: Values, name: 'node' | 'master' | 'to', command: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`${command} needs --${name} HOST:PORT`);
  return checked(value, name);
}

/** A node named on the command line, refused here by its flag's name rather than by the API's field name. */
function checked(text: string, name: 'node' | 'master' | 'to' | 'prefer'): string {
  if (!isAddress(text)) throw new UsageError(`--${name} must be HOST:PORT, not "${clean(redactSeed(text)).slice(0, 100)}"`);
  return text;
}

function milliseconds(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 100 && value <= max)) throw new UsageError(`--${name} must be 100–${max} ms, not "${clean(text)}"`);
  return value;
}

function masterAddress(text: string): string {
  try {
    const address = normalizeAddress(text);
    if (isAddress(address)) return address;
  } catch {
    // Reported below, with the flag's name.
  }
  throw new UsageError(`--master-address must be HOST:PORT, not "${clean(redactSeed(text))}"`);
}

/**
 * Every check code the planner knows (shared/actions.ts's CheckCode): a Record over the type, so a
 * code added there does not compile until it is listed here. --override takes only these: a typo
 * must not pass silently and leave the check it meant standing.
 */
const CHECK_CODES: Record<CheckCode, true> = {
  CYCLE: true,
  UNREACHABLE_TARGET: true,
  UNREACHABLE_REPLICA: true,
  SENTINEL_NODE: true,
  CLUSTER_MODE: true,
  FAILOVER_RUNNING: true,
  SENTINEL_MANAGED: true,
  SENTINEL_UNREACHABLE: true,
  SENTINEL_NO_QUORUM: true,
  SENTINEL_DISAGREES: true,
  SENTINEL_STEER: true,
  REPLICA_BEHIND: true,
  PRIORITY_ZERO: true,
  VERSION_OLDER: true,
  MASTERAUTH_MISSING: true,
  TLS_REPLICATION: true,
  MASTERAUTH_DIFFERS: true,
  AUTH_UNKNOWN: true,
  FULL_SYNC: true,
  MASTER_REACHABLE: true,
  MASTER_UNREACHABLE: true,
  OLD_MASTER_STAYS: true,
  MASTER_DEMOTED: true,
  NOT_A_REPLICA: true,
  NOT_DIRECT_REPLICA: true,
  NOT_LISTED: true,
  LINK_DOWN: true,
  LOADING: true,
  NOTHING_TO_DO: true,
  NO_CANDIDATE: true,
  NO_CONFIG_FILE: true,
  SUBTREE_MOVES: true,
  MANUAL_SWITCHOVER: true,
  FENCED_MASTER: true,
  INTERRUPTED_PLAN: true,
  UNKNOWN_REPLICAS: true,
  ALREADY_FAILED_OVER: true,
  RESYNC_RACE: true,
  WRITES_REFUSED: true,
  EVICTION: true,
  DISK_ERROR: true,
  PERMISSION: true,
};

/** The --override codes, each one a check code the planner knows. */
export function overrideCodes(values: readonly string[] | undefined): string[] {
  for (const code of values ?? []) {
    if (!Object.hasOwn(CHECK_CODES, code)) {
      throw new UsageError(
        `--override ${clean(code.slice(0, 60))} is not a check code (the plan prints the ones it needs); the codes: ${Object.keys(CHECK_CODES).join(' ')}`,
      );
    }
  }
  return [...(values ?? [])];
}

function buildRequest(command: ActionCommand, values: Values): ActionRequest {
  const options: ActionOptions = {};
  if (values.persist) options.persist = true;
  if (values['set-masterauth']) options.setMasterauth = true;
  if (values['no-write-pause']) options.skipWritePause = true;
  if (values['master-address'] !== undefined) options.masterAddress = masterAddress(values['master-address']);
  if (values['step-timeout'] !== undefined) options.stepTimeoutMs = milliseconds(values['step-timeout'], 'step-timeout', 30_000, 600_000);
  if (values.method !== undefined) {
    if (!['auto', 'paused-failover', 'failover', 'pause', 'fence'].includes(values.method)) throw new UsageError('--method must be auto, paused-failover, failover, pause or fence');
    options.switchoverMethod = values.method as SwitchoverMethod;
  }
  if (values['master-name'] !== undefined && !values.sentinel?.length && command !== 'sentinel-failover') throw new UsageError('--master-name needs --sentinel HOST:PORT');
  switch (command) {
    case 'replicaof':
      return { kind: 'replicaof', node: required(values, 'node', command), master: required(values, 'master', command), options };
    case 'promote':
      return { kind: 'promote', node: required(values, 'node', command), repointSiblings: values['repoint-siblings'] === true, options };
    case 'detach':
      return { kind: 'detach', node: required(values, 'node', command), options };
    case 'switchover':
      return { kind: 'switchover', to: required(values, 'to', command), options };
    case 'failover':
      return values.to ? { kind: 'failover', to: checked(values.to, 'to'), options } : { kind: 'failover', options };
    case 'sentinel-failover':
      return {
        kind: 'sentinel-failover',
        ...(values['master-name'] !== undefined ? { masterName: values['master-name'] } : {}),
        ...(values.master !== undefined ? { master: checked(values.master, 'master') } : {}),
        ...(values.prefer !== undefined ? { prefer: checked(values.prefer, 'prefer') } : {}),
        options,
      };
  }
}

function seedsFor(request: ActionRequest, values: Values, connection: ConnectOptions): string[] {
  if (connection.seeds.length) return connection.seeds;
  switch (request.kind) {
    case 'replicaof':
      return [request.node, request.master];
    case 'promote':
    case 'detach':
      return [request.node];
    case 'switchover':
      return [request.to];
    case 'failover':
      if (!request.to) throw new UsageError('failover without --to needs --seed HOST:PORT (any reachable replica)');
      return [request.to];
    case 'sentinel-failover': {
      const node = request.prefer ?? request.master;
      if (node) return [node];
      if (values.sentinel?.length) return [];
      throw new UsageError('sentinel-failover needs --seed HOST:PORT (a node of the group) or --sentinel HOST:PORT --master-name NAME');
    }
  }
}

/** Ctrl-C (interrupted) or Ctrl-D / end of input at a confirmation prompt: nothing was sent. */
export class PromptCancelled extends Error {
  override name = 'PromptCancelled';
  constructor(readonly interrupted: boolean) {
    super('cancelled; nothing was sent.');
  }
}

/**
 * Ask on the terminal; resolves with the trimmed answer, rejects with PromptCancelled on Ctrl-C
 * or Ctrl-D (readline's own AbortError would read as an internal error).
 */
export async function ask(
  question: string,
  { input = process.stdin, output = process.stdout, terminal }: { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; terminal?: boolean } = {},
): Promise<string> {
  const rl = createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
  // readline leaves a pending question unsettled when the input closes (Ctrl-D, end of a pipe),
  // and rejects it with an AbortError on Ctrl-C: both are answered here, as a cancel.
  const cancelled = new Promise<never>((_resolve, reject) => {
    // With a listener of its own, readline reports Ctrl-C here instead of raising SIGINT.
    rl.once('SIGINT', () => reject(new PromptCancelled(true)));
    rl.once('close', () => reject(new PromptCancelled(false)));
  });
  try {
    return (await Promise.race([rl.question(question), cancelled])).trim();
  } catch (error) {
    // An AbortError of readline's own is its Ctrl-C.
    if ((error as { code?: unknown } | null)?.code === 'ABORT_ERR') throw new PromptCancelled(true);
    throw error;
  } finally {
    cancelled.catch(() => undefined);
    rl.close();
  }
}

/**
 * Run one action command with the options parseOptions read, on a session whose connection options
 * parseConnection made of them (secrets asked already); returns the exit code. Errors (connection,
 * refusals) are thrown to main() as ApiCallErrors, whose code gives the exit code.
 */
export async function runActionCommand(command: ActionCommand, values: Values, session: CliSession): Promise<number> {
  const request = buildRequest(command, values);
  const seeds = seedsFor(request, values, session.options);
  const overrides = overrideCodes(values.override);
  const style: Style = { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR };
  const json = values.json === true;
  try {
    return await planAndRun(values, session, request, seeds, overrides, style, json);
  } catch (error) {
    // A script reading --json branches on the error's code, as on a plan's or an outcome's fields.
    if (json && !(error instanceof UsageError) && !(error instanceof PromptCancelled)) {
      const { code, message, details } = error instanceof ApiCallError ? error : toApiError(error);
      console.log(JSON.stringify({ error: { code, message, ...(details && Object.keys(details).length > 0 ? { details } : {}) } }));
    }
    if (!(error instanceof PromptCancelled)) throw error;
    console.error(`replication-console: ${error.message}`);
    // Ctrl-C is the shell's 130; end of input is a refusal like "not confirmed" (1).
    return error.interrupted ? 130 : 1;
  }
}

async function planAndRun(values: Values, session: CliSession, request: ActionRequest, seeds: string[], overrides: string[], style: Style, json: boolean): Promise<number> {
  const { api, hub } = session;
  await connectWithHostKeyPrompt({ ...session.options, seeds, pollIntervalMs: 1000 }, (options) => api.connect(options));
  const plan = await api.planAction(request);
  console.log(json ? JSON.stringify({ plan }) : formatPlan(plan, overrides, style));
  const ok = runnable(plan, overrides);
  if (values['dry-run'] || !ok) return ok ? 0 : 1;

  let confirmAddress: string | undefined;
  if (values.yes) {
    confirmAddress = plan.confirmAddress ?? undefined;
  } else if (!process.stdin.isTTY) {
    console.error('replication-console: not running without confirmation: stdin is not a terminal. Pass --yes to run, or --dry-run to only plan.');
    return 1;
  } else if (plan.confirmAddress) {
    const typed = await ask(`\nThis changes roles or flushes data. Type ${plan.confirmAddress} to run it: `);
    if (typed !== plan.confirmAddress) {
      console.error('replication-console: not confirmed; nothing was sent.');
      return 1;
    }
    confirmAddress = typed;
  } else {
    const answer = await ask(`\nRun ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}? [y/N] `);
    if (!/^y(es)?$/i.test(answer)) {
      console.error('replication-console: cancelled; nothing was sent.');
      return 1;
    }
  }

  if (!json) console.log('');
  const printer = new ProgressPrinter(plan, style, (line) => console.log(line));
  const stopPrinting = json ? () => undefined : api.onActionProgress((progress) => printer.print(progress));
  // Ctrl-C (or SIGTERM, or SIGHUP: a dropped SSH session) stops the plan at its next safe point,
  // bounded, and says so; a second one quits at once and leaves the plan in the journal for the next start.
  let interrupts = 0;
  const onInterrupt = (signal: NodeJS.Signals): void => {
    if (++interrupts > 1) {
      console.error('\nreplication-console: quitting now; the plan journal keeps the unfinished plan, reported at the next start.');
      process.exit(130);
    }
    console.error(`\nreplication-console: ${signal}: stopping the plan at its next safe point (Ctrl-C again to quit at once)…`);
    void hub
      .get(MAIN_TOPOLOGY)
      .stopRunningPlan(`${signal} received`)
      .then((result) => console.error(clean(`replication-console: ${result.message}`)));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onInterrupt);
  try {
    // Refused at the last moment (the topology moved since the plan was printed: PLAN_STALE, …) is
    // thrown to main(), which says so and exits 1; nothing was sent.
    const outcome = await api.executeAction({ planId: plan.id, ...(confirmAddress === undefined ? {} : { confirmAddress }), overrides });
    console.log(json ? JSON.stringify({ outcome }) : formatOutcome(outcome, style));
    return outcome.ok ? 0 : 1;
  } finally {
    stopPrinting();
    for (const signal of STOP_SIGNALS) process.off(signal, onInterrupt);
  }
}
