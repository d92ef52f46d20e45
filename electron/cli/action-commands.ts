// `replicaof`, `promote`, `switchover`, `failover`, `detach`, `sentinel-failover`: plan, show,
// confirm, run, report, through the same API the desktop app calls (ConsoleService's action
// channels, in process); this file only talks to the terminal.
import { createInterface } from 'node:readline/promises';
import type { ActionOptions, ActionRequest, SwitchoverMethod } from '../shared/actions';
import { MAIN_TOPOLOGY } from '../shared/api';
import { normalizeAddress } from '../engine/address';
import { isAddress } from '../shared/address-schema';
import { formatOutcome, formatPlan, ProgressPrinter, runnable, type Style } from './action-output';
import { clean } from './output';
import type { ConnectOptions } from '../shared/types';
import { UsageError, type ActionCommand, type OptionsOf, type OptionValues } from '../app/options';
import { connectWithHostKeyPrompt } from './host-key-prompt';
import type { CliSession } from './main';

export { ACTION_COMMANDS, isActionCommand, type ActionCommand } from '../app/options';

/** A topology change's options, its connection options included, as parseOptions read them. */
type Values = OptionValues<OptionsOf<ActionCommand>>;

function required(values: Values, name: 'node' | 'master' | 'to', command: string): string {
  const value = values[name];
  if (!value) throw new UsageError(`${command} needs --${name} HOST:PORT`);
  return checked(value, name);
}

/** A node named on the command line, refused here by its flag's name rather than by the API's field name. */
function checked(text: string, name: 'node' | 'master' | 'to' | 'prefer'): string {
  if (!isAddress(text)) throw new UsageError(`--${name} must be HOST:PORT, not "${text.slice(0, 100)}"`);
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
  throw new UsageError(`--master-address must be HOST:PORT, not "${clean(text)}"`);
}

function buildRequest(command: ActionCommand, values: Values): ActionRequest {
  const options: ActionOptions = {};
  if (values.persist) options.persist = true;
  if (values['set-masterauth']) options.setMasterauth = true;
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

/** Ask on the terminal; resolves with the trimmed answer. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * Run one action command with the options parseOptions read, on a session whose connection options
 * parseConnection made of them (secrets asked already); returns the exit code. Errors (connection,
 * refusals) are thrown to main() as ApiCallErrors, whose code gives the exit code.
 */
export async function runActionCommand(command: ActionCommand, values: Values, session: CliSession): Promise<number> {
  const { api, hub } = session;
  const request = buildRequest(command, values);
  const seeds = seedsFor(request, values, session.options);
  const overrides = values.override ?? [];
  const style: Style = { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR };
  const json = values.json === true;

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
  // Ctrl-C (or SIGTERM) stops the plan at its next safe point, bounded, and says so; a
  // second one quits at once and leaves the plan in the journal for the next start.
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
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    // Refused at the last moment (the topology moved since the plan was printed: PLAN_STALE, …) is
    // thrown to main(), which says so and exits 1; nothing was sent.
    const outcome = await api.executeAction({ planId: plan.id, ...(confirmAddress === undefined ? {} : { confirmAddress }), overrides });
    console.log(json ? JSON.stringify({ outcome }) : formatOutcome(outcome, style));
    return outcome.ok ? 0 : 1;
  } finally {
    stopPrinting();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}
