// localStorage when the page may use it; null in a sandbox or an opaque origin that throws.
import type { StorageLike } from '../state/recent-connections.svelte';

export function browserStorage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function colorSchemeQuery(): MediaQueryList | null {
  return typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
}
