// What Sentinels say, parsed: SENTINEL MASTER / REPLICAS / SENTINELS replies (flat key-value
// arrays), CKQUORUM, the hello messages they publish on the data nodes they monitor, and the
// event messages they publish on their own pub/sub (+sdown, +switch-master, …). Pure functions:
// a hostile or odd reply gives nulls and empty lists, never an exception.
import { formatAddress } from './address';

/** SENTINEL REPLICAS / SENTINELS entries read at most, as replica lines are (a hostile reply is not followed further). */
export const MAX_SENTINEL_ENTRIES = 200;

/** One master as SENTINEL MASTER describes it. */
export interface SentinelMasterFacts {
  name: string;
  address: string | null;
  flags: string[];
  quorum: number | null;
  replicas: number | null;
  otherSentinels: number | null;
  configEpoch: number | null;
  failoverState: string | null;
}

/** A flat [key, value, key, value, …] reply as a map (anything else: empty). */
export function pairsOf(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key: unknown = reply[i];
    const value: unknown = reply[i + 1];
    if (typeof key === 'string' && (typeof value === 'string' || typeof value === 'number')) out[key] = String(value);
  }
  return out;
}

/** SENTINEL REPLICAS / SENTINELS: one map per instance, capped. */
export function parseInstances(reply: unknown): Record<string, string>[] {
  if (!Array.isArray(reply)) return [];
  return reply.slice(0, MAX_SENTINEL_ENTRIES).map(pairsOf);
}

/** "ip:port" of an instance entry, or null. */
export function instanceAddress(fields: Record<string, string>): string | null {
  return addressOf(fields.ip, fields.port);
}

export function flagsOf(fields: Record<string, string>): string[] {
  return (fields.flags ?? '').split(',').filter((f) => f.length > 0);
}

/** SENTINEL MASTER <name>, or null when the reply is not one. */
export function parseSentinelMaster(reply: unknown): SentinelMasterFacts | null {
  const fields = pairsOf(reply);
  const name = fields.name;
  if (!name) return null;
  return {
    name,
    address: instanceAddress(fields),
    flags: flagsOf(fields),
    quorum: count(fields.quorum),
    replicas: count(fields['num-slaves']),
    otherSentinels: count(fields['num-other-sentinels']),
    configEpoch: count(fields['config-epoch']),
    failoverState: fields['failover-state'] || null,
  };
}

/**
 * SENTINEL CKQUORUM's reply, or its error ("NOQUORUM 1 usable Sentinels. …"). Null when the console
 * may not ask (NOPERM, NOAUTH, WRONGPASS): that says nothing of the quorum, and read as NOQUORUM it
 * told the operator to lower a healthy group's quorum.
 */
export function parseCkquorum(reply: unknown): { ok: boolean; message: string } | null {
  if (reply instanceof Error) return /^(NOPERM|NOAUTH|WRONGPASS)\b/.test(reply.message) ? null : { ok: false, message: reply.message.replace(/^ERR\s+/, '') };
  if (typeof reply !== 'string') return null;
  return { ok: /^OK\b/.test(reply), message: reply };
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME: "ip:port", or null (nil: no master of that name). */
export function parseMasterAddr(reply: unknown): string | null {
  if (!Array.isArray(reply)) return null;
  const [ip, port]: unknown[] = reply;
  return addressOf(typeof ip === 'string' ? ip : undefined, typeof port === 'string' || typeof port === 'number' ? String(port) : undefined);
}

/** A Sentinel's announcement on `__sentinel__:hello`. */
export interface SentinelHello {
  /** Where the Sentinel can be reached, as it announces itself. */
  sentinel: string;
  /** Its Sentinel ID (SENTINEL MYID), which events such as +vote-for-leader name it by. */
  id: string;
  currentEpoch: number | null;
  masterName: string;
  master: string;
  masterConfigEpoch: number | null;
}

/** "ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch", or null. */
export function parseHello(text: string): SentinelHello | null {
  const parts = text.split(',');
  if (parts.length !== 8) return null;
  const [ip, port, id, epoch, masterName, masterIp, masterPort, configEpoch] = parts;
  const sentinel = addressOf(ip, port);
  const master = addressOf(masterIp, masterPort);
  if (!sentinel || !master || !id || !masterName) return null;
  return { sentinel, id, currentEpoch: count(epoch), masterName, master, masterConfigEpoch: count(configEpoch) };
}

/** The instance an event is about ("%@" in Sentinel's source: `type name ip port [@ master-name master-ip master-port]`). */
export interface EventSubject {
  type: string;
  /** A master's name, a replica's "ip:port", a Sentinel's ID. */
  name: string;
  address: string;
}

export interface SentinelEventMessage {
  /** The channel: "+sdown", "+switch-master", … */
  event: string;
  subject: EventSubject | null;
  masterName: string | null;
  /** The master's address as the message gives it. */
  masterAddress: string | null;
  /** +switch-master: where the master moved to. */
  newMaster: string | null;
  /** +new-epoch and +vote-for-leader: the epoch. */
  epoch: number | null;
  /** +vote-for-leader: the ID of the Sentinel voted for. */
  votedFor: string | null;
  /** What follows the instance (e.g. "#quorum 2/2"). */
  detail: string;
  text: string;
}

const INSTANCE_TYPES = new Set(['master', 'slave', 'sentinel']);
const EVENT_NAME = /^[+-][a-z][a-z0-9-]*$/;

/** A message from a Sentinel's own pub/sub, or null when the channel is not an event (hello, anything else). */
export function parseSentinelEvent(channel: string, text: string): SentinelEventMessage | null {
  if (!EVENT_NAME.test(channel)) return null;
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  const out: SentinelEventMessage = {
    event: channel,
    subject: null,
    masterName: null,
    masterAddress: null,
    newMaster: null,
    epoch: null,
    votedFor: null,
    detail: '',
    text,
  };
  if (channel === '+switch-master') {
    const [name, oldIp, oldPort, newIp, newPort] = words;
    out.masterName = name ?? null;
    out.masterAddress = addressOf(oldIp, oldPort);
    out.newMaster = addressOf(newIp, newPort);
    return out;
  }
  if (channel === '+new-epoch') {
    out.epoch = count(words[0]);
    return out;
  }
  if (channel === '+vote-for-leader') {
    out.votedFor = words[0] ?? null;
    out.epoch = count(words[1]);
    return out;
  }
  const [type, name, ip, port] = words;
  const address = addressOf(ip, port);
  if (!type || !INSTANCE_TYPES.has(type) || !name || !address) {
    out.detail = text;
    return out;
  }
  out.subject = { type, name, address };
  let rest = words.slice(4);
  if (type === 'master') {
    out.masterName = name;
    out.masterAddress = address;
  } else if (rest[0] === '@') {
    out.masterName = rest[1] ?? null;
    out.masterAddress = addressOf(rest[2], rest[3]);
    rest = rest.slice(4);
  }
  out.detail = rest.join(' ');
  return out;
}

function addressOf(ip: string | undefined, port: string | undefined): string | null {
  const n = count(port);
  if (!ip || n === null || n < 1 || n > 65535) return null;
  try {
    return formatAddress(ip, n);
  } catch {
    return null;
  }
}

function count(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
