// Recent replication events, newest first: loaded once with api.listEvents, then extended by
// the events each tick carries. De-duplicated by id, capped so a flapping link cannot grow it.
/* eslint-disable svelte/prefer-svelte-reactivity --
   Maps and Sets here are built whole inside $derived or are method-local temporaries, never mutated later. */
import type { Address, ReplicationEvent } from '../../../electron/shared/types';
import type { ReplicationConsoleApi } from '../../../electron/shared/api';

export const EVENTS_KEPT = 500;

export class EventsState {
  /** Newest first. */
  items = $state.raw<ReplicationEvent[]>([]);
  readonly limit: number;

  constructor(limit: number = EVENTS_KEPT) {
    this.limit = limit;
  }

  /** Events per node, newest first. */
  readonly byNode: ReadonlyMap<Address, ReplicationEvent[]> = $derived.by(() => {
    const map = new Map<Address, ReplicationEvent[]>();
    for (const event of this.items) {
      const list = map.get(event.node);
      if (list) list.push(event);
      else map.set(event.node, [event]);
    }
    return map;
  });

  forNode(address: Address): ReplicationEvent[] {
    return this.byNode.get(address) ?? [];
  }

  add(events: readonly ReplicationEvent[]): void {
    if (events.length === 0) return;
    const seen = new Set(this.items.map((e) => e.id));
    // Within one batch too: the list is keyed by id, and a repeated id would stop it rendering.
    const fresh = events.filter((e) => {
      if (seen.has(e.id)) return false;
      seen.add(e.id);
      return true;
    });
    if (fresh.length === 0) return;
    const merged = [...fresh, ...this.items];
    merged.sort((a, b) => b.at - a.at || b.id - a.id);
    this.items = merged.slice(0, this.limit);
  }

  async load(api: Pick<ReplicationConsoleApi, 'listEvents'>): Promise<void> {
    try {
      this.add(await api.listEvents({ limit: this.limit }));
    } catch {
      // Events are a convenience: ticks keep bringing new ones.
    }
  }

  reset(): void {
    this.items = [];
  }
}
