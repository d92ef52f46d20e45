// The plan journal (journal.ts) and what recovery.ts makes of it: records on disk before the
// first command, a torn line tolerated and reported, which plans count as interrupted, and the
// report's commands for a fenced master, a FAILOVER that left replicas behind, and a pause.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalStore, PlanJournal, originalValues, readJournal, type JournaledPlan, type StartedRecord } from '../../electron/engine/actions/journal';
import { FENCE_REPLICAS, type StepOp } from '../../electron/engine/actions/operations';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import { assess, readPlanNodes, recoveryWarnings, reportText, type NodeNow, type NodeReader } from '../../electron/engine/actions/recovery';
import type { StepResult } from '../../electron/shared/actions';
import type { NodeState, TopologySnapshot } from '../../electron/shared/types';
import { nodeState } from '../helpers/node-state';

const M = '127.0.0.1:7000';
const T = '127.0.0.1:7001';
const S = '127.0.0.1:7002';
const WHO = { user: 'ann', host: os.hostname(), interface: 'cli' as const };

const fenceOps: StepOp[] = [
  { kind: 'set-config', node: M, parameter: 'min-replicas-to-write', value: String(FENCE_REPLICAS), fence: 'on' },
  { kind: 'wait-caught-up', node: T, master: M },
  { kind: 'promote', node: T },
  { kind: 'replicaof', node: M, host: '127.0.0.1', port: 7001, master: T },
  { kind: 'set-config', node: M, parameter: 'min-replicas-to-write', value: '0', fence: 'off' },
  { kind: 'replicaof', node: S, host: '127.0.0.1', port: 7001, master: T },
];
const failoverOps: StepOp[] = [
  { kind: 'failover', node: M, target: T, host: '127.0.0.1', port: 7001, timeoutMs: 5000, force: false } as StepOp,
  { kind: 'replicaof', node: S, host: '127.0.0.1', port: 7001, master: T },
];
const pauseOps: StepOp[] = [
  { kind: 'pause-writes', node: M, ms: 10_000 },
  { kind: 'wait-caught-up', node: T, master: M },
  { kind: 'promote', node: T },
  { kind: 'replicaof', node: M, host: '127.0.0.1', port: 7001, master: T },
  { kind: 'unpause-writes', node: M },
];

function planned(id: string, ops: StepOp[]): PlannedAction {
  return {
    plan: {
      id,
      request: { kind: 'switchover', to: T },
      createdAt: 0,
      expiresAt: 1,
      summary: `Switch over from ${M} to ${T}`,
      steps: ops.map((op, i) => ({ id: `s${i + 1}`, node: op.node, command: `${op.kind} ${i + 1}`, purpose: '', destructive: false, verify: '' })),
      checks: [],
      predictions: [],
      lostBytes: [],
      canRun: true,
      needsOverride: [],
      confirmAddress: null,
      nodes: [M, T, S],
    },
    ops,
    expected: [
      { address: T, role: 'master', master: null },
      { address: M, role: 'replica', master: T },
      { address: S, role: 'replica', master: T },
    ],
    before: [
      { address: M, role: 'master', master: null },
      { address: T, role: 'replica', master: M },
      { address: S, role: 'replica', master: M },
    ],
    sentinel: null,
  };
}

function step(p: PlannedAction, index: number, status: StepResult['status'], message = ''): StepResult {
  const s = p.plan.steps[index];
  if (!s) throw new Error(`no step ${index}`);
  return { ...s, status, startedAt: 1, finishedAt: status === 'running' ? null : 2, message };
}

function node(address: string, role: 'master' | 'replica', master: string | null, settings: Record<string, string | null> = {}): NodeNow {
  return { address, reachable: true, role, master, linkStatus: master ? 'up' : null, error: null, settings };
}

/** A pid no process has: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** Rewrite a journal's started record as if another process had written it. */
async function ownedBy(file: string, pid: number, host = os.hostname()): Promise<void> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const started = JSON.parse(lines[0] ?? '{}') as StartedRecord;
  lines[0] = JSON.stringify({ ...started, pid, host });
  await writeFile(file, lines.join('\n'));
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('plan journal', () => {
  it('writes the started record (steps, before/after, original values) first, then steps, undos and the end', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rc-journal-'));
    const p = planned('plan-a', fenceOps);
    const journal = await PlanJournal.begin(dir, p, WHO, ['hunter2']);
    const first = (await readFile(journal.file, 'utf8')).split('\n').filter(Boolean);
    expect(first).toHaveLength(1);
    expect(JSON.parse(first[0] ?? '{}')).toMatchObject({
      type: 'started',
      planId: 'plan-a',
      pid: process.pid,
      before: p.before,
      expected: p.expected,
      steps: [{ id: 's1', node: M }, { id: 's2' }, { id: 's3' }, { id: 's4' }, { id: 's5' }, { id: 's6' }],
      original: [{ node: M, parameter: 'min-replicas-to-write', value: '0' }],
    });
    await journal.undo({ kind: 'restore-config', node: M, parameter: 'min-replicas-to-write', value: '0' });
    await journal.step(0, step(p, 0, 'running'));
    await journal.step(0, step(p, 0, 'ok', 'fence on; password hunter2 never shows'));
    const read = await readJournal(journal.file);
    if (read.started === null) throw new Error('no started record');
    expect(read.steps.get(0)).toMatchObject({ status: 'ok', message: 'fence on; password *** never shows' });
    expect(read.stepStarts.has(0)).toBe(true);
    expect(read.undos).toEqual([{ kind: 'restore-config', node: M, parameter: 'min-replicas-to-write', value: '0' }]);
    // Running in this process: busy, not interrupted.
    const store = new JournalStore(dir);
    expect((await store.interrupted()).plans).toEqual([]);
    await journal.finish('ok', null);
    // A normal end settles it: moved out of the active directory, still kept as a trace.
    expect((await readdir(store.dir)).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
    expect(await readdir(path.join(store.dir, 'done'))).toEqual(['plan-a.jsonl']);
    expect((await store.interrupted()).plans).toEqual([]);
  });

  it('takes a parameter a plan sets twice on one node as restored by the second set', () => {
    expect(originalValues(fenceOps)).toEqual([{ node: M, parameter: 'min-replicas-to-write', value: '0' }]);
    expect(originalValues(pauseOps)).toEqual([]);
  });

  it('lists a plan whose process died, or that a shutdown cut short, but not one a live process runs', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rc-journal-'));
    const dead = await PlanJournal.begin(dir, planned('plan-dead', fenceOps), WHO, []);
    await dead.step(0, step(planned('plan-dead', fenceOps), 0, 'running'));
    await ownedBy(dead.file, deadPid());
    const live = await PlanJournal.begin(dir, planned('plan-live', fenceOps), WHO, []);
    await ownedBy(live.file, process.ppid);
    const cut = await PlanJournal.begin(dir, planned('plan-cut', fenceOps), WHO, []);
    await cut.finish('aborted', 'SIGINT received');
    const store = new JournalStore(dir);
    const { plans } = await store.interrupted();
    expect(plans.map((p) => p.started.planId).sort()).toEqual(['plan-cut', 'plan-dead']);
    expect(plans.find((p) => p.started.planId === 'plan-cut')?.finished).toMatchObject({ status: 'aborted', interrupted: 'SIGINT received' });
    // Another host's pid says nothing about this machine: treated as interrupted.
    await ownedBy(live.file, process.ppid, 'some-other-host');
    expect((await store.interrupted()).plans.map((p) => p.started.planId)).toContain('plan-live');
    expect(await store.close('plan-dead', 'dismissed by the operator')).toBe(true);
    expect(await store.close('no-such-plan', 'x')).toBe(false);
    expect(await store.close('../../etc/passwd', 'x')).toBe(false);
    expect((await store.interrupted()).plans.map((p) => p.started.planId).sort()).toEqual(['plan-cut', 'plan-live']);
  });

  it('tolerates a torn last record and reports it; the next record starts on a fresh line', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rc-journal-'));
    const p = planned('plan-torn', fenceOps);
    const journal = await PlanJournal.begin(dir, p, WHO, []);
    await journal.step(0, step(p, 0, 'running'));
    await writeFile(journal.file, '{"type":"step","at":1,"ind', { flag: 'a' });
    await journal.step(0, step(p, 0, 'ok'));
    await ownedBy(journal.file, deadPid());
    const read = await readJournal(journal.file);
    if (read.started === null) throw new Error('no started record');
    expect(read.unreadable).toEqual([{ line: 3, excerpt: '{"type":"step","at":1,"ind' }]);
    expect(read.steps.get(0)?.status).toBe('ok');
    // A file cut before its started record was complete is reported, not skipped.
    await writeFile(path.join(dir, 'journal', 'plan-cut-early.jsonl'), '{"type":"started","v":1,"plan');
    const { broken } = await new JournalStore(dir).interrupted();
    expect(broken).toEqual([{ file: path.join(dir, 'journal', 'plan-cut-early.jsonl'), unreadable: [{ line: 1, excerpt: '{"type":"started","v":1,"plan' }] }]);
  });
});

/** A journal as read back, with steps 0..n-1 ok and step n running (the console died there). */
function diedAt(p: PlannedAction, running: number, at = 1000): JournaledPlan {
  const started: StartedRecord = {
    type: 'started',
    v: 1,
    planId: p.plan.id,
    at,
    pid: 1,
    host: 'box',
    user: 'ann',
    interface: 'cli',
    summary: p.plan.summary,
    request: p.plan.request,
    nodes: p.plan.nodes,
    before: p.before,
    expected: p.expected,
    steps: p.plan.steps.map((s) => ({ id: s.id, node: s.node, command: s.command })),
    ops: p.ops,
    original: originalValues(p.ops),
  };
  const steps = new Map(
    p.plan.steps.slice(0, running + 1).map((s, i) => [i, { type: 'step' as const, at: at + i, index: i, id: s.id, status: i < running ? ('ok' as const) : ('running' as const), message: '' }]),
  );
  const stepStarts = new Map(p.plan.steps.slice(0, running + 1).map((_, i) => [i, at + i]));
  return { file: 'x', started, steps, stepStarts, undos: [], finished: null, unreadable: [] };
}

describe('interrupted plan report', () => {
  const fence = { 'min-replicas-to-write': String(FENCE_REPLICAS) };

  it('a fence switchover killed while waiting: FENCED_MASTER with the journaled value, and the roll back restores it', () => {
    const p = planned('plan-fence', fenceOps);
    const report = assess(diedAt(p, 1), new Map([
      [M, node(M, 'master', null, fence)],
      [T, node(T, 'replica', M)],
      [S, node(S, 'replica', M)],
    ]), 5000);
    expect(report.direction).toBe('roll back');
    expect(report.settled).toBe(false);
    expect(report.fenced).toEqual([{ node: M, value: String(FENCE_REPLICAS), original: '0' }]);
    expect(report.commands).toEqual([{ node: M, command: 'CONFIG SET min-replicas-to-write 0', why: expect.stringContaining('its value before the plan') }]);
    expect(report.ran[0]).toMatch(/1\. .* ok/);
    expect(report.ran[1]).toMatch(/started, no end recorded/);
    expect(report.ran[2]).toMatch(/not started/);
    const warnings = recoveryWarnings([report]);
    expect(warnings.map((w) => w.code)).toEqual(['INTERRUPTED_PLAN', 'FENCED_MASTER']);
    expect(warnings[1]?.message).toContain('CONFIG SET min-replicas-to-write 0');
    expect(warnings[1]?.message).not.toMatch(/restores? .*2147483647/);
    expect(reportText(report).join('\n')).toContain(`on ${M}: CONFIG SET min-replicas-to-write 0`);
    expect(reportText(report)).toContain(`FENCED_MASTER ${M}: min-replicas-to-write is ${FENCE_REPLICAS}, the write fence, so every write is refused; its value before the plan was 0.`);
  });

  it('a fence that cannot be read (CONFIG GET refused) keeps the report open with the restore to run, unless the plan put it back itself', () => {
    const p = planned('plan-fence-unread', fenceOps);
    const unread: NodeNow = { ...node(M, 'master', null, { 'min-replicas-to-write': null }), settingErrors: { 'min-replicas-to-write': 'NOPERM this user has no permissions to run the config|get command' } };
    const nodes = new Map([
      [M, unread],
      [T, node(T, 'replica', M)],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 1), nodes, 5000);
    expect(report.settled).toBe(false);
    expect(report.commands).toEqual([
      {
        node: M,
        command: 'CONFIG SET min-replicas-to-write 0',
        why: expect.stringContaining(`min-replicas-to-write cannot be read now (NOPERM this user has no permissions to run the config|get command) and the plan may have left it at ${FENCE_REPLICAS} (the write fence: every write refused)`),
      },
    ]);
    // The plan's own release ran to the end: nothing of it is left to put back.
    const after = assess(diedAt(p, 5), new Map([
      [M, { ...unread, role: 'replica', master: T, linkStatus: 'up' }],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', T)],
    ]), 5000);
    expect(after.commands).toEqual([]);
    expect(after.settled).toBe(true);
  });

  it('a fence switchover killed after the promotion: the old master follows first, then its fence goes, then the sibling', () => {
    const p = planned('plan-fence-2', fenceOps);
    const report = assess(diedAt(p, 3), new Map([
      [M, node(M, 'master', null, fence)],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', M)],
    ]), 5000);
    expect(report.direction).toBe('finish');
    expect(report.commands.map((c) => `${c.node} ${c.command}`)).toEqual([
      `${M} REPLICAOF 127.0.0.1 7001`,
      `${S} REPLICAOF 127.0.0.1 7001`,
      `${M} CONFIG SET min-replicas-to-write 0`,
    ]);
  });

  it('a FAILOVER killed after the hand-over: re-point the replica it left under the old master', () => {
    const p = planned('plan-failover', failoverOps);
    const report = assess(diedAt(p, 0), new Map([
      [M, node(M, 'replica', T)],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', M)],
    ]), 5000);
    expect(report).toMatchObject({ direction: 'finish', settled: false, fenced: [] });
    expect(report.commands).toEqual([{ node: S, command: 'REPLICAOF 127.0.0.1 7001', why: expect.any(String) }]);
  });

  it('a FAILOVER killed while it still runs: nothing is moved (Redis refuses REPLICAOF meanwhile), and the note says what ends it', () => {
    const p = planned('plan-handing', failoverOps);
    // The target stalled after FAILOVER was accepted: the old master is its replica already, its writes held.
    const handing = new Map([
      [M, { ...node(M, 'replica', T), linkStatus: 'down' as const, failoverState: 'failover-in-progress' }],
      [T, { address: T, reachable: false, role: 'unknown' as const, master: null, linkStatus: null, error: 'no answer', settings: {} }],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 0), handing, 5000);
    // Before: "To roll back: on M: REPLICAOF NO ONE", which Redis answers "ERR REPLICAOF not allowed while failing over".
    expect(report).toMatchObject({ direction: 'finish', settled: false, commands: [] });
    expect(report.now[0]).toBe(`${M}: replica of ${T}, link down, in a FAILOVER (failover-in-progress: its writes held)`);
    expect(report.note).toContain(`${M} is handing over to ${T} (master_failover_state failover-in-progress)`);
    expect(report.note).toContain(`FAILOVER ABORT on ${M} makes it the master again, but check first that ${T} is not a master`);
    // Still waiting for sync: the FAILOVER's TIMEOUT ends it by itself; FAILOVER ABORT ends it now.
    const waiting = assess(diedAt(p, 0), new Map([
      [M, { ...node(M, 'master', null), failoverState: 'waiting-for-sync' }],
      [T, node(T, 'replica', M)],
      [S, node(S, 'replica', M)],
    ]), 5000);
    expect(waiting).toMatchObject({ settled: false, commands: [] });
    expect(waiting.note).toContain(`or until the FAILOVER's TIMEOUT (5000 ms after it was sent) runs out and ${M} stays the master. FAILOVER ABORT on ${M} releases the writes now`);
    // Over (the target took over): re-point what is left, as before.
    expect(assess(diedAt(p, 0), new Map([[M, node(M, 'replica', T)], [T, node(T, 'master', null)], [S, node(S, 'replica', M)]]), 5000).commands).toHaveLength(1);
  });

  it('a pause switchover killed after the promotion, its pause run out: the side that took more writes since the split is kept, and what the other loses is said', () => {
    const p = planned('plan-split', pauseOps);
    const at = (n: NodeNow, replid: string, replid2: string | null, offset: number, secondReplOffset: number | null): NodeNow => ({ ...n, history: { replid, replid2, offset, secondReplOffset } });
    // T promoted at offset 1000 (its replid2 is M's history); M never followed, and took 652 MiB once its pause ran out.
    const tookMore = new Map([
      [M, at(node(M, 'master', null), 'h-m', null, 1000 + 652 * 1024 * 1024, null)],
      [T, at(node(T, 'master', null), 'h-t', 'h-m', 1089, 1001)],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 3, 1000), tookMore, 20_000);
    // Before: "finish", REPLICAOF on M, which full-syncs it from T and drops the 652 MiB.
    expect(report.direction).toBe('roll back');
    expect(report.commands).toEqual([{ node: T, command: 'REPLICAOF 127.0.0.1 7000', why: expect.any(String) }]);
    expect(report.note).toContain(`${M} is still a master beside ${T}: since ${T} was promoted, ${M} took 652 MiB of writes and ${T} 89 B. Finishing would make ${M} resync in full from ${T} and drop its 652 MiB: the roll back keeps them`);
    // The old master still paused (took nothing since): finishing, as before, and nothing to say.
    const held = new Map([[M, at(node(M, 'master', null), 'h-m', null, 1000, null)], [T, at(node(T, 'master', null), 'h-t', 'h-m', 1089, 1001)], [S, node(S, 'replica', M)]]);
    const finish = assess(diedAt(p, 3, 1000), held, 5000);
    expect(finish.direction).toBe('finish');
    expect(finish.note ?? '').not.toContain('still a master beside');
  });

  it('a pause switchover killed mid-way: CLIENT UNPAUSE while the pause runs, nothing once it has ended', () => {
    const p = planned('plan-pause', pauseOps);
    const nodes = new Map([
      [M, node(M, 'master', null)],
      [T, node(T, 'replica', M)],
      [S, node(S, 'replica', M)],
    ]);
    const during = assess(diedAt(p, 1, 1000), nodes, 5000);
    expect(during.pausedUntil).toEqual([{ node: M, until: 11_000 }]);
    expect(during.commands).toEqual([{ node: M, command: 'CLIENT UNPAUSE', why: expect.any(String) }]);
    expect(during.settled).toBe(false);
    const after = assess(diedAt(p, 1, 1000), nodes, 12_000);
    expect(after).toMatchObject({ settled: true, commands: [], direction: 'roll back' });
    expect(reportText(after).join('\n')).toContain('Nothing is left to do');
  });

  it('a pause switchover rolled back while the replica still full-syncs from the old master: open until its link is up', () => {
    const p = planned('plan-pause-resync', pauseOps);
    // Roles back where they were, pause over; T was put back under M and resyncs in full (its link reads down meanwhile).
    const syncing = new Map([
      [M, node(M, 'master', null)],
      [T, { ...node(T, 'replica', M), linkStatus: 'down' as const, syncInProgress: true }],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 3, 1000), syncing, 12_000);
    // Before: settled, "Nothing is left to do … This record is now closed", the sync still running.
    expect(report).toMatchObject({ direction: 'roll back', settled: false, commands: [], linking: [{ node: T, master: M, syncing: true }] });
    expect(report.now).toContain(`${T}: replica of ${M}, link down, full sync in progress`);
    expect(reportText(report)).toContain(`  (nothing to send yet: wait until ${T}'s link to ${M} is up (a full sync from it is under way), then check again)`);
    // A link down without a sync (reconnecting, or refused) holds it open too, and says so.
    const down = assess(diedAt(p, 3, 1000), new Map([...syncing, [T, { ...node(T, 'replica', M), linkStatus: 'down' as const }]]), 12_000);
    expect(down.linking).toEqual([{ node: T, master: M, syncing: false }]);
    expect(reportText(down).join('\n')).toContain('reconnecting, or refused');
    // In sync: closed.
    expect(assess(diedAt(p, 3, 1000), new Map([...syncing, [T, node(T, 'replica', M)]]), 12_000)).toMatchObject({ settled: true, linking: [] });
  });

  it('a sentinel-failover killed after SENTINEL FAILOVER: the old master, still a master, keeps its writes held until the pause runs out (no CLIENT UNPAUSE)', () => {
    const SENTINEL = '127.0.0.1:26379';
    const base = planned('plan-sentinel', [
      { kind: 'pause-writes', node: M, ms: 10_000 },
      { kind: 'wait-caught-up', node: T, master: M },
      { kind: 'sentinel-failover', node: SENTINEL, masterName: 'cache', oldMaster: M, prefer: null, sentinels: [SENTINEL], consoleAddress: {} },
      { kind: 'sentinel-demote', node: M, target: null },
      { kind: 'unpause-writes', node: M },
      { kind: 'sentinel-followers', node: M, members: [M, S] },
    ]);
    const p: PlannedAction = { ...base, plan: { ...base.plan, request: { kind: 'sentinel-failover', masterName: 'cache' }, nodes: [...base.plan.nodes, SENTINEL] }, expected: [] };
    // Sentinel promoted T; M is still a master (paused) until Sentinel's next look.
    const nodes = new Map([[M, node(M, 'master', null)], [T, node(T, 'master', null)], [S, node(S, 'replica', M)]]);
    const during = assess(diedAt(p, 2, 1000), nodes, 5000);
    // The plan's own next step (sentinel-demote), before its pause runs out: Sentinel makes M follow only at its next look.
    const demote = { node: M, command: 'REPLICAOF 127.0.0.1 7001', why: expect.stringMatching(new RegExp(`^${M.replace(/\./g, '\\.')} is still a master beside ${T.replace(/\./g, '\\.')}, which Sentinel made the master: the writes it takes are dropped .*SENTINEL GET-MASTER-ADDR-BY-NAME cache names`)) };
    expect(during.commands).toEqual([demote]);
    expect(during.settled).toBe(false);
    expect(during.note).toMatch(new RegExp(`Writes on ${M.replace(/\./g, '\\.')} stay held until .*Do not CLIENT UNPAUSE it before it replicates from the new master`));
    expect(during.note).toContain("do not re-point nodes by hand, but for the old master (the plan's own next step, below)");
    // The Sentinel asked is said to be one (it has no replication section: it read "unknown").
    expect(during.now).toContain(`${SENTINEL}: a Sentinel`);
    expect(during.waitingFor).toEqual([]);
    // Its pause run out, M takes writes beside T: still open, with the same move (it closed as "settled", and 1.3 GB were dropped when Sentinel converted M).
    expect(assess(diedAt(p, 2, 1000), nodes, 12_000)).toMatchObject({ settled: false, commands: [demote] });
    // M follows T (by hand, or Sentinel's look): closed.
    expect(assess(diedAt(p, 2, 1000), new Map([[M, node(M, 'replica', T)], [T, node(T, 'master', null)], [S, node(S, 'replica', T)]]), 12_000).settled).toBe(true);
    // Done, and a replica the plan only read (its catch-up wait) dead for good: nothing is left for it, the report closes.
    const waited = { ...p, ops: p.ops.flatMap((op): StepOp[] => (op.kind === 'wait-caught-up' ? [op, { ...op, node: S }] : [op])) };
    waited.plan = { ...waited.plan, steps: waited.ops.map((op, i) => ({ id: `s${i + 1}`, node: op.node, command: `${op.kind} ${i + 1}`, purpose: '', destructive: false, verify: '' })) };
    const gone: NodeNow = { address: S, reachable: false, role: 'unknown', master: null, linkStatus: null, error: 'connect ECONNREFUSED', settings: {} };
    expect(assess(diedAt(waited, 6, 1000), new Map([[M, node(M, 'replica', T)], [T, node(T, 'master', null)], [S, gone]]), 12_000).settled).toBe(true);
    // Killed before SENTINEL FAILOVER: nothing asked of Sentinel, so releasing the writes is the way back.
    expect(assess(diedAt(p, 1, 1000), new Map([[M, node(M, 'master', null)], [T, node(T, 'replica', M)], [S, node(S, 'replica', M)]]), 5000).commands).toEqual([
      { node: M, command: 'CLIENT UNPAUSE', why: expect.any(String) },
    ]);
  });

  it('a sentinel-failover killed after Sentinel re-pointed a steered replica: CONFIG REWRITE follows its CONFIG SET (Sentinel wrote the steer into its config file), and only there', () => {
    const SENTINEL = '127.0.0.1:26379';
    const FILE = '/etc/redis/redis.conf';
    const base = planned('plan-steer', [
      { kind: 'set-config', node: T, parameter: 'replica-priority', value: '1', steer: 'on' },
      { kind: 'set-config', node: S, parameter: 'replica-priority', value: '2', steer: 'on' },
      { kind: 'sentinel-priorities', node: SENTINEL, masterName: 'cache', priorities: [] },
      { kind: 'sentinel-failover', node: SENTINEL, masterName: 'cache', oldMaster: M, prefer: T, sentinels: [SENTINEL], consoleAddress: {} },
      { kind: 'sentinel-followers', node: M, members: [M, S] },
      { kind: 'set-config', node: T, parameter: 'replica-priority', value: '100', steer: 'off' },
      { kind: 'steer-rewrite', node: T, master: M, parameter: 'replica-priority', steered: '1', restored: '100', file: FILE },
      { kind: 'set-config', node: S, parameter: 'replica-priority', value: '1', steer: 'off' },
      { kind: 'steer-rewrite', node: S, master: M, parameter: 'replica-priority', steered: '2', restored: '1', file: FILE },
    ]);
    const p: PlannedAction = { ...base, plan: { ...base.plan, request: { kind: 'sentinel-failover', masterName: 'cache', prefer: T } } };
    // Sentinel promoted T; S is still where it was (Sentinel did not get to it): only T's file holds the steer.
    const nodes = new Map([
      [M, node(M, 'replica', T)],
      [T, node(T, 'master', null, { 'replica-priority': '1' })],
      [S, node(S, 'replica', M, { 'replica-priority': '2' })],
    ]);
    const report = assess(diedAt(p, 4), nodes, 5000);
    expect(report.commands).toEqual([
      { node: T, command: 'CONFIG SET replica-priority 100', why: expect.any(String) },
      { node: T, command: 'CONFIG REWRITE', why: `Sentinel promoted ${T} since the plan, and the CONFIG REWRITE it sends with every SLAVEOF wrote replica-priority 1 into ${FILE}: after the CONFIG SET, this writes 100 there` },
      { node: S, command: 'CONFIG SET replica-priority 1', why: expect.any(String) },
    ]);
    expect(reportText(report).join('\n')).toContain(`on ${T}: CONFIG REWRITE    # Sentinel promoted`);
    // Killed between T's restore and its CONFIG REWRITE: the value is back, the file is not. The
    // report stays open with the CONFIG REWRITE to run (a note alone closed it, unseen in the app).
    const between = new Map([...nodes, [T, node(T, 'master', null, { 'replica-priority': '100' })], [S, node(S, 'replica', T, { 'replica-priority': '1' })]]);
    const late = assess(diedAt(p, 6), between, 5000);
    expect(late.settled).toBe(false);
    expect(late.commands).toEqual([
      { node: T, command: 'CONFIG REWRITE', why: expect.stringContaining(`replica-priority is back to 100, but the plan stopped before its CONFIG REWRITE: Sentinel promoted ${T} since the plan`) },
      { node: S, command: 'CONFIG REWRITE', why: expect.stringContaining(`replica-priority is back to 1, but the plan stopped before its CONFIG REWRITE: Sentinel re-pointed ${S} since the plan`) },
    ]);
    expect(late.commands[0]?.why).toContain('dismiss this report once done');
    // Printed a line per note (the CLI turns a newline inside a line into "?").
    expect(reportText(late).filter((line) => line.includes('\n'))).toEqual([]);
    // T's rewrite ran: nothing more of T; killed at S's restore, S (re-pointed by Sentinel meanwhile) is named instead.
    const later = assess(diedAt(p, 7), between, 5000).commands;
    expect(later.map((c) => `${c.node} ${c.command}`)).toEqual([`${S} CONFIG REWRITE`]);
    expect(later[0]?.why).toContain(`replica-priority is back to 1, but the plan stopped before its CONFIG REWRITE: Sentinel re-pointed ${S} since the plan`);
    // Killed before SENTINEL FAILOVER: no node moved, no file holds the steer, no CONFIG REWRITE.
    const early = assess(diedAt(p, 2), new Map([[M, node(M, 'master', null)], [T, node(T, 'replica', M, { 'replica-priority': '1' })], [S, node(S, 'replica', M, { 'replica-priority': '2' })]]), 5000);
    expect(early.commands.map((c) => `${c.node} ${c.command}`)).toEqual([`${T} CONFIG SET replica-priority 100`, `${S} CONFIG SET replica-priority 1`]);
  });

  it('is settled in the expected end state, and never while a node cannot be read', () => {
    const p = planned('plan-done', fenceOps);
    const end = new Map([
      [M, node(M, 'replica', T, { 'min-replicas-to-write': '0' })],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', T)],
    ]);
    expect(assess(diedAt(p, 5), end, 5000).settled).toBe(true);
    end.set(S, { ...node(S, 'replica', null), reachable: false, role: 'unknown', error: 'connect ECONNREFUSED' });
    const report = assess(diedAt(p, 5), end, 5000);
    expect(report.settled).toBe(false);
    expect(report.now).toContain(`${S}: unreachable (connect ECONNREFUSED)`);
    expect(report.waitingFor).toEqual([S]);
    expect(reportText(report)).toContain(`  (nothing to send yet: wait until ${S} answers, then check again)`);
  });
});

/** The commands run in order over the roles read now never point a node at one that replicates from it. */
function expectNoCycle(commands: readonly { node: string; command: string }[], nodes: ReadonlyMap<string, NodeNow>): void {
  const upstream = new Map([...nodes.values()].map((n) => [n.address, n.role === 'replica' ? n.master : null]));
  for (const { node, command } of commands) {
    const to = /^REPLICAOF (\S+) (\d+)$/.exec(command);
    if (!to) {
      if (command === 'REPLICAOF NO ONE') upstream.set(node, null);
      continue;
    }
    const target = `${to[1]}:${to[2]}`;
    for (let at: string | null | undefined = target, hops = 0; at && hops < 10; at = upstream.get(at), hops++) {
      expect(at, `${command} on ${node}: ${target} replicates from ${node}`).not.toBe(node);
    }
    upstream.set(node, target);
  }
}

describe('interrupted plan report after the topology moved on', () => {
  // CLIENT PAUSE, wait, FAILOVER TO … FORCE, re-point the sibling: the default switchover.
  const pausedFailoverOps: StepOp[] = [
    { kind: 'pause-writes', node: M, ms: 2000 },
    { kind: 'wait-caught-up', node: T, master: M },
    { kind: 'failover', node: M, target: T, host: '127.0.0.1', port: 7001, timeoutMs: 1, force: true },
    { kind: 'replicaof', node: S, host: '127.0.0.1', port: 7001, master: T },
  ];

  it('killed before any role changed, then a later switchover to another node: nothing to undo, no cycle, closed', () => {
    const p = planned('plan-superseded', pausedFailoverOps);
    // Only the CLIENT PAUSE ran; a later switchover made S the master.
    const nodes = new Map([
      [S, node(S, 'master', null)],
      [M, node(M, 'replica', S)],
      [T, node(T, 'replica', S)],
    ]);
    const report = assess(diedAt(p, 1, 1000), nodes, 10_000);
    expectNoCycle(report.commands, nodes);
    expect(report.commands).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.changedSince.sort()).toEqual([M, T, S].sort());
    expect(report.now).toContain(`${S}: master, changed since by something else (before the plan: replica of ${M})`);
    const text = reportText(report).join('\n');
    expect(text).toContain('Nothing is left to do');
    expect(text).toMatch(/changed after this plan by something else/);
    expect(text).not.toMatch(/REPLICAOF/);
  });

  it('killed after its FAILOVER, then another node made master: the FAILOVER is not undone (no second master)', () => {
    const p = planned('plan-superseded-2', pausedFailoverOps);
    const nodes = new Map([
      [S, node(S, 'master', null)],
      [T, node(T, 'replica', S)],
      [M, node(M, 'replica', T)],
    ]);
    const report = assess(diedAt(p, 2, 1000), nodes, 10_000);
    expect(report.commands).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.changedSince.sort()).toEqual([T, S].sort());
  });

  it('re-run to its end by a later plan: closed, nothing undone', () => {
    const p = planned('plan-rerun', pausedFailoverOps);
    const nodes = new Map([
      [T, node(T, 'master', null)],
      [M, node(M, 'replica', T)],
      [S, node(S, 'replica', T)],
    ]);
    const report = assess(diedAt(p, 1, 1000), nodes, 10_000);
    expect(report).toMatchObject({ settled: true, commands: [] });
  });

  it('finishing moves only the nodes still where the plan had them', () => {
    const p = planned('plan-finish-partly', pauseOps);
    // The promotion ran, the console died at the old master's REPLICAOF; S was detached by hand since.
    const nodes = new Map([
      [M, node(M, 'master', null)],
      [T, node(T, 'master', null)],
      [S, node(S, 'master', null)],
    ]);
    const report = assess(diedAt(p, 3, 1000), nodes, 20_000);
    expect(report.direction).toBe('finish');
    expect(report.commands.map((c) => `${c.node} ${c.command}`)).toEqual([`${M} REPLICAOF 127.0.0.1 7001`]);
    expect(report.changedSince).toEqual([S]);
    expect(report.settled).toBe(false);
  });

  it('a new master the plan did not promote is not its to finish: T made master by hand is left alone', () => {
    const p = planned('plan-not-ours', pausedFailoverOps);
    // Killed at the wait; T promoted by hand since, M still a master.
    const nodes = new Map([
      [M, node(M, 'master', null)],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 1, 1000), nodes, 10_000);
    expect(report.direction).toBe('roll back');
    expect(report.commands).toEqual([]);
    expect(report.changedSince).toEqual([T]);
  });

  it('a setting changed since to a value the plan never set is not put back', () => {
    const p = planned('plan-fence-later', fenceOps);
    const nodes = new Map([
      [M, node(M, 'master', null, { 'min-replicas-to-write': '1' })],
      [T, node(T, 'replica', M)],
      [S, node(S, 'replica', M)],
    ]);
    const report = assess(diedAt(p, 1), nodes, 5000);
    expect(report.commands).toEqual([]);
    expect(report.fenced).toEqual([]);
    expect(report.settled).toBe(true);
    expect(report.note).toContain('a value this plan did not set');
  });

  it('an emergency failover done but for its dead old master: closed, with what to do when it comes back', () => {
    const base = planned('plan-emergency', [
      { kind: 'promote', node: T },
      { kind: 'replicaof', node: S, host: '127.0.0.1', port: 7001, master: T },
    ]);
    const p: PlannedAction = {
      ...base,
      plan: { ...base.plan, request: { kind: 'failover' }, summary: `Emergency failover: ${M} is down; promote ${T}` },
      // The dead master could not be read when the plan was made: it has no role before.
      before: [
        { address: T, role: 'replica', master: M },
        { address: S, role: 'replica', master: M },
      ],
      expected: [
        { address: T, role: 'master', master: null },
        { address: S, role: 'replica', master: T },
      ],
    };
    const dead: NodeNow = { address: M, reachable: false, role: 'unknown', master: null, linkStatus: null, error: 'connect ECONNREFUSED', settings: {} };
    const halfway = assess(diedAt(p, 1), new Map([[M, dead], [T, node(T, 'master', null)], [S, node(S, 'replica', M)]]), 5000);
    expect(halfway).toMatchObject({ direction: 'finish', settled: false });
    expect(halfway.commands.map((c) => `${c.node} ${c.command}`)).toEqual([`${S} REPLICAOF 127.0.0.1 7001`]);
    const done = assess(diedAt(p, 1), new Map([[M, dead], [T, node(T, 'master', null)], [S, node(S, 'replica', T)]]), 5000);
    expect(done.settled).toBe(true);
    expect(done.now).toContain(`${M}: unreachable (connect ECONNREFUSED)`);
    expect(done.note).toMatch(new RegExp(`${M} cannot be reached .* make it a replica of ${T} at once \\(REPLICAOF 127\\.0\\.0\\.1 7001 on ${M}`));
    // Back as a master beside T: two masters take writes. Made a replica (as the plan told S to reach T), and the report stays open until it is.
    const back = assess(diedAt(p, 1), new Map([[M, node(M, 'master', null)], [T, node(T, 'master', null)], [S, node(S, 'replica', T)]]), 5000);
    expect(back).toMatchObject({ direction: 'finish', settled: false });
    expect(back.commands.map((c) => `${c.node} ${c.command}`)).toEqual([`${M} REPLICAOF 127.0.0.1 7001`]);
    const natted = { ...p, ops: p.ops.map((op) => (op.kind === 'replicaof' ? { ...op, host: '10.0.0.2', port: 6379 } : op)) };
    expect(assess(diedAt(natted, 1), new Map([[M, node(M, 'master', null)], [T, node(T, 'master', null)], [S, node(S, 'replica', T)]]), 5000).commands[0]?.command).toBe('REPLICAOF 10.0.0.2 6379');
    expect(assess(diedAt(p, 1), new Map([[M, node(M, 'replica', T)], [T, node(T, 'master', null)], [S, node(S, 'replica', T)]]), 5000).settled).toBe(true);
  });

  /** A reader answering INFO replication with each node's role and master_host:master_port as given. */
  function serversSay(roles: Record<string, string | null>): NodeReader {
    return {
      info: async (address) => {
        const master = roles[address];
        if (master === undefined) throw new Error(`no server at ${address}`);
        if (master === null) return '# Replication\r\nrole:master\r\nconnected_slaves:0\r\n';
        const [host, port] = [master.slice(0, master.lastIndexOf(':')), master.slice(master.lastIndexOf(':') + 1)];
        return `# Replication\r\nrole:slave\r\nmaster_host:${host}\r\nmaster_port:${port}\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0\r\n`;
      },
      configGet: async () => null,
    };
  }

  /** The topology as the console sees it, M known by `aliases` too (localhost, a port forward merged by run_id, an --map source). */
  function topologyWith(aliases: string[]): Pick<TopologySnapshot, 'nodes'> {
    return { nodes: [nodeState(M, { aliases }), nodeState(T), nodeState(S)] };
  }

  it('killed after its FAILOVER, the sibling following the old master by another of its addresses: it is where it was, and the finish re-points it', async () => {
    const p = diedAt(planned('plan-alias', pausedFailoverOps), 3, 1000);
    for (const alias of ['localhost:7000', '10.0.0.5:6379']) {
      const reader = serversSay({ [M]: T, [T]: null, [S]: alias });
      const nodes = await readPlanNodes(reader, p, topologyWith([alias]));
      expect(nodes.get(S)).toMatchObject({ master: M, masterAsReported: alias });
      const report = assess(p, nodes, 10_000);
      expect(report.changedSince, alias).toEqual([]);
      expect(report.commands.map((c) => `${c.node} ${c.command}`), alias).toEqual([`${S} REPLICAOF 127.0.0.1 7001`]);
      expect(report.now, alias).toContain(`${S}: replica of ${M} (as ${alias}), link up`);
      // Without the topology nothing tells the alias from another server: read as the server says.
      expect((await readPlanNodes(reader, p)).get(S)).toMatchObject({ master: alias });
    }
  });

  it('the sibling following the address the plan\'s REPLICAOF gave it (--master-address, unknown to the console): done, not changed since', async () => {
    const ops: StepOp[] = [...pausedFailoverOps.slice(0, 3), { kind: 'replicaof', node: S, host: 'db-t.internal', port: 6380, master: T }];
    const p = diedAt(planned('plan-told', ops), 3, 1000);
    const nodes = await readPlanNodes(serversSay({ [M]: T, [T]: null, [S]: 'db-t.internal:6380' }), p, topologyWith([]));
    expect(nodes.get(S)).toMatchObject({ master: T, masterAsReported: 'db-t.internal:6380' });
    const report = assess(p, nodes, 10_000);
    expect(report).toMatchObject({ changedSince: [], commands: [], settled: true });
  });

  it("the sibling following the address the plan's REPLICAOF gave it, where the console now reads another node that lists it (a port forward or VIP moved since): follows that node, not done", async () => {
    const ops: StepOp[] = [...pausedFailoverOps.slice(0, 3), { kind: 'replicaof', node: S, host: '10.0.0.9', port: 6379, master: T }];
    const p = diedAt(planned('plan-told-moved', ops), 3, 1000);
    const reader = serversSay({ [M]: T, [T]: null, [S]: '10.0.0.9:6379' });
    const online = (address: string): NodeState['replicas'][number] => ({ address, state: 'online', ackOffset: 0, ackAgeSeconds: 0 });
    // 10.0.0.9:6379 reached T when the step was sent; the console reads the old master M there now, listing S.
    const moved = { nodes: [nodeState(M, { aliases: ['10.0.0.9:6379'], replicas: [online(S)] }), nodeState(T, { replicas: [online(M)] }), nodeState(S)] };
    const nodes = await readPlanNodes(reader, p, moved);
    expect(nodes.get(S)).toMatchObject({ master: M, masterAsReported: '10.0.0.9:6379' });
    const report = assess(p, nodes, 10_000);
    expect(report.settled).toBe(false);
    expect(report.now).toContain(`${S}: replica of ${M} (as 10.0.0.9:6379), link up`);
    // The way to finish is not the step's address again (it reaches M now: S would stay where it is).
    expect(report.commands.map((c) => c.command)).not.toContain('REPLICAOF 10.0.0.9 6379');
    expect(report.commands).toContainEqual(expect.objectContaining({ node: S, command: `REPLICAOF 127.0.0.1 ${T.split(':')[1]}` }));
    // The node read there does not list S, T does (servers reach T at an address that is another node from the console): T.
    const twoViews = { nodes: [nodeState(M, { aliases: ['10.0.0.9:6379'] }), nodeState(T, { replicas: [online(M), online(S)] }), nodeState(S)] };
    expect((await readPlanNodes(reader, p, twoViews)).get(S)).toMatchObject({ master: T, masterAsReported: '10.0.0.9:6379' });
  });

  it('is never settled while a node the plan works on cannot be read', () => {
    const p = planned('plan-wait', pausedFailoverOps);
    const nodes = new Map([
      [M, { ...node(M, 'replica', null), reachable: false, role: 'unknown' as const, error: 'timeout' }],
      [T, node(T, 'master', null)],
      [S, node(S, 'replica', T)],
    ]);
    expect(assess(diedAt(p, 3, 1000), nodes, 10_000).settled).toBe(false);
  });
});
