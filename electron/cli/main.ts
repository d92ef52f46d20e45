// `replication-console <command>`: the scriptable front end over the engine.
import { parseArgs } from 'node:util';
import type { ConnectOptions, ErrorCode } from '../shared/types';
import { ReplicationEngine } from '../engine/engine';
import { normalizeAddress } from '../engine/address';
import { parseMapEntries } from '../engine/address-map';
import { DEFAULT_MAX_NODES } from '../engine/node-set';
import { TopologyMemory } from '../engine/topology-memory';
import { EngineError, toApiError } from '../engine/errors';
import { clean, toJson, toMermaid, toTable, toTree } from './output';
import { runLab } from './lab-command';
import { ACTION_HELP, ActionUsageError, isActionCommand, runActionCommand } from './action-commands';
import { dataDir } from '../engine/actions/audit';
import { InterruptedPlans } from '../engine/actions/interrupted';
import { reportInterruptedPlans } from '../app/startup';
import { INTERRUPTED_HELP, runInterrupted } from './interrupted-command';

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
};

const HELP = `replication-console: Redis and Valkey replication from the command line

Commands:
  topology --seed HOST:PORT [--seed …] [--format tree|json|mermaid]   print the topology once
  watch    --seed HOST:PORT [--seed …] [--format table|json]          live table, one refresh per poll
  lab                                     start master + 2 replicas + 1 cascaded replica on free ports
  forget   HOST:PORT [--json]             drop a node from the topology memory (nodes not seen for 7 days go by themselves)

${ACTION_HELP}

${INTERRUPTED_HELP}

Connection options (topology, watch, and the topology changes):
  --seed HOST:PORT    a node to start discovery from (repeatable)
  --user USER         ACL user name
  --password PASS     password (or set REDISCLI_AUTH, which keeps it out of \`ps\`)
  --interval MS       poll interval for watch (default 1000)
  --timeout MS        connect and command timeout (default 2000)
  --map FROM=TO       dial TO wherever a node lists FROM (NAT, Docker); repeatable. HOST:PORT=HOST:PORT
                      maps one address, HOST=HOST a host on every port

Exit codes: 0 ok, 2 bad usage, 3 unreachable or timed out, 4 authentication, 5 not a
Redis data node (Sentinel, cluster mode, other protocol), 1 anything else.`;

const OPTIONS = {
  seed: { type: 'string', multiple: true },
  user: { type: 'string' },
  password: { type: 'string' },
  format: { type: 'string' },
  interval: { type: 'string' },
  timeout: { type: 'string' },
  map: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command ? 0 : EXIT.usage;
  }
  if (command === 'lab') return runLab();
  if (command === 'interrupted') return runInterrupted(rest, HELP);
  if (command === 'forget') return forget(rest);
  if (!isActionCommand(command) && command !== 'topology' && command !== 'watch') throw new UsageError(`unknown command "${clean(command)}"`);
  // Before anything else: a plan a killed console left half-done may have left a master refusing writes.
  if (!rest.some((a) => a === '--help' || a === '-h')) {
    await reportInterruptedPlans(new InterruptedPlans(dataDir()), credentialsIn(rest), (line) => console.error(clean(line)));
  }
  if (isActionCommand(command)) return runActionCommand(command, rest, HELP);

  const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const connect = connectOptions(values);
  const timeout = number(values.timeout, 'timeout', 2000);
  const engine = new ReplicationEngine({ connectTimeoutMs: timeout, commandTimeoutMs: timeout, memoryDir: dataDir() });
  if (command === 'topology') return printTopology(engine, connect, values.format ?? 'tree');
  return watch(engine, connect, values.format ?? 'table');
}

/** --user and --password (or REDISCLI_AUTH) from any command's arguments, to read the nodes of an interrupted plan. */
function credentialsIn(args: string[]): { user?: string; password?: string } {
  const value = (name: string): string | undefined => {
    const at = args.findIndex((a) => a === `--${name}`);
    if (at >= 0) return args[at + 1];
    return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  return { user: value('user'), password: value('password') ?? process.env.REDISCLI_AUTH ?? undefined };
}

function connectOptions(values: { seed?: string[]; user?: string; password?: string; interval?: string; map?: string[] }): ConnectOptions {
  if (!values.seed?.length) throw new UsageError('give at least one --seed HOST:PORT');
  const addressMap = parseMapEntries(values.map ?? []);
  return {
    seeds: values.seed,
    user: values.user,
    password: values.password ?? process.env.REDISCLI_AUTH ?? undefined,
    pollIntervalMs: number(values.interval, 'interval', 1000),
    addressMap,
  };
}

function number(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 100 && value <= 60_000)) throw new UsageError(`--${name} must be 100–60000 ms, not "${clean(text)}"`);
  return value;
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
    const snapshot = await engine.connect(options);
    if (format === 'json') console.log(JSON.stringify(toJson(snapshot), null, 2));
    else console.log(format === 'mermaid' ? toMermaid(snapshot) : toTree(snapshot));
    return 0;
  } finally {
    await engine.disconnect();
  }
}

async function watch(engine: ReplicationEngine, options: ConnectOptions, format: string): Promise<number> {
  if (!['table', 'json'].includes(format)) throw new UsageError(`--format must be table or json`);
  const live = process.stdout.isTTY && format === 'table';
  engine.onTick(({ snapshot, events }) => {
    if (format === 'json') {
      console.log(JSON.stringify({ seq: snapshot.seq, ...toJson(snapshot), events }));
      return;
    }
    const recent = events.map((e) => clean(`  ${new Date(e.at).toLocaleTimeString()}  ${e.message}`));
    const text = toTable(snapshot) + (recent.length ? `\n\nEvents:\n${recent.join('\n')}` : '');
    process.stdout.write(live ? `\x1b[H\x1b[2J${text}\n` : `${text}\n\n`);
  });
  await engine.connect(options);
  return new Promise((resolve) => {
    const stop = (): void => {
      void engine.disconnect().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function fail(error: unknown): number {
  if (error instanceof UsageError || error instanceof ActionUsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`replication-console: ${clean(error.message)}\nRun \`replication-console --help\` for usage.`);
    return EXIT.usage;
  }
  const { code, message } = toApiError(error);
  console.error(`replication-console: ${clean(message)}`);
  return error instanceof EngineError ? (EXIT[code] ?? EXIT.other) : EXIT.other;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(fail(error)),
);
