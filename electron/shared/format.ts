// Number and time formatting shared by the renderer and the CLI. Deterministic on purpose
// (no locale lookups): the same value reads the same in every window, log and terminal.

/** What every formatter prints for a value that is unknown (null, undefined, NaN). */
export const MISSING = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

function isNumber(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** 512 B, 1.5 KiB, 12.3 MiB, 240 GiB: one decimal below 100 of a unit, none above. */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return MISSING;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  if (value < 1024) return `${sign}${Math.round(value)} B`;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.96 KiB would print as "1024.0 KiB": move up a unit instead.
  if (value >= 1023.95 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 100 ? value.toFixed(1) : Math.round(value).toString();
  return `${sign}${text} ${BYTE_UNITS[unit]}`;
}

/**
 * Seconds behind, as every front end says them: "at least 10 ms" when the figure is only a lower
 * bound (ReplicaLag.secondsBehindIsLowerBound: the replica is older than the master history held).
 */
export function formatSecondsBehind(seconds: number | null | undefined, lowerBound: boolean): string {
  const text = formatSeconds(seconds);
  return lowerBound && isNumber(seconds) ? `at least ${text}` : text;
}

/** A duration given in seconds: 350 ms, 4.2 s, 42 s, 3 min 12 s, 2 h 5 min, 3 d 4 h. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return MISSING;
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 1) return `${sign}${Math.max(1, Math.round(s * 1000))} ms`;
  if (s < 10) {
    const tenths = Math.round(s * 10) / 10;
    return Number.isInteger(tenths) ? `${sign}${tenths} s` : `${sign}${tenths.toFixed(1)} s`;
  }
  const whole = Math.round(s);
  if (whole < 60) return `${sign}${whole} s`;
  if (whole < 3600) {
    const min = Math.floor(whole / 60);
    const sec = whole % 60;
    return sec === 0 ? `${sign}${min} min` : `${sign}${min} min ${sec} s`;
  }
  if (whole < 86_400) {
    const h = Math.floor(whole / 3600);
    const min = Math.floor((whole % 3600) / 60);
    return min === 0 ? `${sign}${h} h` : `${sign}${h} h ${min} min`;
  }
  const d = Math.floor(whole / 86_400);
  const h = Math.floor((whole % 86_400) / 3600);
  return h === 0 ? `${sign}${d} d` : `${sign}${d} d ${h} h`;
}

/**
 * An uptime as a node card shows it: to the second for its first minute (a restart shows), then
 * to the minute (3 min, 2 h 5 min, 3 d 4 h). A hundred cards counting seconds changed a hundred
 * texts on every tick; the node's details keep the exact figure.
 */
export function formatUptime(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds < 60) return formatSeconds(seconds);
  return formatSeconds(Math.floor(seconds / 60) * 60);
}

/** A replication offset with thousands separators: 1,234,567. */
export function formatOffset(offset: number | null | undefined): string {
  if (!isNumber(offset)) return MISSING;
  const sign = offset < 0 ? '-' : '';
  const digits = Math.trunc(Math.abs(offset)).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 d ago" (or "in 5 s" for the future). */
export function formatRelativeTime(at: number | null | undefined, now: number = Date.now()): string {
  if (!isNumber(at)) return MISSING;
  const delta = now - at;
  const future = delta < 0;
  const s = Math.floor(Math.abs(delta) / 1000);
  if (s < 1) return 'just now';
  let text: string;
  if (s < 60) text = `${s} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)} h`;
  else text = `${Math.floor(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

/** Wall-clock time of day, HH:MM:SS in local time. */
/** A past moment for "last seen": the clock time within the last day, else the date and time. */
export function formatWhen(at: number | null | undefined, now: number): string {
  if (!isNumber(at)) return MISSING;
  if (now - at < 86_400_000) return formatClock(at);
  const d = new Date(at);
  const pad = (n: number): string => n.toString().padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function formatClock(at: number | null | undefined): string {
  if (!isNumber(at)) return MISSING;
  const d = new Date(at);
  const pad = (n: number): string => n.toString().padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A moment in UTC to the second, with its date ("2026-01-01 08:12:03"): for messages read hours later, on any machine. */
export function formatUtc(at: number): string {
  return new Date(at).toISOString().slice(0, 19).replace('T', ' ');
}

/** A poll interval in milliseconds: "500 ms", "1 s", "2.5 s". */
export function formatInterval(ms: number | null | undefined): string {
  if (!isNumber(ms)) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}
