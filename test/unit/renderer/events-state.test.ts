import { describe, expect, it } from 'vitest';
import type { EventQuery, ReplicationEvent } from '../../../electron/shared/types';
import { EventsState } from '../../../renderer/src/state/events-state.svelte';
import { makeEvent } from './fixtures';

describe('EventsState', () => {
  it('keeps events newest first without duplicates', () => {
    const events = new EventsState();
    events.add([makeEvent(1, 100, 'a:1'), makeEvent(2, 200, 'b:1')]);
    events.add([makeEvent(2, 200, 'b:1'), makeEvent(3, 300, 'a:1', 'link-up')]);
    expect(events.items.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(events.forNode('a:1').map((e) => e.id)).toEqual([3, 1]);
    expect(events.forNode('zzz:1')).toEqual([]);
  });

  it('caps the list', () => {
    const events = new EventsState(3);
    events.add([1, 2, 3, 4, 5].map((i) => makeEvent(i, i * 10, 'a:1')));
    expect(events.items.map((e) => e.id)).toEqual([5, 4, 3]);
  });

  it('loads from the API and merges with tick events', async () => {
    const events = new EventsState();
    events.add([makeEvent(9, 900, 'a:1')]);
    const asked: EventQuery[] = [];
    await events.load({
      async listEvents(query?: EventQuery): Promise<ReplicationEvent[]> {
        asked.push(query ?? {});
        return [makeEvent(8, 800, 'a:1'), makeEvent(9, 900, 'a:1')];
      },
    });
    expect(asked[0]?.limit).toBe(events.limit);
    expect(events.items.map((e) => e.id)).toEqual([9, 8]);
    await events.load({
      async listEvents(): Promise<ReplicationEvent[]> {
        throw new Error('down');
      },
    });
    expect(events.items).toHaveLength(2);
    events.reset();
    expect(events.items).toEqual([]);
  });
});
