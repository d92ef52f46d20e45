// Which nodes the three charts draw as lines of their own, and their colours. Up to
// FOCUS_LIMIT nodes, all of them; beyond that a hundred overlapping lines say nothing, so the
// charts draw the masters, the selected node and the replicas with the most lag in the window,
// and a grey band for the rest (lib/series-focus.ts says who wins).
import type { Address } from '../../../electron/shared/types';
import { fromListKey, listKey, uniqueBy } from '../lib/keys';
import { colorSlots, seriesStyles, type SeriesStyle } from '../lib/series-colors';
import { FOCUS_LIMIT, LagWindow, TOP_LAGGING, chooseShown } from '../lib/series-focus';
import type { ChartView } from './chart-view.svelte';
import type { HistoryState } from './history-state.svelte';
import type { ResolvedTheme } from './theme.svelte';

export interface FocusInput {
  /** Nodes with a series (masters and replicas), in topology order. */
  addresses: readonly Address[];
  masters: ReadonlySet<Address>;
  selected: Address | null;
  /** Nodes the engine reports stale: drawn as lines, so their legend entry can say so. */
  stale: readonly Address[];
  theme: ResolvedTheme;
}

export class ChartFocus {
  readonly #history: HistoryState;
  readonly #view: ChartView;
  readonly #input: () => FocusInput;
  /** Peaks per node, kept from tick to tick: a tick costs the new points, not the whole window. */
  readonly #lag = new LagWindow();
  /** Colour slots as last assigned, and every node's last slot: colours stay put. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a memo read only by #colorSlots, never rendered.
  #slots: ReadonlyMap<Address, number> = new Map();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a memo read only by #colorSlots, never rendered.
  readonly #remembered = new Map<Address, number>();

  // Joined into a string: a tick that changes nobody's rank leaves everything below untouched.
  // (JSON, not a separator: an address from a server may hold any character.)
  readonly #key: string = $derived.by(() => listKey(this.#choose()));

  /** The nodes drawn as lines, sorted by address. */
  readonly shown: Address[] = $derived(fromListKey(this.#key));
  /** Replicas drawn on their own at most, by lag. */
  readonly top = TOP_LAGGING;

  readonly #colorSlots: ReadonlyMap<Address, number> = $derived.by(() => {
    // A memo, not state: the previous assignment is what keeps colours stable.
    this.#slots = colorSlots(this.shown, this.#slots, this.#remembered);
    for (const [address, slot] of this.#slots) this.#remembered.set(address, slot);
    return this.#slots;
  });

  readonly styles: ReadonlyMap<Address, SeriesStyle> = $derived.by(() =>
    seriesStyles(this.#colorSlots, this.#input().theme),
  );

  constructor(history: HistoryState, view: ChartView, input: () => FocusInput) {
    this.#history = history;
    this.#view = view;
    this.#input = input;
  }

  #choose(): Address[] {
    const { addresses, masters, selected, stale } = this.#input();
    // Few enough to draw them all: no need to look at the history on every tick.
    if (addresses.length <= FOCUS_LIMIT) return [...uniqueBy(addresses, (a) => a)].sort();
    void this.#history.version;
    void this.#history.epoch;
    const range = this.#view.range(this.#history.latest ?? 0);
    const candidates = addresses.map((address) => ({
      address,
      master: masters.has(address),
      ...this.#lag.read(address, this.#history.series(address), range.min, range.max),
    }));
    this.#lag.retain(addresses);
    return chooseShown(candidates, selected, FOCUS_LIMIT, TOP_LAGGING, stale);
  }
}
