// `replication-console COMMAND --help`: that command's own usage, printed without connecting to
// or starting anything.
import { ACTION_COMMANDS, ACTION_HELP } from './action-commands';
import { INTERRUPTED_HELP } from './interrupted-command';
import { CONNECTION_HELP } from '../app/connection-args';

const COMMON = `\n\n${CONNECTION_HELP}\n\nRun \`replication-console --help\` for every command and the exit codes.`;

const USAGE: Record<string, string> = {
  topology:
    'usage: replication-console topology (--seed HOST:PORT … | --sentinel HOST:PORT … --master-name NAME) [--format tree|json|mermaid]\n' +
    '  Print the topology once: every node found from the seeds, its role, link, lag and offset, and the warnings.' +
    COMMON,
  watch:
    'usage: replication-console watch (--seed HOST:PORT … | --sentinel HOST:PORT … --master-name NAME) [--format table|json] [--problems] [--interval MS]\n' +
    '  A live table (or one JSON object per line), refreshed every poll, with the events since the last one.\n' +
    '  --problems: a one-line summary, then only the nodes that are not healthy (unreachable, stale, link down,\n' +
    '  full sync, lagging, or named by a warning) and the warnings.\n' +
    '  Ctrl-C stops it.' +
    COMMON,
  lab:
    'usage: replication-console lab\n' +
    '  Start a local lab: a master, two replicas and a replica of a replica (real redis-server processes on\n' +
    '  free loopback ports, data in a temp dir). Ctrl-C stops it and removes its data.',
  forget:
    'usage: replication-console forget HOST:PORT [--json]\n' +
    '  Drop a node from the topology memory (nodes not seen for 7 days go by themselves). Connects to nothing.',
  interrupted: `usage:\n${INTERRUPTED_HELP}${COMMON}`,
};

/** The usage of one command, or null for a command that does not exist. */
export function commandHelp(command: string): string | null {
  if (Object.hasOwn(USAGE, command)) return USAGE[command] ?? null;
  if ((ACTION_COMMANDS as readonly string[]).includes(command)) return actionUsage(command);
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
