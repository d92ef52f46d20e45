// Light or dark: follows prefers-color-scheme unless the user picks one; the choice is kept.
import type { StorageLike } from './recent-connections.svelte';

export type ThemePreference = 'system' | 'light' | 'dark';
export type ResolvedTheme = 'light' | 'dark';

export const THEME_STORAGE_KEY = 'replication-console.theme.v1';
const ORDER: readonly ThemePreference[] = ['system', 'light', 'dark'];

/** The part of MediaQueryList used here (a MediaQueryList fits). */
export interface MediaLike {
  matches: boolean;
  addEventListener(type: 'change', listener: (event: { matches: boolean }) => void): void;
  removeEventListener(type: 'change', listener: (event: { matches: boolean }) => void): void;
}

export class ThemeState {
  preference = $state<ThemePreference>('system');
  systemDark = $state(false);

  readonly resolved: ResolvedTheme = $derived(
    this.preference === 'system' ? (this.systemDark ? 'dark' : 'light') : this.preference,
  );

  readonly #storage: StorageLike | null;
  readonly #media: MediaLike | null;

  constructor(storage: StorageLike | null, media: MediaLike | null) {
    this.#storage = storage;
    this.#media = media;
    this.systemDark = media?.matches ?? false;
    try {
      const saved = storage?.getItem(THEME_STORAGE_KEY);
      if (saved === 'light' || saved === 'dark' || saved === 'system') this.preference = saved;
    } catch {
      // Unreadable storage: follow the system.
    }
  }

  /** Follows system changes; returns a disposer. */
  listen(): () => void {
    const media = this.#media;
    if (!media) return () => {};
    const onChange = (event: { matches: boolean }): void => {
      this.systemDark = event.matches;
    };
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }

  setPreference(preference: ThemePreference): void {
    this.preference = preference;
    try {
      this.#storage?.setItem(THEME_STORAGE_KEY, preference);
    } catch {
      // Best effort.
    }
  }

  /** system → light → dark → system. */
  cycle(): void {
    const next = ORDER[(ORDER.indexOf(this.preference) + 1) % ORDER.length] ?? 'system';
    this.setPreference(next);
  }
}
