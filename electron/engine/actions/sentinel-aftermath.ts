// After a plan that changed a Sentinel-managed group's master around its Sentinels (switchover,
// promote or failover with SENTINEL_MANAGED overridden): what the Sentinels name as its master
// now, asked fresh, what they will do about it, and what to do. They act on the master they
// know, so a plan that ended "done" is not the end of it: measured on Redis 7.0, a switchover
// the Sentinels did not make was followed by their own failover, to another replica, 29 s later.
import { isIP } from 'node:net';
import type { FinalNodeState } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { parseAddress } from '../address';
import { toApiError } from '../errors';
import type { NodeCommands } from '../node-commands';
import { findNode, serverAddressOf, tryNormalize } from './graph';
import type { PlannedAction } from './plan-builder';
import { sentinelFigures } from './sentinel-facts';

/** One Sentinel's SENTINEL GET-MASTER-ADDR-BY-NAME after the plan. */
export interface SentinelAnswer {
  sentinel: string;
  /** "host:port" as the Sentinel gives it; null when it names none or did not answer. */
  master: string | null;
  error: string | null;
}

/** A change of master run past the SENTINEL_MANAGED check: the Sentinels must be asked what they make of it. */
export function wentAroundSentinels(planned: PlannedAction): boolean {
  const kind = planned.plan.request.kind;
  const changesMaster = kind === 'switchover' || kind === 'promote' || kind === 'failover';
  return changesMaster && planned.plan.checks.some((c) => c.code === 'SENTINEL_MANAGED' && c.verdict !== 'ok');
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

/**
 * What the Sentinels' answers mean for the master the plan made, in words for the outcome's notes:
 * they agree; they still name the old master and will undo the change or fail over on their own
 * (and how to tell them the new master instead); or they already failed over elsewhere.
 */
export function sentinelAftermath(planned: PlannedAction, answers: readonly SentinelAnswer[], finals: readonly FinalNodeState[], snapshot: TopologySnapshot | null): string | null {
  const s = planned.sentinel;
  const made = planned.expected.find((e) => e.role === 'master')?.address;
  if (!s || !made) return null;
  const canon = (address: string): string => (snapshot ? findNode(snapshot, address)?.address : undefined) ?? tryNormalize(address);
  const same = (a: string, b: string): boolean => canon(a) === canon(b);
  if (!s.masterName) {
    return (
      `Sentinel manages this group, but its master name could not be read, so the Sentinels (${s.sentinels.join(', ') || 'none known by address'}) could not be asked whether they follow ${made}. ` +
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
      `None of the Sentinels of "${name}" answered ${ask} after the plan (${said || 'none is known by address'}), so whether they follow ${made} cannot be told. ` +
      `They act on the master they know: ask them once they answer; one that names another node than ${made} undoes this change or fails over on its own.`
    );
  }
  const named = [...new Set(answered.map((a) => canon(a.master)))];
  const { quorum } = sentinelFigures(s);
  const replies = s.replies ?? [];
  const downAfter = replies.find((r) => r.downAfterMs !== null)?.downAfterMs ?? null;
  const failoverTimeout = replies.find((r) => r.failoverTimeoutMs !== null)?.failoverTimeoutMs ?? null;
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

  if (named.length > 1) {
    return (
      `The Sentinels of "${name}" disagree about its master after the plan (${ask}: ${said}). Each acts on the master it names, and they settle on the newest configuration they hear of from each other within seconds: ` +
      `ask again, and if they settle on another node than ${made}, they undo this change or fail over on their own.${later}`
    );
  }
  const now = named[0] ?? '';
  if (same(now, made)) {
    return `The Sentinels of "${name}" name ${made} as its master too (${ask}: ${said}): they agree with this plan's result.${later}`;
  }
  const before = replies.find((r) => r.masterAddress !== null)?.masterAddress ?? null;
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
