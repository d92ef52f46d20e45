// Ticks crossing as differences (electron/shared/json-delta.ts, tick-wire.ts): a rebuilt value is
// the sent one, unchanged parts keep their identity, and a receiver that holds another tick than
// a difference changes never shows it.
import { describe, expect, it } from 'vitest';
import { applyJsonDelta, diffJson, JsonDeltaMismatch, type JsonDelta } from '../../electron/shared/json-delta';
import { isTickDelta, TickDecoder, TickEncoder, TickReceiver, type TickWire } from '../../electron/shared/tick-wire';
import type { TickUpdate } from '../../electron/shared/types';
import { nodeState, snapshotOf } from '../helpers/action-fixtures';
import { seededRandom } from '../helpers/seeded-random';

/** A random JSON value, small enough that two of them share parts often. */
function randomJson(next: () => number, depth = 0): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.35) {
    const leaves = [null, true, false, 0, 1, -2.5, '', 'a', 'b', 'constructor', '__proto__'];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (pick < 0.65) return Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth + 1));
  const keys = ['a', 'b', 'c', 'offset', '__proto__', 'toString'];
  const object: Record<string, unknown> = {};
  for (const key of keys) if (next() < 0.4) Object.defineProperty(object, key, { value: randomJson(next, depth + 1), enumerable: true, writable: true, configurable: true });
  return object;
}

/** `value` changed here and there, sharing the rest with it. */
function mutate(value: unknown, next: () => number): unknown {
  if (next() < 0.15) return randomJson(next);
  if (Array.isArray(value)) {
    const copy = value.map((item) => (next() < 0.3 ? mutate(item, next) : item));
    if (next() < 0.2) copy.push(randomJson(next));
    if (next() < 0.2) copy.pop();
    return copy;
  }
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (next() < 0.1) continue;
      Object.defineProperty(copy, key, { value: next() < 0.3 ? mutate(item, next) : item, enumerable: true, writable: true, configurable: true });
    }
    if (next() < 0.2) copy.added = randomJson(next);
    return copy;
  }
  return value;
}

const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

describe('JSON differences', () => {
  it('rebuild the later value from the earlier one, across JSON, for random pairs', () => {
    for (let seed = 1; seed <= 400; seed += 1) {
      const next = seededRandom(seed);
      const before = randomJson(next);
      const after = mutate(before, next);
      // Both sides of a transport see JSON (or a structured clone of it).
      const made = diffJson(before, after);
      const delta = made === undefined ? undefined : (asJson(made) as JsonDelta);
      const rebuilt = applyJsonDelta(asJson(before), delta);
      expect(asJson(rebuilt), `seed ${seed}`).toEqual(asJson(after));
    }
  });

  it('say nothing for equal values, and keep every unchanged part of the earlier one', () => {
    const before = { nodes: [{ address: 'a:1', offset: 10, settings: { backlog: 1 } }, { address: 'b:2', offset: 10, settings: { backlog: 1 } }], warnings: [] };
    expect(diffJson(before, structuredClone(before))).toBeUndefined();
    const after = structuredClone(before);
    after.nodes[1]!.offset = 20;
    const delta = diffJson(before, after);
    expect(delta).toEqual({ keys: { nodes: { items: { 1: { keys: { offset: 20 } } }, length: 2 } } });
    const rebuilt = applyJsonDelta(before, delta);
    expect(rebuilt).toEqual(after);
    expect(rebuilt.nodes[0]).toBe(before.nodes[0]);
    expect(rebuilt.nodes[1]!.settings).toBe(before.nodes[1]!.settings);
    expect(rebuilt.warnings).toBe(before.warnings);
    // The earlier value is left as it was.
    expect(before.nodes[1]!.offset).toBe(10);
  });

  it('take a key set to undefined for absent, as JSON does', () => {
    expect(diffJson({ a: 1, b: undefined }, { a: 1 })).toBeUndefined();
    expect(diffJson({ a: 1 }, { a: 1, b: undefined })).toBeUndefined();
    expect(applyJsonDelta({ a: 1, b: 2 }, diffJson({ a: 1, b: 2 }, { a: 1, b: undefined }))).toEqual({ a: 1 });
  });

  it('keep a "__proto__" key an own key, never the prototype', () => {
    const after = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const rebuilt = applyJsonDelta({} as Record<string, unknown>, asJson(diffJson({}, after)) as JsonDelta);
    expect(Object.hasOwn(rebuilt, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(rebuilt)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuse a difference made for another kind of value', () => {
    expect(() => applyJsonDelta([1], { keys: { a: { set: 1 } } })).toThrow(JsonDeltaMismatch);
    expect(() => applyJsonDelta({ a: 1 }, { items: { 0: { set: 1 } }, length: 1 })).toThrow(JsonDeltaMismatch);
    expect(() => applyJsonDelta([1], { items: { 5: { set: 1 } }, length: 3 })).toThrow(JsonDeltaMismatch);
    expect(() => applyJsonDelta([1], { items: {}, length: 3 })).toThrow(JsonDeltaMismatch);
  });
});

function update(seq: number, offset: number, session = 's1'): TickUpdate {
  const snapshot = { ...snapshotOf([nodeState('m:1', { offset }), nodeState('r:2', { role: 'replica', offset: offset - 5 })]), seq, session };
  const alerts = { alerts: [], mutes: [], thresholds: { lagBytes: seq } } as unknown as TickUpdate['alerts'];
  return { snapshot, events: [{ id: seq, at: seq, node: 'm:1', kind: 'link-up', message: `tick ${seq}` }], alerts };
}

describe('ticks on the wire', () => {
  it('go whole first, then as differences the page rebuilds into the engine’s own ticks', () => {
    const encoder = new TickEncoder();
    const receiver = new TickReceiver();
    const decoder = new TickDecoder(() => {
      throw new Error('asked for a whole tick');
    });
    const forms: string[] = [];
    for (let seq = 1; seq <= 5; seq += 1) {
      const sent = update(seq, 100 * seq);
      const wire = asJson(receiver.take(encoder.encode('t', sent))) as TickWire;
      forms.push(isTickDelta(wire) ? 'delta' : 'whole');
      expect(decoder.decode(wire)).toEqual(asJson(sent));
    }
    expect(forms).toEqual(['whole', 'delta', 'delta', 'delta', 'delta']);
  });

  it('go whole to a receiver that skipped a tick, to a new one, and to one that asked', () => {
    const encoder = new TickEncoder();
    const steady = new TickReceiver();
    const skipping = new TickReceiver();
    const forms = (receiver: TickReceiver, tick: ReturnType<TickEncoder['encode']>): string => (isTickDelta(receiver.take(tick)) ? 'delta' : 'whole');
    const one = encoder.encode('t', update(1, 100));
    expect([forms(steady, one), forms(skipping, one)]).toEqual(['whole', 'whole']);
    const two = encoder.encode('t', update(2, 200));
    expect(forms(steady, two)).toBe('delta'); // skipping is not sent this one
    const three = encoder.encode('t', update(3, 300));
    expect([forms(steady, three), forms(skipping, three), forms(new TickReceiver(), three)]).toEqual(['delta', 'whole', 'whole']);
    steady.resend('t');
    expect(forms(steady, encoder.encode('t', update(4, 400)))).toBe('whole');
    // Another engine session (a restarted server) differs from the tick held like any other.
    const decoder = new TickDecoder(() => undefined);
    decoder.decode(update(4, 400));
    const restarted = steady.take(encoder.encode('t', update(1, 10, 's2')));
    expect(isTickDelta(restarted)).toBe(true);
    expect(decoder.decode(asJson(restarted) as TickWire)).toEqual(asJson(update(1, 10, 's2')));
  });

  it('keep topologies apart', () => {
    const encoder = new TickEncoder();
    const receiver = new TickReceiver();
    receiver.take(encoder.encode('a', update(1, 100)));
    expect(isTickDelta(receiver.take(encoder.encode('b', update(1, 100))))).toBe(false);
    expect(isTickDelta(receiver.take(encoder.encode('a', update(2, 200))))).toBe(true);
  });

  it('a page holding another tick drops differences and asks once for a whole tick', () => {
    const encoder = new TickEncoder();
    const earlier = new TickReceiver();
    earlier.take(encoder.encode('t', update(1, 100)));
    let asked = 0;
    // A reloaded page: the sender thinks it holds tick 1, the page holds nothing.
    const decoder = new TickDecoder(() => (asked += 1));
    expect(decoder.decode(earlier.take(encoder.encode('t', update(2, 200))))).toBeNull();
    expect(decoder.decode(earlier.take(encoder.encode('t', update(3, 300))))).toBeNull();
    expect(asked).toBe(1);
    earlier.resend('t');
    expect(decoder.decode(earlier.take(encoder.encode('t', update(4, 400))))?.snapshot.seq).toBe(4);
    expect(decoder.decode(earlier.take(encoder.encode('t', update(5, 500))))?.snapshot.seq).toBe(5);
    expect(asked).toBe(1);
  });

  it('a difference that does not fit the tick held is dropped, not shown wrong', () => {
    const decoder = new TickDecoder(() => undefined);
    decoder.decode(update(1, 100));
    const bent: TickWire = { base: 's1/1', change: { keys: { snapshot: { keys: { nodes: { keys: { x: 1 } } } } } }, events: [] };
    expect(decoder.decode(bent)).toBeNull();
    // Nothing is held any more: the next difference waits for a whole tick too.
    expect(decoder.decode({ base: 's1/1', events: [] })).toBeNull();
  });
});
