// After a plan that changed a Sentinel-managed group around its Sentinels (switchover, promote,
// failover, replicaof or detach with SENTINEL_MANAGED overridden): what the Sentinels name as its
// master now, asked fresh, what they will do about it, and what to do. They act on the master and
// the replicas they know, so a plan that ended "done" is not the end of it: measured on Redis 7.0,
// a switchover the Sentinels did not make was followed by their own failover, to another replica,
// 29 s later; a replica they list re-pointed elsewhere was re-pointed back, and one detached was
// made a replica again, 14 s after (see movedAftermath).
import { isIP } from 'node:net';
import type { FinalNodeState } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { parseAddress } from '../address';
import { toApiError } from '../errors';
import type { NodeCommands } from '../node-commands';
import { findNode, serverAddressOf, tryNormalize } from './graph';
import type { SentinelReply } from './facts';
import type { PlannedAction } from './plan-builder';
import { sentinelFigures } from './sentinel-facts';

/** One Sentinel's SENTINEL GET-MASTER-ADDR-BY-NAME after the plan. */
export interface SentinelAnswer {
  sentinel: string;
  /** "host:port" as the Sentinel gives it; null when it names none or did not answer. */
  master: string | null;
  error: string | null;
}

/** A change of master, or a replica moved or detached, run past the SENTINEL_MANAGED check: the Sentinels must be asked what they make of it. */
export function wentAroundSentinels(planned: PlannedAction): boolean {
  const kind = planned.plan.request.kind;
  const changesGroup = kind === 'switchover' || kind === 'promote' || kind === 'failover' || kind === 'replicaof' || kind === 'detach';
  return changesGroup && planned.plan.checks.some((c) => c.code === 'SENTINEL_MANAGED' && c.verdict !== 'ok');
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME on every Sentinel of the group, all at once (empty without a master name). */
export async function askSentinels(commands: Pick<NodeCommands, 'sentinelMasterAddress'>, planned: PlannedAction): Promise<SentinelAnswer[]> {
  const s = planned.sentinel;
  const name = s?.masterName;
  if (!s || !name) return [];
  const sentinels = [...new Set([...(s.replies ?? []).map((r) => r.sentinel), ...s.sentinels])];
  return Promise.all(
    sentinels.map(async (sentinel): Promise<SentinelAnswer> => {
      try {
        return { sentinel, master: await commands.sentinelMasterAddress(sentinel, name), error: null };
      } catch (error) {
        return { sentinel, master: null, error: toApiError(error).message };
      }
    }),
  );
}

/** A replica the plan moved (replicaof: under `to`) or detached (`to` null), as the Sentinels may see it. */
interface Moved {
  node: string;
  to: string | null;
}

/**
 * What the Sentinels' answers mean for the master the plan made, or for the replica it moved or
 * detached, in words for the outcome's notes: they agree; they still name the old master and will
 * undo the change or fail over on their own (and how to tell them the new master instead); they
 * re-point or convert back a replica they list (and how to make them forget it instead); or they
 * already failed over elsewhere.
 */
export function sentinelAftermath(planned: PlannedAction, answers: readonly SentinelAnswer[], finals: readonly FinalNodeState[], snapshot: TopologySnapshot | null): string | null {
  const s = planned.sentinel;
  const request = planned.plan.request;
  const canon = (address: string): string => (snapshot ? findNode(snapshot, address)?.address : undefined) ?? tryNormalize(address);
  const same = (a: string, b: string): boolean => canon(a) === canon(b);
  const moved: Moved | null =
    request.kind === 'replicaof' ? { node: canon(request.node), to: canon(request.master) } : request.kind === 'detach' ? { node: canon(request.node), to: null } : null;
  const made = moved ? undefined : planned.expected.find((e) => e.role === 'master')?.address;
  if (!s || (!moved && !made)) return null;
  // What the Sentinels are asked about, in the words of each note below.
  const subject = moved ? `whether they leave ${moved.node} ${moved.to ? `replicating from ${moved.to}` : 'detached'}` : `whether they follow ${made}`;
  if (!s.masterName) {
    return (
      `Sentinel manages this group, but its master name could not be read, so the Sentinels (${s.sentinels.join(', ') || 'none known by address'}) could not be asked ${subject}. ` +
      `They act on the master they know: SENTINEL MASTERS on one of them gives the name, and SENTINEL GET-MASTER-ADDR-BY-NAME <name> the master they name.`
    );
  }
  const name = s.masterName;
  const ask = `SENTINEL GET-MASTER-ADDR-BY-NAME ${name}`;
  const said = answers.map((a) => `${a.sentinel}: ${a.error !== null ? `no answer (${a.error})` : (a.master ?? 'no master')}`).join('; ');
  const answered = answers.filter((a): a is SentinelAnswer & { master: string } => a.error === null && a.master !== null);
  const silent = answers.filter((a) => a.error !== null).map((a) => a.sentinel);
  const later = silent.length > 0 ? ` ${silent.join(', ')} did not answer: ask ${silent.length === 1 ? 'it' : 'them'} once back.` : '';
  if (answered.length === 0) {
    return (
      `None of the Sentinels of "${name}" answered ${ask} after the plan (${said || 'none is known by address'}), so ${subject} cannot be told. ` +
      (moved
        ? `They act on the master and the replicas they know: ask them once they answer; a replica they list that does not follow the master they name is re-pointed or turned back into a replica by them.`
        : `They act on the master they know: ask them once they answer; one that names another node than ${made} undoes this change or fails over on its own.`)
    );
  }
  const named = [...new Set(answered.map((a) => canon(a.master)))];
  const { quorum } = sentinelFigures(s);
  const replies = s.replies ?? [];
  const downAfter = replies.find((r) => r.downAfterMs !== null)?.downAfterMs ?? null;
  const failoverTimeout = replies.find((r) => r.failoverTimeoutMs !== null)?.failoverTimeoutMs ?? null;
  if (named.length > 1) {
    return (
      `The Sentinels of "${name}" disagree about its master after the plan (${ask}: ${said}). Each acts on the master it names, and they settle on the newest configuration they hear of from each other within seconds: ` +
      (moved
        ? `ask again; they re-point a replica they list to the master they settle on, or turn it back into one.${later}`
        : `ask again, and if they settle on another node than ${made}, they undo this change or fail over on their own.${later}`)
    );
  }
  const now = named[0] ?? '';
  const before = replies.find((r) => r.masterAddress !== null)?.masterAddress ?? null;
  if (moved) return movedAftermath(moved, { name, now, before, answers, replies, downAfter, failoverTimeout, said: `${ask}: ${said}`, later, same });
  if (!made) return null;
  const { host, port } = parseAddress(snapshot ? serverAddressOf(snapshot, made) : made);
  const settings = [downAfter !== null ? `down-after-milliseconds ${downAfter}` : null, failoverTimeout !== null ? `failover-timeout ${failoverTimeout}` : null].filter((x) => x !== null);
  // Short of a failover, SENTINEL MONITOR is how a Sentinel is given a master's address, after a REMOVE (its settings for the
  // group go with it). Removed from every one first: a Sentinel still naming the old master announces it with a newer
  // configuration epoch than a fresh MONITOR's, and the others take it back (measured: re-told one by one, all three named
  // the old master again within seconds, then failed over on their own).
  const retell = (sentinels: string[]): string =>
    `first SENTINEL REMOVE ${name} on every Sentinel of the group (${sentinels.join(', ')}), then on each: SENTINEL MONITOR ${name} ${host} ${port} ${quorum ?? '<quorum>'}` +
    (isIP(host) === 0 ? ` (with ${made}'s IP address, unless the Sentinels run with resolve-hostnames yes)` : '') +
    ` and SENTINEL SET ${name} ${settings.length > 0 ? `${settings.join(' ')} and ` : ''}every other setting it had for "${name}" (auth-pass, parallel-syncs, scripts: SENTINEL MASTER ${name} and its sentinel.conf show them; note them before the REMOVE). ` +
    `All of them: one still naming the old master spreads that back to the others (its configuration is newer), a Sentinel that is down now too when it comes back`;

  if (same(now, made)) {
    return `The Sentinels of "${name}" name ${made} as its master too (${ask}: ${said}): they agree with this plan's result.${later}`;
  }
  const state = finals.find((n) => same(n.address, now)) ?? null;
  const head = `The Sentinels of "${name}" name ${now} as its master, not ${made} (${ask}: ${said})`;
  if (before === null || !same(before, now)) {
    return (
      `${head}: they failed over on their own while or after this plan ran, and make the other nodes, ${made} too, replicas of ${now} (what ${made} took as a master meanwhile is lost). ` +
      `The roles are theirs now: do not re-point nodes by hand. To make ${made} the master, run sentinel-failover --master-name ${name} --prefer ${made}.${later}`
    );
  }
  if (state?.reachable && state.role === 'master') {
    return (
      `${head}: this plan went around them (SENTINEL_MANAGED overridden), and ${now} is still a master, so they turn ${made}, a replica promoted behind their back, back into a replica of ${now} within seconds ` +
      `(what it took as a master is then lost), and re-point the replicas moved to it. This change will not hold. To make ${made} the master, let them do it: ` +
      `once ${made} replicates from ${now} again, run sentinel-failover --master-name ${name} --prefer ${made}.${later}`
    );
  }
  const when = state?.reachable
    ? `${now} now reports itself a replica: they take it for down once it has done so for down-after-milliseconds${downAfter !== null ? ` (${downAfter} ms)` : ''} and two more of their INFO reads (every 10 s)`
    : `${now} does not answer: they take it for down once enough of them agree (quorum${quorum !== null ? ` ${quorum}` : ''})`;
  return (
    `${head}: this plan went around them (SENTINEL_MANAGED overridden), and they act on the master they know. ${when}, and then fail it over on their own, to a replica of their choosing ` +
    `(not necessarily ${made}), and make ${made} its replica: what ${made} takes until then is lost.` +
    (state?.reachable ? '' : ` If ${now} comes back first, they take it as the master again and make ${made} its replica.`) +
    ` To keep ${made} as the master, tell them before then: ${retell(answers.map((a) => a.sentinel))}.${later}`
  );
}

/** What movedAftermath needs from the Sentinels' answers, read once in sentinelAftermath. */
interface Answered {
  name: string;
  /** The master every Sentinel that answered names now. */
  now: string;
  /** The master they named before the plan. */
  before: string | null;
  answers: readonly SentinelAnswer[];
  replies: readonly SentinelReply[];
  downAfter: number | null;
  failoverTimeout: number | null;
  /** "SENTINEL GET-MASTER-ADDR-BY-NAME name: what each said". */
  said: string;
  later: string;
  same: (a: string, b: string) => boolean;
}

// Sentinel reads each replica's INFO every 10 s. Measured on Redis 7.0 (three Sentinels, a master,
// two replicas): one of the replicas they list re-pointed under the other, or under a master outside
// the group, was re-pointed back (+fix-slave-config) 14.2-14.4 s later with failover-timeout 5000,
// 34.0 s later with 30000 (failover-timeout after the INFO read that showed it moved); one detached
// was seen a master at their next read (-role-change, 4 s) and made a replica again
// (+convert-to-slave) 13.8-14.2 s after the detach, whatever failover-timeout, with a full sync that
// dropped a key written to it meanwhile. A replica of a replica, which they do not list, was left
// alone for 40 s, moved or detached; one moved under the master they name was listed at their next
// read (+slave, 4 s). SENTINEL RESET on all three 0.5 s after the move or the detach: they found each
// other again within 2.5 s and the master's replicas within 4.5 s, and left the node where it was for
// 45 s. The master itself made a replica of another master: +sdown and a failover to a replica
// 25-28 s after (down-after-milliseconds 1000), and the old master re-pointed to it 9 s later.
const INFO_PERIOD_S = 10;

/** What the Sentinels do about a replica the plan moved or detached, and what to do instead. */
function movedAftermath(moved: Moved, a: Answered): string {
  const { name, now, before, same, later } = a;
  const { node, to } = moved;
  const head = `The Sentinels of "${name}" name ${now} as its master (${a.said})`;
  const sentinels = a.answers.map((x) => x.sentinel);
  const listed = a.replies.some((r) => r.error === null && r.replicas.some((replica) => same(replica.address, node)));
  if (before !== null && !same(before, now)) {
    return (
      `${head}, not ${before} as before the plan: they failed over on their own while or after this plan ran, and re-point the replicas they list to ${now}` +
      `${listed ? `, ${node} among them` : ''}. The roles are theirs now: read the topology again before moving nodes by hand.${later}`
    );
  }
  if (same(node, now)) {
    if (to === null) return `${head}: ${node}, detached, is the master they know, and they leave it so.${later}`;
    return (
      `${head}, which this plan made a replica of ${to}, around them (SENTINEL_MANAGED overridden). They take it for down once it has reported itself a replica for down-after-milliseconds` +
      `${a.downAfter !== null ? ` (${a.downAfter} ms)` : ''} and two more of their INFO reads (every ${INFO_PERIOD_S} s), fail it over on their own to a replica of their choosing, and then re-point ${node} ` +
      `to that one, not ${to} (measured on Redis 7.0 with down-after-milliseconds 1000: failed over 25 s after the REPLICAOF, ${node} re-pointed 9 s later). ` +
      `To move the master, let them do it first: sentinel-failover --master-name ${name} [--prefer HOST:PORT], then move ${node}.${later}`
    );
  }
  if (to !== null && same(to, now)) {
    return (
      `${head}: ${node} replicates from it, as they expect, and they leave it there` +
      `${listed ? '' : ` (they did not list it among its replicas: they add it at their next INFO read of ${now}, within ${INFO_PERIOD_S} s, and may pick it in a failover from then on)`}.${later}`
    );
  }
  const where = to === null ? 'detached' : `under ${to}`;
  if (!listed) {
    return (
      `${head}. They did not list ${node} among the replicas of "${name}" before the plan (SENTINEL REPLICAS ${name}: a replica of a replica, or a node from outside the group), ` +
      `so they leave it ${where} (measured on Redis 7.0: untouched for 40 s), and do not pick it in a failover.${later}`
    );
  }
  const reset =
    `SENTINEL RESET ${name} on every Sentinel of the group (${sentinels.join(', ')}), not while they fail over: they forget the replicas ${now} no longer lists, ${node} among them, and leave it ${where} ` +
    `(measured: reset 0.5 s after the change, they found each other and ${now}'s replicas again within 5 s and left it for 45 s); they no longer pick it in a failover. ` +
    `Once they have undone it, ${to === null ? 'detach' : 'move'} it again and reset at once`;
  if (to === null) {
    return (
      `${head}, and list ${node} among its replicas: this plan detached it around them (SENTINEL_MANAGED overridden). At their next INFO read of it (every ${INFO_PERIOD_S} s) they see it report itself a master, ` +
      `and at the read after that they turn it back into a replica of ${now} (+convert-to-slave), whatever failover-timeout: measured on Redis 7.0, 14 s after the detach. ` +
      `It then resyncs in full from ${now} and drops everything written to it meanwhile (measured: a key written to it after the detach was gone). This detach will not hold. ` +
      `To keep ${node} detached: ${reset}. To make it the master of "${name}" instead: sentinel-failover --master-name ${name} --prefer ${node}.${later}`
    );
  }
  const within = a.failoverTimeout !== null ? `, here within about ${Math.ceil(a.failoverTimeout / 1000 / INFO_PERIOD_S) * INFO_PERIOD_S + INFO_PERIOD_S} s` : '';
  return (
    `${head}, and list ${node} among its replicas: this plan moved it under ${to} around them (SENTINEL_MANAGED overridden). They re-point it to ${now} (+fix-slave-config) ` +
    `once failover-timeout${a.failoverTimeout !== null ? ` (${a.failoverTimeout} ms)` : ''} has passed since an INFO read of theirs (every ${INFO_PERIOD_S} s) showed it moved: ` +
    `measured on Redis 7.0, 14 s after the REPLICAOF with failover-timeout 5000, 34 s with 30000${within}. ` +
    `It resyncs from ${now}: partially when ${to} shares ${now}'s history, in full (dropping what it took from ${to}) when not. This move will not hold. ` +
    `To keep ${node} under ${to}: ${reset}.${later}`
  );
}
