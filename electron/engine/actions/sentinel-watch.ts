// What the Sentinels make of the group while a sentinel-failover waits before SENTINEL FAILOVER:
// steady, its master down for them (they fail it over on their own once enough agree), or a new
// master named already. Measured on Redis 7.0 (down-after-milliseconds 3000): a master killed
// while the plan waited for a Sentinel to read the steered priorities was failed over by the
// Sentinels on their own within 4 s, and the wait never ended (that Sentinel then lists the new
// master's replicas, the preferred one gone from them), to time out 30 s later blaming the priorities.
import { toApiError } from '../errors';
import type { NodeCommands } from '../node-commands';
import { sameAddress } from './graph';

/** Flags of SENTINEL MASTER that say the master is down for a Sentinel, or that it fails it over. */
const DOWN_FLAGS = ['s_down', 'o_down', 'failover_in_progress'];

/** One Sentinel's view of the group, asked fresh. */
export interface SentinelLook {
  sentinel: string;
  /** GET-MASTER-ADDR-BY-NAME, in the Sentinel's form; null when it names none or did not answer. */
  master: string | null;
  /** The master's flags in SENTINEL MASTER; null when it did not answer. */
  flags: string[] | null;
  error: string | null;
}

export type GroupState =
  | { kind: 'steady' }
  /** The old master is down for these Sentinels (or they fail it over), and none names another yet. */
  | { kind: 'down'; down: SentinelLook[] }
  /** A Sentinel names `master`, not the old master: the group failed over. */
  | { kind: 'switched'; master: string };

/** GET-MASTER-ADDR-BY-NAME and SENTINEL MASTER on each Sentinel, all at once; one that does not answer is said so, never waited past its timeout. */
export function lookAtGroup(commands: Pick<NodeCommands, 'sentinelMasterAddress' | 'sentinelMaster'>, sentinels: readonly string[], name: string): Promise<SentinelLook[]> {
  return Promise.all(
    sentinels.map(async (sentinel): Promise<SentinelLook> => {
      const [master, view] = await Promise.allSettled([commands.sentinelMasterAddress(sentinel, name), commands.sentinelMaster(sentinel, name)]);
      const failed = master.status === 'rejected' ? master.reason : view.status === 'rejected' ? view.reason : null;
      return {
        sentinel,
        master: master.status === 'fulfilled' ? master.value : null,
        flags: view.status === 'fulfilled' ? (view.value.flags ?? '').split(',').filter((f) => f !== '') : null,
        error: failed === null ? null : toApiError(failed).message,
      };
    }),
  );
}

/** Where the group stands for its Sentinels, against `oldMaster` (Sentinel's form): the master most of them name when it moved. */
export function groupState(looks: readonly SentinelLook[], oldMaster: string): GroupState {
  const named = new Map<string, number>();
  for (const l of looks) if (l.master !== null && !sameAddress(l.master, oldMaster)) named.set(l.master, (named.get(l.master) ?? 0) + 1);
  const [master] = [...named].sort((x, y) => y[1] - x[1])[0] ?? [];
  if (master !== undefined) return { kind: 'switched', master };
  const down = looks.filter((l) => l.flags?.some((f) => DOWN_FLAGS.includes(f)));
  return down.length > 0 ? { kind: 'down', down } : { kind: 'steady' };
}

/** What each Sentinel said: "S names M", "S does not answer (why)". */
export function saidText(looks: readonly SentinelLook[]): string {
  const silent = (l: SentinelLook, error: string): string => (error.startsWith(l.sentinel) ? error : `${l.sentinel}: ${error}`);
  return looks.map((l) => (l.master !== null ? `${l.sentinel} names ${l.master}` : l.error !== null ? silent(l, l.error) : `${l.sentinel} names no master`)).join(', ');
}

/** The master's down flags, by Sentinel: "S1: s_down, o_down; S2: s_down". */
function downText(down: readonly SentinelLook[]): string {
  return down.map((l) => `${l.sentinel}: ${(l.flags ?? []).filter((f) => DOWN_FLAGS.includes(f)).join(', ')}`).join('; ');
}

/**
 * The progress line of the wait for `sentinel` to read the new priorities. `pending` are the
 * replicas it still lists with the old one; null when it did not answer (`error`).
 */
export function prioritiesProgress(sentinel: string, pending: readonly string[] | null, error: string | null, state: GroupState, oldMaster: string | null): string {
  if (state.kind === 'down') {
    return `${oldMaster ?? 'the master'} is down for the Sentinels (${downText(state.down)}): they fail it over on their own once enough of them agree; waiting for what they do (SENTINEL FAILOVER is not sent meanwhile)`;
  }
  if (pending === null) return `${sentinel} does not answer SENTINEL REPLICAS${error !== null ? ` (${error})` : ''}: waiting for it to read the new priorities`;
  if (pending.length === 0) return `${sentinel} reports the new priorities`;
  return `${sentinel} still has the old priority of ${pending.join(', ')}`;
}

/** A wait that ran out with the master down for the Sentinels and no new master named: what is true, and what to look at. */
export function stillDownText(state: Extract<GroupState, { kind: 'down' }>, oldMaster: string, name: string, waitedMs: number, looks: readonly SentinelLook[]): string {
  return (
    `${oldMaster} is down for the Sentinels (${downText(state.down)}), and after ${Math.round(waitedMs / 1000)} s they had not failed it over (${saidText(looks)}): SENTINEL FAILOVER was not sent. ` +
    `They fail it over on their own once a quorum agrees it is down (o_down) and a leader is elected: SENTINEL MASTER ${name} (flags, failover-state) and SENTINEL CKQUORUM ${name} on a Sentinel say how far they are`
  );
}

/** Sentinel's failover, made without this plan's SENTINEL FAILOVER, in one sentence: to whom, and whether that is the replica the plan preferred. */
export function onItsOwnText(name: string, master: string, prefer: string | null): string {
  const which = prefer === null ? '' : sameAddress(master, prefer) ? ', the replica this plan preferred' : `, not ${prefer}, the replica this plan preferred`;
  return `Sentinel failed "${name}" over on its own to ${master}${which}`;
}
