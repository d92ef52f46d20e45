/** The median (mean of the middle two for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** (max − min) / median, as a quick measure of how much repeated runs agree. */
export function spread(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Process CPU time (user + system, all threads) and wall time since `since`, in ms. */
export function usageSince(since: Usage): { cpuUserMs: number; cpuSystemMs: number; wallMs: number } {
  const cpu = process.cpuUsage(since.cpu);
  return { cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, wallMs: performance.now() - since.wall };
}

export interface Usage {
  cpu: NodeJS.CpuUsage;
  wall: number;
}

export function usageNow(): Usage {
  return { cpu: process.cpuUsage(), wall: performance.now() };
}
