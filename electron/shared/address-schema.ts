// The address rule shared by every schema: its own module, so schema.ts (the bridge's channel
// table) and action-schema.ts (the action calls it merges) can both use it without importing
// each other.
import { z } from 'zod';

const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const ipv4 = z.ipv4();
const ipv6 = z.ipv6();

/** True for a hostname, an IPv4 address or a bracketed IPv6 address (no port). */
export function isHost(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return ipv6.safeParse(host.slice(1, -1)).success;
  // All-numeric names are IPv4 or nothing: "999.1.1.1" must not slip through as a hostname.
  if (/^[0-9.]+$/.test(host)) return ipv4.safeParse(host).success;
  if (host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/** True for "host:port" with host a hostname, an IPv4 address or a bracketed IPv6 address. */
export function isAddress(value: string): boolean {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return false;
  const host = value.slice(0, colon);
  const port = value.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(port)) return false;
  const portNumber = Number(port);
  return portNumber >= 1 && portNumber <= 65535 && isHost(host);
}

export const addressSchema = z
  .string()
  .max(300)
  .refine(isAddress, { message: 'must be host:port (hostname, IPv4 or [IPv6], port 1–65535)' });

/** A host without a port: hostname, IPv4 or [IPv6]. */
export const hostSchema = z
  .string()
  .max(300)
  .refine(isHost, { message: 'must be a host (hostname, IPv4 or [IPv6])' });
