// How ticks cross a transport (the web mode's WebSocket, Electron's IPC): the first tick a
// receiver gets for a topology comes whole, every later one as its difference from the tick
// before (json-delta.ts). At a hundred nodes a whole tick is 200 KiB the page parsed and
// compared every second; the difference is the offsets, lags and counters that moved.
//
// A difference goes only to a receiver the sender knows holds the tick it changes (TickReceiver):
// a new receiver, or one that missed a tick (a slow socket skips ticks), gets the next one whole.
// The receiving side (TickDecoder) checks the same thing and, should it ever hold another tick
// (a reloaded Electron page keeps its window), drops differences and asks for a whole tick.
import { HUB_METHODS } from './channels';
import { applyJsonDelta, diffJson, type JsonDelta } from './json-delta';
import type { AlertsView, ReplicationEvent, TickUpdate, TopologySnapshot } from './types';

/** A tick as the difference from the one before it in the same engine session. */
export interface TickDelta {
  /** The tick this one changes (tickId). */
  base: string;
  /** What changed in the snapshot and the alerts, as one value {snapshot, alerts}; absent when nothing did. */
  change?: JsonDelta;
  /** Events raised since the previous tick (new every tick, so sent as they are). */
  events: ReplicationEvent[];
}

/** A tick as it crosses: whole, or as a difference. */
export type TickWire = TickUpdate | TickDelta;

export function isTickDelta(wire: TickWire): wire is TickDelta {
  return 'base' in wire;
}

/** The part of a tick that is compared: all but its events. */
interface TickState {
  snapshot: TopologySnapshot;
  alerts?: AlertsView;
}

function stateOf(update: TickUpdate): TickState {
  return update.alerts === undefined ? { snapshot: update.snapshot } : { snapshot: update.snapshot, alerts: update.alerts };
}

/** One tick among all of every engine session: its session and seq. */
export function tickId(snapshot: TopologySnapshot): string {
  return `${snapshot.session ?? ''}/${snapshot.seq}`;
}

/** One topology's tick, ready for every receiver: whole, and as a difference when one came before it. */
export interface EncodedTick {
  topology: string;
  id: string;
  whole: TickUpdate;
  delta: TickDelta | null;
}

/** The sending side: each topology's last tick, to tell the next one's difference from. */
export class TickEncoder {
  readonly #last = new Map<string, { id: string; state: TickState }>();

  /** Call once per tick; the snapshot must not change after (the engine builds a new one every tick). */
  encode(topology: string, update: TickUpdate): EncodedTick {
    const id = tickId(update.snapshot);
    const state = stateOf(update);
    const last = this.#last.get(topology);
    this.#last.set(topology, { id, state });
    const delta = last === undefined ? null : { base: last.id, change: diffJson(last.state, state), events: update.events };
    return { topology, id, whole: update, delta };
  }

  /** A topology closed: its last tick is let go. */
  forget(topology: string): void {
    this.#last.delete(topology);
  }
}

/** The sending side, per receiver: which tick of each topology it was last sent. */
export class TickReceiver {
  readonly #held = new Map<string, string>();

  /** The form this receiver can take, recorded as sent: call it only when it will be sent. */
  take(tick: EncodedTick): TickWire {
    const holdsBase = tick.delta !== null && this.#held.get(tick.topology) === tick.delta.base;
    this.#held.set(tick.topology, tick.id);
    return holdsBase && tick.delta !== null ? tick.delta : tick.whole;
  }

  /** The receiver asked for a whole tick (TickDecoder): its next one is sent whole. */
  resend(topology: string): void {
    this.#held.delete(topology);
  }
}

/**
 * A call a transport carries for `topology` (null: not a valid id), and what it means for that
 * transport's ticks: tick:resend makes this receiver's next tick whole (the hub itself answers it
 * with nothing), and a topology closed lets its last tick go. `invoke` asks the hub.
 */
export async function carryCall<R extends { ok: boolean }>(
  channel: string,
  topology: string | null,
  ticks: TickEncoder,
  receiver: TickReceiver,
  invoke: () => Promise<R>,
): Promise<R> {
  if (topology !== null && channel === HUB_METHODS.resendTick.channel) receiver.resend(topology);
  const result = await invoke();
  if (topology !== null && channel === HUB_METHODS.closeTopology.channel && result.ok) ticks.forget(topology);
  return result;
}

/** Differences that do not fit before a whole tick is asked for again (the first ask cannot be lost on an ordered link, but costs nothing to repeat). */
const ASK_AGAIN_AFTER = 10;

/** The receiving side of one topology's ticks: whole ticks as they come, differences applied to the tick held. */
export class TickDecoder {
  #held: { id: string; state: TickState } | null = null;
  #unfit = 0;

  constructor(private readonly askWhole: () => void) {}

  /** The tick, or null for a difference that does not fit the tick held (a whole one is asked for). */
  decode(wire: TickWire): TickUpdate | null {
    if (!isTickDelta(wire)) {
      this.#held = { id: tickId(wire.snapshot), state: stateOf(wire) };
      this.#unfit = 0;
      return wire;
    }
    const held = this.#held;
    let state: TickState | null = null;
    if (held !== null && held.id === wire.base) {
      try {
        state = applyJsonDelta(held.state, wire.change);
      } catch {
        // Not the tick it was made from after all: drop it, and ask as for any other.
      }
    }
    if (state === null) {
      this.#held = null;
      if (this.#unfit++ % ASK_AGAIN_AFTER === 0) this.askWhole();
      return null;
    }
    this.#held = { id: tickId(state.snapshot), state };
    return state.alerts === undefined ? { snapshot: state.snapshot, events: wire.events } : { snapshot: state.snapshot, events: wire.events, alerts: state.alerts };
  }
}
