// Small fresh reads the executor verifies with, and a bounded poll loop around them.
import type { NodeCommands } from '../node-commands';
import { toApiError } from '../errors';
import { parseInfo, parseReplication, parseStats, type ReplicationInfo, type StatsInfo } from '../info-parser';
import { formatAddress } from '../address';

export async function readReplication(commands: NodeCommands, address: string): Promise<ReplicationInfo> {
  const text = await commands.info(address, 'replication');
  return parseReplication(parseInfo(text));
}

export async function readStats(commands: NodeCommands, address: string): Promise<StatsInfo | null> {
  try {
    const text = await commands.info(address, 'stats');
    return parseStats(parseInfo(text).fields);
  } catch {
    return null;
  }
}

/** master_repl_offset on a master, slave_repl_offset on a replica. */
export function offsetOf(info: ReplicationInfo): number | null {
  return info.role === 'replica' ? (info.replicaReplOffset ?? info.masterReplOffset) : info.masterReplOffset;
}

export function masterOf(info: ReplicationInfo): string | null {
  return info.role === 'replica' && info.masterHost && info.masterPort !== null ? formatAddress(info.masterHost, info.masterPort) : null;
}

export interface PollOptions<T> {
  timeoutMs: number;
  intervalMs: number;
  /** Called with every reading (for progress). */
  onValue?: (value: T) => void;
  /** Checked between readings: true stops the wait early. */
  stop?: () => boolean;
}

export type PollResult<T> =
  | { status: 'done'; value: T }
  | { status: 'timeout'; value: T | null; error: string | null }
  | { status: 'stopped'; value: T | null; error: string | null };

/** Read until `done` says so, the deadline passes or `stop` is set. Errors count as "not yet". */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions<T>): Promise<PollResult<T>> {
  const deadline = Date.now() + options.timeoutMs;
  let last: T | null = null;
  let error: string | null = null;
  for (;;) {
    try {
      last = await read();
      error = null;
      options.onValue?.(last);
      if (done(last)) return { status: 'done', value: last };
    } catch (e) {
      error = toApiError(e).message;
    }
    if (options.stop?.()) return { status: 'stopped', value: last, error };
    if (Date.now() >= deadline) return { status: 'timeout', value: last, error };
    await sleep(Math.min(options.intervalMs, Math.max(1, deadline - Date.now())));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
