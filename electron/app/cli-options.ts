// Command-line options shared by the web mode and the Electron app: [--port N] [--lab] [--no-open]
// and the connection options every front end takes (connection-args.ts: --seed, --user, --tls,
// --ssh, --sentinel, --trust, --read-only, …), so a runbook's flags work in all of them.
import { parseArgs } from 'node:util';
import type { ConnectOptions } from '../shared/types';
import { CONNECTION_HELP, CONNECTION_OPTIONS, ConnectionUsageError, parseConnection, type ConnectionValues } from './connection-args';

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

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: [--port N] [--lab] [--no-open] [connection options]
  The password can also come from the REDISCLI_AUTH environment variable, which keeps it out of \`ps\`.

${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  port: { type: 'string' },
  lab: { type: 'boolean' },
  'no-open': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict, allowPositionals: !strict }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0]?.slice(0, 200) ?? 'bad option' : 'bad option');
  }
  const known = checkTypes(values);
  for (const name of PROMPTS) {
    if (known[name]) throw new UsageError(`--${name} is for the command-line tool; here, give the secret in the connect screen or REDISCLI_AUTH`);
  }
  const port = known.port === undefined ? 0 : /^\d{1,5}$/.test(known.port) ? Number(known.port) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0–65535, not "${String(known.port).slice(0, 40)}"`);
  const lab = known.lab === true;
  const entry = (known.seed?.length ?? 0) > 0 || (known.sentinel?.length ?? 0) > 0;
  if (lab && entry) throw new UsageError('--lab and --seed (or --sentinel) cannot be combined');
  let parsed;
  try {
    parsed = parseConnection(known, { env, requireEntry: false });
  } catch (error) {
    if (error instanceof ConnectionUsageError) throw new UsageError(error.message);
    throw error;
  }
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

type Known = ConnectionValues & { port?: string; lab?: boolean; 'no-open'?: boolean; help?: boolean };

/** Without `strict`, parseArgs lets "--seed" with no value through as `true`: refuse it by name. */
function checkTypes(values: Record<string, unknown>): Known {
  for (const [name, spec] of Object.entries(OPTIONS)) {
    const value = values[name];
    if (value === undefined) continue;
    const items = Array.isArray(value) ? value : [value];
    const wanted = spec.type;
    if (items.some((item) => typeof item !== wanted)) {
      throw new UsageError(wanted === 'string' ? `--${name} needs a value` : `--${name} takes no value`);
    }
  }
  return values as Known;
}
