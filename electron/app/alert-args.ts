// `--alert NAME=VALUE` (watch, serve): the one place the command line's threshold names map to
// AlertThresholds' fields, with their units, so every command reads and shows them the same way.
import type { AlertThresholds } from '../shared/types';
import { alertThresholdsSchema } from '../shared/schema';
import { formatBytes, formatSeconds } from '../shared/format';
import { UsageError } from './options';

type Kind = 'bytes' | 'seconds';

/** The names `--alert` takes, in the order the help lists them, each with its field and unit. */
export const ALERT_ARG_NAMES = {
  'lag-bytes': { field: 'lagBytes', kind: 'bytes' },
  'lag-seconds': { field: 'lagSeconds', kind: 'seconds' },
  'link-down-seconds': { field: 'linkDownSeconds', kind: 'seconds' },
  'unreachable-seconds': { field: 'unreachableSeconds', kind: 'seconds' },
  'stale-seconds': { field: 'staleSeconds', kind: 'seconds' },
  'backlog-short-seconds': { field: 'backlogShortSeconds', kind: 'seconds' },
  'for-seconds': { field: 'forSeconds', kind: 'seconds' },
} as const satisfies Record<string, { field: keyof AlertThresholds; kind: Kind }>;

export type AlertArgName = keyof typeof ALERT_ARG_NAMES;

const NAMES = Object.keys(ALERT_ARG_NAMES) as AlertArgName[];

/** Redis's own size units (redis.conf): k 1000, kb 1024, m 1000², mb 1024², g 1000³, gb 1024³. */
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = { '': 1, s: 1, ms: 0.001, min: 60, h: 3600 };

/**
 * `--alert` values ("lag-bytes=10mb", "link-down-seconds=5", "lag-seconds=1.5s") as a change of
 * thresholds. A usage error names the mistake: an unknown name (with the names), a bad number or
 * unit, a value out of range, a name given twice.
 */
export function parseAlertThresholdArgs(values: readonly string[]): Partial<AlertThresholds> {
  const change: Partial<Record<keyof AlertThresholds, number>> = {};
  /** Each name given, as it was given (for a range error to quote). */
  const given = new Map<string, string>();
  for (const raw of values) {
    const shown = raw.slice(0, 80);
    const at = raw.indexOf('=');
    if (at <= 0) throw new UsageError(`--alert takes NAME=VALUE, not "${shown}" (names: ${NAMES.join(', ')})`);
    const name = raw.slice(0, at).trim().toLowerCase();
    const text = raw.slice(at + 1).trim();
    if (!Object.hasOwn(ALERT_ARG_NAMES, name)) {
      throw new UsageError(`--alert: unknown threshold "${name.slice(0, 40)}"; the names are ${NAMES.join(', ')}`);
    }
    const { field, kind } = ALERT_ARG_NAMES[name as AlertArgName];
    if (given.has(name)) throw new UsageError(`--alert ${name} is given twice`);
    given.set(name, shown);
    const value = kind === 'bytes' ? parseSize(text) : parseDuration(text);
    if (value === null) {
      throw new UsageError(
        kind === 'bytes'
          ? `--alert ${shown}: "${text.slice(0, 40)}" is not a size: a whole number of bytes, or with a unit (512kb, 10mb, 1gb)`
          : `--alert ${shown}: "${text.slice(0, 40)}" is not a duration: seconds, or with a unit (500ms, 30s, 5min, 1h)`,
      );
    }
    change[field] = value;
  }
  const checked = alertThresholdsSchema.safeParse(change);
  if (!checked.success) {
    // Out of range (for-seconds past an hour): the value as given, and the limit in its unit.
    const issue = checked.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const name = NAMES.find((n) => ALERT_ARG_NAMES[n].field === field) ?? field;
    const max = issue?.code === 'too_big' ? Number(issue.maximum) : null;
    const bytes = (ALERT_ARG_NAMES[name as AlertArgName]?.kind ?? 'seconds') === 'bytes';
    const limit = max === null ? (issue?.message ?? 'out of range') : bytes ? `at most ${formatBytes(max)}` : `at most ${formatSeconds(max)} (${max} s)`;
    throw new UsageError(`--alert ${given.get(name) ?? name}: ${limit}`);
  }
  return change;
}

/** "lag-bytes 10.0 MiB, lag-seconds 10 s, …": the thresholds as the command line names them. */
export function describeAlertThresholds(thresholds: AlertThresholds): string {
  return NAMES.map((name) => {
    const { field, kind } = ALERT_ARG_NAMES[name];
    const value = thresholds[field];
    return `${name} ${kind === 'bytes' ? formatBytes(value) : formatSeconds(value)}`;
  }).join(', ');
}

/** "10mb", "512kb", "1048576": bytes (Redis's units), or null when it is not a size. */
export function parseSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) return null;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(Math.round(bytes)) && Math.abs(bytes - Math.round(bytes)) < 1e-6 ? Math.round(bytes) : null;
}

/** "30s", "500ms", "5min", "1h", "10": seconds, or null when it is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const unit = TIME_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) return null;
  const seconds = Number(match[1]) * unit;
  return Number.isFinite(seconds) ? seconds : null;
}
