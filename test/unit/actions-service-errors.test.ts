// Every refusal of ActionService has its own code and says, in details, what is known: a
// refusal before the journal is written sent nothing (details.nothingSent), a run that started
// claims nothing. The engine is a stand-in, the facts are hand-written (preflight is replaced),
// the planner and the executor are the real ones over scripted nodes.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NodeFacts, PreflightFacts } from '../../electron/engine/actions/facts';
import { HeldClaims, NodeClaims, type ClaimOwner } from '../../electron/engine/actions/claims';
import { InterruptedPlans } from '../../electron/engine/actions/interrupted';
import { JOURNAL_DIR } from '../../electron/engine/actions/journal';
import { ActionService } from '../../electron/engine/actions/service';
import type { ReplicationEngine } from '../../electron/engine/engine';
import { EngineError } from '../../electron/engine/errors';
import type { ActionRequest, StepProgress } from '../../electron/shared/actions';
import type { TopologySnapshot } from '../../electron/shared/types';
import { factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';
import { FakeNodeCommands } from '../helpers/fake-node-commands';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';

/** What the (replaced) preflight reads next; a test changes it between plan and execute. */
const world: {
  snapshot: TopologySnapshot;
  facts: Record<string, Partial<NodeFacts>>;
  /** Holds the next read until released (a re-check in flight). */
  gate: Promise<void> | null;
  /** Reads return the snapshot as set, whatever the fake nodes did (a change the console does not see). */
  frozen: boolean;
} = { snapshot: snapshotOf([]), facts: {}, gate: null, frozen: false };

vi.mock('../../electron/engine/actions/preflight', async (original) => {
  const real = await original<typeof import('../../electron/engine/actions/preflight')>();
  return {
    ...real,
    gatherFacts: async (): Promise<PreflightFacts> => {
      const gate = world.gate;
      world.gate = null;
      if (gate) await gate;
      return factsFor(world.snapshot, world.facts);
    },
  };
});

class StandInEngine {
  readOnly = false;
  connected = true;
  fake = FakeNodeCommands.group(M, [A, B]);
  /** commands() throws `error` once `after` calls have passed (the re-check's permission probe is one). */
  commandsFail: { error: Error; after: number } | null = null;
  /** The snapshot with each node's role and master as the fake nodes have them now (as a real poll would read). */
  async refresh(): Promise<TopologySnapshot> {
    if (world.frozen) return world.snapshot;
    const nodes = world.snapshot.nodes.map((n) => {
      const now = this.fake.nodes.get(n.address);
      if (!now || (now.role === n.role && now.master === n.master)) return n;
      return now.role === 'master' ? nodeState(n.address, { version: n.version }) : replicaState(n.address, now.master ?? '?', { version: n.version });
    });
    world.snapshot = snapshotOf(nodes);
    return world.snapshot;
  }
  snapshot(): TopologySnapshot {
    return world.snapshot;
  }
  credentials(): { password: string | undefined; user: string | undefined } {
    return { password: undefined, user: undefined };
  }
  commands(): FakeNodeCommands {
    if (this.commandsFail && this.commandsFail.after-- <= 0) throw this.commandsFail.error;
    return this.fake;
  }
  history(): [] {
    return [];
  }
}

/** A move of A under B: one REPLICAOF, partial resync, no confirmation. */
const MOVE: ActionRequest = { kind: 'replicaof', node: A, master: B };

let dir: string;
let engine: StandInEngine;
let service: ActionService;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-service-errors-'));
  engine = new StandInEngine();
  service = new ActionService(engine as unknown as ReplicationEngine, { auditDir: dir, pollMs: 5, sentinelHelloMs: 0 });
  world.snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
  world.facts = {};
  world.gate = null;
  world.frozen = false;
});

afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(pending: Promise<unknown>): Promise<EngineError> {
  const error = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof EngineError)) throw new Error(`expected an EngineError, got ${String(error)}`);
  return error;
}

/** Commands that change something (INFO and CONFIG GET are reads). */
function changes(): string[] {
  return engine.fake.sent().filter((line) => !/ (INFO|CONFIG GET)\b/.test(line));
}

describe('ActionService refusals: one code each, nothing sent', () => {
  it('READ_ONLY for plan and execute on a read-only connection', async () => {
    const plan = await service.plan(MOVE);
    engine.readOnly = true;
    for (const refused of [await refusal(service.plan(MOVE)), await refusal(service.execute(plan.id))]) {
      expect(refused).toMatchObject({ code: 'READ_ONLY', details: { nothingSent: true } });
    }
    expect(changes()).toEqual([]);
  });

  it('BAD_ARGUMENT for an invalid request or a node outside the topology', async () => {
    const invalid = await refusal(service.plan({ kind: 'replicaof', node: 'no port' } as unknown as ActionRequest));
    expect(invalid).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/^invalid action request: /), details: { nothingSent: true } });
    const stranger = await refusal(service.plan({ kind: 'failover', to: '10.9.9.9:6379' }));
    expect(stranger).toMatchObject({ code: 'BAD_ARGUMENT', message: '10.9.9.9:6379 is not a node of this topology', details: { nothingSent: true } });
    expect(changes()).toEqual([]);
  });

  it('PLAN_EXPIRED for an unknown plan id and for a plan past its time to live', async () => {
    const unknown = await refusal(service.execute('6f1c1d52-4c1e-4bb5-9d44-0d2c9a3d8f11'));
    expect(unknown).toMatchObject({ code: 'PLAN_EXPIRED', message: 'unknown or expired plan: plan again', details: { nothingSent: true } });

    vi.useFakeTimers({ toFake: ['Date'] });
    const plan = await service.plan(MOVE);
    vi.setSystemTime(plan.expiresAt + 1);
    const expired = await refusal(service.execute(plan.id));
    expect(expired).toMatchObject({ code: 'PLAN_EXPIRED', message: expect.stringMatching(/has expired: plan again/), details: { nothingSent: true } });
    // Gone for good: the next try is "unknown", still PLAN_EXPIRED.
    expect(await refusal(service.execute(plan.id))).toMatchObject({ code: 'PLAN_EXPIRED' });
    expect(changes()).toEqual([]);
  });

  it('PLAN_STALE when the steps would now differ', async () => {
    const plan = await service.plan(MOVE);
    // Someone moved A under B by hand: the REPLICAOF the operator reviewed is no longer the plan.
    world.frozen = true;
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, B, { depth: 2 }), replicaState(B, M)]);
    const stale = await refusal(service.execute(plan.id));
    expect(stale).toMatchObject({ code: 'PLAN_STALE', message: expect.stringMatching(/steps would now be different( \(now .*\))?: plan again/), details: { nothingSent: true } });
    expect(changes()).toEqual([]);
  });

  it('PLAN_STALE names what a check now refuses: a target that stopped answering was "the steps would now be different" and nothing more', async () => {
    const plan = await service.plan(MOVE);
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M, { reachable: false, error: { code: 'TIMEOUT', message: `${B} did not answer within 1500 ms` } })]);
    world.facts = { [B]: { reachable: false, error: `${B} did not answer within 1500 ms`, errorCode: 'TIMEOUT' } };
    const stale = await refusal(service.execute(plan.id));
    expect(stale.code).toBe('PLAN_STALE');
    expect(stale.message).toMatch(new RegExp(`steps would now be different \\(now UNREACHABLE_TARGET: .*${B.replace(/\./g, '\\.')}.*\\): plan again`));
    expect(changes()).toEqual([]);
  });

  it('PLAN_STALE when a check overridden at review now says something else: the override answered the reason read, not the code', async () => {
    // Reviewed: M stalled, its replicas still linked (MASTER_REACHABLE, overridable); the operator overrides that.
    const stalled = { reachable: false, error: { code: 'TIMEOUT' as const, message: `${M} did not answer within 1500 ms` }, offset: null };
    world.snapshot = snapshotOf([nodeState(M, stalled), replicaState(A, M), replicaState(B, M)]);
    world.facts = { [M]: { reachable: false, error: `${M} did not answer within 1500 ms`, errorCode: 'TIMEOUT' } };
    const plan = await service.plan({ kind: 'failover', to: A });
    expect(plan.checks.find((c) => c.code === 'MASTER_REACHABLE')?.message).toMatch(/still have their link to it up/);
    // M answers again before Run: the same steps, the same code, another reason (two masters). It ran, and said "Done".
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, M), replicaState(B, M)]);
    world.facts = {};
    const stale = await refusal(service.execute(plan.id, { confirmAddress: A, overrides: plan.needsOverride }));
    expect(stale).toMatchObject({ code: 'PLAN_STALE', details: { nothingSent: true, overrides: ['MASTER_REACHABLE'] } });
    expect(stale.message).toMatch(new RegExp(`^what you overrode changed since you reviewed the plan \\(MASTER_REACHABLE now says: ${M.replace(/\./g, '\\.')} answers: an emergency failover now would leave two masters`));
    expect(changes()).toEqual([]);
  });

  it('PLAN_STALE, not a confirmation never asked for, when the same steps now flush data', async () => {
    // A reviewed in another history while empty: nothing to flush, nothing to confirm.
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, M, { replid: 'elsewhere', replid2: null }), replicaState(B, M)]);
    world.facts = { [A]: { keys: 0 } };
    const plan = await service.plan(MOVE);
    expect(plan.confirmAddress).toBeNull();
    // Keys arrived meanwhile: the full sync would now flush them.
    world.facts = { [A]: { keys: 3 } };
    const stale = await refusal(service.execute(plan.id, { confirmAddress: A }));
    expect(stale).toMatchObject({ code: 'PLAN_STALE', details: { nothingSent: true } });
    expect(stale.message).toMatch(/now flushes data or changes roles \(.*Its 3 keys will be flushed.*\): plan again, review the new plan and confirm it$/);
    expect(changes()).toEqual([]);
  });

  it('PLAN_REFUSED, naming the checks, when a check that cannot be overridden refuses the same steps now', async () => {
    const plan = await service.plan(MOVE);
    expect(plan.canRun).toBe(true);
    // A FAILOVER started on the master meanwhile: the same REPLICAOF, refused outright now.
    world.facts = { [M]: { failoverState: 'failover-in-progress' } };
    const refused = await refusal(service.execute(plan.id));
    expect(refused.code).toBe('PLAN_REFUSED');
    expect(refused.message).toMatch(/^refused: /);
    expect(refused.details?.nothingSent).toBe(true);
    expect(refused.details?.checks).toEqual(['FAILOVER_RUNNING']);
    expect(refused.message).toContain('FAILOVER_RUNNING: ');
    expect(changes()).toEqual([]);
  });

  it('NEEDS_OVERRIDE with the codes to override, then runs once they are given', async () => {
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, M, { version: 'redis 6.2.14' }), replicaState(B, M)]);
    const plan = await service.plan(MOVE);
    expect(plan.needsOverride).toEqual(['VERSION_OLDER']);
    const refused = await refusal(service.execute(plan.id));
    expect(refused).toMatchObject({ code: 'NEEDS_OVERRIDE', details: { nothingSent: true, overrides: ['VERSION_OLDER'] } });
    expect(refused.message).toMatch(/override for VERSION_OLDER/);
    expect(changes()).toEqual([]);
    // The plan stays valid: the same id runs with the override.
    const outcome = await service.execute(plan.id, { overrides: ['VERSION_OLDER'] });
    expect(outcome.ok).toBe(true);
  });

  it('NEEDS_CONFIRMATION with the address to type, for a missing or a wrong one', async () => {
    // A in another history: a full sync flushes it, so its address must be typed back.
    world.snapshot = snapshotOf([nodeState(M), replicaState(A, M, { replid: 'elsewhere', replid2: null }), replicaState(B, M)]);
    const plan = await service.plan(MOVE);
    expect(plan.confirmAddress).toBe(A);
    for (const confirmAddress of [undefined, B]) {
      const refused = await refusal(service.execute(plan.id, { confirmAddress }));
      expect(refused).toMatchObject({ code: 'NEEDS_CONFIRMATION', message: `this plan changes roles or flushes data: type ${A} to confirm`, details: { nothingSent: true, confirm: A } });
    }
    expect(changes()).toEqual([]);
  });

  it('BUSY with the running plan id while another plan runs', async () => {
    let release: () => void = () => undefined;
    engine.fake.on('REPLICAOF', () => new Promise<void>((resolve) => (release = resolve)));
    const first = await service.plan(MOVE);
    const second = await service.plan({ kind: 'replicaof', node: A, master: M });
    const running = service.execute(first.id);
    await vi.waitUntil(() => engine.fake.sent().some((line) => line.includes('REPLICAOF')));
    const busy = await refusal(service.execute(second.id));
    expect(busy).toMatchObject({ code: 'BUSY', message: expect.stringContaining(first.id), details: { nothingSent: true, runningPlanId: first.id } });
    release();
    expect((await running).ok).toBe(true);
    // Nothing of the second plan went out: B got no command.
    expect(changes().filter((line) => line.startsWith(`${B} `))).toEqual([]);
  });

  it('STOPPING when the console stops while the plan is being re-checked', async () => {
    const plan = await service.plan(MOVE);
    let release: () => void = () => undefined;
    world.gate = new Promise<void>((resolve) => (release = resolve));
    const pending = service.execute(plan.id);
    await vi.waitUntil(() => service.runningPlan !== null);
    const stopping = service.stopRunning('the console is shutting down', 5000);
    release();
    const refused = await refusal(pending);
    expect(refused).toMatchObject({ code: 'STOPPING', message: 'not started: the console is shutting down; nothing was sent', details: { nothingSent: true } });
    expect((await stopping).status).toBe('stopped');
    expect(changes()).toEqual([]);
  });

  it('JOURNAL_UNWRITABLE when the plan journal cannot be written before the first command', async () => {
    await writeFile(path.join(dir, JOURNAL_DIR), 'a file where the journal directory should be');
    const plan = await service.plan(MOVE);
    const refused = await refusal(service.execute(plan.id));
    expect(refused).toMatchObject({ code: 'JOURNAL_UNWRITABLE', message: expect.stringMatching(/plan journal could not be written .*not started/), details: { nothingSent: true } });
    expect(changes()).toEqual([]);
  });

  it('keeps the code of a failed re-check (a node gone) and says nothing was sent', async () => {
    const plan = await service.plan(MOVE);
    engine.connected = false;
    const refused = await refusal(service.execute(plan.id));
    expect(refused).toMatchObject({ code: 'NOT_CONNECTED', details: { nothingSent: true } });
    // The slot is free again: a later run is not BUSY.
    engine.connected = true;
    expect((await service.execute(plan.id)).ok).toBe(true);
  });
});

describe('ActionService after the run started: no claim that nothing was sent', () => {
  it('reports a failed step in the outcome, not as a refusal', async () => {
    engine.fake.on('REPLICAOF', () => {
      throw new Error('READONLY You can\'t write against a read only replica.');
    });
    const plan = await service.plan(MOVE);
    const outcome = await service.execute(plan.id);
    expect(outcome).toMatchObject({ ok: false, status: 'failed' });
    // A and B are siblings: the move is held inside a write pause on M, which the failure releases.
    expect(changes()).toEqual([`${M} CLIENT PAUSE 2000 WRITE`, `${A} REPLICAOF 10.0.0.3 6379`, `${M} CLIENT UNPAUSE`]);
  });

  it('drops a nothingSent claim from an error thrown once the journal is written', async () => {
    const plan = await service.plan(MOVE);
    // The re-check's permission probe still has the session; the run that follows does not.
    engine.commandsFail = { error: new EngineError('NOT_CONNECTED', 'the session closed under the plan', { nothingSent: true, node: A }), after: 1 };
    const error = await refusal(service.execute(plan.id));
    expect(error.code).toBe('NOT_CONNECTED');
    expect(error.details).toEqual({ node: A });
    expect(error.details?.nothingSent).toBeUndefined();
  });

  it('the notice of a stop says the write pause that still holds, as every step report does', async () => {
    const seen: StepProgress[] = [];
    service.onProgress((p) => seen.push(p));
    engine.fake.node(A).follows = false;
    engine.fake.node(A).offset = 500;
    const plan = await service.plan({ kind: 'switchover', to: A, options: { switchoverMethod: 'pause' } });
    const outcome = service.execute(plan.id, { confirmAddress: A, overrides: plan.needsOverride });
    await vi.waitUntil(() => seen.some((p) => p.writePause !== undefined && p.status === 'running'), { timeout: 5000 });
    const stopping = service.stopRunning('SIGINT received', 5000);
    // Ended before it is judged: a failure here must not leave the plan running into the next test.
    await stopping;
    await outcome.catch(() => undefined);
    const notice = seen.find((p) => p.message.startsWith('SIGINT received: stopping the plan'));
    // Before: the notice carried none, and the page's countdown went while the pause held on.
    expect(notice?.writePause?.node).toBe(M);
    expect(notice?.writePause?.leftMs).toBeGreaterThan(0);
  });

  it('a stop that reaches a plan after its end says it ended and leaves nothing for the next start', async () => {
    // Held where the run has ended and its journal is closed, but the slot is not free yet (a
    // signal delivered late on a loaded machine lands here).
    let ended: () => void = () => undefined;
    const atEnd = new Promise<void>((resolve) => (ended = resolve));
    let go: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (go = resolve));
    const realRelease = HeldClaims.prototype.release;
    const release = vi.spyOn(HeldClaims.prototype, 'release').mockImplementation(async function (this: HeldClaims) {
      ended();
      await held;
      return realRelease.call(this);
    });
    try {
      const plan = await service.plan(MOVE);
      const outcome = service.execute(plan.id);
      await atEnd;
      const stopping = service.stopRunning('SIGINT received', 5000);
      go();
      expect(await stopping).toEqual({ status: 'stopped', message: `"${plan.summary}" had ended (ok) before the stop reached it: nothing is left for the next start` });
      expect(await outcome).toMatchObject({ ok: true, status: 'ok' });
      expect((await new InterruptedPlans(dir).store.interrupted()).plans).toEqual([]);
    } finally {
      release.mockRestore();
    }
  });
});

/** Another console's claim on `address`: pid is the test runner's parent (alive) unless given. */
async function claimedElsewhere(address: string, pid = process.ppid): Promise<ClaimOwner> {
  const owner: ClaimOwner = { planId: 'other-console-plan', summary: 'Switch over to 10.0.0.3:6379', pid, host: os.hostname(), user: 'ops', interface: 'cli', at: Date.UTC(2026, 0, 2, 3, 4, 5) };
  const claims = new NodeClaims(dir);
  await mkdir(claims.dir, { recursive: true });
  await writeFile(claims.fileOf(address), JSON.stringify(owner));
  return owner;
}

function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? 0));
  });
}

describe('ActionService beside a console in another process', () => {
  const BUSY_MESSAGE =
    'another console is running a plan on these nodes: "Switch over to 10.0.0.3:6379" (plan other-console-plan, by ops@' +
    `${os.hostname()}, cli, pid ${process.ppid}, since 2026-01-02 03:04:05 UTC). Wait for it to finish, then plan again; nothing was sent.`;

  it('BUSY, naming the other plan, when a live process holds one of the nodes; nothing is sent', async () => {
    const plan = await service.plan(MOVE);
    await claimedElsewhere(B);
    const busy = await refusal(service.execute(plan.id));
    expect(busy).toMatchObject({ code: 'BUSY', message: BUSY_MESSAGE, details: { nothingSent: true, runningPlanId: 'other-console-plan', elsewhere: true } });
    expect(changes()).toEqual([]);
    // Planning again is refused as well: what it would read is mid-change.
    expect(await refusal(service.plan(MOVE))).toMatchObject({ code: 'BUSY', details: { nothingSent: true, runningPlanId: 'other-console-plan' } });
    // Our own claim on A was given back: only the other console's is left.
    expect(await readdir(new NodeClaims(dir).dir)).toEqual([path.basename(new NodeClaims(dir).fileOf(B))]);
  });

  it('BUSY for an open plan in the journal whose process lives, even without a claim', async () => {
    const plan = await service.plan(MOVE);
    const started = { type: 'started', v: 1, planId: 'older-console-plan', at: Date.now(), pid: process.ppid, host: os.hostname(), user: 'ops', interface: 'web', summary: 'Promote 10.0.0.3:6379', nodes: [B], steps: [] };
    await mkdir(path.join(dir, JOURNAL_DIR), { recursive: true });
    await writeFile(path.join(dir, JOURNAL_DIR, 'older-console-plan.jsonl'), `${JSON.stringify(started)}\n`);
    const busy = await refusal(service.execute(plan.id));
    expect(busy).toMatchObject({ code: 'BUSY', message: expect.stringContaining('"Promote 10.0.0.3:6379" (plan older-console-plan, by ops@'), details: { nothingSent: true, runningPlanId: 'older-console-plan' } });
    expect(changes()).toEqual([]);
  });

  it('a claim left by a console that died (kill -9) does not block: the plan runs and gives its claims back', async () => {
    await claimedElsewhere(A, await deadPid());
    const plan = await service.plan(MOVE);
    const outcome = await service.execute(plan.id);
    expect(outcome).toMatchObject({ ok: true, status: 'ok' });
    expect(changes()).toEqual([`${M} CLIENT PAUSE 2000 WRITE`, `${A} REPLICAOF 10.0.0.3 6379`, `${M} CLIENT UNPAUSE`]);
    expect(await readdir(new NodeClaims(dir).dir)).toEqual([]);
  });
});

describe('ActionService: the fresh read after the run decides the outcome', () => {
  it('every step passed but the nodes do not show the planned end state: failed, no advice to finish or undo', async () => {
    const plan = await service.plan(MOVE);
    // The console's reads stop following the nodes: the final read shows A still under M.
    world.frozen = true;
    const outcome = await service.execute(plan.id);
    expect(outcome.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(outcome).toMatchObject({ ok: false, status: 'failed' });
    expect(outcome.nextSteps[0]).toBe(
      `Every step passed, but the fresh read afterwards does not show the planned end state: ${A} replicates from ${M} (link up) (planned: a replica of ${B}).`,
    );
    expect(outcome.nextSteps.join('\n')).toMatch(/Another change happened meanwhile .*look at the topology .* before acting/);
    expect(outcome.nextSteps.join('\n')).not.toMatch(/REPLICAOF|To go back|to finish/);
  });

  it('a switchover that failed while another change happened: no advice to undo what this plan did not do', async () => {
    const switchover: ActionRequest = { kind: 'switchover', to: A, options: { switchoverMethod: 'failover' } };
    const plan = await service.plan(switchover);
    // Another console made B the master meanwhile; this plan's FAILOVER is refused.
    engine.fake.on('FAILOVER', () => {
      world.frozen = true;
      world.snapshot = snapshotOf([replicaState(M, B), replicaState(A, B), nodeState(B)]);
      throw new Error('ERR FAILOVER target HOST and PORT is not a replica.');
    });
    const outcome = await service.execute(plan.id, { confirmAddress: A, overrides: plan.needsOverride });
    expect(outcome).toMatchObject({ ok: false, status: 'failed' });
    const advice = outcome.nextSteps.join('\n');
    expect(advice).toContain(`${M} replicates from ${B} (link up), instead of a master before: this plan did not make that change.`);
    expect(advice).toMatch(/Another change happened meanwhile/);
    expect(advice).not.toMatch(/To go back|REPLICAOF NO ONE/);
  });
});

describe('ActionService.runView: the runs a window that did not start them follows', () => {
  it('answers for the plan asked by id after a later plan has run, and for the newest without one', async () => {
    const first = await service.plan(MOVE);
    expect((await service.execute(first.id)).ok).toBe(true);
    const second = await service.plan({ kind: 'replicaof', node: A, master: M });
    expect((await service.execute(second.id)).ok).toBe(true);
    // Before: only the newest was kept, and a window following the first saw "no longer reported".
    expect(service.runView(first.id)).toMatchObject({ planId: first.id, status: 'ended', outcome: { planId: first.id, ok: true }, writePause: null });
    expect(service.runView()).toMatchObject({ planId: second.id, status: 'ended' });
    expect(service.runView('6f1c1d52-4c1e-4bb5-9d44-0d2c9a3d8f11')?.planId).toBe(second.id);
  });
});
