// Structural sharing for the JSON a tick brings, as immutable stores (xyflow's, Immer's) keep
// it: each part of the new value equal to the same part of the one shown is replaced by the
// shown one. Two gains at a hundred nodes. What a tick repeats (settings, load, backlog, ids,
// replica lists) becomes garbage at once instead of surviving a tick: the young-generation
// collector copies every survivor, and it was a third of the page's busy time. And a part
// that did not change keeps its identity, so whatever is derived from it stops there.

/**
 * `next` with every part deep-equal to the same part of `shown` replaced by `shown`'s; `shown`
 * itself when the whole is equal. `next` must be plain JSON seen by nobody yet (a tick just
 * parsed): it is changed in place. Arrays are matched by index.
 */
export function shareEqual<T>(shown: T, next: T): T {
  if (shown === next) return shown;
  if (typeof shown !== 'object' || typeof next !== 'object' || shown === null || next === null) return next;
  if (Array.isArray(next)) return Array.isArray(shown) ? (shareArray(shown, next) as T) : next;
  if (Array.isArray(shown)) return next;
  return shareObject(shown as Record<string, unknown>, next as Record<string, unknown>) as T;
}

function shareArray(shown: unknown[], next: unknown[]): unknown[] {
  let same = shown.length === next.length;
  const common = Math.min(shown.length, next.length);
  for (let i = 0; i < common; i++) {
    const part = shareEqual(shown[i], next[i]);
    next[i] = part;
    if (part !== shown[i]) same = false;
  }
  return same ? shown : next;
}

function shareObject(shown: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  let same = true;
  let keys = 0;
  for (const key in next) {
    keys++;
    if (!Object.hasOwn(shown, key)) {
      same = false;
      continue;
    }
    const part = shareEqual(shown[key], next[key]);
    next[key] = part;
    if (part !== shown[key]) same = false;
  }
  // Every key of `next` is in `shown` with an equal value: equal unless `shown` has more.
  return same && Object.keys(shown).length === keys ? shown : next;
}
