// Keys for keyed {#each} blocks and ids for the graph, built from what servers report. A
// server can say anything: a master that lists itself, two replicas announcing one address,
// the same warning twice, an address with a space or a '>' in it. Svelte throws on a repeated
// key and the screen stops rendering, so every list of server data is keyed through here.

/** A list item with a key no other item of its list has. */
export interface Keyed<T> {
  key: string;
  item: T;
  /** 1 for the first item with this base key, 2 for the second, … */
  occurrence: number;
  /** How many items of the list share this base key. */
  count: number;
}

/** One unambiguous string for a tuple of strings (no separator a server could forge). */
export function tupleKey(...parts: readonly string[]): string {
  return JSON.stringify(parts);
}

/**
 * Every item with a unique key: `keyOf(item)` with its occurrence number. Nothing is dropped:
 * repeats are shown, and can be marked as such.
 */
export function withUniqueKeys<T>(items: readonly T[], keyOf: (item: T) => string): Keyed<T>[] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const base = keyOf(item);
    counts.set(base, (counts.get(base) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = keyOf(item);
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    // Always the pair: a base key that happens to look like another item's pair cannot match it.
    return { key: tupleKey(base, String(occurrence)), item, occurrence, count: counts.get(base) ?? 1 };
  });
}

/** The items whose key was not seen before, in order (the first of each key wins). */
export function uniqueBy<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  // The same array when nothing repeats: callers that compare by identity see no change.
  return out.length === items.length ? (items as T[]) : out;
}

/** A list of strings as one string a $derived can compare, and back (never split on a character a server could send). */
export function listKey(items: readonly string[]): string {
  return JSON.stringify(items);
}

/** The same strings in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fromListKey(key: string): string[] {
  return JSON.parse(key) as string[];
}
