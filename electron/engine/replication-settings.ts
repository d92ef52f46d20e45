// The settings that decide replication risks, read with CONFIG GET now and then (INFO server's
// cadence): whether a master keeps its data across a restart, how long a replica may be away
// before its resync is a full one, what makes a master drop a replica.
import type { ReplicationSettings } from '../shared/types';
import { detached } from './detached';
import { MAX_FIELD_CHARS } from './info-parser';

/** CONFIG GET parameters the poll reads, one command each (CONFIG GET a b c is 7.0+ only). */
export const SETTINGS_PARAMETERS = [
  'save',
  'repl-backlog-size',
  'repl-timeout',
  'client-output-buffer-limit',
  'min-replicas-to-write',
  'min-replicas-max-lag',
  'repl-diskless-sync',
  'repl-diskless-load',
  'stop-writes-on-bgsave-error',
  'replica-ignore-disk-write-errors',
] as const;

export type SettingsParameter = (typeof SETTINGS_PARAMETERS)[number];

/** A CONFIG GET reply per parameter: null when refused (NOPERM, renamed CONFIG) or not a parameter of this server. */
export type SettingsReplies = Partial<Record<SettingsParameter, string | null>>;

/** The settings from CONFIG GET replies and INFO persistence's aof_enabled; every unknown stays null, never a guess. */
export function parseSettings(replies: SettingsReplies, persistence: Record<string, string> | null): ReplicationSettings {
  const aof = persistence?.aof_enabled;
  return {
    save: keptText(replies.save),
    aofEnabled: aof === '1' ? true : aof === '0' ? false : null,
    replBacklogSize: wholeNumber(replies['repl-backlog-size']),
    replTimeout: wholeNumber(replies['repl-timeout']),
    clientOutputBufferLimitReplica: replicaBufferLimit(keptText(replies['client-output-buffer-limit'])),
    minReplicasToWrite: wholeNumber(replies['min-replicas-to-write']),
    minReplicasMaxLag: wholeNumber(replies['min-replicas-max-lag']),
    replDisklessSync: yesNo(replies['repl-diskless-sync']),
    replDisklessLoad: keptText(replies['repl-diskless-load']),
    stopWritesOnBgsaveError: yesNo(replies['stop-writes-on-bgsave-error']),
    replicaIgnoreDiskWriteErrors: yesNo(replies['replica-ignore-disk-write-errors']),
    loadedKeys: wholeNumber(persistence?.rdb_last_load_keys_loaded),
    loading: persistence?.loading === '1' ? true : persistence?.loading === '0' ? false : null,
  };
}

/**
 * A setting's text as the record keeps it: a value longer than an INFO field (only a hostile
 * server's) is trimmed, cut to MAX_FIELD_CHARS and copied (see detached.ts), not kept whole on the
 * record and in every snapshot. Trimmed first, so a blank `save` stays blank.
 */
function keptText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= MAX_FIELD_CHARS) return value;
  const trimmed = value.trim();
  return detached(trimmed.length <= MAX_FIELD_CHARS ? trimmed : `${trimmed.slice(0, MAX_FIELD_CHARS)}… [cut: ${value.length} characters]`);
}

function wholeNumber(value: string | null | undefined): number | null {
  return value !== null && value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

function yesNo(value: string | null | undefined): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

/** "normal 0 0 0 slave 268435456 67108864 60 pubsub …" → "268435456 67108864 60" (the replica class). */
function replicaBufferLimit(value: string | null): string | null {
  if (value === null) return null;
  const match = /(?:^|\s)(?:slave|replica)\s+(\S+)\s+(\S+)\s+(\S+)/.exec(value);
  return match ? `${match[1]} ${match[2]} ${match[3]}` : null;
}

/** True, false, or null when it cannot be known (a setting refused): persistence off is `save ""` and no AOF. */
export function persistenceOff(settings: ReplicationSettings | null): boolean | null {
  if (!settings || settings.save === null || settings.aofEnabled === null) return null;
  return settings.save.trim() === '' && !settings.aofEnabled;
}

/**
 * The settings of a node not read in this session, from what topology memory kept: only "no
 * persistence" is kept (what a restart of it would mean), so only that is said; null otherwise.
 */
export function rememberedSettings(noPersistence: boolean | null | undefined): ReplicationSettings | null {
  if (noPersistence !== true) return null;
  return {
    save: '',
    aofEnabled: false,
    replBacklogSize: null,
    replTimeout: null,
    clientOutputBufferLimitReplica: null,
    minReplicasToWrite: null,
    minReplicasMaxLag: null,
    replDisklessSync: null,
    replDisklessLoad: null,
    stopWritesOnBgsaveError: null,
    replicaIgnoreDiskWriteErrors: null,
    loadedKeys: null,
    loading: null,
  };
}
