// Parsing of the "seeds" field of the connect form: one or several host:port, separated by
// commas, spaces or new lines. Pure, so the form and its tests share one definition.

export const DEFAULT_PORT = 6379;

export interface ParsedSeeds {
  /** Valid, de-duplicated addresses in the order typed ("host:port", IPv6 as "[::1]:port"). */
  seeds: string[];
  /** One message per token that is not a valid address. */
  errors: string[];
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?$/;

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : null;
}

/** Parses one token; returns the normalised address or an error message. */
export function parseSeed(token: string): { address: string } | { error: string } {
  let host: string;
  let portText: string | null;
  if (token.startsWith('[')) {
    const close = token.indexOf(']');
    if (close < 0) return { error: `"${token}": missing "]" after the IPv6 address` };
    host = token.slice(1, close);
    const rest = token.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return { error: `"${token}": expected ":port" after "]"` };
    portText = rest === '' ? null : rest.slice(1);
    if (!IPV6.test(host) || !host.includes(':')) return { error: `"${token}": not an IPv6 address` };
    host = `[${host}]`;
  } else {
    const colons = token.split(':').length - 1;
    if (colons > 1) return { error: `"${token}": write IPv6 addresses as [addr]:port` };
    const [h = '', p] = token.split(':');
    host = h;
    portText = p ?? null;
    if (!HOSTNAME.test(host)) return { error: `"${token}": not a valid host name or IP address` };
  }
  const port = portText === null ? DEFAULT_PORT : parsePort(portText);
  if (port === null) return { error: `"${token}": port must be a number from 1 to 65535` };
  return { address: `${host}:${port}` };
}

/** Splits and validates the seeds field. A missing port means 6379. */
export function parseSeeds(text: string): ParsedSeeds {
  const seeds: string[] = [];
  const errors: string[] = [];
  for (const token of text.split(/[\s,;]+/)) {
    if (token === '') continue;
    const result = parseSeed(token);
    if ('error' in result) errors.push(result.error);
    else if (!seeds.includes(result.address)) seeds.push(result.address);
  }
  return { seeds, errors };
}
