// The web mode's and the Electron app's arguments: [--port N] [--lab] [--no-open] and the connection
// options every front end takes, read with the one option table (options.ts, command 'console'),
// so a runbook's flags work in all of them.
import type { ConnectOptions } from '../shared/types';
import { parseConnection } from './connection-args';
import { CONNECTION_HELP, optionLines, parseOptions, UsageError } from './options';

export { UsageError };

/** The one-line hint under a usage error of the web mode or the app (the usage itself is 40 lines). */
export const USAGE_HINT = 'Run `npm start -- --help` for the options.';

export interface ConsoleArgs {
  /** Web mode only; 0 picks a free port. */
  port: number;
  /** The connection the options describe (null without --seed or --sentinel). */
  connect: ConnectOptions | null;
  /** --timeout: connect and command timeout, ms (the console services keep their own for now). */
  timeoutMs: number;
  /** Lines for stderr (a password on the command line is visible to other users). */
  notices: string[];
  lab: boolean;
  /** Web mode only: open the browser. */
  open: boolean;
  help: boolean;
}

export const USAGE = `usage: npm start -- [--port N] [--lab] [--no-open] [connection options]
  npm start opens the desktop app, or serves the web mode where Electron cannot run; \`npm run web -- …\` serves it.
${optionLines(['port', 'lab', 'no-open'])}
  The password can also come from the REDISCLI_AUTH environment variable, which keeps it out of \`ps\`.

${CONNECTION_HELP}`;

/** Secrets these front ends cannot prompt for: the desktop app may have no terminal at all. */
const PROMPTS = ['askpass', 'ssh-askpass'] as const;

/**
 * Parse the options. With `strict` (the web mode) an unknown option is an error; without it
 * (Electron, whose argv also carries Chromium switches) unknown options are skipped.
 */
export function parseConsoleArgs(
  argv: readonly string[],
  { strict = true, env = process.env }: { strict?: boolean; env?: NodeJS.ProcessEnv } = {},
): ConsoleArgs {
  const { values: known } = parseOptions('console', argv, { strict });
  for (const name of PROMPTS) {
    if (known[name]) throw new UsageError(`--${name} is for the command-line tool; here, give the secret in the connect screen or REDISCLI_AUTH`);
  }
  const port = known.port === undefined ? 0 : /^\d{1,5}$/.test(known.port) ? Number(known.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0–65535, not "${String(known.port).slice(0, 40)}"`);
  const lab = known.lab === true;
  const entry = (known.seed?.length ?? 0) > 0 || (known.sentinel?.length ?? 0) > 0;
  if (lab && entry) throw new UsageError('--lab and --seed (or --sentinel) cannot be combined');
  // Its ConnectionUsageError is a UsageError: the same one-line message as the CLI's.
  const parsed = parseConnection(known, { env, requireEntry: false });
  const connect = entry ? parsed.options : null;
  return {
    port,
    connect,
    timeoutMs: parsed.timeoutMs,
    notices: parsed.notices,
    lab,
    open: known['no-open'] !== true,
    help: known.help === true,
  };
}
