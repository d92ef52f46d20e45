// One colour per node, the same in the three charts and the legend. A node keeps its colour for
// as long as it is drawn, and gets it back when drawn again if nobody took it; a node drawn anew
// takes the lowest free colour (in address order). A first set of nodes is thus coloured in
// sorted order, and no two drawn lines share a colour.
import type { Address } from '../../../electron/shared/types';
import type { ResolvedTheme } from '../state/theme.svelte';

const LIGHT = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626', '#4f46e5', '#a16207'];
const DARK = ['#60a5fa', '#fbbf24', '#34d399', '#f472b6', '#a78bfa', '#22d3ee', '#a3e635', '#f87171', '#818cf8', '#facc15'];

export const PALETTE_SIZE = LIGHT.length;

export interface SeriesStyle {
  color: string;
}

/**
 * Colour slots for `addresses`: nodes drawn until now (`current`) keep theirs, nodes drawn
 * before (`remembered`) get theirs back if free, the rest take the lowest free ones.
 */
export function colorSlots(
  addresses: readonly Address[],
  current: ReadonlyMap<Address, number> = new Map(),
  remembered: ReadonlyMap<Address, number> = new Map(),
): Map<Address, number> {
  const slots = new Map<Address, number>();
  const taken = new Set<number>();
  const sorted = [...addresses].sort();
  for (const from of [current, remembered]) {
    for (const address of sorted) {
      const slot = from.get(address);
      if (slot !== undefined && !slots.has(address) && !taken.has(slot)) {
        slots.set(address, slot);
        taken.add(slot);
      }
    }
  }
  let free = 0;
  for (const address of sorted) {
    if (slots.has(address)) continue;
    while (taken.has(free)) free += 1;
    slots.set(address, free);
    taken.add(free);
  }
  return slots;
}

/** Colours for the slots in a theme (slots past the palette wrap around). */
export function seriesStyles(slots: ReadonlyMap<Address, number>, theme: ResolvedTheme): Map<Address, SeriesStyle> {
  const palette = theme === 'dark' ? DARK : LIGHT;
  const styles = new Map<Address, SeriesStyle>();
  for (const [address, slot] of [...slots].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    styles.set(address, { color: palette[slot % palette.length] ?? '#888888' });
  }
  return styles;
}

/** Grey for the band that stands for the nodes not drawn on their own. */
export function bandColor(theme: ResolvedTheme): string {
  return theme === 'dark' ? '#8b96a5' : '#7b8694';
}
