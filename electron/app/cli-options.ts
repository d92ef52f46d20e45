// Command-line options shared by the web mode and the Electron app:
//   [--port N] [--seed H:P …] [--user U] [--password P] [--lab] [--no-open]
import { normalizeAddress } from '../engine/address';
import { isAddress } from '../shared/schema';

export interface ConsoleArgs {
  /** Web mode only; 0 picks a free port. */
  port: number;
  seeds: string[];
  user?: string;
  password?: string;
  lab: boolean;
  /** Web mode only: open the browser. */
  open: boolean;
  help: boolean;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE =
  'usage: [--port N] [--seed HOST:PORT …] [--user USER] [--password PASSWORD] [--lab] [--no-open]\n' +
  '  The password can also come from the REDISCLI_AUTH environment variable, which keeps it out of `ps`.';

/**
 * Parse the options. With `strict` (the web mode) an unknown option is an error; without it
 * (Electron, whose argv also carries Chromium switches) unknown options are skipped.
 */
export function parseConsoleArgs(
  argv: readonly string[],
  { strict = true, env = process.env }: { strict?: boolean; env?: NodeJS.ProcessEnv } = {},
): ConsoleArgs {
  const result: ConsoleArgs = { port: 0, seeds: [], lab: false, open: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case '--port': {
        const text = value();
        const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
        if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be 0–65535, not "${text}"`);
        result.port = port;
        break;
      }
      case '--seed':
        result.seeds.push(parseSeed(value()));
        break;
      case '--user':
        result.user = value();
        break;
      case '--password':
        result.password = value();
        break;
      case '--lab':
        result.lab = true;
        break;
      case '--no-open':
        result.open = false;
        break;
      case '--help':
      case '-h':
        result.help = true;
        break;
      default:
        if (strict) throw new UsageError(`unknown option "${arg.slice(0, 64)}"`);
    }
  }
  if (result.password === undefined && env.REDISCLI_AUTH) result.password = env.REDISCLI_AUTH;
  if (result.lab && result.seeds.length > 0) throw new UsageError('--lab and --seed cannot be combined');
  return result;
}

function parseSeed(text: string): string {
  let address: string;
  try {
    address = normalizeAddress(text);
  } catch {
    address = text;
  }
  if (!isAddress(address)) throw new UsageError(`--seed "${text.slice(0, 100)}" is not host:port`);
  return address;
}
