// `replicaof`, `promote`, `switchover`, `failover`, `detach`: plan, show, confirm, run, report.
// The same ActionService the desktop app uses; this file only talks to the terminal.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { ActionOptions, ActionRequest, SwitchoverMethod } from '../shared/actions';
import { EngineError, ReplicationEngine } from '../engine/engine';
import { ActionService } from '../engine/actions/service';
import { dataDir } from '../engine/actions/audit';
import { normalizeAddress } from '../engine/address';
import { isAddress } from '../shared/address-schema';
import { formatOutcome, formatPlan, ProgressPrinter, runnable, type Style } from './action-output';
import { clean } from './output';
import { CONNECTION_OPTIONS } from '../app/connection-args';
import type { ConnectOptions } from '../shared/types';
import { connectWithHostKeyPrompt } from './host-key-prompt';

export const ACTION_COMMANDS = ['replicaof', 'promote', 'switchover', 'failover', 'detach', 'sentinel-failover'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

export function isActionCommand(command: string): command is ActionCommand {
  return (ACTION_COMMANDS as readonly string[]).includes(command);
}

export const ACTION_HELP = `Topology changes (each prints its plan and checks first):
  replicaof  --node HOST:PORT --master HOST:PORT   make a node a replica of another (also re-attaches a lone master)
  promote    --node HOST:PORT [--repoint-siblings] REPLICAOF NO ONE, optionally moving its siblings under it
  switchover --to HOST:PORT [--method auto|paused-failover|failover|pause|fence]
                                                   planned hand-over from a healthy master, no lost writes
             methods: paused-failover  CLIENT PAUSE WRITE (ends by itself), wait for every byte, then
                                       FAILOVER TO … FORCE TIMEOUT 1: fast, and safe if the console dies (6.2+)
                      failover         a bare FAILOVER TO: waits for the replica's once-a-second ACK (6.2+)
                      pause            CLIENT PAUSE WRITE, REPLICAOF NO ONE, REPLICAOF: fast, but two masters
                                       if the console dies between the two REPLICAOFs (6.2+)
                      fence            min-replicas-to-write refuses writes, restored afterwards (any version)
                      auto (default)   paused-failover on 6.2+, else fence
  failover   [--to HOST:PORT] --seed HOST:PORT     emergency: the master is down; promote the most up-to-date replica
  detach     --node HOST:PORT                      REPLICAOF NO ONE on one replica
  sentinel-failover [--master-name NAME] [--master HOST:PORT] [--prefer HOST:PORT]
             (--seed HOST:PORT | --sentinel HOST:PORT --master-name NAME)
                                                   on a Sentinel-managed group: SENTINEL FAILOVER NAME on one of
                                                   its Sentinels. Sentinel picks the new master (lowest non-zero
                                                   replica-priority, then highest offset): --prefer steers it by
                                                   setting replica-priority first, put back at the end

Options for these commands (plus the connection options below):
  --dry-run           print the plan and stop (exit 0 when it could run, 1 when not)
  --yes               run without asking (destructive steps are confirmed for you)
  --persist           CONFIG REWRITE on every changed node afterwards
  --set-masterauth    set masterauth (and masteruser) from --user/--password where a replica lacks it
  --override CODE     run despite an overridable check (repeatable), e.g. --override REPLICA_BEHIND
  --step-timeout MS   how long each step's verification may take (default 30000)
  --master-address HOST:PORT
                      the address the replicas are told to reach their new master by (REPLICAOF);
                      default: how the servers already reach it (behind NAT, not the console's way in)
  --json              print the plan and the outcome as JSON instead of text
Exit codes: 0 done, 1 refused, failed or aborted (plus the connection codes above).`;

// The connection options (--seed, --user, --tls, --ssh, --sentinel, --master-name, …) are the one parser's.
const OPTIONS = {
  ...CONNECTION_OPTIONS,
  node: { type: 'string' },
  master: { type: 'string' },
  to: { type: 'string' },
  prefer: { type: 'string' },
  'repoint-siblings': { type: 'boolean' },
  method: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  persist: { type: 'boolean' },
  'set-masterauth': { type: 'boolean' },
  'master-address': { type: 'string' },
  override: { type: 'string', multiple: true },
  'step-timeout': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A mistake in the command line: main() prints it with the usage hint and exits 2. */
export class ActionUsageError extends Error {}

type Values = ReturnType<typeof parseActionArgs>;

/** The options of a topology change, its connection options included (main() parses them before it runs). */
export function parseActionArgs(args: string[]) {
  const values = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  // Without --sentinel, --master-name only names the group a sentinel-failover is about: no
  // Sentinel entry point, so the connection options do not see it (buildRequest checks the rest).
  const entry = (values.sentinel?.length ?? 0) > 0;
  return { ...values, 'master-name': entry ? values['master-name'] : undefined, groupName: values['master-name'] };
}

function required(values: Values, name: 'node' | 'master' | 'to', command: string): string {
  const value = values[name];
  if (!value) throw new ActionUsageError(`${command} needs --${name} HOST:PORT`);
  return value;
}

function milliseconds(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 100 && value <= max)) throw new ActionUsageError(`--${name} must be 100–${max} ms, not "${clean(text)}"`);
  return value;
}

function masterAddress(text: string): string {
  try {
    const address = normalizeAddress(text);
    if (isAddress(address)) return address;
  } catch {
    // Reported below, with the flag's name.
  }
  throw new ActionUsageError(`--master-address must be HOST:PORT, not "${clean(text)}"`);
}

function buildRequest(command: ActionCommand, values: Values): ActionRequest {
  const options: ActionOptions = {};
  if (values.persist) options.persist = true;
  if (values['set-masterauth']) options.setMasterauth = true;
  if (values['master-address'] !== undefined) options.masterAddress = masterAddress(values['master-address']);
  if (values['step-timeout'] !== undefined) options.stepTimeoutMs = milliseconds(values['step-timeout'], 'step-timeout', 30_000, 600_000);
  if (values.method !== undefined) {
    if (command !== 'switchover') throw new ActionUsageError('--method only applies to switchover');
    if (!['auto', 'paused-failover', 'failover', 'pause', 'fence'].includes(values.method)) throw new ActionUsageError('--method must be auto, paused-failover, failover, pause or fence');
    options.switchoverMethod = values.method as SwitchoverMethod;
  }
  if (values.groupName !== undefined && values['master-name'] === undefined && command !== 'sentinel-failover') throw new ActionUsageError('--master-name needs --sentinel HOST:PORT');
  if (values['repoint-siblings'] && command !== 'promote') throw new ActionUsageError('--repoint-siblings only applies to promote');
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
      return values.to ? { kind: 'failover', to: values.to, options } : { kind: 'failover', options };
    case 'sentinel-failover':
      return {
        kind: 'sentinel-failover',
        ...(values.groupName !== undefined ? { masterName: values.groupName } : {}),
        ...(values.master !== undefined ? { master: values.master } : {}),
        ...(values.prefer !== undefined ? { prefer: values.prefer } : {}),
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
      if (!request.to) throw new ActionUsageError('failover without --to needs --seed HOST:PORT (any reachable replica)');
      return [request.to];
    case 'sentinel-failover': {
      const node = request.prefer ?? request.master;
      if (node) return [node];
      if (values.sentinel?.length) return [];
      throw new ActionUsageError('sentinel-failover needs --seed HOST:PORT (a node of the group) or --sentinel HOST:PORT --master-name NAME');
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
 * Run one action command with the options parseActionArgs read and the connection parseConnection
 * made of them (secrets asked already); returns the exit code. Connection errors are thrown to main().
 */
export async function runActionCommand(command: ActionCommand, values: Values, connection: { options: ConnectOptions; timeoutMs: number }): Promise<number> {
  const request = buildRequest(command, values);
  const seeds = seedsFor(request, values, connection.options);
  const timeout = connection.timeoutMs;
  const overrides = values.override ?? [];
  const style: Style = { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR };
  const json = values.json === true;

  const engine = new ReplicationEngine({ connectTimeoutMs: timeout, commandTimeoutMs: timeout, memoryDir: dataDir() });
  try {
    await connectWithHostKeyPrompt({ ...connection.options, seeds, pollIntervalMs: 1000 }, (options) => engine.connect(options));
    const service = new ActionService(engine, { interface: 'cli' });
    const plan = await service.plan(request);
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
    // Ctrl-C (or SIGTERM) stops the plan at its next safe point, bounded, and says so; a
    // second one quits at once and leaves the plan in the journal for the next start.
    let interrupts = 0;
    const onInterrupt = (signal: NodeJS.Signals): void => {
      if (++interrupts > 1) {
        console.error('\nreplication-console: quitting now; the plan journal keeps the unfinished plan, reported at the next start.');
        process.exit(130);
      }
      console.error(`\nreplication-console: ${signal}: stopping the plan at its next safe point (Ctrl-C again to quit at once)…`);
      void service.stopRunning(`${signal} received`).then((result) => console.error(clean(`replication-console: ${result.message}`)));
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    let outcome;
    try {
      outcome = await service.execute(plan.id, { confirmAddress, overrides, onProgress: json ? undefined : (p) => printer.print(p) });
    } catch (error) {
      // Refused at the last moment (the topology moved since the plan was printed): nothing was sent.
      if (error instanceof EngineError && error.code === 'BAD_ARGUMENT') {
        console.error(`replication-console: ${clean(error.message)}`);
        return 1;
      }
      throw error;
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
    console.log(json ? JSON.stringify({ outcome }) : formatOutcome(outcome, style));
    return outcome.ok ? 0 : 1;
  } finally {
    await engine.disconnect();
  }
}
