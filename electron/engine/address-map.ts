// The user's address map (NAT, Docker): what a node lists → what the console dials. Two forms:
// HOST:PORT=HOST:PORT maps one address; HOST=HOST maps a host whatever the port (the port stays).
import { formatAddress, normalizeAddress, parseAddress } from './address';
import { EngineError } from './errors';

/** The host of a map side given without a port ("10.0.0.5", "[::1]", "::1"), or null when it has one. */
function hostOnly(text: string): string | null {
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\]$/.exec(value);
  if (bracketed) return bracketed[1] ?? null;
  const colons = value.split(':').length - 1;
  // One colon is host:port; several without brackets is a bare IPv6 address.
  if (colons === 1 || value.startsWith('[')) return null;
  return value.length > 0 ? value.toLowerCase() : null;
}

/**
 * Normalise a map: HOST:PORT keys and values to canonical addresses, HOST keys and values to
 * bare hosts. Throws BAD_ARGUMENT when one side has a port and the other not, or a side is empty.
 */
export function normalizeAddressMap(map: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(map ?? {})) {
    const fromHost = hostOnly(from);
    const toHost = hostOnly(to);
    if ((fromHost === null) !== (toHost === null)) {
      throw new EngineError('BAD_ARGUMENT', `address map "${from}=${to}": give both sides as HOST or both as HOST:PORT`);
    }
    if (fromHost !== null && toHost !== null) out[fromHost] = toHost;
    else out[normalizeAddress(from)] = normalizeAddress(to);
  }
  return out;
}

/** Parse `--map` entries (FROM=TO, repeatable) into an address map; throws BAD_ARGUMENT with the entry. */
export function parseMapEntries(entries: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of entries) {
    const parts = entry.split('=');
    const [from, to] = parts;
    if (parts.length !== 2 || !from?.trim() || !to?.trim()) {
      throw new EngineError('BAD_ARGUMENT', `--map takes FROM=TO (HOST=HOST or HOST:PORT=HOST:PORT), not "${entry.slice(0, 200)}"`);
    }
    map[from.trim()] = to.trim();
  }
  // Validates each pair (mixed forms, bad ports) now, with the user's own text in the message.
  normalizeAddressMap(map);
  return map;
}

/** The address to dial for a listed (normalised) address: an exact mapping first, then the host's. */
export function dialAddress(map: Readonly<Record<string, string>>, address: string): string {
  const exact = map[address];
  if (exact !== undefined) return exact;
  let parsed;
  try {
    parsed = parseAddress(address);
  } catch {
    return address;
  }
  const host = map[parsed.host.toLowerCase()];
  return host === undefined ? address : formatAddress(host, parsed.port);
}
