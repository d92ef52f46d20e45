// `replication-console <command>`: the scriptable front end, the third adapter over ConsoleService
// (with the desktop app's IPC and the web mode's WebSocket). topology, watch and the topology
// changes call the same typed API the renderer calls, in process (app/local-bridge.ts); this file
// and its neighbours only read the command line and talk to the terminal.
import type { AlertsView, AlertThresholds, ConnectOptions, ErrorCode } from '../shared/types';
import { alertTransitions } from '../shared/alert-transitions';
import { describeAlertThresholds, parseAlertThresholdArgs } from '../app/alert-args';
import type { ReplicationConsoleApi } from '../shared/api';
import { ApiCallError } from '../shared/bind-api';
import { normalizeAddress } from '../engine/address';
import { DEFAULT_MAX_NODES } from '../engine/node-set';
import { TopologyMemory } from '../engine/topology-memory';
import { EngineError, toApiError } from '../engine/errors';
import { alertJson, alertLine, clean, toJson, toMermaid, toProblems, toTable, toTree } from './output';
import { dataDir } from '../engine/actions/audit';
import { reportInterruptedPlans } from '../app/startup';
import { askSecrets, parseConnection, startupCheckFor, type ConnectionValues } from '../app/connection-args';
import { isActionCommand, parseOptions, UsageError } from '../app/options';
import { ConsoleHub } from '../app/console-hub';
import { localApi } from '../app/local-bridge';
import { connectWithHostKeyPrompt } from './host-key-prompt';
import { answerHelp, usageFailure } from './help';
import { readSecret, SecretCancelled } from './read-secret';

/**
 * Exit codes a script can branch on, one for every error code: a code added to ERROR_CODES is a
 * type error here until it has one. A plan refused or not started (expired, stale, busy, refused by a
 * check, needing an override or a confirmation, the console stopping, the journal unwritable) is 1,
 * as the help says: "1 refused, failed or aborted".
 */
const EXIT_CODES: Record<ErrorCode, number> = {
  UNREACHABLE: 3,
  TIMEOUT: 3,
  MAX_CLIENTS: 3,
  TLS: 3,
  SSH: 3,
  AUTH_FAILED: 4,
  NOPERM: 4,
  HOST_KEY_UNKNOWN: 4,
  HOST_KEY_CHANGED: 4,
  HOST_KEY_REVOKED: 4,
  UNTRUSTED_HOST: 4,
  PROTECTED_MODE: 4,
  NOT_REDIS: 5,
  SENTINEL: 5,
  CLUSTER_MODE: 5,
  BAD_ARGUMENT: 2,
  READ_ONLY: 2,
  PLAN_EXPIRED: 1,
  PLAN_STALE: 1,
  BUSY: 1,
  NEEDS_OVERRIDE: 1,
  NEEDS_CONFIRMATION: 1,
  PLAN_REFUSED: 1,
  STOPPING: 1,
  JOURNAL_UNWRITABLE: 1,
  LOADING: 1,
  NOT_CONNECTED: 1,
  FORBIDDEN: 1,
  INTERNAL: 1,
};

/** The exit code of an error code (the API's and the engine's are the same list). */
export function exitCodeOf(code: ErrorCode): number {
  return EXIT_CODES[code];
}

/** The connection of one command: the hub (one ConsoleService, interface 'cli'), its typed API, and the options to connect with. */
export interface CliSession {
  hub: ConsoleHub;
  api: ReplicationConsoleApi;
  options: ConnectOptions;
}

/** Run one command line (without `node` and the script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  // entry.ts answers these before loading this module; a caller of main() gets the same answers.
  const helped = answerHelp(argv);
  if (helped !== null) return helped;
  const [command = '', ...rest] = argv;
  if (command === 'lab') {
    if (rest.length > 0) throw new UsageError(`lab takes no options, not "${rest[0] ?? ''}"`);
    const { runLab } = await import('./lab-command');
    return runLab();
  }
  // Each command's own code loads when it runs (topology and watch are this file's).
  if (command === 'interrupted') return (await import('./interrupted-command')).runInterrupted(rest);
  if (command === 'forget') return forget(rest);
  if (command === 'serve') return (await import('../serve/serve-command')).runServe(rest);
  if (isActionCommand(command)) {
    const { values } = parseOptions(command, rest);
    const { runActionCommand } = await import('./action-commands');
    // The topology changes find their seeds in --node, --to or --master when no --seed is given.
    return withSession(entryOptions(values), false, (session) => runActionCommand(command, values, session));
  }
  if (command !== 'topology' && command !== 'watch') throw new UsageError(`unknown command "${command}"`);
  const { values } = parseOptions(command, rest);
  const format = values.format ?? (command === 'topology' ? 'tree' : 'table');
  if (command === 'topology' && !['tree', 'json', 'mermaid'].includes(format)) throw new UsageError('--format must be tree, json or mermaid');
  if (command === 'watch' && !['table', 'json'].includes(format)) throw new UsageError('--format must be table or json');
  if ('problems' in values && values.problems && format !== 'table') throw new UsageError('--problems is for watch, in the table format');
  if (command === 'topology') return withSession(values, true, (session) => printTopology(session, format));
  // The command is watch here: its values hold only the options given.
  const how = watchOptions(values as Parameters<typeof watchOptions>[0], format);
  return withSession(values, true, (session) => watch(session, how));
}

/** `watch --alerts` exits with this as soon as an alert fires that is not muted (the help's "6 an alert fired"). */
export const ALERT_FIRED_EXIT_CODE = 6;

interface WatchOptions {
  format: string;
  problemsOnly: boolean;
  /** --alerts: only the alerts as they fire and resolve, with these threshold changes. */
  alerts: Partial<AlertThresholds> | null;
  /** --duration, in ms. */
  durationMs: number | null;
}

/** watch's own options, checked before anything connects. */
export function watchOptions(values: { problems?: boolean; alerts?: boolean; alert?: string[]; duration?: string }, format: string): WatchOptions {
  const alerts = values.alerts === true;
  if (values.alert?.length && !alerts) throw new UsageError('--alert NAME=VALUE sets a threshold of --alerts: add --alerts');
  if (alerts && values.problems) throw new UsageError('--alerts prints only the alerts; --problems is for the table: give one of them');
  let durationMs: number | null = null;
  if (values.duration !== undefined) {
    const seconds = /^\d+(\.\d+)?$/.test(values.duration.trim()) ? Number(values.duration) : Number.NaN;
    if (!(seconds > 0 && seconds <= 366 * 86_400)) throw new UsageError(`--duration takes a number of seconds (more than 0, at most a year), not "${values.duration.slice(0, 40)}"`);
    durationMs = Math.round(seconds * 1000);
  }
  return { format, problemsOnly: values.problems === true, alerts: alerts ? parseAlertThresholdArgs(values.alert ?? []) : null, durationMs };
}

/**
 * Read the connection options, ask the secrets --askpass and --ssh-askpass ask for, make the hub,
 * and, before anything else is sent, report the plans a killed console left half-done (a master
 * may refuse writes). Then run `work` and close the hub, whatever happens.
 */
async function withSession(values: ConnectionValues, requireEntry: boolean, work: (session: CliSession) => Promise<number>): Promise<number> {
  const parsed = parseConnection(values, { requireEntry });
  for (const notice of parsed.notices) console.error(notice);
  const options = await askSecrets(parsed, (prompt) => readSecret(prompt));
  const hub = new ConsoleHub({ service: { interface: 'cli', timeoutMs: parsed.timeoutMs } });
  try {
    await reportInterruptedPlans(hub.interruptedPlans, startupCheckFor(options), (line) => console.error(clean(line)));
    return await work({ hub, api: localApi(hub), options });
  } finally {
    await hub.closeAll();
  }
}

/**
 * Without --sentinel, --master-name only names the group a sentinel-failover is about, not a
 * Sentinel entry point: the connection options do not see it (buildRequest checks the rest).
 */
function entryOptions(values: ConnectionValues): ConnectionValues {
  if (values.sentinel?.length) return values;
  const connection = { ...values };
  delete connection['master-name'];
  return connection;
}

/** `forget HOST:PORT`: the user's explicit act of dropping a remembered node (no connection needed). */
function forget(args: string[]): number {
  const { values, positionals } = parseOptions('forget', args, { positionals: true });
  const [address, extra] = positionals;
  if (!address || extra !== undefined) throw new UsageError('forget takes one HOST:PORT');
  let normalized: string;
  try {
    normalized = normalizeAddress(address);
  } catch {
    throw new UsageError(`"${address}" is not HOST:PORT`);
  }
  const memory = new TopologyMemory(dataDir(), { maxEntries: DEFAULT_MAX_NODES }).load();
  if (memory.problem) console.error(clean(memory.problem));
  const entry = memory.forget(normalized);
  if (!entry) {
    if (values.json) console.log(JSON.stringify({ forgotten: null }));
    console.error(`${clean(normalized)} is not a remembered node`);
    return 2;
  }
  memory.save(Date.now(), true);
  if (memory.problem) throw new Error(memory.problem);
  if (values.json) console.log(JSON.stringify({ forgotten: entry.address, lastSeenAt: new Date(entry.lastSeenAt).toISOString() }));
  else console.log(`forgot ${clean(entry.address)} (last seen ${new Date(entry.lastSeenAt).toISOString()})`);
  return 0;
}

async function printTopology({ api, options }: CliSession, format: string): Promise<number> {
  const snapshot = await connectWithHostKeyPrompt(options, (o) => api.connect(o));
  if (format === 'json') console.log(JSON.stringify(toJson(snapshot), null, 2));
  else console.log(format === 'mermaid' ? toMermaid(snapshot) : toTree(snapshot));
  return 0;
}

async function watch({ api, options }: CliSession, { format, problemsOnly, alerts, durationMs }: WatchOptions): Promise<number> {
  const live = process.stdout.isTTY && format === 'table' && alerts === null;
  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  let previous: AlertsView | null = null;
  let connected = false;
  api.onTick(({ snapshot, events, alerts: view }) => {
    if (alerts !== null) {
      // Until the header is out (connect resolves after the first tick) the first transitions wait.
      if (!connected || view === undefined) return;
      const { fired, resolved, mutedFired } = alertTransitions(previous, view);
      previous = view;
      for (const alert of resolved) console.log(format === 'json' ? alertJson(alert, 'resolved') : alertLine(alert, 'resolved'));
      // Muted ones are listed (marked muted), as the README says, and do not end the watch.
      for (const alert of [...fired, ...mutedFired]) console.log(format === 'json' ? alertJson(alert, 'fired') : alertLine(alert, 'fired'));
      if (fired.length > 0) finish(ALERT_FIRED_EXIT_CODE);
      return;
    }
    if (format === 'json') {
      console.log(JSON.stringify({ seq: snapshot.seq, ...toJson(snapshot), events }));
      return;
    }
    const recent = events.map((e) => clean(`  ${new Date(e.at).toLocaleTimeString()}  ${e.message}`));
    const text = (problemsOnly ? toProblems(snapshot) : toTable(snapshot)) + (recent.length ? `\n\nEvents:\n${recent.join('\n')}` : '');
    process.stdout.write(live ? `\x1b[H\x1b[2J${text}\n` : `${text}\n\n`);
  });
  // Ctrl-C is ours from the first instant, discovery included: a slow or hung seed must not
  // make the first Ctrl-C kill the process half-way instead of stopping cleanly (withSession
  // closes the hub, which disconnects).
  const stop = (): void => finish(0);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A dropped SSH session (SIGHUP) stops it the same way.
  process.once('SIGHUP', stop);
  // --duration: the end of the watch, with nothing fired (a fired alert has already ended it with 6).
  // Never before the topology is connected and evaluated once: "nothing fired" must mean it was
  // watched, not that the seeds were still being dialled (a failed connection exits 3 as ever).
  let over = false;
  const timer =
    durationMs === null
      ? null
      : setTimeout(() => {
          over = true;
          if (connected) finish(0);
        }, durationMs);
  try {
    if (alerts !== null) await api.setAlertThresholds(alerts);
    const watching = connectWithHostKeyPrompt(options, (o) => api.connect(o)).then(async (snapshot) => {
      if (alerts === null) {
        connected = true;
        if (over) finish(0);
        return stopped;
      }
      const view = await api.getAlerts();
      const header = {
        watching: snapshot.nodes.map((n) => n.address),
        thresholds: view.thresholds,
      };
      console.log(
        format === 'json'
          ? JSON.stringify({ type: 'watching', ...header })
          : clean(`Watching alerts on ${snapshot.nodes.length} ${snapshot.nodes.length === 1 ? 'node' : 'nodes'} (${header.watching.slice(0, 5).join(', ')}${snapshot.nodes.length > 5 ? ', …' : ''}); thresholds: ${describeAlertThresholds(view.thresholds)}`),
      );
      // A mutes file that could not be read: the alerts below may include muted nodes' ones.
      for (const warning of snapshot.warnings) if (warning.code === 'MEMORY_UNREADABLE') console.error(clean(`replication-console: ${warning.message}`));
      connected = true;
      // What is already firing fires now: the first evaluation's alerts are all new. One someone
      // acknowledged (in the app, in serve) fires still: a cron check must not pass during a split
      // brain because the incident was seen; acknowledging stops notifications, not the incident.
      const { fired, mutedFired } = alertTransitions(null, view);
      const seen = view.alerts.filter((alert) => alert.state === 'acknowledged' && !alert.muted);
      previous = view;
      for (const alert of [...fired, ...seen, ...mutedFired]) console.log(format === 'json' ? alertJson(alert, 'fired') : alertLine(alert, 'fired'));
      if (fired.length + seen.length > 0) finish(ALERT_FIRED_EXIT_CODE);
      if (over) finish(0);
      return stopped;
    });
    return await Promise.race([stopped, watching]);
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
  }
}

/**
 * The message and exit code for anything a command threw; `command`, the command line's first
 * word, points a usage error's hint at that command's own help.
 */
export function fail(error: unknown, command?: string): number {
  if (error instanceof SecretCancelled) {
    console.error(`replication-console: ${error.message}`);
    return error.interrupted ? 130 : 2;
  }
  if (error instanceof UsageError) return usageFailure(error.message, command);
  const { code, message, details } = error instanceof ApiCallError ? error : toApiError(error);
  // Said exactly when the console knows it: a refusal before the first command (stale, busy, …).
  const said = details?.nothingSent === true && !/nothing was sent/i.test(message) ? `${clean(message).replace(/\.$/, '')}; nothing was sent.` : clean(message);
  console.error(`replication-console: ${said}`);
  return error instanceof ApiCallError || error instanceof EngineError ? exitCodeOf(code) : 1;
}
