// The one table of command-line options: every CLI command, the web mode and the desktop app read
// their arguments through parseOptions() with it, and the help texts list them from it, so the
// parser and the help cannot drift apart. Plain data and node:util's parser only: `--help` loads
// this module and the help texts, nothing that connects or starts anything.
import { parseArgs } from 'node:util';

/** The topology changes: plan, show, confirm, run, report (cli/action-commands.ts). */
export const ACTION_COMMANDS = ['replicaof', 'promote', 'switchover', 'failover', 'detach', 'sentinel-failover'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** Every command that reads options; 'console' is the web mode and the desktop app. */
export const COMMANDS = ['topology', 'watch', ...ACTION_COMMANDS, 'interrupted', 'forget', 'lab', 'serve', 'console'] as const;
export type Command = (typeof COMMANDS)[number];

export function isActionCommand(command: string): command is ActionCommand {
  return (ACTION_COMMANDS as readonly string[]).includes(command);
}

/** The commands that connect: they take the connection options. */
const CONNECTING = ['topology', 'watch', ...ACTION_COMMANDS, 'interrupted', 'serve', 'console'] as const;

interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** How the help shows it, value included: "--seed HOST:PORT | URL". */
  usage: string;
  /** Its help line; "\n" starts a continuation line. */
  help: string;
  /** The commands that take it. */
  for: readonly Command[];
  /** A connection option (connection-args.ts reads it): listed under "Connection options". */
  connection?: true;
}

export const OPTIONS = {
  seed: {
    type: 'string',
    multiple: true,
    usage: '--seed HOST:PORT | URL',
    help: 'a node to start discovery from (repeatable); redis://[USER[:PASSWORD]@]HOST[:PORT]\nand rediss://… (TLS) URLs work too: the password is taken out at once, never shown',
    for: CONNECTING,
    connection: true,
  },
  user: { type: 'string', usage: '--user USER', help: 'ACL user name (see "ACL users" in the README for the rules the console needs)', for: CONNECTING, connection: true },
  password: {
    type: 'string',
    usage: '--password PASS',
    help: 'password; visible to other users in `ps`: prefer --askpass or REDISCLI_AUTH',
    for: CONNECTING,
    connection: true,
  },
  askpass: {
    type: 'boolean',
    usage: '--askpass',
    help: 'prompt for the password without echo (reads a line from stdin when it is a pipe)',
    for: CONNECTING,
    connection: true,
  },
  tls: { type: 'boolean', usage: '--tls', help: "TLS to every node, discovered ones too (these five options are redis-cli's)", for: CONNECTING, connection: true },
  cacert: {
    type: 'string',
    usage: '--cacert FILE',
    help: "CA certificate(s) to check the servers' certificates (default: the system's CAs)",
    for: CONNECTING,
    connection: true,
  },
  cert: { type: 'string', usage: '--cert FILE', help: 'client certificate, for servers with tls-auth-clients yes (with --key)', for: CONNECTING, connection: true },
  key: { type: 'string', usage: '--key FILE', help: "the client certificate's private key (unencrypted, as redis-cli reads it)", for: CONNECTING, connection: true },
  sni: { type: 'string', usage: '--sni NAME', help: 'server name sent and checked, when the certificate is not for the address dialled', for: CONNECTING, connection: true },
  insecure: { type: 'boolean', usage: '--insecure', help: "do not check the servers' certificates (shown as the warning TLS_INSECURE)", for: CONNECTING, connection: true },
  ssh: { type: 'string', usage: '--ssh USER@HOST[:PORT]', help: 'reach every node through this SSH bastion (one session for all)', for: CONNECTING, connection: true },
  'ssh-key': { type: 'string', usage: '--ssh-key FILE', help: 'private key for the bastion', for: CONNECTING, connection: true },
  'ssh-askpass': {
    type: 'boolean',
    usage: '--ssh-askpass',
    help: "prompt for the key's passphrase (or the SSH password when there is no key)",
    for: CONNECTING,
    connection: true,
  },
  'ssh-known-hosts': { type: 'string', usage: '--ssh-known-hosts FILE', help: 'where host keys are checked (default ~/.ssh/known_hosts)', for: CONNECTING, connection: true },
  'ssh-accept-host-key': {
    type: 'string',
    usage: '--ssh-accept-host-key SHA256:…',
    help: 'accept this host key fingerprint (checked with its administrator)',
    for: CONNECTING,
    connection: true,
  },
  sentinel: {
    type: 'string',
    multiple: true,
    usage: '--sentinel HOST:PORT',
    help: 'start from Sentinel (repeatable) with --master-name NAME',
    for: CONNECTING,
    connection: true,
  },
  'master-name': { type: 'string', usage: '--master-name NAME', help: 'the name Sentinel monitors the master by', for: CONNECTING, connection: true },
  'sentinel-user': { type: 'string', usage: '--sentinel-user USER', help: "Sentinel's own ACL user", for: CONNECTING, connection: true },
  'sentinel-password': { type: 'string', usage: '--sentinel-password PASS', help: "Sentinel's own password", for: CONNECTING, connection: true },
  trust: {
    type: 'string',
    multiple: true,
    usage: '--trust PATTERN',
    help:
      "another host that may receive the password (repeatable): a name, an IP,\n*.db.internal or a CIDR such as 10.0.0.0/8. The seeds', the Sentinels' and the\n--map targets' hosts are trusted; a node elsewhere is UNTRUSTED_HOST, sent no password",
    for: CONNECTING,
    connection: true,
  },
  'read-only': { type: 'boolean', usage: '--read-only', help: 'monitoring only: every topology change is refused (exit 2)', for: CONNECTING, connection: true },
  interval: { type: 'string', usage: '--interval MS', help: 'poll interval for watch (default 1000)', for: CONNECTING, connection: true },
  timeout: { type: 'string', usage: '--timeout MS', help: 'connect and command timeout (default 2000)', for: CONNECTING, connection: true },
  map: {
    type: 'string',
    multiple: true,
    usage: '--map FROM=TO',
    help: 'dial TO wherever a node lists FROM (NAT, Docker); repeatable. HOST:PORT=HOST:PORT\nmaps one address, HOST=HOST a host on every port',
    for: CONNECTING,
    connection: true,
  },

  format: { type: 'string', usage: '--format FORMAT', help: 'topology: tree (default), json or mermaid; watch: table (default) or json', for: ['topology', 'watch'] },
  problems: {
    type: 'boolean',
    usage: '--problems',
    help: 'a one-line summary, then only the nodes that are not healthy (unreachable, stale, link down,\nfull sync, lagging, or named by a warning) and the warnings',
    for: ['watch'],
  },
  alerts: {
    type: 'boolean',
    usage: '--alerts',
    help: 'print each alert as it fires and resolves; exit 6 as soon as one fires (not muted)',
    for: ['watch'],
  },
  duration: {
    type: 'string',
    usage: '--duration SECONDS',
    help: 'stop watching after this long (with --alerts: exit 0 when nothing fired)',
    for: ['watch'],
  },
  alert: {
    type: 'string',
    multiple: true,
    usage: '--alert NAME=VALUE',
    help: 'an alert threshold (repeatable): lag-bytes, lag-seconds, link-down-seconds,\nunreachable-seconds, stale-seconds, backlog-short-seconds, for-seconds',
    for: ['watch', 'serve'],
  },

  listen: {
    type: 'string',
    usage: '--listen HOST:PORT',
    help: 'serve: where to serve the web console, its API and /metrics (default 127.0.0.1:9121);\nanything but loopback needs --auth-token-file or --basic-auth-file',
    for: ['serve'],
  },
  config: { type: 'string', usage: '--config FILE', help: 'serve: the topologies to watch, with their connections and alert thresholds (JSON)', for: ['serve'] },
  'auth-token-file': {
    type: 'string',
    usage: '--auth-token-file FILE',
    help: 'serve: a file holding the bearer token every request must carry (Authorization: Bearer …)',
    for: ['serve'],
  },
  'basic-auth-file': {
    type: 'string',
    usage: '--basic-auth-file FILE',
    help: 'serve: a file of USER:PASSWORD lines for HTTP basic authentication',
    for: ['serve'],
  },
  'listen-cert': { type: 'string', usage: '--listen-cert FILE', help: 'serve: HTTPS with this certificate (PEM) and --listen-key', for: ['serve'] },
  'listen-key': { type: 'string', usage: '--listen-key FILE', help: "serve: the certificate's private key (PEM)", for: ['serve'] },

  node: { type: 'string', usage: '--node HOST:PORT', help: 'the node to change', for: ['replicaof', 'promote', 'detach'] },
  master: { type: 'string', usage: '--master HOST:PORT', help: "its new master (replicaof); the group's master (sentinel-failover)", for: ['replicaof', 'sentinel-failover'] },
  to: { type: 'string', usage: '--to HOST:PORT', help: 'the replica to hand over to', for: ['switchover', 'failover'] },
  prefer: { type: 'string', usage: '--prefer HOST:PORT', help: 'the replica Sentinel should pick', for: ['sentinel-failover'] },
  'repoint-siblings': { type: 'boolean', usage: '--repoint-siblings', help: "move the promoted replica's siblings under it", for: ['promote'] },
  method: { type: 'string', usage: '--method METHOD', help: 'how a switchover stops the writes', for: ['switchover'] },
  'no-write-pause': {
    type: 'boolean',
    usage: '--no-write-pause',
    help: "replicaof under a sibling or cousin: do not hold writes on the root for the move\n(risk: a full sync if the node is a write ahead of its new master as it asks)",
    for: ['replicaof'],
  },
  'dry-run': { type: 'boolean', usage: '--dry-run', help: 'print the plan and stop (exit 0 when it could run, 1 when not)', for: ACTION_COMMANDS },
  yes: { type: 'boolean', usage: '--yes', help: 'run without asking (destructive steps are confirmed for you)', for: ACTION_COMMANDS },
  persist: { type: 'boolean', usage: '--persist', help: 'CONFIG REWRITE on every changed node afterwards', for: ACTION_COMMANDS },
  'set-masterauth': {
    type: 'boolean',
    usage: '--set-masterauth',
    help: 'set masterauth (and masteruser) from --user/--password where a replica lacks it',
    for: ACTION_COMMANDS,
  },
  override: {
    type: 'string',
    multiple: true,
    usage: '--override CODE',
    help: 'run despite an overridable check (repeatable), e.g. --override REPLICA_BEHIND',
    for: ACTION_COMMANDS,
  },
  'step-timeout': { type: 'string', usage: '--step-timeout MS', help: "how long each step's verification may take (default 30000)", for: ACTION_COMMANDS },
  'master-address': {
    type: 'string',
    usage: '--master-address HOST:PORT',
    help: "the address the replicas are told to reach their new master by (REPLICAOF);\ndefault: how the servers already reach it (behind NAT, not the console's way in)",
    for: ACTION_COMMANDS,
  },
  json: {
    type: 'boolean',
    usage: '--json',
    help: 'print JSON instead of text',
    for: [...ACTION_COMMANDS, 'interrupted', 'forget'],
  },
  dismiss: { type: 'string', usage: '--dismiss PLAN_ID', help: 'stop reporting one interrupted plan (you have dealt with it)', for: ['interrupted'] },

  port: { type: 'string', usage: '--port N', help: 'web mode: the port to serve on (default: a free one)', for: ['console'] },
  lab: { type: 'boolean', usage: '--lab', help: 'start a local lab and open the console on it', for: ['console'] },
  'no-open': { type: 'boolean', usage: '--no-open', help: 'web mode: print the URL, do not open a browser', for: ['console'] },

  help: { type: 'boolean', short: 'h', usage: '--help', help: 'this usage', for: COMMANDS },
} as const satisfies Record<string, OptionSpec>;

type Table = typeof OPTIONS;
export type OptionName = keyof Table;

type ValueOf<S> = S extends { type: 'string'; multiple: true } ? string[] : S extends { type: 'string' } ? string : boolean;
/** The values of some options, as parseOptions returns them (absent when not given). */
export type OptionValues<N extends OptionName> = { [K in N]?: ValueOf<Table[K]> };
/** The options a command takes. */
export type OptionsOf<C extends Command> = { [K in OptionName]: C extends Table[K]['for'][number] ? K : never }[OptionName];
export type ConnectionOptionName = { [K in OptionName]: Table[K] extends { connection: true } ? K : never }[OptionName];

/** The options a command takes, in table order. */
export function optionsOf(command: Command): OptionName[] {
  return (Object.keys(OPTIONS) as OptionName[]).filter((name) => (OPTIONS[name].for as readonly Command[]).includes(command));
}

export const CONNECTION_OPTION_NAMES = (Object.keys(OPTIONS) as OptionName[]).filter((name) => 'connection' in OPTIONS[name]) as ConnectionOptionName[];

type ParseArgsOptions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** node:util parseArgs's configuration for these options. */
export function parseArgsConfig(names: readonly OptionName[]): ParseArgsOptions {
  const config: ParseArgsOptions = {};
  for (const name of names) {
    const spec: OptionSpec = OPTIONS[name];
    config[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  return config;
}

/** A mistake on the command line: every front end prints it in one line (the CLI adds the usage hint) and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** How a command is named in a message. */
function commandName(command: Command): string {
  return command === 'console' ? 'the console' : command;
}

/**
 * Parse a command's arguments with the table. `strict` (every CLI command, the web mode): an
 * option of another command or none is refused, in the same words everywhere; without it (the
 * desktop app, whose argv also carries Chromium's switches) such options and positionals are skipped.
 */
export function parseOptions<C extends Command>(
  command: C,
  args: readonly string[],
  { strict = true, positionals = false }: { strict?: boolean; positionals?: boolean } = {},
): { values: OptionValues<OptionsOf<C>>; positionals: string[] } {
  const names = optionsOf(command);
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...args], options: parseArgsConfig(names), strict, allowPositionals: positionals || !strict });
  } catch (error) {
    throw new UsageError(parseErrorMessage(command, error));
  }
  if (!strict) checkTypes(names, parsed.values);
  return { values: parsed.values as OptionValues<OptionsOf<C>>, positionals: parsed.positionals };
}

/** node:util's messages are long and say "positional": one line of ours instead, naming the option. */
function parseErrorMessage(command: Command, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'(-[^' <]*)/.exec(message)?.[1] ?? '';
  const shown = quoted.slice(0, 60);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = shown.replace(/^--?/, '').split('=')[0] ?? '';
      return Object.hasOwn(OPTIONS, name) && shown.startsWith('--') ? `${commandName(command)} does not take --${name}` : `unknown option ${shown}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const positional = /argument '([^']*)'/.exec(message)?.[1] ?? '';
      return `${commandName(command)} takes no argument "${positional.slice(0, 60)}" (options start with --)`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) return `${shown} takes no value`;
      if (/ambiguous/.test(message)) return `${shown} needs a value (one that starts with "-" is given as ${shown}=VALUE)`;
      return `${shown} needs a value`;
    default:
      return (message.split('\n')[0] ?? 'bad option').slice(0, 200);
  }
}

/** Without `strict`, parseArgs lets "--seed" with no value through as `true`: refuse it by name. */
function checkTypes(names: readonly OptionName[], values: Record<string, unknown>): void {
  for (const name of names) {
    const value = values[name];
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    const wanted = OPTIONS[name].type;
    if (items.some((item) => typeof item !== wanted)) throw new UsageError(wanted === 'string' ? `--${name} needs a value` : `--${name} takes no value`);
  }
}

/** Help lines for these options, from the table: the usage, then the help from column 22 (after two spaces when the usage is longer). */
export function optionLines(names: readonly OptionName[]): string {
  return names
    .map((name) => {
      const { usage, help } = OPTIONS[name];
      const [first = '', ...rest] = help.split('\n');
      const head = usage.length <= 18 ? `  ${usage.padEnd(20)}${first}` : `  ${usage}  ${first}`;
      return [head, ...rest.map((line) => `${' '.repeat(22)}${line}`)].join('\n');
    })
    .join('\n');
}

/** The connection options' help, as every connecting command and the web mode show it. */
export const CONNECTION_HELP = `Connection options (topology, watch, the topology changes; the web mode and the app take them too):\n${optionLines(CONNECTION_OPTION_NAMES)}`;
