// The optional load chart beside the lag charts: which figure of the history points it draws
// (ops/s, network in or out, used memory), off by default, the choice kept in the renderer's storage.
import { formatBytes } from '../../../electron/shared/format';
import type { StorageLike } from '../state/recent-connections.svelte';

export type LoadMetric = 'opsPerSecond' | 'netInputBytesPerSecond' | 'netOutputBytesPerSecond' | 'usedMemoryBytes';

export interface LoadMetricInfo {
  metric: LoadMetric;
  /** In the selector. */
  label: string;
  /** Above the chart. */
  title: string;
  /** Whether the axis counts bytes (binary steps). */
  bytes: boolean;
  format: (value: number) => string;
}

const count = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export const LOAD_METRICS: readonly LoadMetricInfo[] = [
  { metric: 'opsPerSecond', label: 'Ops/s', title: 'Commands per second', bytes: false, format: (v) => count.format(v) },
  { metric: 'netInputBytesPerSecond', label: 'Network in', title: 'Network in (per second)', bytes: true, format: (v) => `${formatBytes(v)}/s` },
  { metric: 'netOutputBytesPerSecond', label: 'Network out', title: 'Network out (per second)', bytes: true, format: (v) => `${formatBytes(v)}/s` },
  { metric: 'usedMemoryBytes', label: 'Used memory', title: 'Used memory', bytes: true, format: (v) => formatBytes(v) },
];

export const LOAD_CHART_STORAGE_KEY = 'replication-console.load-chart.v1';

export function loadMetricInfo(metric: LoadMetric): LoadMetricInfo {
  return LOAD_METRICS.find((m) => m.metric === metric) ?? (LOAD_METRICS[0] as LoadMetricInfo);
}

function isLoadMetric(value: unknown): value is LoadMetric {
  return LOAD_METRICS.some((m) => m.metric === value);
}

/** The load figure the charts panel was left drawing (null: none, the default). */
export function readLoadChoice(storage: StorageLike | null): LoadMetric | null {
  try {
    const saved = storage?.getItem(LOAD_CHART_STORAGE_KEY);
    return isLoadMetric(saved) ? saved : null;
  } catch {
    // Unreadable storage: the default (no load chart).
    return null;
  }
}

/** Remembers the choice; null forgets it. Storage that refuses only loses the memory of it. */
export function saveLoadChoice(storage: StorageLike | null, metric: LoadMetric | null): void {
  try {
    if (metric === null) storage?.removeItem(LOAD_CHART_STORAGE_KEY);
    else storage?.setItem(LOAD_CHART_STORAGE_KEY, metric);
  } catch {
    // Not remembered; still shown in this window.
  }
}
