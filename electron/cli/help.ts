// The CLI's help texts: `replication-console --help` and each `COMMAND --help`, printed without
// connecting to or starting anything. The option lines come from the one option table
// (app/options.ts), so the help lists exactly what the parser takes. This module loads nothing
// else: entry.ts answers --help from it before the commands themselves are loaded.
import { ACTION_COMMANDS, CONNECTION_HELP, isActionCommand, optionLines, type Command } from '../app/options';
import { clean } from './output';
import packageJson from '../../package.json';

export const ACTION_HELP = `Topology changes (each prints its plan and checks first):
  replicaof  --node HOST:PORT --master HOST:PORT [--no-write-pause]
                                                   make a node a replica of another (also re-attaches a lone master).
                                                   Under a sibling or cousin, writes wait on the root for the moment
                                                   of the move (CLIENT PAUSE WRITE, 6.2+), so the node cannot be a
                                                   write ahead of its new master when it asks for PSYNC (full sync)
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
${optionLines(['dry-run', 'yes', 'persist', 'set-masterauth', 'override', 'step-timeout', 'master-address', 'json'])}
With --json, a refusal or failure is one line too: {"error":{"code","message","details"}}, where
details.nothingSent true means no node was sent anything (the same as "nothing was sent." on stderr).
Exit codes: 0 done, 1 refused, failed, aborted or stopped (a sentinel-failover whose failover the
Sentinels made on their own: "■ Stopped"), or the confirmation prompt closed (Ctrl-D, end of
input), 130 the prompt cancelled with Ctrl-C; nothing is sent in either case (plus the connection codes above).`;

export const INTERRUPTED_HELP = `Interrupted plans (a console killed mid-plan leaves them in the plan journal):
  interrupted [--user U] [--askpass] [--tls …] [--json]
                                                   report them: what ran, where each node stands, what to run
                                                   (the connection options below reach the plans' nodes)
  interrupted --dismiss PLAN_ID                    stop reporting one (you have dealt with it)
  Every command also prints this report on stderr when it starts. A plan is closed by itself
  once its nodes are seen in its end state or its original one, with no fence and no pause.`;

export const HELP = `replication-console: Redis and Valkey replication from the command line

Commands:
  topology --seed HOST:PORT [--seed …] [--format tree|json|mermaid]   print the topology once
  watch    --seed HOST:PORT [--seed …] [--format table|json] [--problems] [--alerts]
                                          live table, one refresh per poll; --problems: only the nodes
                                          that are not healthy, after a one-line summary; --alerts:
                                          alerts as they fire and resolve, exit 6 once one fires
  serve    --listen HOST:PORT (--config FILE | --seed HOST:PORT …)
                                          a long-lived service: the web console, its API and
                                          Prometheus /metrics for one topology or many
  lab                                     start master + 2 replicas + 1 cascaded replica on free ports
  forget   HOST:PORT [--json]             drop a node from the topology memory (nodes not seen for 7 days go by themselves)
  COMMAND --help                          that command's own usage
  --version                               the version of replication-console

${ACTION_HELP}

${INTERRUPTED_HELP}

${CONNECTION_HELP}

Exit codes: 0 ok, 2 bad usage or refused on a --read-only connection, 3 unreachable, timed out,
out of client connections (maxclients), TLS or SSH failure, 4 authentication, ACL permission,
protected mode, SSH host key unknown, changed or revoked, or a node outside the trusted hosts, 5 not a Redis data node (Sentinel, cluster mode, other protocol),
6 an alert fired (watch --alerts), 1 anything else.`;

const COMMON = `\n\n${CONNECTION_HELP}\n\nRun \`replication-console --help\` for every command and the exit codes.`;

const USAGE: Record<Exclude<Command, 'console' | (typeof ACTION_COMMANDS)[number]> | 'help', string> = {
  topology:
    'usage: replication-console topology (--seed HOST:PORT … | --sentinel HOST:PORT … --master-name NAME) [--format tree|json|mermaid]\n' +
    '  Print the topology once: every node found from the seeds, its role, link, lag and offset, and the warnings.' +
    COMMON,
  watch:
    'usage: replication-console watch (--seed HOST:PORT … | --sentinel HOST:PORT … --master-name NAME) [--format table|json] [--problems] [--interval MS]\n' +
    '       [--alerts [--alert NAME=VALUE …]] [--duration SECONDS]\n' +
    '  A live table (or one JSON object per line), refreshed every poll, with the events since the last one.\n' +
    '  --problems: a one-line summary, then only the nodes that are not healthy (unreachable, stale, link down,\n' +
    '  full sync, lagging, or named by a warning) and the warnings.\n' +
    '  --alerts: each alert as it fires and resolves; exits 6 as soon as one fires (not muted), 0 when\n' +
    '  --duration ends with none firing. Ctrl-C stops it.' +
    COMMON,
  serve:
    'usage: replication-console serve --listen HOST:PORT (--config FILE | --seed HOST:PORT … [connection options])\n' +
    '       [--auth-token-file FILE | --basic-auth-file FILE] [--listen-cert FILE --listen-key FILE] [--alert NAME=VALUE …]\n' +
    '  A long-lived service for a VM or a container: the engine and the web console for many topologies\n' +
    '  (--config) or one (--seed), the Prometheus metrics at /metrics. Anything but a loopback --listen\n' +
    '  needs a token or basic authentication; /metrics is open to scraping on loopback only.' +
    COMMON,
  lab:
    'usage: replication-console lab\n' +
    '  Start a local lab: a master, two replicas and a replica of a replica (real redis-server processes on\n' +
    '  free loopback ports, data in a temp dir). Ctrl-C stops it and removes its data.',
  forget:
    'usage: replication-console forget HOST:PORT [--json]\n' +
    '  Drop a node from the topology memory (nodes not seen for 7 days go by themselves). Connects to nothing.',
  interrupted:
    'usage: replication-console interrupted [--dismiss PLAN_ID] [connection options] [--json]\n' +
    INTERRUPTED_HELP.split('\n').slice(1).join('\n') +
    COMMON,
  help: 'usage: replication-console help [COMMAND]\n  The help of every command, or of one (the same as `replication-console COMMAND --help`).',
};

/** The usage of one command, or null for a command that does not exist. */
export function commandHelp(command: string): string | null {
  if (Object.hasOwn(USAGE, command)) return USAGE[command as keyof typeof USAGE];
  if (isActionCommand(command)) return actionUsage(command);
  return null;
}

/** A topology change's lines of ACTION_HELP (its own line and the indented ones under it), and the options they share. */
function actionUsage(command: string): string {
  const lines = ACTION_HELP.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^  ${command}\\b`).test(line));
  const own: string[] = [];
  for (let i = start; i >= 0 && i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (i > start && !/^\s{5,}\S/.test(line)) break;
    own.push(line);
  }
  const options = lines.slice(lines.findIndex((line) => line.startsWith('Options for these commands'))).join('\n');
  return `usage: replication-console ${own.join('\n').trimStart()}\n\n${options}${COMMON}`;
}

/**
 * The one-line usage error every command prints, with the hint; returns exit code 2. A mistake in
 * a command's own options points to that command's usage, the rest to the whole help.
 */
export function usageFailure(message: string, command?: string): number {
  const help = command !== undefined && command !== 'help' && commandHelp(command) !== null ? `replication-console ${command} --help` : 'replication-console --help';
  console.error(`replication-console: ${clean(message)}\nRun \`${help}\` for usage.`);
  return 2;
}

/**
 * Answer a command line that asks for help (`--help`, `-h`, `help [COMMAND]`, `COMMAND --help`,
 * or nothing at all) and return its exit code; null when the command line asks for something else.
 */
export function answerHelp(argv: readonly string[]): number | null {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // No command: the help, as a usage error (a script that forgot its command must not pass).
    console.log(HELP);
    return 2;
  }
  // The version from package.json, bundled in: nothing else loads.
  if (command === '--version' || command === '-V') {
    console.log(packageJson.version);
    return 0;
  }
  if (command === '--help' || command === '-h' || (command === 'help' && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h'))) {
    console.log(HELP);
    return 0;
  }
  const topic = command === 'help' ? rest[0] : rest.some((a) => a === '--help' || a === '-h') ? command : undefined;
  if (topic === undefined) return null;
  const usage = commandHelp(topic);
  if (usage === null) return usageFailure(`unknown command "${topic}"`);
  console.log(usage);
  return 0;
}
