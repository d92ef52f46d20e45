// `replication-console <command>`: the scriptable front end over the engine.
import { parseArgs } from 'node:util';
import type { ConnectOptions, ErrorCode } from '../shared/types';
import { ReplicationEngine } from '../engine/engine';
import { normalizeAddress } from '../engine/address';
import { DEFAULT_MAX_NODES } from '../engine/node-set';
import { TopologyMemory } from '../engine/topology-memory';
import { EngineError, toApiError } from '../engine/errors';
import { clean, toJson, toMermaid, toProblems, toTable, toTree } from './output';
import { runLab } from './lab-command';
import { ACTION_HELP, ActionUsageError, isActionCommand, parseActionArgs, runActionCommand } from './action-commands';
import { dataDir } from '../engine/actions/audit';
import { InterruptedPlans } from '../engine/actions/interrupted';
import { reportInterruptedPlans } from '../app/startup';
import { INTERRUPTED_HELP, runInterrupted } from './interrupted-command';
import { askSecrets, CONNECTION_HELP, CONNECTION_OPTIONS, ConnectionUsageError, parseConnection, startupCheckFor, type ConnectionValues } from '../app/connection-args';
import { connectWithHostKeyPrompt } from './host-key-prompt';
import { commandHelp } from './help';
import { readSecret, SecretCancelled } from './read-secret';

/** Exit codes a script can branch on. */
const EXIT: Partial<Record<ErrorCode, number>> & { usage: number; other: number } = {
  usage: 2,
  other: 1,
  UNREACHABLE: 3,
  TIMEOUT: 3,
  AUTH_FAILED: 4,
  NOPERM: 4,
  NOT_REDIS: 5,
  SENTINEL: 5,
  CLUSTER_MODE: 5,
  BAD_ARGUMENT: 2,
  READ_ONLY: 2,
  TLS: 3,
  SSH: 3,
  HOST_KEY_UNKNOWN: 4,
  HOST_KEY_CHANGED: 4,
  UNTRUSTED_HOST: 4,
};

const HELP = `replication-console: Redis and Valkey replication from the command line

Commands:
  topology --seed HOST:PORT [--seed …] [--format tree|json|mermaid]   print the topology once
  watch    --seed HOST:PORT [--seed …] [--format table|json] [--problems]
                                          live table, one refresh per poll; --problems: only the nodes
                                          that are not healthy, after a one-line summary
  lab                                     start master + 2 replicas + 1 cascaded replica on free ports
  forget   HOST:PORT [--json]             drop a node from the topology memory (nodes not seen for 7 days go by themselves)

${ACTION_HELP}

${INTERRUPTED_HELP}

${CONNECTION_HELP}

Exit codes: 0 ok, 2 bad usage or refused on a --read-only connection, 3 unreachable, timed out,
TLS or SSH failure, 4 authentication, ACL permission, SSH host key unknown or changed, or a node
outside the trusted hosts, 5 not a Redis data node (Sentinel, cluster mode, other protocol),
1 anything else.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  format: { type: 'string' },
  problems: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}


/** Run one command line (without `node` and the script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command ? 0 : EXIT.usage;
  }
  // COMMAND --help: that command's usage, before anything connects or starts (a lab, say).
  if (rest.some((a) => a === '--help' || a === '-h')) {
    const usage = commandHelp(command);
    if (usage === null) throw new UsageError(`unknown command "${clean(command)}"`);
    console.log(usage);
    return 0;
  }
  if (command === 'lab') {
    if (rest.length > 0) throw new UsageError(`lab takes no options, not "${clean(rest[0] ?? '')}"`);
    return runLab();
  }
  if (command === 'interrupted') return runInterrupted(rest, HELP);
  if (command === 'forget') return forget(rest);
  if (!isActionCommand(command) && command !== 'topology' && command !== 'watch') throw new UsageError(`unknown command "${clean(command)}"`);
  if (isActionCommand(command)) {
    const values = parseActionArgs(rest);
    if (values.help) return help();
    // The topology changes find their seeds in --node, --to or --master when no --seed is given.
    const connection = await prepareConnection(values, false);
    return runActionCommand(command, values, connection);
  }
  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) return help();
  const { options, timeoutMs } = await prepareConnection(values, true);
  const engine = new ReplicationEngine({ connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs, memoryDir: dataDir() });
  if (values.problems && (command !== 'watch' || (values.format ?? 'table') !== 'table')) throw new UsageError('--problems is for watch, in the table format');
  if (command === 'topology') return printTopology(engine, options, values.format ?? 'tree');
  return watch(engine, options, values.format ?? 'table', values.problems === true);
}

function help(): number {
  console.log(HELP);
  return 0;
}

/**
 * The connection options, the secrets --askpass and --ssh-askpass ask for, and, before anything
 * else is sent, the report of plans a killed console left half-done (a master may refuse writes).
 */
async function prepareConnection(values: ConnectionValues, requireEntry: boolean): Promise<{ options: ConnectOptions; timeoutMs: number }> {
  const parsed = parseConnection(values, { requireEntry });
  for (const notice of parsed.notices) console.error(notice);
  const options = await askSecrets(parsed, (prompt) => readSecret(prompt));
  await reportInterruptedPlans(new InterruptedPlans(dataDir()), startupCheckFor(options), (line) => console.error(clean(line)));
  return { options, timeoutMs: parsed.timeoutMs };
}

/** `forget HOST:PORT`: the user's explicit act of dropping a remembered node (no connection needed). */
function forget(args: string[]): number {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [address, extra] = positionals;
  if (!address || extra !== undefined) throw new UsageError('forget takes one HOST:PORT');
  let normalized: string;
  try {
    normalized = normalizeAddress(address);
  } catch {
    throw new UsageError(`"${clean(address)}" is not HOST:PORT`);
  }
  const memory = new TopologyMemory(dataDir(), { maxEntries: DEFAULT_MAX_NODES }).load();
  if (memory.problem) console.error(clean(memory.problem));
  const entry = memory.forget(normalized);
  if (!entry) {
    if (values.json) console.log(JSON.stringify({ forgotten: null }));
    console.error(`${clean(normalized)} is not a remembered node`);
    return EXIT.usage;
  }
  memory.save(Date.now(), true);
  if (memory.problem) throw new Error(memory.problem);
  if (values.json) console.log(JSON.stringify({ forgotten: entry.address, lastSeenAt: new Date(entry.lastSeenAt).toISOString() }));
  else console.log(`forgot ${clean(entry.address)} (last seen ${new Date(entry.lastSeenAt).toISOString()})`);
  return 0;
}

async function printTopology(engine: ReplicationEngine, options: ConnectOptions, format: string): Promise<number> {
  if (!['tree', 'json', 'mermaid'].includes(format)) throw new UsageError(`--format must be tree, json or mermaid`);
  try {
    const snapshot = await connectWithHostKeyPrompt(options, (o) => engine.connect(o));
    if (format === 'json') console.log(JSON.stringify(toJson(snapshot), null, 2));
    else console.log(format === 'mermaid' ? toMermaid(snapshot) : toTree(snapshot));
    return 0;
  } finally {
    await engine.disconnect();
  }
}

async function watch(engine: ReplicationEngine, options: ConnectOptions, format: string, problemsOnly: boolean): Promise<number> {
  if (!['table', 'json'].includes(format)) throw new UsageError(`--format must be table or json`);
  const live = process.stdout.isTTY && format === 'table';
  engine.onTick(({ snapshot, events }) => {
    if (format === 'json') {
      console.log(JSON.stringify({ seq: snapshot.seq, ...toJson(snapshot), events }));
      return;
    }
    const recent = events.map((e) => clean(`  ${new Date(e.at).toLocaleTimeString()}  ${e.message}`));
    const text = (problemsOnly ? toProblems(snapshot) : toTable(snapshot)) + (recent.length ? `\n\nEvents:\n${recent.join('\n')}` : '');
    process.stdout.write(live ? `\x1b[H\x1b[2J${text}\n` : `${text}\n\n`);
  });
  // Ctrl-C is ours from the first instant, discovery included: a slow or hung seed must not
  // make the first Ctrl-C kill the process half-way instead of stopping cleanly.
  const stopped = new Promise<number>((resolve) => {
    const stop = (): void => {
      void engine.disconnect().finally(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const watching = connectWithHostKeyPrompt(options, (o) => engine.connect(o)).then(() => stopped);
  return Promise.race([stopped, watching]);
}

/** The message and exit code for anything a command threw. */
export function fail(error: unknown): number {
  if (error instanceof SecretCancelled) {
    console.error(`replication-console: ${error.message}`);
    return error.interrupted ? 130 : EXIT.usage;
  }
  if (error instanceof UsageError || error instanceof ActionUsageError || error instanceof ConnectionUsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`replication-console: ${clean(error.message)}\nRun \`replication-console --help\` for usage.`);
    return EXIT.usage;
  }
  const { code, message } = toApiError(error);
  console.error(`replication-console: ${clean(message)}`);
  return error instanceof EngineError ? (EXIT[code] ?? EXIT.other) : EXIT.other;
}
