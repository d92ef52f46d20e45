// Actions on a Sentinel-managed group, from hand-written facts and a scripted fake of
// NodeCommands: how the preflight knows a group is managed (connections, Sentinels in the
// topology, the hello channel), SENTINEL_MANAGED's figures and verdicts, the sentinel-failover
// plan's checks, steps and steer values, the executor putting the priorities back whatever
// happened (in the config files Sentinel rewrote too), and what the Sentinels make of a master
// changed, or a replica moved or detached, around them. The same against three real Sentinels is in
// test/integration/actions-sentinel.test.ts.
import { describe, expect, it } from 'vitest';
import { Execution } from '../../electron/engine/actions/executor';
import type { SentinelFacts, SentinelReply } from '../../electron/engine/actions/facts';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import { planAction } from '../../electron/engine/actions/planner';
import { sentinelFacts } from '../../electron/engine/actions/sentinel-facts';
import { sentinelGroupMaster } from '../../electron/engine/actions/scope';
import { steerPriorities } from '../../electron/engine/actions/sentinel-planner';
import { sentinelAftermath, wentAroundSentinels, type SentinelAnswer } from '../../electron/engine/actions/sentinel-aftermath';
import { groupState, prioritiesProgress, stillDownText, type SentinelLook } from '../../electron/engine/actions/sentinel-watch';
import { nextSteps } from '../../electron/engine/actions/next-steps';
import type { ActionPlan, ActionRequest, FinalNodeState, StepProgress } from '../../electron/shared/actions';
import type { NodeState } from '../../electron/shared/types';
import { unreachableFacts } from '../../electron/engine/actions/facts';
import { classifyError } from '../../electron/engine/errors';
import { META, factsFor, factsOf, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';
import { FakeNodeCommands, RecordingJournal } from '../helpers/fake-node-commands';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';
const S1 = '10.0.0.9:26379';
const S2 = '10.0.0.10:26379';
const S3 = '10.0.0.11:26379';

function reply(sentinel: string, overrides: Partial<SentinelReply> = {}): SentinelReply {
  return {
    sentinel,
    error: null,
    masterAddress: M,
    flags: ['master'],
    quorum: 2,
    sentinelCount: 3,
    failoverTimeoutMs: 5000,
    downAfterMs: 30_000,
    ckquorum: { ok: true, message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached' },
    replicas: [
      { address: A, flags: ['slave'], priority: 100, offset: 1000 },
      { address: B, flags: ['slave'], priority: 100, offset: 1000 },
    ],
    ...overrides,
  };
}

function managed(replies: SentinelReply[] = [reply(S1), reply(S2), reply(S3)]): SentinelFacts {
  return { masterName: 'cache', sentinels: replies.map((r) => r.sentinel), managedNodes: [M, A, B], evidence: [`Sentinel connections on ${M}, ${A}, ${B}`], replies };
}

const group = (a: Partial<NodeState> = {}, b: Partial<NodeState> = {}) =>
  snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000, priority: 100, ...a }), replicaState(B, M, { offset: 1000, priority: 100, ...b })]);

function plan(request: ActionRequest, sentinel: SentinelFacts | null = managed(), snapshot = group()): PlannedAction {
  const overrides = Object.fromEntries(snapshot.nodes.map((n) => [n.address, { priority: n.priority }]));
  return planAction(request, factsFor(snapshot, overrides, { sentinel }), META);
}

function check(p: ActionPlan, code: string): ActionPlan['checks'][number] {
  const found = p.checks.find((c) => c.code === code && c.verdict !== 'ok') ?? p.checks.find((c) => c.code === code);
  if (!found) throw new Error(`no ${code}: ${p.checks.map((c) => c.code).join(', ')}`);
  return found;
}

describe('SENTINEL_MANAGED', () => {
  it('refuses a switchover, promote or failover unless overridden, with the figures and the Sentinel action', () => {
    for (const request of [{ kind: 'switchover', to: A }, { kind: 'promote', node: A, repointSiblings: true }] as ActionRequest[]) {
      const p = plan(request).plan;
      const c = check(p, 'SENTINEL_MANAGED');
      expect(c).toMatchObject({ verdict: 'refused', overridable: true });
      expect(c.message).toContain('3 Sentinels, quorum 2, master name "cache"');
      expect(c.message).toContain(`seen from Sentinel connections on ${M}`);
      expect(c.message).toContain('sentinel-failover --master-name cache [--prefer HOST:PORT]');
      expect(c.message).toContain('SENTINEL FAILOVER takes no target');
      expect(p.canRun).toBe(true);
      expect(p.needsOverride).toContain('SENTINEL_MANAGED');
    }
  });

  it('warns (overridably) on re-pointing or detaching one replica, saying when Sentinel undoes it', () => {
    const repoint = check(plan({ kind: 'replicaof', node: B, master: A }).plan, 'SENTINEL_MANAGED');
    expect(repoint).toMatchObject({ verdict: 'warning', overridable: true });
    expect(repoint.message).toContain('once failover-timeout (5000 ms) has passed');
    const detach = check(plan({ kind: 'detach', node: B }).plan, 'SENTINEL_MANAGED');
    expect(detach).toMatchObject({ verdict: 'warning', overridable: true });
    expect(detach.message).toContain('back into a replica within seconds');
  });

  it('is absent when nothing says Sentinel watches the group', () => {
    expect(plan({ kind: 'switchover', to: A }, null).plan.checks.map((c) => c.code)).not.toContain('SENTINEL_MANAGED');
  });
});

describe('sentinelAftermath: what the Sentinels make of a master changed around them', () => {
  const final = (address: string, role: FinalNodeState['role'], master: string | null = null, reachable = true): FinalNodeState => ({
    address,
    reachable,
    role,
    master,
    linkStatus: master ? 'up' : null,
    offset: 1000,
    error: reachable ? null : 'connection refused',
  });
  const naming = (master: string | null, ...sentinels: string[]): SentinelAnswer[] => sentinels.map((sentinel) => ({ sentinel, master, error: null }));
  const switchover = plan({ kind: 'switchover', to: A });
  const afterSwitchover = [final(A, 'master'), final(M, 'replica', A), final(B, 'replica', A)];

  it('asks after a change of master, or a replica moved or detached, run past SENTINEL_MANAGED', () => {
    expect(wentAroundSentinels(switchover)).toBe(true);
    expect(wentAroundSentinels(plan({ kind: 'promote', node: A, repointSiblings: false }))).toBe(true);
    expect(wentAroundSentinels(plan({ kind: 'replicaof', node: B, master: A }))).toBe(true);
    expect(wentAroundSentinels(plan({ kind: 'detach', node: B }))).toBe(true);
    expect(wentAroundSentinels(plan({ kind: 'switchover', to: A }, null))).toBe(false);
    expect(wentAroundSentinels(plan({ kind: 'detach', node: B }, null))).toBe(false);
  });

  it('still naming the old master, now a replica: they fail it over on their own; how to tell them the new one, every Sentinel removed first', () => {
    const note = sentinelAftermath(switchover, naming(M, S1, S2, S3), afterSwitchover, group()) ?? '';
    expect(note).toContain(`The Sentinels of "cache" name ${M} as its master, not ${A} (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${M}; ${S2}: ${M}; ${S3}: ${M})`);
    expect(note).toContain(`${M} now reports itself a replica: they take it for down once it has done so for down-after-milliseconds (30000 ms)`);
    expect(note).toContain(`first SENTINEL REMOVE cache on every Sentinel of the group (${S1}, ${S2}, ${S3}), then on each: SENTINEL MONITOR cache 10.0.0.2 6379 2 and SENTINEL SET cache down-after-milliseconds 30000 failover-timeout 5000 and every other setting`);
    // The old master dead (an emergency failover): they fail it over once they agree, or take it back if it returns first.
    const dead = sentinelAftermath(switchover, naming(M, S1, S2, S3), [final(A, 'master'), final(M, 'unknown', null, false), final(B, 'replica', A)], group()) ?? '';
    expect(dead).toContain(`${M} does not answer: they take it for down once enough of them agree (quorum 2)`);
    expect(dead).toContain(`If ${M} comes back first, they take it as the master again and make ${A} its replica.`);
  });

  it('still naming the old master, still a master (a promote): the promoted replica is turned back; sentinel-failover is the way', () => {
    const promote = plan({ kind: 'promote', node: A, repointSiblings: false });
    const note = sentinelAftermath(promote, naming(M, S1, S2, S3), [final(A, 'master'), final(M, 'master'), final(B, 'replica', M)], group()) ?? '';
    expect(note).toContain(`${M} is still a master, so they turn ${A}, a replica promoted behind their back, back into a replica of ${M} within seconds`);
    expect(note).toContain(`once ${A} replicates from ${M} again, run sentinel-failover --master-name cache --prefer ${A}`);
    expect(note).not.toContain('SENTINEL REMOVE');
  });

  it('agreeing, naming a third node, disagreeing, or silent: each said as it is', () => {
    expect(sentinelAftermath(switchover, naming(A, S1, S2, S3), afterSwitchover, group())).toBe(
      `The Sentinels of "cache" name ${A} as its master too (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${A}; ${S2}: ${A}; ${S3}: ${A}): they agree with this plan's result.`,
    );
    expect(sentinelAftermath(switchover, naming(B, S1, S2), afterSwitchover, group())).toContain(`name ${B} as its master, not ${A}`);
    expect(sentinelAftermath(switchover, naming(B, S1, S2), afterSwitchover, group())).toContain(`they failed over on their own while or after this plan ran`);
    expect(sentinelAftermath(switchover, [...naming(M, S1), ...naming(A, S2)], afterSwitchover, group())).toContain(`disagree about its master after the plan (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${M}; ${S2}: ${A})`);
    const silent = sentinelAftermath(switchover, [{ sentinel: S1, master: null, error: `${S1}: connection refused` }], afterSwitchover, group());
    expect(silent).toContain(`None of the Sentinels of "cache" answered SENTINEL GET-MASTER-ADDR-BY-NAME cache after the plan (${S1}: no answer (${S1}: connection refused))`);
  });
});

describe('sentinelAftermath: a replica moved or detached around the Sentinels', () => {
  const C = '10.0.0.4:6379';
  const O = '10.0.0.5:6379';
  // C replicates from A: a replica of a replica, which the Sentinels do not list (they read replicas from the master's INFO).
  const wider = () => snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 1000 }), replicaState(C, A, { offset: 1000, depth: 2 }), nodeState(O)]);
  const naming = (master: string | null, ...sentinels: string[]): SentinelAnswer[] => sentinels.map((sentinel) => ({ sentinel, master, error: null }));
  const note = (request: ActionRequest, answers = naming(M, S1, S2, S3)): string => sentinelAftermath(plan(request, managed(), wider()), answers, [], wider()) ?? '';

  it('a replica they list moved under another node: re-pointed back after failover-timeout, as measured, and SENTINEL RESET on every Sentinel to keep it there', () => {
    const moved = note({ kind: 'replicaof', node: B, master: A });
    expect(moved).toContain(`The Sentinels of "cache" name ${M} as its master (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${M}; ${S2}: ${M}; ${S3}: ${M}), and list ${B} among its replicas`);
    expect(moved).toContain(`They re-point it to ${M} (+fix-slave-config) once failover-timeout (5000 ms) has passed since an INFO read of theirs (every 10 s) showed it moved`);
    expect(moved).toContain('measured on Redis 7.0, 14 s after the REPLICAOF with failover-timeout 5000, 34 s with 30000, here within about 20 s');
    expect(moved).toContain('This move will not hold.');
    expect(moved).toContain(`To keep ${B} under ${A}: SENTINEL RESET cache on every Sentinel of the group (${S1}, ${S2}, ${S3})`);
    // Under a master outside the group: the same, and the resync back drops what it took from there.
    expect(note({ kind: 'replicaof', node: B, master: O })).toContain(`in full (dropping what it took from ${O}) when not`);
  });

  it('a replica they list detached: made a replica again within seconds, with a full sync; reset to keep it detached, sentinel-failover to make it the master', () => {
    const detached = note({ kind: 'detach', node: B });
    expect(detached).toContain(`and list ${B} among its replicas: this plan detached it around them (SENTINEL_MANAGED overridden)`);
    expect(detached).toContain(`they turn it back into a replica of ${M} (+convert-to-slave), whatever failover-timeout: measured on Redis 7.0, 14 s after the detach`);
    expect(detached).toContain('drops everything written to it meanwhile');
    expect(detached).toContain(`To keep ${B} detached: SENTINEL RESET cache on every Sentinel of the group (${S1}, ${S2}, ${S3})`);
    expect(detached).toContain(`sentinel-failover --master-name cache --prefer ${B}`);
    expect(detached).not.toContain('SENTINEL REMOVE');
  });

  it('a replica they do not list is left where the plan put it; one moved under the master they name is theirs', () => {
    expect(note({ kind: 'detach', node: C })).toContain(`They did not list ${C} among the replicas of "cache" before the plan (SENTINEL REPLICAS cache: a replica of a replica, or a node from outside the group), so they leave it detached`);
    expect(note({ kind: 'replicaof', node: C, master: B })).toContain(`so they leave it under ${B}`);
    expect(note({ kind: 'replicaof', node: C, master: M })).toContain(`${C} replicates from it, as they expect, and they leave it there (they did not list it among its replicas: they add it at their next INFO read of ${M}`);
  });

  it('the master they name made a replica: they fail it over; they failed over already; no answer: each said as it is', () => {
    const demoted = note({ kind: 'replicaof', node: M, master: O });
    expect(demoted).toContain(`name ${M} as its master (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${M}; ${S2}: ${M}; ${S3}: ${M}), which this plan made a replica of ${O}`);
    expect(demoted).toContain('They take it for down once it has reported itself a replica for down-after-milliseconds (30000 ms)');
    expect(note({ kind: 'replicaof', node: B, master: A }, naming(A, S1, S2))).toContain(`name ${A} as its master (SENTINEL GET-MASTER-ADDR-BY-NAME cache: ${S1}: ${A}; ${S2}: ${A}), not ${M} as before the plan: they failed over on their own`);
    expect(note({ kind: 'detach', node: B }, [{ sentinel: S1, master: null, error: 'connection refused' }])).toContain(`so whether they leave ${B} detached cannot be told`);
  });
});

describe('sentinelFacts: every source', () => {
  const snapshotWith = (extra: NodeState[]) => snapshotOf([nodeState(M), replicaState(A, M), ...extra]);

  it('knows a group from a Sentinel in the topology alone (no connections seen), and finds the other Sentinels', async () => {
    const sentinelNode = nodeState(S1, { role: 'sentinel', sentinelMasters: [{ name: 'cache', status: 'ok', address: M }] });
    const snapshot = snapshotWith([sentinelNode]);
    const fake = FakeNodeCommands.group(M, [A]).sentinel(S1, 'cache', M).sentinel(S2, 'cache', M);
    const facts = await sentinelFacts(fake, snapshot, [factsOf(snapshot.nodes[0] as NodeState), factsOf(snapshot.nodes[1] as NodeState)], { helloMs: 10, known: null });
    expect(facts).toMatchObject({ masterName: 'cache', sentinels: [S1, S2], managedNodes: [] });
    expect(facts?.evidence).toEqual([`a Sentinel in the topology (${S1})`]);
    expect(facts?.replies?.map((r) => [r.sentinel, r.quorum, r.sentinelCount, r.masterAddress])).toEqual([
      [S1, 2, 2, M],
      [S2, 2, 2, M],
    ]);
  });

  it('reads NodeState.sentinel when the engine gives it, and ignores a Sentinel that monitors another group', async () => {
    const view = { masters: [{ name: 'cache', address: M, flags: ['master'], quorum: 2, ckquorum: null, replicas: 1, otherSentinels: 0, configEpoch: 0, failoverState: null, leader: null }] };
    const snapshot = snapshotWith([nodeState(S1, { role: 'sentinel', sentinelMasters: [], sentinel: view }), nodeState(S2, { role: 'sentinel', sentinelMasters: [{ name: 'other', status: 'ok', address: '10.9.9.9:6379' }] })]);
    const fake = FakeNodeCommands.group(M, [A]).sentinel(S1, 'cache', M);
    const facts = await sentinelFacts(fake, snapshot, [factsOf(snapshot.nodes[0] as NodeState)], { helloMs: 10, known: null });
    expect(facts?.masterName).toBe('cache');
    expect(facts?.sentinels).toEqual([S1]);
  });

  it('listens on the hello channel when only connections are seen; null when nothing is', async () => {
    const snapshot = snapshotWith([]);
    const fake = FakeNodeCommands.group(M, [A]).sentinel(S1, 'cache', M);
    fake.sentinelHello = async () => `10.0.0.9,26379,abc,0,cache,10.0.0.1,6379,0`;
    const read = [factsOf(snapshot.nodes[0] as NodeState, { sentinelSubscribers: 1 })];
    expect(await sentinelFacts(fake, snapshot, read, { helloMs: 10, known: null })).toMatchObject({ masterName: 'cache', sentinels: [S1], managedNodes: [M] });
    expect(await sentinelFacts(fake, snapshot, [factsOf(snapshot.nodes[0] as NodeState)], { helloMs: 10, known: null })).toBeNull();
  });
});

describe('a group whose master is down', () => {
  const deadMaster = nodeState(M, { reachable: false, role: 'unknown', error: { code: 'UNREACHABLE', message: 'connection refused' } });
  const downGroup = (extra: NodeState[] = []) => snapshotOf([deadMaster, replicaState(A, M, { linkStatus: 'down' }), replicaState(B, M, { linkStatus: 'down' }), ...extra]);
  const deadFacts = unreachableFacts(M, 'connection refused', 'UNREACHABLE');
  const withDeadMaster = (snapshot: ReturnType<typeof downGroup>, sentinel: SentinelFacts) => {
    const facts = factsFor(snapshot, {}, { sentinel });
    return { ...facts, nodes: { ...facts.nodes, [M]: deadFacts } };
  };

  it('sentinelFacts keeps the Sentinels that monitor the dead master, known by its address or as the replicas\' master', async () => {
    const watching = (address: string) => nodeState(address, { role: 'sentinel', sentinelMasters: [{ name: 'cache', status: 'ok', address: M }] });
    const snapshot = downGroup([watching(S1), watching(S2)]);
    const [, a, b] = snapshot.nodes as NodeState[];
    const fake = FakeNodeCommands.group(M, [A, B]).sentinel(S1, 'cache', M).sentinel(S2, 'cache', M);
    const facts = await sentinelFacts(fake, snapshot, [deadFacts, factsOf(a as NodeState), factsOf(b as NodeState)], { helloMs: 10, known: null });
    expect(facts).toMatchObject({ masterName: 'cache', sentinels: [S1, S2] });
    expect(facts?.replies?.map((r) => [r.sentinel, r.error, r.masterAddress])).toEqual([
      [S1, null, M],
      [S2, null, M],
    ]);
    // The dead master not read at all: the replicas' master says which it is. Found from the hello channel on a replica.
    const bare = downGroup();
    fake.sentinelHello = async () => `10.0.0.9,26379,abc,0,cache,10.0.0.1,6379,0`;
    const fromReplica = await sentinelFacts(fake, bare, [factsOf(bare.nodes[1] as NodeState, { sentinelSubscribers: 1 })], { helloMs: 10, known: null });
    expect(fromReplica?.replies?.filter((r) => r.error === null).map((r) => r.sentinel)).toEqual([S1, S2]);
  });

  it('sentinel-failover: its group is the dead master\'s, and it waits only for the nodes that answer to follow', () => {
    const snapshot = downGroup();
    expect(sentinelGroupMaster(snapshot, { kind: 'sentinel-failover', masterName: 'cache' })).toBe(M);
    const p = planAction({ kind: 'sentinel-failover', masterName: 'cache' }, withDeadMaster(snapshot, managed()), META).plan;
    expect(p.canRun).toBe(true);
    expect(p.steps.map((s) => `${s.node} ${s.command}`)).toEqual([`${S1} SENTINEL FAILOVER cache`, `${A} INFO replication`]);
    expect(check(p, 'OLD_MASTER_STAYS').message).toContain(`${M} does not answer: the plan does not wait for it`);
  });

  it('SENTINEL_MANAGED names only the Sentinels that answer, and says what CKQUORUM says of failing over on their own', () => {
    const snapshot = downGroup();
    const facts = (sentinel: SentinelFacts) => withDeadMaster(snapshot, sentinel);
    const noQuorum = { ok: false, message: 'NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master' };
    const lonely = managed([reply(S1, { ckquorum: noQuorum }), reply(S2, { error: 'connection refused' }), reply(S3, { error: 'connection refused' })]);
    const stuck = check(planAction({ kind: 'failover' }, facts(lonely), META).plan, 'SENTINEL_MANAGED');
    expect(stuck.verdict).toBe('refused');
    expect(stuck.message).toContain('3 Sentinels, 1 answers, quorum 2, master name "cache"');
    expect(stuck.message).toContain(`cannot fail it over on their own now (CKQUORUM on ${S1}: NOQUORUM 1 usable Sentinels`);
    expect(stuck.message).not.toContain('fails a master that is down over on its own');
    expect(stuck.message).toContain(`SENTINEL FAILOVER cache on a Sentinel that answers (${S1}).`);
    const repoint = check(planAction({ kind: 'replicaof', node: B, master: A }, facts(lonely), META).plan, 'SENTINEL_MANAGED');
    expect(repoint.message).toContain(`the Sentinels that answer cannot fail over on their own now, CKQUORUM on ${S1}`);

    const able = check(planAction({ kind: 'failover' }, facts(managed([reply(S1), reply(S2, { error: 'connection refused' })])), META).plan, 'SENTINEL_MANAGED');
    expect(able.message).toContain('fails a master that is down over on its own');
    expect(able.message).toContain(`on a Sentinel that answers (${S1}).`);

    const silent = managed([reply(S2, { error: 'connection refused' }), reply(S3, { error: 'connection refused' })]);
    const none = check(planAction({ kind: 'failover' }, facts(silent), META).plan, 'SENTINEL_MANAGED');
    expect(none.message).toContain(`on a Sentinel, once one answers (none does now: ${S2}, ${S3})`);
    expect(none.message).toContain('whether they can fail it over on their own now cannot be told');
  });
});

describe('steerPriorities', () => {
  const p = (node: string, priority: number) => ({ node, sentinelAddress: node, priority });
  it('changes nothing when the preferred replica already has the lowest non-zero priority', () => {
    expect(steerPriorities(p(A, 10), [p(B, 100), p(M, 0)])).toEqual([]);
  });
  it('lowers the preferred one to 1 and raises a rival at 1 to 2', () => {
    expect(steerPriorities(p(A, 100), [p(B, 1), p(M, 50)])).toEqual([
      { node: A, sentinelAddress: A, from: 100, to: 1 },
      { node: B, sentinelAddress: B, from: 1, to: 2 },
    ]);
  });
  it('lifts a priority 0 (never promote) when that replica is preferred', () => {
    expect(steerPriorities(p(A, 0), [p(B, 100)])).toEqual([{ node: A, sentinelAddress: A, from: 0, to: 1 }]);
  });
});

describe('the sentinel-failover plan', () => {
  it('records, for the old master\'s REPLICAOF, the host of each replica Sentinel may pick (the one steered to when steered), to ask the ACL with', () => {
    const demote = (p: PlannedAction) => p.ops.find((o) => o.kind === 'sentinel-demote');
    expect(demote(plan({ kind: 'sentinel-failover', masterName: 'cache' }))).toEqual({ kind: 'sentinel-demote', node: M, target: null, hosts: ['10.0.0.2', '10.0.0.3'] });
    expect(demote(plan({ kind: 'sentinel-failover', masterName: 'cache', prefer: B }))).toMatchObject({ target: B, hosts: ['10.0.0.3'] });
  });

  it('refuses, not overridably, when the old master is loading its dataset: its REPLICAOF (sentinel-demote) would be answered LOADING', () => {
    const snapshot = group();
    const overrides = Object.fromEntries(snapshot.nodes.map((n) => [n.address, { priority: n.priority }]));
    const loading = { ...overrides, [M]: { ...overrides[M], loading: { percent: 12.5, etaSeconds: 40 } } };
    const p = planAction({ kind: 'sentinel-failover', masterName: 'cache', prefer: B }, factsFor(snapshot, loading, { sentinel: managed() }), META).plan;
    // The old master gets CLIENT PAUSE (taken while loading) and the REPLICAOF: only the latter is refused.
    expect(p.steps.filter((s) => s.node === M).map((s) => s.command)).toContain('REPLICAOF 10.0.0.3 6379');
    expect(p.checks.filter((c) => c.code === 'LOADING')).toEqual([
      {
        code: 'LOADING',
        verdict: 'refused',
        overridable: false,
        nodes: [M],
        message: `${M} is loading its dataset from disk (12.5% loaded, about 40 s left): Redis answers REPLICAOF with LOADING until it has loaded, so the plan would stop at that step. Plan again once it has loaded (INFO persistence loading:0)`,
      },
    ]);
    expect(p.canRun).toBe(false);
  });

  it('says Sentinel picks, steers with replica-priority, restores at the end, and asks for the new master', () => {
    const { plan: p, ops, expected } = plan({ kind: 'sentinel-failover', masterName: 'cache', prefer: B }, managed(), group({ priority: 1 }, { priority: 80 }));
    expect(p.summary).toContain('Sentinel picks the new master, steered to 10.0.0.3:6379 with replica-priority');
    expect(p.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${B} CONFIG SET replica-priority 1`,
      `${A} CONFIG SET replica-priority 2`,
      `${S1} SENTINEL REPLICAS cache`,
      // Writes held on the old master until it is a replica: none lands after the promotion (Sentinel does not pause them).
      `${M} CLIENT PAUSE 10000 WRITE`,
      `${B} INFO replication`,
      `${S1} SENTINEL FAILOVER cache`,
      `${M} REPLICAOF 10.0.0.3 6379`,
      `${M} CLIENT UNPAUSE`,
      `${M} INFO replication`,
      `${B} CONFIG SET replica-priority 80`,
      // Sentinel's SLAVEOF goes with a CONFIG REWRITE: the steer is in their config files, and put back there too.
      `${B} CONFIG REWRITE`,
      `${A} CONFIG SET replica-priority 1`,
      `${A} CONFIG REWRITE`,
    ]);
    expect(check(p, 'SENTINEL_STEER').message).toMatch(/SENTINEL FAILOVER takes no target: the Sentinel picks the replica with the lowest non-zero replica-priority.*10\.0\.0\.3:6379 replica-priority 80 → 1, 10\.0\.0\.2:6379 replica-priority 1 → 2/);
    expect(check(p, 'SENTINEL_STEER').message).toContain('run from a config file, where Sentinel\'s own CONFIG REWRITE writes the steered value');
    expect(ops.filter((o) => o.kind === 'steer-rewrite')).toEqual([
      { kind: 'steer-rewrite', node: B, master: M, parameter: 'replica-priority', steered: '1', restored: '80', file: '/etc/redis/redis.conf' },
      { kind: 'steer-rewrite', node: A, master: M, parameter: 'replica-priority', steered: '2', restored: '1', file: '/etc/redis/redis.conf' },
    ]);
    // A node without a config file has nothing for Sentinel's rewrite to write into: no CONFIG REWRITE there.
    const snapshot = group({ priority: 1 }, { priority: 80 });
    const noFile = planAction(
      { kind: 'sentinel-failover', masterName: 'cache', prefer: B },
      factsFor(snapshot, { [A]: { priority: 1, configFile: null }, [B]: { priority: 80 } }, { sentinel: managed() }),
      META,
    ).plan;
    expect(noFile.steps.filter((s) => s.command === 'CONFIG REWRITE').map((s) => s.node)).toEqual([B]);
    expect(p.confirmAddress).toBe(B);
    expect(p.canRun).toBe(true);
    expect(ops.filter((o) => o.kind === 'set-config').map((o) => (o.kind === 'set-config' ? o.steer : null))).toEqual(['on', 'on', 'off', 'off']);
    expect(expected).toEqual(expect.arrayContaining([{ address: B, role: 'master', master: null }, { address: M, role: 'replica', master: B }]));
  });

  it('checks the preferred replica as the new master, as the other plans do (WRITES_REFUSED: it would refuse writes)', () => {
    const snapshot = group();
    const oom = { kind: 'oom' as const, certain: true, effect: 'refuses the writes that add data (OOM): it uses 2.0 KiB against its maxmemory of 1.0 KiB, with maxmemory-policy noeviction', fix: 'raise maxmemory' };
    const overrides = { ...Object.fromEntries(snapshot.nodes.map((n) => [n.address, { priority: n.priority }])), [B]: { priority: 100, asMaster: [oom] } };
    const p = planAction({ kind: 'sentinel-failover', masterName: 'cache', prefer: B }, factsFor(snapshot, overrides, { sentinel: managed() }), META).plan;
    expect(check(p, 'WRITES_REFUSED')).toMatchObject({ verdict: 'refused', overridable: true, message: expect.stringContaining(`${B}, once master, refuses the writes that add data (OOM)`) });
  });

  it('without --prefer names the replica Sentinel will pick by today\'s figures and changes no priority', () => {
    const { plan: p } = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed(), group({ priority: 100, offset: 900 }, { priority: 100, offset: 1000 }));
    // Both at priority 100: either may be picked (Sentinel ranks by offsets up to 10 s old, then run id), so both must catch up.
    expect(p.steps.map((s) => `${s.node} ${s.command}`)).toEqual([
      `${M} CLIENT PAUSE 10000 WRITE`,
      `${A} INFO replication`,
      `${B} INFO replication`,
      `${S1} SENTINEL FAILOVER cache`,
      `${M} REPLICAOF <the new master>`,
      `${M} CLIENT UNPAUSE`,
      `${M} INFO replication`,
    ]);
    expect(check(p, 'SENTINEL_STEER').message).toContain(`By today's figures that is ${B}`);
    expect(check(p, 'OLD_MASTER_STAYS')).toMatchObject({ verdict: 'ok', message: expect.stringContaining(`${M} answers: its writes wait (CLIENT PAUSE WRITE, at most 10000 ms) from just before SENTINEL FAILOVER`) });
    // The catch-up waits end well within down-after-milliseconds: paused, the master stops answering its Sentinels' PING.
    const quick = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed([reply(S1, { downAfterMs: 1000 })]), group()).ops;
    expect(quick.filter((o) => o.kind === 'wait-caught-up').map((o) => (o.kind === 'wait-caught-up' ? o.withinMs : null))).toEqual([500, 500]);
  });

  it('without a write pause (declined, or a master before 6.2) the old master is still made a replica at once, and what it may lose is said', () => {
    const declined = plan({ kind: 'sentinel-failover', masterName: 'cache', options: { skipWritePause: true } }, managed()).plan;
    expect(declined.steps.map((s) => s.command)).toEqual(['SENTINEL FAILOVER cache', 'REPLICAOF <the new master>', 'INFO replication']);
    expect(check(declined, 'OLD_MASTER_STAYS')).toMatchObject({ verdict: 'warning', message: expect.stringMatching(/no write pause was asked for.*is lost at its resync/) });
    // A master the Sentinel does not name (SENTINEL_DISAGREES overridden): neither held nor re-pointed; its writes are not the plan's to wipe.
    const foreign = plan({ kind: 'sentinel-failover', master: M, masterName: 'cache' }, managed([reply(S1, { masterAddress: A })])).plan;
    expect(foreign.steps.map((s) => s.command)).not.toContain('REPLICAOF <the new master>');
    expect(foreign.steps.map((s) => s.command)).not.toContain('CLIENT PAUSE 10000 WRITE');
    expect(check(foreign, 'OLD_MASTER_STAYS').message).toContain(`names ${A} as the master of "cache"`);
  });

  it('refuses with no Sentinel, none answering, a Sentinel failover in progress, or a preferred node that cannot win', () => {
    expect(check(plan({ kind: 'sentinel-failover', master: M }, null).plan, 'SENTINEL_UNREACHABLE').verdict).toBe('refused');
    const silent = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed([reply(S1, { error: 'connection refused' })])).plan;
    expect(check(silent, 'SENTINEL_UNREACHABLE')).toMatchObject({ verdict: 'refused', message: expect.stringContaining(`${S1}: connection refused`) });
    const busy = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed([reply(S1, { flags: ['master', 'failover_in_progress'] })])).plan;
    expect(check(busy, 'FAILOVER_RUNNING')).toMatchObject({ verdict: 'refused', overridable: false });
    expect(busy.canRun).toBe(false);
    expect(check(plan({ kind: 'sentinel-failover', prefer: M }).plan, 'NOT_A_REPLICA').verdict).toBe('refused');
    const unlisted = managed([reply(S1, { replicas: [{ address: A, flags: ['slave'], priority: 100, offset: 1000 }] })]);
    expect(check(plan({ kind: 'sentinel-failover', prefer: B }, unlisted).plan, 'NOT_LISTED').message).toContain(`does not list ${B}`);
    const down = managed([reply(S1, { replicas: [{ address: B, flags: ['slave', 's_down'], priority: 100, offset: 1000 }] })]);
    expect(check(plan({ kind: 'sentinel-failover', prefer: B }, down).plan, 'NOT_LISTED').message).toContain('s_down');
  });

  it('warns overridably on no quorum, priority 0 and a preferred replica behind another', () => {
    const noQuorum = managed([reply(S1, { ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' } })]);
    expect(check(plan({ kind: 'sentinel-failover', prefer: B }, noQuorum).plan, 'SENTINEL_NO_QUORUM')).toMatchObject({ verdict: 'warning', overridable: true });
    const zero = plan({ kind: 'sentinel-failover', prefer: B }, managed(), group({}, { priority: 0 })).plan;
    expect(check(zero, 'PRIORITY_ZERO')).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining('puts 0 back afterwards') });
    expect(zero.steps[0]?.command).toBe('CONFIG SET replica-priority 1');
    // Without the write hold, what it lacks is lost: an overridable warning.
    const behind = plan({ kind: 'sentinel-failover', prefer: B, options: { skipWritePause: true } }, managed(), group({ offset: 1000 }, { offset: 900 })).plan;
    expect(check(behind, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'warning', overridable: true, message: expect.stringContaining('100 bytes behind') });
    expect(behind.lostBytes).toEqual([{ node: B, bytes: 100, note: expect.stringContaining(A) }]);
    // With it (the default), it catches up while writes wait: a write load's few bytes need no override (red in CI before).
    const held = plan({ kind: 'sentinel-failover', prefer: B }, managed(), group({ offset: 1000 }, { offset: 900 })).plan;
    expect(check(held, 'REPLICA_BEHIND')).toMatchObject({ verdict: 'ok', message: expect.stringContaining('it catches up while the old master\'s writes are held') });
    expect(held.lostBytes).toEqual([]);
    expect(held.needsOverride).not.toContain('REPLICA_BEHIND');
    expect(held.steps.map((s) => s.command)).toContain('INFO replication');
  });
});

describe('Execution of a sentinel-failover', () => {
  function setUp(hook?: (fake: FakeNodeCommands) => void): { fake: FakeNodeCommands; timeline: string[]; execution: Execution; planned: PlannedAction; progress: StepProgress[] } {
    const planned = plan({ kind: 'sentinel-failover', masterName: 'cache', prefer: B }, managed([reply(S1)]), group({ priority: 1 }, { priority: 80 }));
    const timeline: string[] = [];
    const fake = FakeNodeCommands.group(M, [A, B], 1000, timeline).sentinel(S1, 'cache', M);
    fake.node(A).config['replica-priority'] = '1';
    fake.node(B).config['replica-priority'] = '80';
    hook?.(fake);
    const progress: StepProgress[] = [];
    const execution = new Execution(fake, planned, { pollMs: 2, stepTimeoutMs: 500, journal: new RecordingJournal(timeline), onProgress: (p) => progress.push(p) });
    return { fake, timeline, execution, planned, progress };
  }
  /** The progress lines of the step that waits for the Sentinel to read the new priorities. */
  const waitLines = (planned: PlannedAction, progress: StepProgress[]): string[] => {
    const id = planned.plan.steps.find((st) => st.command === 'SENTINEL REPLICAS cache')?.id;
    return progress.filter((p) => p.stepId === id && p.status === 'running').map((p) => p.message);
  };
  const changes = (timeline: string[]): string[] => timeline.filter((l) => /CONFIG SET|CONFIG REWRITE|SENTINEL FAILOVER|journal undo/.test(l));

  it('journals each original priority before the change, fails over to the preferred replica, and restores them', async () => {
    const { fake, timeline, execution } = setUp();
    const report = await execution.run();
    expect(report.status, JSON.stringify(report.steps.map((s) => s.message))).toBe('ok');
    expect(changes(timeline)).toEqual([
      `journal undo restore-config ${B} replica-priority 80`,
      `${B} CONFIG SET replica-priority 1`,
      `journal undo restore-config ${A} replica-priority 1`,
      `${A} CONFIG SET replica-priority 2`,
      `journal undo pause-ends ${M}`,
      `${S1} SENTINEL FAILOVER cache`,
      `${B} CONFIG SET replica-priority 80`,
      `${B} CONFIG REWRITE`,
      `${A} CONFIG SET replica-priority 1`,
      `${A} CONFIG REWRITE`,
    ]);
    expect(report.steps.filter((s) => s.command === 'CONFIG REWRITE').map((s) => s.message)).toEqual([
      "/etc/redis/redis.conf says replica-priority 80 again (Sentinel's CONFIG REWRITE had written 1 there when it promoted 10.0.0.3:6379)",
      "/etc/redis/redis.conf says replica-priority 1 again (Sentinel's CONFIG REWRITE had written 2 there when it re-pointed 10.0.0.2:6379)",
    ]);
    expect(report.notes).toEqual([]);
    expect(fake.node(B).role).toBe('master');
    expect(fake.node(M)).toMatchObject({ role: 'replica', master: B });
    expect(report.handedOver).toBe(true);
  });

  it('puts the priorities back when SENTINEL FAILOVER fails, and skips only the verification', async () => {
    const { fake, timeline, execution } = setUp((f) => f.on('SENTINEL FAILOVER', () => Promise.reject(new Error('INPROG Failover already in progress'))));
    const report = await execution.run();
    expect(report.status).toBe('failed');
    // Nothing promoted: the old master is not demoted, and its held writes are released (clean-up).
    expect(report.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'failed', 'skipped', 'skipped', 'skipped', 'ok', 'skipped', 'ok', 'skipped']);
    expect(changes(timeline).slice(-2)).toEqual([`${B} CONFIG SET replica-priority 80`, `${A} CONFIG SET replica-priority 1`]);
    // Sentinel re-pointed no one, so it rewrote no config file: nothing of the node's runtime state is persisted by the plan.
    expect(report.steps.filter((s) => s.command === 'CONFIG REWRITE').map((s) => s.message)).toEqual([
      `not needed: ${B} still replicates from ${M}, so Sentinel did not rewrite /etc/redis/redis.conf: it holds what it held before the plan`,
      `not needed: ${A} still replicates from ${M}, so Sentinel did not rewrite /etc/redis/redis.conf: it holds what it held before the plan`,
    ]);
    expect(fake.node(M).role).toBe('master');
    expect(report.cleanup.join(' ')).toContain(`CLIENT UNPAUSE on ${M}`);
    expect(report.handedOver).toBe(false);
  });

  it('with the master up, NOGOODSLAVE is Sentinel\'s answer: asked once, the held writes not held longer, the priorities put back', async () => {
    let asked = 0;
    const { fake, timeline, execution } = setUp((f) =>
      f.on('SENTINEL FAILOVER', () => {
        asked++;
        return Promise.reject(new Error('NOGOODSLAVE No suitable replica to promote'));
      }),
    );
    const report = await execution.run();
    expect(report.status).toBe('failed');
    expect(asked).toBe(1);
    expect(report.failure?.message).toMatch(/NOGOODSLAVE/);
    expect(changes(timeline).filter((l) => l.includes('pause-ends'))).toHaveLength(1);
    expect(fake.node(M).role).toBe('master');
    expect(report.cleanup.join(' ')).toContain(`CLIENT UNPAUSE on ${M}`);
  });

  it('fails, and still restores, when Sentinel picks another replica than the preferred one', async () => {
    // Someone lowers A's priority between the steer and the failover: Sentinel takes A.
    const { fake, execution } = setUp((f) => f.on('SENTINEL FAILOVER', () => void (f.node(A).config['replica-priority'] = '1')));
    const report = await execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toContain(`Sentinel chose ${A}, not ${B}`);
    expect(fake.node(A).role).toBe('master');
    // Sentinel's pick is the master all the same: the old master is made its replica (not left taking writes until Sentinel looks).
    expect(fake.node(M)).toMatchObject({ role: 'replica', master: A });
    expect([fake.node(A).config['replica-priority'], fake.node(B).config['replica-priority']]).toEqual(['1', '80']);
  });

  it("holds the old master's writes until it is demoted, pausing it again while the Sentinels take longer than the pause", async () => {
    const planned = plan({ kind: 'sentinel-failover', masterName: 'cache', options: { stepTimeoutMs: 1500 } }, managed([reply(S1)]), group());
    const timeline: string[] = [];
    const fake = FakeNodeCommands.group(M, [A, B], 1000, timeline).sentinel(S1, 'cache', M);
    let asked = 0;
    // The Sentinel names the new master only after the first pause (1.5 s) would have run out.
    fake.on('SENTINEL GET-MASTER-ADDR-BY-NAME', async () => {
      if (asked++ === 0) await new Promise((resolve) => setTimeout(resolve, 1200));
    });
    const report = await new Execution(fake, planned, { pollMs: 2, stepTimeoutMs: 1500, journal: new RecordingJournal(timeline), onProgress: () => undefined }).run();
    expect(report.status, JSON.stringify(report.steps.map((st) => st.message))).toBe('ok');
    const pauses = timeline.filter((l) => l.startsWith(`${M} CLIENT PAUSE`));
    expect(pauses.length).toBeGreaterThanOrEqual(2);
    // Each pause journaled before it is sent, as the first one is.
    expect(timeline.filter((l) => l === `journal undo pause-ends ${M}`).length).toBe(pauses.length);
    expect(timeline.findLastIndex((l) => l.startsWith(`${M} CLIENT PAUSE`))).toBeLessThan(timeline.indexOf(`${M} CLIENT UNPAUSE`));
  });

  it('keeps the writes held when SENTINEL FAILOVER was accepted but no new master was reported in time: Sentinel may still promote', async () => {
    const planned = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed([reply(S1)]), group());
    // Accepted, and no new master reported in time (Sentinel still electing, or stuck).
    const accepted = FakeNodeCommands.group(M, [A, B], 1000, []).sentinel(S1, 'cache', M);
    accepted.sentinelFailover = async () => undefined;
    const report = await new Execution(accepted, planned, { pollMs: 2, stepTimeoutMs: 100, sentinelFailoverWaitMs: 100, onProgress: () => undefined }).run();
    expect(report.status).toBe('failed');
    expect(report.cleanup.join(' ')).toMatch(new RegExp(`Writes on ${M.replace(/\./g, '\\.')} stay held ON PURPOSE: SENTINEL FAILOVER was accepted`));
    expect(accepted.node(M).pausedUntil).not.toBeNull();
  });

  it('a replica Sentinel may pick that does not catch up stops the plan before SENTINEL FAILOVER, within down-after-milliseconds, and the writes are released', async () => {
    const planned = plan({ kind: 'sentinel-failover', masterName: 'cache' }, managed([reply(S1, { downAfterMs: 200 })]), group());
    const timeline: string[] = [];
    const fake = FakeNodeCommands.group(M, [A, B], 1000, timeline).sentinel(S1, 'cache', M);
    fake.node(M).offset = 2000;
    fake.node(A).follows = false;
    const started = Date.now();
    const report = await new Execution(fake, planned, { pollMs: 2, stepTimeoutMs: 5000, journal: new RecordingJournal(timeline), onProgress: () => undefined }).run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toContain(`${A} did not catch up in time`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(timeline.some((l) => l.includes('SENTINEL FAILOVER'))).toBe(false);
    expect(report.cleanup.join(' ')).toContain(`CLIENT UNPAUSE on ${M}`);
  });

  it('skips a restore whose change was never sent', async () => {
    const { fake, execution } = setUp((f) => f.on('CONFIG SET', () => Promise.reject(new Error('ERR CONFIG SET failed'))));
    const report = await execution.run();
    expect(report.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'failed', 'skipped', 'skipped', 'skipped']);
    expect(fake.node(M).role).toBe('master');
  });

  it('a CONFIG REWRITE the server refuses leaves the failover done, and says what the config file still holds and what to run', async () => {
    const { fake, timeline, execution } = setUp((f) =>
      // As NodeCommands reports a server's error reply.
      f.on('CONFIG REWRITE', (address) => (address === A ? Promise.reject(classifyError(new Error('ERR Rewriting config file: Permission denied'), A)) : Promise.resolve())),
    );
    const report = await execution.run();
    expect(report.status).toBe('ok');
    expect(report.failure).toBeNull();
    expect(fake.node(B).role).toBe('master');
    const rewrites = report.steps.filter((s) => s.command === 'CONFIG REWRITE');
    expect(rewrites.map((s) => [s.node, s.status])).toEqual([
      [B, 'ok'],
      [A, 'failed'],
    ]);
    const said =
      `CONFIG REWRITE failed on ${A} (${A}: ERR Rewriting config file: Permission denied): its replica-priority is 1 again, but /etc/redis/redis.conf still says replica-priority 2, ` +
      `as Sentinel's own CONFIG REWRITE wrote it when it re-pointed ${A} (unless that one failed too), and a restart brings 2 back, which steers Sentinel's next pick. ` +
      `Fix what stops the rewrite (the server must be able to write /etc/redis/redis.conf and its directory), then run CONFIG REWRITE on ${A}; or change that line to "replica-priority 1" by hand`;
    expect(rewrites[1]?.message).toBe(said);
    expect(report.notes).toEqual([`${said}.`]);
    expect(changes(timeline).at(-1)).toBe(`${A} CONFIG REWRITE`);
  });

  it('the wait for the new priorities names the replicas still at the old one, and says when none is (never "of none")', async () => {
    let reads = 0;
    const { planned, progress, execution } = setUp((f) => {
      const real = f.sentinelReplicas.bind(f);
      // Its first read is from before the steer: both at their old priority.
      f.sentinelReplicas = async (address, name) => (await real(address, name)).map((r) => (reads++ < 2 ? { ...r, 'slave-priority': r.port === '6379' && r.ip === '10.0.0.3' ? '80' : '1' } : r));
    });
    const report = await execution.run();
    expect(report.status, JSON.stringify(report.steps.map((st) => st.message))).toBe('ok');
    const lines = waitLines(planned, progress);
    expect(lines).toContain(`${S1} still has the old priority of ${B}, ${A}`);
    expect(lines.at(-1)).toBe(`${S1} reports the new priorities`);
    expect(lines.join('\n')).not.toMatch(/of none|of null|of undefined/);
  });

  it('says each state of the wait in words: replicas at the old priority, none left, the Sentinel silent, the master down', () => {
    const steady = { kind: 'steady' } as const;
    expect(prioritiesProgress(S1, [B], null, steady, M)).toBe(`${S1} still has the old priority of ${B}`);
    expect(prioritiesProgress(S1, [], null, steady, M)).toBe(`${S1} reports the new priorities`);
    expect(prioritiesProgress(S1, null, `${S1} did not answer within 800 ms`, steady, M)).toBe(`${S1} does not answer SENTINEL REPLICAS (${S1} did not answer within 800 ms): waiting for it to read the new priorities`);
    const looks: SentinelLook[] = [
      { sentinel: S1, master: M, flags: ['master', 's_down', 'o_down'], error: null },
      { sentinel: S2, master: null, flags: null, error: `${S2} did not answer within 800 ms` },
      { sentinel: S3, master: M, flags: ['master'], error: null },
    ];
    const down = groupState(looks, M);
    expect(down).toEqual({ kind: 'down', down: [looks[0]] });
    expect(prioritiesProgress(S1, [B], null, down, M)).toBe(
      `${M} is down for the Sentinels (${S1}: s_down, o_down): they fail it over on their own once enough of them agree; waiting for what they do (SENTINEL FAILOVER is not sent meanwhile)`,
    );
    if (down.kind !== 'down') throw new Error('not down');
    expect(stillDownText(down, M, 'cache', 25_000, looks)).toContain(
      `${M} is down for the Sentinels (${S1}: s_down, o_down), and after 25 s they had not failed it over (${S1} names ${M}, ${S2} did not answer within 800 ms, ${S3} names ${M}): SENTINEL FAILOVER was not sent. `,
    );
    expect(groupState([{ ...looks[0]!, master: B }, looks[1]!, looks[2]!], M)).toEqual({ kind: 'switched', master: B });
  });

  it('Sentinel failing over on its own while the priorities wait (its master down): the plan ends at once, says so, sends no SENTINEL FAILOVER, and puts the priorities back', async () => {
    let asked = 0;
    const { fake, timeline, execution, planned, progress } = setUp((f) => {
      // The Sentinel asked never reads the steer (stalled, or it lists the new master's replicas by then).
      f.on('SENTINEL REPLICAS', () => Promise.reject(new Error(`${S1} did not answer within 800 ms`)));
      const real = f.sentinelMaster.bind(f);
      f.sentinelMaster = async (address, name) => {
        const view = await real(address, name);
        if (++asked === 2) {
          // The master dies; the Sentinels promote B on their own.
          f.on('INFO', (a) => (a === M ? Promise.reject(new Error(`${M}: connection refused`)) : undefined));
          Object.assign(f.node(B), { role: 'master', master: null });
          Object.assign(f.node(A), { master: B });
          for (const sn of f.sentinels.values()) sn.master = B;
        }
        return { ...view, flags: asked === 1 ? 'master,s_down,o_down' : 'master' };
      };
    });
    const started = Date.now();
    const report = await execution.run();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.status).toBe('failed');
    expect(waitLines(planned, progress)[1]).toContain(`${M} is down for the Sentinels (${S1}: s_down, o_down)`);
    expect(report.failure?.message).toContain(`Sentinel failed "cache" over on its own to ${B}, the replica this plan preferred (${S1} names ${B}; ${B} reports role master)`);
    expect(report.failure?.message).toContain(`the console did not send SENTINEL FAILOVER`);
    expect(report.failure?.message).toContain(`${M} does not answer: Sentinel makes it a replica of ${B} when it is back`);
    expect(report.failure?.message).not.toMatch(/in time/);
    expect(timeline.some((l) => l.includes('SENTINEL FAILOVER'))).toBe(false);
    expect(report.sentinelOnItsOwn).toMatchObject({ masterName: 'cache', master: B, prefer: B, toPreferred: true, oldMaster: M });
    // The steps it never reached say why: Sentinel's doing, not a failure of the plan's.
    const skipped = report.steps.filter((s) => s.status === 'skipped').map((s) => s.message);
    expect(skipped.length).toBeGreaterThan(0);
    expect(new Set(skipped)).toEqual(new Set(['skipped: the plan stopped (Sentinel failed over on its own)']));
    // Its end, as reported live, says what stopped it (the CLI's line for it is ■, not ✗).
    expect(progress.filter((p) => p.status === 'failed').map((p) => [p.stepId, p.stoppedBy])).toEqual([[report.sentinelOnItsOwn?.stepId, 'sentinel']]);
    expect([fake.node(A).config['replica-priority'], fake.node(B).config['replica-priority']]).toEqual(['1', '80']);
    // The old master is not sent a REPLICAOF: it does not answer, and Sentinel converts it when it is back.
    expect(fake.sent(M).filter((l) => l.includes('REPLICAOF'))).toEqual([]);
    const advice = nextSteps(planned, report, [], null);
    expect(advice[0]).toBe(`Sentinel failed "cache" over on its own to ${B}, the replica this plan preferred (${S1} names ${B}), while the plan waited before SENTINEL FAILOVER: the console did not send SENTINEL FAILOVER.`);
    expect(advice[1]).toBe(`The replica priorities the plan changed to steer Sentinel are back: CONFIG SET replica-priority 80 on ${B}, CONFIG SET replica-priority 1 on ${A}.`);
    expect(advice.join(' ')).toContain(`makes ${M} a replica of ${B} once it sees it as a master again (+convert-to-slave). Do not re-point nodes by hand`);
    expect(advice.join(' ')).not.toMatch(/in time|--prefer/);
  });

  it('Sentinel failing over on its own to another replica than the preferred one: said so, the preferred one named for a next run; an old master still up is made a replica of the new one', async () => {
    const { fake, execution, planned } = setUp((f) => {
      f.on('SENTINEL REPLICAS', () => {
        // Another console's SENTINEL FAILOVER, or the Sentinels' own on a master they cannot reach: A promoted, M still up.
        Object.assign(f.node(A), { role: 'master', master: null });
        Object.assign(f.node(B), { master: A });
        for (const sn of f.sentinels.values()) sn.master = A;
      });
    });
    const report = await execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toContain(`Sentinel failed "cache" over on its own to ${A}, not ${B}, the replica this plan preferred`);
    expect(report.sentinelOnItsOwn).toMatchObject({ masterName: 'cache', master: A, prefer: B, toPreferred: false, oldMaster: M });
    expect(report.failure?.message).toContain(`${M} still answers as a master: the plan makes it a replica of ${A} next`);
    expect(fake.node(M)).toMatchObject({ role: 'replica', master: A });
    const advice = nextSteps(planned, report, [], null).join(' ');
    expect(advice).toContain(`${M} replicates from it already`);
    expect(advice).toContain(`To make ${B} the master, run sentinel-failover --master-name cache --prefer ${B} once the Sentinels list it as a replica of ${A}.`);
  });
});
