// Recently used connections (seeds and user name) kept in localStorage. The password is never
// part of an entry: it is not even a field of the type.
import type { Address } from '../../../electron/shared/types';

export interface RecentConnection {
  seeds: Address[];
  user: string | null;
  lastUsedAt: number;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export const RECENT_STORAGE_KEY = 'replication-console.recent.v1';
export const RECENT_KEPT = 8;

function sameTarget(a: { seeds: Address[]; user: string | null }, b: { seeds: Address[]; user: string | null }): boolean {
  return a.user === b.user && a.seeds.length === b.seeds.length && a.seeds.every((s, i) => s === b.seeds[i]);
}

/** Keeps only well-formed entries: storage is user-editable and may hold anything. */
function parseEntries(text: string | null): RecentConnection[] {
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const entries: RecentConnection[] = [];
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) continue;
    const { seeds, user, lastUsedAt } = item as Record<string, unknown>;
    if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => typeof s === 'string')) continue;
    if (user !== null && typeof user !== 'string') continue;
    entries.push({
      seeds: seeds as string[],
      user: user as string | null,
      lastUsedAt: typeof lastUsedAt === 'number' ? lastUsedAt : 0,
    });
  }
  return entries;
}

export class RecentConnections {
  entries = $state.raw<RecentConnection[]>([]);
  readonly #storage: StorageLike | null;
  readonly #max: number;

  constructor(storage: StorageLike | null, max: number = RECENT_KEPT) {
    this.#storage = storage;
    this.#max = max;
    try {
      this.entries = parseEntries(storage?.getItem(RECENT_STORAGE_KEY) ?? null).slice(0, max);
    } catch {
      this.entries = [];
    }
  }

  /** Moves (or adds) this target to the top. Takes no password argument on purpose. */
  remember(seeds: readonly Address[], user: string | null, at: number = Date.now()): void {
    const entry: RecentConnection = { seeds: [...seeds], user: user || null, lastUsedAt: at };
    this.entries = [entry, ...this.entries.filter((e) => !sameTarget(e, entry))].slice(0, this.#max);
    this.#save();
  }

  forget(entry: RecentConnection): void {
    this.entries = this.entries.filter((e) => !sameTarget(e, entry));
    this.#save();
  }

  clear(): void {
    this.entries = [];
    try {
      this.#storage?.removeItem(RECENT_STORAGE_KEY);
    } catch {
      // Storage can be disabled or full; the list still works for this session.
    }
  }

  #save(): void {
    // Built field by field so nothing but seeds, user and time can ever reach the storage.
    const plain = this.entries.map((e) => ({ seeds: e.seeds, user: e.user, lastUsedAt: e.lastUsedAt }));
    try {
      this.#storage?.setItem(RECENT_STORAGE_KEY, JSON.stringify(plain));
    } catch {
      // As above: best effort.
    }
  }
}
