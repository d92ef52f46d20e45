// The only way this app opens anything outside itself.
import { shell } from 'electron';

/** Open an http(s) URL in the user's browser; anything else (file:, javascript:, custom schemes) is refused. */
export function openExternalSafely(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  shell.openExternal(parsed.href).catch(() => undefined);
  return true;
}
