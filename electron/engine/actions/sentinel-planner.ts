// The Sentinel action: SENTINEL FAILOVER on one of the group's Sentinels. SENTINEL FAILOVER takes
// no target: the Sentinel picks the replica with the lowest non-zero replica-priority, then the
// highest replication offset, then the lowest run id. To make `prefer` win, the plan lowers its
// replica-priority (and raises any other replica's that ties with it) first, waits until the
// Sentinel has read the new values (it reads replicas' INFO every 10 s), and restores them after.
// The priority changes are journaled with their original values, so an interrupted plan's report
// names what to put back. Pure, like the planner.
import type { ActionRequest } from '../../shared/actions';
import { parseAddress } from '../address';
import type { NodeFacts, SentinelReply } from './facts';
import { atLeast62, replicasOf } from './graph';
import { bytesText, MAX_WRITE_PAUSE_MS, type PlanBuilder, type PlannedAction } from './plan-builder';
import { sentinelFigures } from './sentinel-facts';
import { historyBytesBehind } from '../replication-rules';

type SentinelFailoverRequest = Extract<ActionRequest, { kind: 'sentinel-failover' }>;

/** Sentinel's default replica-priority. */
const DEFAULT_PRIORITY = 100;
/** Flags that keep Sentinel from picking a replica. */
const UNPICKABLE = ['s_down', 'o_down', 'disconnected'];

export interface PriorityChange {
  node: string;
  /** The replica as the Sentinel lists it. */
  sentinelAddress: string;
  from: number;
  to: number;
}

/**
 * The replica-priority changes that make `prefer` Sentinel's pick: none when it already has the
 * lowest non-zero priority; else it goes to 1 and any other candidate at 1 to 2.
 */
export function steerPriorities(prefer: { node: string; sentinelAddress: string; priority: number }, others: { node: string; sentinelAddress: string; priority: number }[]): PriorityChange[] {
  const rivals = others.filter((o) => o.priority !== 0);
  if (prefer.priority !== 0 && rivals.every((o) => o.priority > prefer.priority)) return [];
  const changes: PriorityChange[] = [];
  if (prefer.priority !== 1) changes.push({ node: prefer.node, sentinelAddress: prefer.sentinelAddress, from: prefer.priority, to: 1 });
  for (const o of rivals) if (o.priority <= 1) changes.push({ node: o.node, sentinelAddress: o.sentinelAddress, from: o.priority, to: 2 });
  return changes;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Plan a SENTINEL FAILOVER; `groupMaster` is the master the snapshot puts the group under, when known. */
export function planSentinelFailover(b: PlanBuilder, request: SentinelFailoverRequest, groupMaster: string | null, finish: (summary: string, confirm: string) => PlannedAction): PlannedAction {
  const s = b.facts.sentinel;
  const name = s?.masterName ?? request.masterName ?? null;
  const { answered, count, quorum } = s ? sentinelFigures(s) : { answered: [] as SentinelReply[], count: 0, quorum: null };
  const told = request.master ?? answered.find((r) => r.masterAddress !== null)?.masterAddress ?? groupMaster;
  const master = told ? b.canon(told) : null;
  const prefer = request.prefer ? b.canon(request.prefer) : null;
  const summary =
    `Sentinel failover of "${name ?? '?'}"${master ? ` (master ${master})` : ''}: SENTINEL FAILOVER, Sentinel picks the new master` +
    (prefer ? `, steered to ${prefer} with replica-priority` : '');
  const confirm = prefer ?? master ?? '';
  if (master) b.involve(master);
  if (!s || !name || !master) {
    b.check(
      'SENTINEL_UNREACHABLE',
      'refused',
      `no Sentinel is known to monitor ${master ? `${master}'s group` : 'this group'}${name ? ` as "${name}"` : ''}: connect through its Sentinels (--sentinel HOST:PORT --master-name NAME), or give one as a --seed`,
      master ? [master] : [],
    );
    return finish(summary, confirm);
  }
  const failed = (s.replies ?? []).filter((r) => r.error !== null);
  if (answered.length === 0) {
    b.check(
      'SENTINEL_UNREACHABLE',
      'refused',
      `none of the Sentinels of "${name}" answers${failed.length > 0 ? ` (${failed.map((r) => `${r.sentinel}: ${r.error}`).join('; ')})` : ' (none is known by address)'}: SENTINEL FAILOVER needs one`,
      failed.map((r) => r.sentinel),
    );
    return finish(summary, confirm);
  }
  b.check(
    'SENTINEL_UNREACHABLE',
    failed.length > 0 ? 'warning' : 'ok',
    `${answered.length} of ${plural(count, 'Sentinel')} of "${name}" answer${quorum !== null ? ` (quorum ${quorum})` : ''}` +
      (failed.length > 0 ? `; ${failed.map((r) => `${r.sentinel}: ${r.error}`).join('; ')} learns the new master when it is back` : ''),
    failed.map((r) => r.sentinel),
  );

  const elsewhere = answered.filter((r) => r.masterAddress === null || !b.same(r.masterAddress, master));
  if (elsewhere.length > 0) {
    b.check(
      'SENTINEL_DISAGREES',
      'warning',
      `${elsewhere.map((r) => `${r.sentinel} gives ${r.masterAddress ?? 'no address'}`).join(', ')} as the master of "${name}", not ${master}: SENTINEL FAILOVER fails over the master the Sentinel knows`,
      [master, ...elsewhere.map((r) => r.sentinel)],
      true,
    );
  }
  const running = answered.filter((r) => r.flags.includes('failover_in_progress'));
  if (running.length > 0) {
    b.check(
      'FAILOVER_RUNNING',
      'refused',
      `a Sentinel failover of "${name}" is in progress (${running.map((r) => r.sentinel).join(', ')} flag failover_in_progress): wait for +switch-master or for it to time out`,
      running.map((r) => r.sentinel),
    );
  }
  const noQuorum = answered.filter((r) => r.ckquorum !== null && !r.ckquorum.ok);
  if (noQuorum.length > 0) {
    b.check(
      'SENTINEL_NO_QUORUM',
      'warning',
      `SENTINEL CKQUORUM ${name} fails (${noQuorum.map((r) => `${r.sentinel}: ${r.ckquorum?.message ?? '?'}`).join('; ')}): SENTINEL FAILOVER itself asks no vote, ` +
        `but Sentinels that cannot be reached learn the new master only when they are back, and the group cannot fail over on its own afterwards`,
      noQuorum.map((r) => r.sentinel),
      true,
    );
  } else {
    b.check('SENTINEL_NO_QUORUM', 'ok', `SENTINEL CKQUORUM ${name}: ${answered[0]?.ckquorum?.message ?? 'OK'}`, []);
  }
  const mf = b.fact(master);
  const siblings = replicasOf(b.snapshot, master)
    .map((r) => b.fact(r.address))
    .filter((f): f is NodeFacts => f !== undefined);
  b.involve(...siblings.map((f) => f.address));
  b.failoverRunning([master, ...siblings.map((f) => f.address)]);

  // The Sentinel that runs it: one that answers, knows this master and is not busy.
  const via = answered.find((r) => r.masterAddress !== null && b.same(r.masterAddress, master) && !r.flags.includes('failover_in_progress')) ?? answered[0];
  if (!via) return finish(summary, confirm);
  const listed = (address: string): SentinelReply['replicas'][number] | undefined => via.replicas.find((r) => b.same(r.address, address));
  const priorityOf = (f: NodeFacts): number => f.priority ?? listed(f.address)?.priority ?? DEFAULT_PRIORITY;
  const pickable = siblings.filter((f) => f.reachable && f.role === 'replica' && !listed(f.address)?.flags.some((x) => UNPICKABLE.includes(x)));
  // Sentinel's pick by today's figures: the lowest non-zero priority, then the highest offset.
  const sentinelsPick = (): NodeFacts | undefined =>
    [...pickable].filter((f) => priorityOf(f) !== 0).sort((x, y) => priorityOf(x) - priorityOf(y) || (y.offset ?? -1) - (x.offset ?? -1))[0];
  const rule = 'SENTINEL FAILOVER takes no target: the Sentinel picks the replica with the lowest non-zero replica-priority, then the highest offset, then the lowest run id';

  // Sentinel's SLAVEOF goes with a CONFIG REWRITE: on a node started from a config file, the steer lands in the file.
  const persisted = (nodes: string[]): string => {
    const withFile = nodes.filter((n) => (b.fact(n)?.configFile ?? null) !== null);
    if (withFile.length === 0) return '';
    return `; ${withFile.join(', ')} ${withFile.length === 1 ? 'runs' : 'run'} from a config file, where Sentinel's own CONFIG REWRITE writes the steered value when it promotes or re-points the node: ` +
      `there the plan sends CONFIG REWRITE after the restore, so a restart does not bring the steer back`;
  };
  let changes: PriorityChange[] = [];
  // Sentinel does not pause writes, and turns the old master into a replica only at its next look
  // (every 10 s): clients that write to it by address kept writing for that long, and its resync
  // dropped all of it (an attack run lost 331,005 acknowledged writes behind a "Done"). Held here
  // from before SENTINEL FAILOVER until the console has made it a replica, they wait, then get READONLY.
  // Only a master the Sentinel asked names is Sentinel's to demote: with SENTINEL_DISAGREES overridden, a
  // master promoted behind the Sentinels' back is not held or re-pointed by the plan (its writes would be wiped).
  const theirs = mf?.reachable === true && via.masterAddress !== null && b.same(via.masterAddress, master);
  const hold = theirs && mf && !b.options.skipWritePause && atLeast62(mf.version) ? Math.min(b.options.stepTimeoutMs, MAX_WRITE_PAUSE_MS) : null;
  if (prefer) {
    const pf = b.requireDataNode(prefer, 'the preferred new master');
    if (!pf) return finish(summary, confirm);
    const entry = listed(prefer);
    if (pf.role !== 'replica' || pf.masterAddress === null || !b.same(pf.masterAddress, master)) {
      b.check('NOT_A_REPLICA', 'refused', `${prefer} is not a replica of ${master} (role ${pf.role}${pf.masterAddress ? `, master ${pf.masterAddress}` : ''}): Sentinel picks only among the master's replicas`, [prefer, master]);
      return finish(summary, confirm);
    }
    if (!entry) {
      b.check('NOT_LISTED', 'refused', `${via.sentinel} does not list ${prefer} among the replicas of "${name}" (it lists ${via.replicas.map((r) => r.address).join(', ') || 'none'}): it cannot pick it`, [prefer, via.sentinel]);
      return finish(summary, confirm);
    }
    const bad = entry.flags.filter((x) => UNPICKABLE.includes(x));
    if (bad.length > 0) {
      b.check('NOT_LISTED', 'refused', `${via.sentinel} flags ${prefer} ${bad.join(', ')}: it will not pick it`, [prefer, via.sentinel]);
      return finish(summary, confirm);
    }
    const own = priorityOf(pf);
    if (own === 0) {
      b.check(
        'PRIORITY_ZERO',
        'warning',
        `${prefer} has replica-priority 0: someone marked it never to be promoted (a backup, a different data center, smaller hardware). The plan sets it to 1 for the failover and puts 0 back afterwards`,
        [prefer],
        true,
      );
    }
    const ahead = pickable.filter((f) => f !== pf).map((f) => ({ f, gap: historyBytesBehind(f, pf) })).filter((x): x is { f: NodeFacts; gap: number } => x.gap !== null && x.gap > 0);
    const best = ahead.sort((x, y) => y.gap - x.gap)[0];
    if (best && hold !== null) {
      // Under a write load it is always a little behind: the held writes are what it catches up on.
      b.check(
        'REPLICA_BEHIND',
        'ok',
        `${prefer} is ${bytesText(best.gap)} behind ${best.f.address}: it catches up while the old master's writes are held, before SENTINEL FAILOVER is sent (the plan stops, writes released, if it cannot)`,
        [prefer, best.f.address],
      );
    } else if (best) {
      b.check(
        'REPLICA_BEHIND',
        'warning',
        `${prefer} is ${bytesText(best.gap)} behind ${best.f.address}: priority comes before offset in Sentinel's pick, so it wins anyway, and those writes are lost`,
        [prefer, best.f.address],
        true,
      );
      b.lost(prefer, best.gap, `behind ${best.f.address}, another replica of ${master}`);
    } else {
      b.check('REPLICA_BEHIND', 'ok', `no other replica of ${master} is ahead of ${prefer}`, [prefer]);
    }
    changes = steerPriorities(
      { node: prefer, sentinelAddress: entry.address, priority: own },
      pickable.filter((f) => f !== pf).map((f) => ({ node: f.address, sentinelAddress: listed(f.address)?.address ?? f.address, priority: priorityOf(f) })),
    );
    const how =
      changes.length === 0
        ? `${prefer} already has the lowest replica-priority (${own}): no change is needed`
        : `to make ${prefer} its pick, the plan sets ${changes.map((c) => `${c.node} replica-priority ${c.from} → ${c.to}`).join(', ')} first, waits until ${via.sentinel} has read the new values (it reads replicas every 10 s), ` +
          `and puts the original values back at the end (journaled first: if the console dies, the interrupted-plan report names them)` +
          persisted(changes.map((c) => c.node));
    b.check('SENTINEL_STEER', 'ok', `${rule}; ${how}`, [prefer, ...changes.map((c) => c.node)]);
  } else {
    const pick = sentinelsPick();
    if (!pick) {
      b.check('NO_CANDIDATE', 'refused', `no replica of ${master} can be picked by Sentinel (reachable, not down, replica-priority above 0)`, [master, ...siblings.map((f) => f.address)]);
      return finish(summary, confirm);
    }
    b.check('SENTINEL_STEER', 'ok', `${rule}. By today's figures that is ${pick.address} (replica-priority ${priorityOf(pick)}, offset ${pick.offset ?? '?'}); plan with --prefer HOST:PORT to steer it`, [pick.address]);
  }
  if (mf?.reachable) {
    b.check(
      'OLD_MASTER_STAYS',
      hold !== null ? 'ok' : 'warning',
      hold !== null
        ? `${master} answers: its writes wait (CLIENT PAUSE WRITE, at most ${hold} ms) from just before SENTINEL FAILOVER until the console has made it a replica of the new master, ` +
            `at once rather than at Sentinel's next look (every 10 s); released, they get READONLY, and clients that ask Sentinel move at +switch-master. Sentinel does not pause writes: ` +
            `without this, what clients writing to ${master} by address sent until then was lost at its resync`
        : !theirs
          ? `${master} answers, but ${via.sentinel} names ${via.masterAddress ?? 'no master'} as the master of "${name}": the plan neither holds ${master}'s writes nor re-points it (Sentinel does not know it as its master)`
          : `${master} answers, and its writes cannot be held (${b.options.skipWritePause ? 'no write pause was asked for' : `CLIENT PAUSE WRITE needs Redis 6.2; it runs ${mf.version ?? 'an unknown version'}`}): ` +
            `Sentinel does not pause writes, so what clients write to ${master} by address between the promotion and its demotion (the console makes it a replica at once) is lost at its resync`,
      [master],
    );
  } else {
    b.check(
      'OLD_MASTER_STAYS',
      'ok',
      `${master} does not answer: the plan does not wait for it. Sentinel makes it a replica of the new master when it is back (+convert-to-slave); until then its Sentinels list it as a replica that is down`,
      [master],
    );
  }

  const consoleAddress: Record<string, string> = {};
  for (const r of via.replicas) consoleAddress[r.address] = b.canon(r.address);
  if (via.masterAddress) consoleAddress[via.masterAddress] = b.canon(via.masterAddress);
  for (const c of changes) {
    b.step(
      { kind: 'set-config', node: c.node, parameter: 'replica-priority', value: String(c.to), steer: 'on' },
      `steer Sentinel's pick (original ${c.from}, restored at the end)`,
      'CONFIG SET answers OK',
    );
  }
  if (changes.length > 0) {
    b.step(
      { kind: 'sentinel-priorities', node: via.sentinel, masterName: name, priorities: changes.map((c) => ({ address: c.sentinelAddress, priority: c.to })) },
      `wait until the Sentinel has read the new priorities (it reads each replica's INFO every 10 s)`,
      `${via.sentinel} lists ${changes.map((c) => `${c.sentinelAddress} with priority ${c.to}`).join(', ')}`,
    );
  }
  const answering = answered.map((r) => r.sentinel);
  // Each replica Sentinel may pick must have every byte before it is asked: it promotes without
  // waiting, ranks by the offsets it read up to 10 s ago, and breaks ties by run id. Steered, the one preferred.
  const top = Math.min(...pickable.map(priorityOf).filter((p) => p !== 0));
  const mayPick = prefer ? pickable.filter((f) => b.same(f.address, prefer)) : pickable.filter((f) => priorityOf(f) === top);
  // Paused, the master answers its Sentinels' PING no more (their hello PUBLISH waits, and their
  // link with it): past down-after-milliseconds they take it for down and fail over on their own.
  // The catch-up wait stays well within it.
  const downAfter = Math.min(...answered.map((r) => r.downAfterMs ?? Infinity));
  const withinMs = Number.isFinite(downAfter) ? { withinMs: Math.floor(downAfter / 2) } : {};
  if (hold !== null) {
    b.step({ kind: 'pause-writes', node: master, ms: hold }, 'hold writes on the old master (they wait; reads go on): Sentinel does not stop them', 'CLIENT PAUSE answers OK');
    for (const f of mayPick) {
      b.step(
        { kind: 'wait-caught-up', node: f.address, master, ...withinMs },
        `wait until ${f.address}${prefer ? '' : ', one Sentinel may pick,'} has every byte ${master} took: Sentinel promotes without waiting`,
        `${f.address}'s offset reaches ${master}'s`,
      );
    }
  }
  b.step(
    {
      kind: 'sentinel-failover',
      node: via.sentinel,
      masterName: name,
      oldMaster: via.masterAddress ?? master,
      prefer: prefer ? (listed(prefer)?.address ?? prefer) : null,
      sentinels: answering,
      consoleAddress,
      masterDown: mf?.reachable !== true,
    },
    `ask the Sentinel to fail "${name}" over: it picks the new master${prefer ? ` (${prefer}, steered)` : ''}, promotes it and reconfigures the others`,
    `${answering.join(', ')} report a new master (GET-MASTER-ADDR-BY-NAME)${prefer ? `: ${prefer}` : ''}, and it reports role master`,
    true,
  );
  if (theirs) {
    b.step(
      { kind: 'sentinel-demote', node: master, target: prefer ?? null, hosts: [...new Set(mayPick.map((f) => parseAddress(listed(f.address)?.address ?? f.address).host))] },
      "make the old master a replica of the new master at once (Sentinel would at its next look, up to 10 s later, and writes it took meanwhile were lost)",
      `${master} reports role replica of the new master`,
    );
    if (hold !== null) {
      b.step({ kind: 'unpause-writes', node: master }, 'release the held writes: as a replica it answers them READONLY, and clients go to the new master', 'CLIENT UNPAUSE answers OK');
    }
  }
  // A master that is down cannot follow anyone yet: waiting for it would fail a failover that worked.
  const followers = [...(mf?.reachable ? [master] : []), ...siblings.filter((f) => f.reachable).map((f) => f.address)];
  b.step(
    { kind: 'sentinel-followers', node: followers[0] ?? master, members: followers },
    'wait until Sentinel has made the old master and the other replicas follow the new master',
    `${followers.join(', ')} (all but the new master) replicate from it with their link up`,
  );
  for (const c of changes) {
    b.step(
      { kind: 'set-config', node: c.node, parameter: 'replica-priority', value: String(c.from), steer: 'off' },
      'put the original replica-priority back (runs even if an earlier step failed)',
      'CONFIG SET answers OK',
    );
    const file = b.fact(c.node)?.configFile ?? null;
    if (file !== null) {
      b.step(
        { kind: 'steer-rewrite', node: c.node, master: b.fact(c.node)?.masterAddress ?? null, parameter: 'replica-priority', steered: String(c.to), restored: String(c.from), file },
        `Sentinel sends CONFIG REWRITE with every SLAVEOF it sends: promoting or re-pointing ${c.node} writes replica-priority ${c.to} into ${file}, ` +
          `and a restart would bring it back. Sent only if Sentinel did re-point it (that rewrite already saved its other settings), after the restore`,
        `CONFIG REWRITE answers OK: ${file} says replica-priority ${c.from}`,
      );
    }
  }
  if (prefer) {
    b.expect(prefer, 'master', null);
    for (const f of followers) if (!b.same(f, prefer)) b.expect(f, 'replica', prefer);
  }
  return finish(summary, confirm);
}
