// The web mode's and the Electron app's arguments: [--port N] [--lab] [--no-open] and the connection
// options every front end takes, read with the one option table (options.ts, command 'console'),
// so a runbook's flags work in all of them.
import type { ConnectOptions } from '../shared/types';
import { parseConnection } from './connection-args';
import { CONNECTION_HELP, OPTIONS, optionLines, optionsOf, parseOptions, UsageError } from './options';

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

// Chromium's and Electron's own switches that share the desktop app's argv: passed through without
// a word. Anything else that is not ours gets a one-line warning (it is still skipped, not refused).
const CHROMIUM_SWITCHES = new Set([
  'allow-file-access-from-files', 'auth-negotiate-delegate-whitelist', 'auth-server-whitelist', 'autoplay-policy', 'class',
  'disk-cache-size', 'force-color-profile', 'force-device-scale-factor', 'force-fieldtrials', 'force-renderer-accessibility',
  'gtk-version', 'high-dpi-support', 'host-resolver-rules', 'host-rules', 'ignore-certificate-errors', 'ignore-gpu-blocklist',
  'in-process-gpu', 'inspect', 'inspect-brk', 'inspect-port', 'js-flags', 'lang', 'log-file', 'log-level', 'name',
  'ozone-platform', 'ozone-platform-hint', 'password-store', 'proxy-bypass-list', 'proxy-pac-url', 'proxy-server',
  'remote-debugging-pipe', 'remote-debugging-port', 'trace-deprecation', 'trace-warnings', 'throw-deprecation',
  'use-angle', 'use-gl', 'user-data-dir', 'v', 'vmodule', 'wm-class',
]);

/** Edit distance counting a swap of two neighbours as one (--lba → --lab), for "did you mean"; a handful of short names, no library needed. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] ??= [])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The desktop app skips unknown options (Chromium's switches share its argv): one line for each
 * `--option` that is neither ours nor a Chromium/Electron switch, with the option it was probably
 * meant to be (--sed → --seed). Switches of Chromium's usual shapes (--enable-…, --disable-…, --no-…)
 * pass without a word unless they are close to one of ours.
 */
export function unknownOptionWarnings(argv: readonly string[]): string[] {
  const ours = optionsOf('console') as string[];
  const warnings: string[] = [];
  for (const arg of argv) {
    if (!arg.startsWith('--') || arg === '--') continue;
    const name = arg.slice(2).split('=')[0] ?? '';
    if (ours.includes(name) || CHROMIUM_SWITCHES.has(name)) continue;
    const shown = `--${name.slice(0, 60)}`;
    if (Object.hasOwn(OPTIONS, name)) {
      warnings.push(`Replication Console: the app does not take ${shown} (an option of the command-line tool): ignored`);
      continue;
    }
    const near = ours.find((option) => distance(name, option) <= (option.length <= 4 ? 1 : 2));
    if (near) warnings.push(`Replication Console: unknown option ${shown} (did you mean --${near}?): ignored`);
    else if (!/^(enable|disable|no|force|use)-/.test(name)) warnings.push(`Replication Console: unknown option ${shown}: ignored (not an option of the app, nor a Chromium switch it knows)`);
  }
  return warnings;
}
