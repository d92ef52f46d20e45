// The difference between two JSON values, and the value rebuilt from the older one and that
// difference. Ticks cross the bridge this way (tick-wire.ts): at a hundred nodes a whole
// snapshot is 200 KiB the page parses every second, while what changed is offsets, lags and a
// few counters. A rebuilt value shares every part that did not change with the older one, so
// whatever the page derives from an unchanged part stops there.
//
// Values are JSON: plain objects, arrays, strings, finite numbers, booleans and null. A key whose
// value is undefined counts as absent, as JSON.stringify leaves it out.

/**
 * How one value changed: replaced by a string, number, boolean or null (the value itself, the
 * common case a tick brings: a counter moved), replaced whole by an object or array, or some of
 * its keys or items changed.
 */
export type JsonDelta =
  | string
  | number
  | boolean
  | null
  | { set: unknown }
  | { keys: Record<string, JsonDelta>; drop?: string[] }
  | { items: Record<string, JsonDelta>; length: number };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What turns `before` into `after`; undefined when they are equal. */
export function diffJson(before: unknown, after: unknown): JsonDelta | undefined {
  if (before === after) return undefined;
  if (isObject(before) && isObject(after)) return diffObject(before, after);
  if (Array.isArray(before) && Array.isArray(after)) return diffArray(before, after);
  return replacedBy(after);
}

function replacedBy(value: unknown): JsonDelta {
  return typeof value === 'object' && value !== null ? { set: value } : (value as JsonDelta);
}

function diffObject(before: JsonObject, after: JsonObject): JsonDelta | undefined {
  let keys: Record<string, JsonDelta> | undefined;
  let drop: string[] | undefined;
  for (const key in after) {
    const value = after[key];
    if (value === undefined) continue;
    const old = own(before, key);
    const change = old === undefined ? replacedBy(value) : diffJson(old, value);
    if (change !== undefined) setOwn((keys ??= {}), key, change);
  }
  for (const key in before) {
    if (before[key] !== undefined && own(after, key) === undefined) (drop ??= []).push(key);
  }
  if (keys === undefined && drop === undefined) return undefined;
  return drop === undefined ? { keys: keys ?? {} } : { keys: keys ?? {}, drop };
}

function diffArray(before: unknown[], after: unknown[]): JsonDelta | undefined {
  let items: Record<string, JsonDelta> | undefined;
  for (let i = 0; i < after.length; i++) {
    const change = i < before.length ? diffJson(before[i], after[i]) : replacedBy(after[i]);
    if (change !== undefined) (items ??= {})[i] = change;
  }
  if (items === undefined && before.length === after.length) return undefined;
  return { items: items ?? {}, length: after.length };
}

/** A delta that does not fit the value it was applied to: made from another one. */
export class JsonDeltaMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonDeltaMismatch';
  }
}

/**
 * `before` changed by `delta`, as a new value: `before` and its parts are never changed, and
 * every part the delta leaves alone is `before`'s own. Throws JsonDeltaMismatch when the delta
 * changes keys of something that is not an object, or items of something that is not an array.
 */
export function applyJsonDelta<T>(before: T, delta: JsonDelta | undefined): T {
  if (delta === undefined) return before;
  if (typeof delta !== 'object' || delta === null) return delta as T;
  if ('set' in delta) return delta.set as T;
  if ('keys' in delta) {
    if (!isObject(before)) throw new JsonDeltaMismatch('a change of keys for a value that is not an object');
    const after: JsonObject = { ...before };
    for (const key in delta.keys) setOwn(after, key, applyJsonDelta(own(before, key), delta.keys[key]));
    for (const key of delta.drop ?? []) delete after[key];
    return after as T;
  }
  if (!Array.isArray(before)) throw new JsonDeltaMismatch('a change of items for a value that is not an array');
  const after = before.slice(0, delta.length);
  for (const index in delta.items) {
    const i = Number(index);
    if (!Number.isInteger(i) || i < 0 || i >= delta.length) throw new JsonDeltaMismatch(`item ${index} outside a list of ${delta.length}`);
    after[i] = applyJsonDelta(before[i], delta.items[index]);
  }
  for (let i = before.length; i < delta.length; i++) {
    if (!Object.hasOwn(delta.items, i)) throw new JsonDeltaMismatch(`a list of ${delta.length} without item ${i}`);
  }
  return after as T;
}

/** `object[key]` if it is the object's own ("__proto__" and "constructor" are not, unless JSON made them). */
function own(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** `object[key] = value`, as an own property even for "__proto__" (a key hostile INFO can bring). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
