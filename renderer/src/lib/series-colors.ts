// One colour per node, stable across the three charts and the legend: the same address always
// gets the same colour for the session (assigned in sorted order).
import type { Address } from '../../../electron/shared/types';
import type { ResolvedTheme } from '../state/theme.svelte';

const LIGHT = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626', '#4f46e5', '#a16207'];
const DARK = ['#60a5fa', '#fbbf24', '#34d399', '#f472b6', '#a78bfa', '#22d3ee', '#a3e635', '#f87171', '#818cf8', '#facc15'];

/** Dash patterns cycle with a different period than colours: two series never share both. */
const DASHES: number[][] = [[], [6, 3], [2, 3], [10, 3, 2, 3]];

export interface SeriesStyle {
  color: string;
  dash: number[];
}

export function seriesStyles(addresses: readonly Address[], theme: ResolvedTheme): Map<Address, SeriesStyle> {
  const palette = theme === 'dark' ? DARK : LIGHT;
  const styles = new Map<Address, SeriesStyle>();
  [...addresses].sort().forEach((address, i) => {
    styles.set(address, {
      color: palette[i % palette.length] ?? '#888888',
      dash: i < palette.length ? [] : (DASHES[Math.floor(i / palette.length) % DASHES.length] ?? []),
    });
  });
  return styles;
}
