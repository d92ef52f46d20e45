// The executor's abort and clean-up paths over a scripted fake of NodeCommands: what is sent,
// in which order, what is released and what is kept on purpose, and what the plan journal is
// told before each command. The same paths against real servers are in the integration tests.
import { describe, expect, it } from 'vitest';
import { Execution, type ExecutionReport } from '../../electron/engine/actions/executor';
import { EngineError } from '../../electron/engine/errors';
import type { PlannedAction } from '../../electron/engine/actions/plan-builder';
import { planAction } from '../../electron/engine/actions/planner';
import type { StepProgress, SwitchoverMethod } from '../../electron/shared/actions';
import { META, factsFor, nodeState, replicaState, snapshotOf } from '../helpers/action-fixtures';
import { FakeNodeCommands, RecordingJournal } from '../helpers/fake-node-commands';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';

function switchover(method: SwitchoverMethod, stepTimeoutMs = 3000): PlannedAction {
  const snapshot = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 1000 })]);
  const facts = factsFor(snapshot, { [M]: { minReplicas: { toWrite: 1, maxLag: 10 } } });
  const planned = planAction({ kind: 'switchover', to: A, options: { switchoverMethod: method, stepTimeoutMs } }, facts, META);
  if (!planned.plan.canRun) throw new Error(`plan refused: ${planned.plan.checks.map((c) => c.message).join('; ')}`);
  return planned;
}

interface Run {
  execution: Execution;
  fake: FakeNodeCommands;
  journal: RecordingJournal;
  progress: StepProgress[];
  timeline: string[];
}

function setUp(planned: PlannedAction, onProgress?: (p: StepProgress, run: Run) => void, stepTimeoutMs = 3000): Run {
  const timeline: string[] = [];
  const fake = FakeNodeCommands.group(M, [A, B], 1000, timeline);
  fake.node(M).config['min-replicas-to-write'] = '1';
  const journal = new RecordingJournal(timeline);
  const progress: StepProgress[] = [];
  const run = { fake, journal, progress, timeline } as Run;
  run.execution = new Execution(fake, planned, {
    pollMs: 2,
    stepTimeoutMs,
    journal,
    onProgress: (p) => {
      progress.push(p);
      onProgress?.(p, run);
    },
  });
  return run;
}

function statuses(report: ExecutionReport): string[] {
  return report.steps.map((s) => `${s.command}: ${s.status}`);
}

describe('Execution: paused-failover', () => {
  it('pauses, waits for every byte, hands over with FORCE, releases the old master once it is a replica, journaling first', async () => {
    const run = setUp(switchover('paused-failover'));
    const report = await run.execution.run();
    expect(report.status).toBe('ok');
    expect(run.timeline).toEqual([
      'journal step 0 running',
      `journal undo pause-ends ${M}`,
      `${M} CLIENT PAUSE 3000 WRITE`,
      'journal step 0 ok',
      'journal step 1 running',
      'journal step 1 ok',
      'journal step 2 running',
      `${M} FAILOVER TO 10.0.0.2 6379 FORCE TIMEOUT 1`,
      'journal step 2 ok',
      'journal step 3 running',
      `${M} CLIENT UNPAUSE`,
      'journal step 3 ok',
      'journal step 4 running',
      `${B} REPLICAOF 10.0.0.2 6379`,
      'journal step 4 ok',
    ]);
    expect(run.fake.node(M)).toMatchObject({ role: 'replica', master: A, pausedUntil: null });
    expect(run.fake.node(A).role).toBe('master');
    expect(report.steps[3]?.message).toContain('READONLY');
  });

  it('abort while waiting for the target: nothing handed over, the pause released, no FAILOVER sent', async () => {
    let answer: Promise<{ accepted: boolean; message: string }> | null = null;
    const run = setUp(switchover('paused-failover'), (p, r) => {
      if (p.stepId === 's2' && p.detail?.target !== undefined && !answer) answer = r.execution.abort();
    });
    run.fake.node(A).follows = false;
    run.fake.node(M).offset = 1500;
    const report = await run.execution.run();
    expect(await answer).toEqual({ accepted: true, message: 'stopping before the next step' });
    expect(report.status).toBe('aborted');
    expect(statuses(report)).toEqual([
      `CLIENT PAUSE 3000 WRITE: ok`,
      'INFO replication: aborted',
      'FAILOVER TO 10.0.0.2 6379 FORCE TIMEOUT 1: skipped',
      'CLIENT UNPAUSE: skipped',
      'REPLICAOF 10.0.0.2 6379: skipped',
    ]);
    expect(run.fake.sent()).toEqual([`${M} CLIENT PAUSE 3000 WRITE`, `${M} CLIENT UNPAUSE`]);
    expect(report.cleanup).toEqual([`Done for you: CLIENT UNPAUSE on ${M}: it takes writes again`]);
    // Its own step says the clean-up sent it: "Skipped: the plan was aborted" beside "Done for you" read as writes still held.
    expect(report.steps[3]?.message).toBe('skipped: the plan was aborted; sent by the clean-up instead (see what was done for you)');
    expect(report.handedOver).toBe(false);
    expect(run.fake.node(M)).toMatchObject({ role: 'master', pausedUntil: null });
    // Every skipped step reaches the journal too.
    expect(run.timeline.filter((l) => l.endsWith('skipped'))).toEqual(['journal step 2 skipped', 'journal step 3 skipped', 'journal step 4 skipped']);
  });

  it('says, while the pause holds, how long it still holds, and the target\'s offsets as the app writes them', async () => {
    const run = setUp(switchover('paused-failover'), (p, r) => {
      // Caught up once the figures were seen a few times.
      if (p.stepId === 's2' && r.progress.filter((q) => q.stepId === 's2').length > 3) r.fake.node(A).offset = 1_234_567;
    });
    run.fake.node(A).follows = false;
    run.fake.node(A).offset = 1_000_000;
    run.fake.node(M).offset = 1_234_567;
    const report = await run.execution.run();
    expect(report.status).toBe('ok');
    const waiting = run.progress.filter((p) => p.stepId === 's2' && p.status === 'running');
    expect(waiting.map((p) => p.message)).toContain(`${A} at offset 1,000,000 of 1,234,567, 229 KiB to go`);
    for (const p of waiting) {
      expect(p.writePause?.node).toBe(M);
      expect(p.writePause?.leftMs).toBeGreaterThan(0);
      expect(p.writePause?.leftMs).toBeLessThanOrEqual(3000);
    }
    expect(report.steps[1]?.message).toBe(`${A} has every byte up to offset 1,234,567`);
    // Said from the pause's own end on, by every report; released (CLIENT UNPAUSE, s4), none says it any more, its own end first.
    expect(run.progress.find((p) => p.stepId === 's1' && p.status === 'ok')?.writePause?.node).toBe(M);
    expect(run.progress.find((p) => p.stepId === 's4' && p.status === 'ok')?.writePause).toBeUndefined();
    expect(run.progress.filter((p) => p.stepId === 's5').every((p) => p.writePause === undefined)).toBe(true);
  });

  it('times out when the target never catches up, before the pause runs out: released, and says where it stopped', async () => {
    // A 1.5 s pause leaves 0.5 s to wait: a second is kept for the hand-over.
    const planned = switchover('paused-failover', 1500);
    const run = setUp(planned, undefined, 1500);
    run.fake.node(A).follows = false;
    run.fake.node(M).offset = 1500;
    const started = Date.now();
    const report = await run.execution.run();
    expect(Date.now() - started).toBeLessThan(1400);
    expect(report.status).toBe('failed');
    expect(report.failure).toEqual({ stepIndex: 1, message: `${A} did not catch up in time: offset 1,000 of 1,500, 500 B to go` });
    expect(run.fake.sent()).toEqual([`${M} CLIENT PAUSE 1500 WRITE`, `${M} CLIENT UNPAUSE`]);
    expect(report.cleanup[0]).toMatch(/^Done for you: CLIENT UNPAUSE/);
  });

  it('a CLIENT PAUSE the server refuses (NOPERM) paused nothing: no release is tried or advised', async () => {
    const run = setUp(switchover('paused-failover'));
    run.fake.on('CLIENT PAUSE', async () => {
      throw new EngineError('NOPERM', 'ACL user monitor lacks permission for CLIENT PAUSE: add it with ACL SETUSER monitor +client|pause');
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toMatch(/CLIENT PAUSE on 10\.0\.0\.1:6379 failed: ACL user monitor lacks permission/);
    expect(run.fake.sent()).toEqual([`${M} CLIENT PAUSE 3000 WRITE`]);
    expect(report.cleanup).toEqual([]);
  });

  it('a CLIENT PAUSE whose connection was never made paused nothing: no release is tried or advised', async () => {
    const run = setUp(switchover('paused-failover'));
    run.fake.on('CLIENT PAUSE', async () => {
      throw new EngineError('NOT_CONNECTED', `not connected to ${M}`);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent()).toEqual([`${M} CLIENT PAUSE 3000 WRITE`]);
    expect(report.cleanup).toEqual([]);
  });

  it('a CLIENT PAUSE that got no answer may have paused: it is released in clean-up', async () => {
    const run = setUp(switchover('paused-failover'));
    run.fake.on('CLIENT PAUSE', async () => {
      throw new EngineError('TIMEOUT', `${M} did not answer within 1500 ms`);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent()).toEqual([`${M} CLIENT PAUSE 3000 WRITE`, `${M} CLIENT UNPAUSE`]);
    expect(report.cleanup[0]).toMatch(/^Done for you: CLIENT UNPAUSE/);
  });

  it('refuses to send FAILOVER … FORCE when the pause would run out first, and releases it', async () => {
    const run = setUp(switchover('paused-failover', 1500), undefined, 1500);
    // The target catches up only after a long read: by then too little of the pause is left.
    run.fake.on('INFO', async (address) => {
      if (address === A && run.fake.sent().length === 1) await new Promise((resolve) => setTimeout(resolve, 700));
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toMatch(/write pause on 10\.0\.0\.1:6379 runs out in \d+ ms: not handing over with FORCE/);
    expect(run.fake.sent().some((c) => c.includes('FAILOVER'))).toBe(false);
    expect(run.fake.sent().at(-1)).toBe(`${M} CLIENT UNPAUSE`);
  });
});

describe('Execution: FAILOVER TO', () => {
  it('abort while waiting for sync sends FAILOVER ABORT; the master stays', async () => {
    let answer: Promise<{ accepted: boolean; message: string }> | null = null;
    const run = setUp(switchover('failover'), (p, r) => {
      if (p.detail?.master_failover_state === 'waiting-for-sync' && !answer) answer = r.execution.abort();
    });
    run.fake.on('FAILOVER', (address, args) => {
      if (args[1] === 'TO') run.fake.node(address).failoverState = 'waiting-for-sync';
    });
    const report = await run.execution.run();
    expect(await answer).toMatchObject({ accepted: true, message: expect.stringContaining('FAILOVER ABORT sent') });
    expect(report.status).toBe('aborted');
    expect(report.steps[0]).toMatchObject({ status: 'aborted', message: expect.stringContaining('still the master and takes writes again') });
    expect(run.fake.sent()).toEqual([`${M} FAILOVER TO 10.0.0.2 6379 TIMEOUT 3000`, `${M} FAILOVER ABORT`]);
    expect(run.fake.node(M).role).toBe('master');
    expect(report.cleanup).toEqual([]);
  });

  it('refuses an abort that comes too late (failover-in-progress): the switchover goes on and completes', async () => {
    let answer: Promise<{ accepted: boolean; message: string }> | null = null;
    const run = setUp(switchover('failover'), (p, r) => {
      if (p.detail?.master_failover_state === 'failover-in-progress' && !answer) {
        answer = r.execution.abort().then((result) => {
          r.fake.handOver(M, A);
          return result;
        });
      }
    });
    run.fake.on('FAILOVER', (address, args) => {
      if (args[1] === 'TO') run.fake.node(address).failoverState = 'failover-in-progress';
    });
    const report = await run.execution.run();
    expect(await answer).toMatchObject({ accepted: false, message: expect.stringContaining('too late to abort safely') });
    expect(report.status).toBe('ok');
    expect(run.fake.sent()).not.toContain(`${M} FAILOVER ABORT`);
    expect(run.fake.sent().at(-1)).toBe(`${B} REPLICAOF 10.0.0.2 6379`);
  });

  it('a FAILOVER stuck in progress times out with what to check, and touches nothing else', async () => {
    const run = setUp(switchover('failover', 300), undefined, 300);
    run.fake.on('FAILOVER', (address) => {
      run.fake.node(address).failoverState = 'failover-in-progress';
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toMatch(/FAILOVER did not finish: 10\.0\.0\.1:6379 is still failover-in-progress.*check before aborting/);
    expect(run.fake.sent()).toEqual([`${M} FAILOVER TO 10.0.0.2 6379 TIMEOUT 300`]);
  });
});

describe('Execution: fenced and paused manual sequences', () => {
  it('journals the fence with the ORIGINAL value before setting it, and restores it when a step fails before the promotion', async () => {
    const run = setUp(switchover('fence', 300), undefined, 300);
    run.fake.node(A).follows = false;
    run.fake.node(M).offset = 1200;
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.timeline.slice(0, 3)).toEqual([
      'journal step 0 running',
      `journal undo restore-config ${M} min-replicas-to-write 1`,
      `${M} CONFIG SET min-replicas-to-write 2147483647`,
    ]);
    expect(run.fake.sent().at(-1)).toBe(`${M} CONFIG SET min-replicas-to-write 1`);
    expect(run.fake.node(M).config['min-replicas-to-write']).toBe('1');
    expect(report.cleanup).toEqual([`Done for you: CONFIG SET min-replicas-to-write 1 on ${M}: it takes writes again`]);
  });

  it('a fence the server refuses (NOPERM) stopped no writes: nothing is released or said to be', async () => {
    const run = setUp(switchover('fence'));
    run.fake.on('CONFIG SET', async (address, args) => {
      if (address === M && args[2] === 'min-replicas-to-write' && args[3] === '2147483647') throw new EngineError('NOPERM', 'ACL user monitor lacks permission for CONFIG SET');
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent().filter((c) => c.includes('min-replicas-to-write'))).toEqual([`${M} CONFIG SET min-replicas-to-write 2147483647`]);
    expect(report.cleanup).toEqual([]);
  });

  it('keeps the fence ON PURPOSE when the old master cannot follow the promoted replica', async () => {
    const run = setUp(switchover('fence'));
    run.fake.on('REPLICAOF', (address, args) => {
      if (address === M && args[1] !== 'NO') throw new EngineError('UNREACHABLE', `${address}: connection reset`);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toContain('connection reset');
    expect(run.fake.node(A).role).toBe('master');
    expect(run.fake.node(M).config['min-replicas-to-write']).toBe('2147483647');
    expect(run.fake.sent().filter((c) => c.includes('min-replicas-to-write'))).toEqual([`${M} CONFIG SET min-replicas-to-write 2147483647`]);
    expect(report.cleanup).toHaveLength(1);
    expect(report.cleanup[0]).toMatch(
      /^Writes on 10\.0\.0\.1:6379 are still stopped ON PURPOSE: 10\.0\.0\.2:6379 was promoted.*two masters.*CONFIG SET min-replicas-to-write 1/,
    );
  });

  it('pause method: an abort between the promotion and the old master\'s REPLICAOF waits for that REPLICAOF, then releases', async () => {
    let answer: Promise<{ accepted: boolean; message: string }> | null = null;
    const run = setUp(switchover('pause'), (p, r) => {
      if (p.stepId === 's3' && p.status === 'ok' && !answer) answer = r.execution.abort();
    });
    const report = await run.execution.run();
    expect(await answer).toMatchObject({ accepted: true, message: expect.stringContaining('would leave two masters') });
    expect(report.status).toBe('aborted');
    expect(statuses(report)).toEqual([
      'CLIENT PAUSE 3000 WRITE: ok',
      'INFO replication: ok',
      'REPLICAOF NO ONE: ok',
      'REPLICAOF 10.0.0.2 6379: ok',
      'CLIENT UNPAUSE: skipped',
      'REPLICAOF 10.0.0.2 6379: skipped',
    ]);
    // The old master follows the new one, so its held writes can go (they get READONLY).
    expect(run.fake.sent().at(-1)).toBe(`${M} CLIENT UNPAUSE`);
    expect(report.cleanup).toEqual([`Done for you: CLIENT UNPAUSE on ${M}: its held writes now get READONLY`]);
  });
});

describe('Execution: a role change that gets no answer', () => {
  const stalled = (address: string): EngineError => new EngineError('TIMEOUT', `${address} did not answer within 1500 ms`);

  it('is recorded as unanswered, and the step says it may have taken effect or still may', async () => {
    const run = setUp(switchover('paused-failover'));
    run.fake.on('REPLICAOF', (address) => {
      if (address === B) throw stalled(B);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.handedOver).toBe(true);
    expect(report.unanswered).toEqual([{ stepIndex: 4, node: B, command: 'REPLICAOF 10.0.0.2 6379', error: `${B} did not answer within 1500 ms` }]);
    expect(report.steps[4]?.message).toBe(`REPLICAOF 10.0.0.2 6379 on ${B} got no answer (${B} did not answer within 1500 ms): it may have taken effect, or may still when ${B} runs again`);
  });

  it('a REPLICAOF answered with an error, or refused a connection, is not unanswered: it did not take effect', async () => {
    for (const error of [
      new EngineError('NOPERM', 'ACL user monitor lacks permission for REPLICAOF'),
      new EngineError('INTERNAL', 'Internal error: ERR Command is not allowed'),
      new EngineError('TIMEOUT', `${B} is busy running a script or function (BUSY): it answers nothing else until that ends`),
      new EngineError('UNREACHABLE', `${B}: connection refused (nothing is listening on that port)`),
    ]) {
      const run = setUp(switchover('paused-failover'));
      run.fake.on('REPLICAOF', (address) => {
        if (address === B) throw error;
      });
      const report = await run.execution.run();
      expect(report.status).toBe('failed');
      expect(report.unanswered, error.message).toEqual([]);
      expect(report.failure?.message).toBe(error.message);
    }
  });

  it('pause method: a REPLICAOF NO ONE without an answer may have promoted: the old master\'s writes stay stopped ON PURPOSE', async () => {
    const run = setUp(switchover('pause'));
    run.fake.on('REPLICAOF', (address, args) => {
      if (address === A && args.includes('NO')) throw stalled(A);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.unanswered.map((u) => [u.node, u.command])).toEqual([[A, 'REPLICAOF NO ONE']]);
    expect(run.fake.sent().filter((c) => c.includes('UNPAUSE'))).toEqual([]);
    expect(report.cleanup).toHaveLength(1);
    expect(report.cleanup[0]).toMatch(/^Writes on 10\.0\.0\.1:6379 are still stopped ON PURPOSE: 10\.0\.0\.2:6379 may have been promoted \(it did not answer\).*two masters/);
  });
});

describe('Execution: the plan journal', () => {
  it('a journal that cannot be written stops the plan before anything is sent', async () => {
    const run = setUp(switchover('paused-failover'));
    run.journal.failOn = (entry) => entry === 'journal step 0 running';
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.failure?.message).toMatch(/^the plan journal could not be written, so CLIENT PAUSE 3000 WRITE was not sent: /);
    expect(run.fake.sent()).toEqual([]);
    expect(report.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('an undo record that cannot be written keeps the pause from being sent', async () => {
    const run = setUp(switchover('paused-failover'));
    run.journal.failOn = (entry) => entry.startsWith('journal undo');
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent().some((c) => c.includes('CLIENT PAUSE'))).toBe(false);
  });
});

describe('Execution: nodes that fail mid-plan', () => {
  const refused = (address: string): EngineError => new EngineError('UNREACHABLE', `${address}: connection refused (nothing is listening on that port)`);
  const dead = (run: Run, address: string): void => {
    run.fake.on('INFO', (a) => {
      if (a === address) throw refused(address);
    });
    run.fake.on('REPLICAOF', (a) => {
      if (a === address) throw refused(address);
    });
  };

  it('pause method, old master dead after the promotion: the siblings still follow the new master; no "held on purpose", no release tried', async () => {
    const run = setUp(switchover('pause'), (p, r) => {
      if (p.stepId === 's3' && p.status === 'ok') dead(r, M);
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(statuses(report)).toEqual([
      'CLIENT PAUSE 3000 WRITE: ok',
      'INFO replication: ok',
      'REPLICAOF NO ONE: ok',
      'REPLICAOF 10.0.0.2 6379: failed',
      'CLIENT UNPAUSE: skipped',
      'REPLICAOF 10.0.0.2 6379: ok',
    ]);
    expect(report.steps[5]?.node).toBe(B);
    expect(run.fake.node(B)).toMatchObject({ role: 'replica', master: A });
    expect(report.cleanup).toEqual([]);
    expect(run.fake.sent().some((c) => c.includes('UNPAUSE'))).toBe(false);
    expect(report.handedOver).toBe(true);
  });

  it('a stalled old master (no answer) keeps its writes held on purpose; the siblings still follow the new master', async () => {
    const run = setUp(switchover('pause'), (p, r) => {
      if (p.stepId === 's3' && p.status === 'ok') {
        const stalled = (): never => {
          throw new EngineError('TIMEOUT', `${M} did not answer within 1500 ms`);
        };
        r.fake.on('INFO', (a) => (a === M ? stalled() : undefined));
        r.fake.on('REPLICAOF', (a) => (a === M ? stalled() : undefined));
      }
    });
    const report = await run.execution.run();
    expect(report.cleanup[0]).toMatch(/^Writes on 10\.0\.0\.1:6379 are still stopped ON PURPOSE/);
    expect(run.fake.node(B)).toMatchObject({ role: 'replica', master: A });
  });

  it('the new master dead after the promotion: no sibling is pointed at it', async () => {
    const run = setUp(switchover('pause'), (p, r) => {
      if (p.stepId !== 's3' || p.status !== 'ok') return;
      // The old master's REPLICAOF to the dead node answers OK and never links up.
      r.fake.on('INFO', (a) => {
        if (a === A) throw refused(A);
        if (a === M && r.fake.node(M).role === 'replica') r.fake.node(M).linkStatus = 'down';
      });
    }, 300);
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.steps.at(-1)).toMatchObject({ node: B, status: 'skipped' });
    expect(run.fake.sent(B)).toEqual([]);
  });

  it('a promotion answered, then its node lost before the read-back: handed over all the same', async () => {
    const run = setUp(switchover('pause'), undefined, 300);
    run.fake.on('REPLICAOF', (address, args) => {
      if (address === A && args[1] === 'NO') {
        run.fake.on('INFO', (a) => {
          if (a === A) throw refused(A);
        });
      }
    });
    const report = await run.execution.run();
    expect(report.steps[2]?.status).toBe('failed');
    expect(report.handedOver).toBe(true);
    expect(report.unanswered).toEqual([]);
  });

  it('paused FAILOVER whose target stalls after FAILOVER was accepted: the hand-over under way is recorded, and the release does not say writes resume', async () => {
    // A 3 s pause, and 300 ms for the step: the step gives up while the hand-over is under way.
    const run = setUp(switchover('paused-failover'), undefined, 300);
    run.fake.on('FAILOVER', (address, args) => {
      if (args[1] !== 'TO') return;
      // As Redis 7.0 does: a replica of the target at once, waiting for its PSYNC answer.
      Object.assign(run.fake.node(address), { role: 'replica', master: A, linkStatus: 'down', failoverState: 'failover-in-progress' });
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(report.handingOver).toEqual({ node: M, target: A });
    expect(report.handedOver).toBe(false);
    expect(report.failure?.message).toMatch(/is still failover-in-progress, handing over to 10\.0\.0\.2:6379\. It completes by itself when/);
    expect(report.cleanup).toHaveLength(1);
    expect(report.cleanup[0]).not.toMatch(/takes writes again/);
    expect(report.cleanup[0]).toMatch(/its writes stay refused: it is a replica of 10\.0\.0\.2:6379 handing over to it/);
    expect(run.fake.sent(B)).toEqual([]);
  });
});

describe('Execution: credentials given with --set-masterauth', () => {
  function moveWithMasterauth(): PlannedAction {
    const snapshot = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 1000 })]);
    const facts = factsFor(snapshot, { [A]: { requiresAuth: true, authBasis: 'requirepass' }, [B]: { masterauth: 'different', masteruser: 'repl-old' } }, { console: { user: 'admin', hasPassword: true } });
    const planned = planAction({ kind: 'replicaof', node: B, master: A, options: { setMasterauth: true, stepTimeoutMs: 300, skipWritePause: true } }, facts, META);
    if (!planned.plan.canRun) throw new Error(`plan refused: ${planned.plan.checks.map((c) => c.message).join('; ')}`);
    return planned;
  }

  function withOldCredentials(run: Run): void {
    Object.assign(run.fake.node(B).config, { masterauth: 'old-secret', masteruser: 'repl-old' });
  }

  it('REPLICAOF refused: the replica still follows its old master, and the console puts its old masterauth and masteruser back', async () => {
    const run = setUp(moveWithMasterauth());
    withOldCredentials(run);
    run.fake.on('REPLICAOF', () => {
      throw new EngineError('NOPERM', 'refused');
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent()).toEqual([
      `${B} CONFIG GET masterauth`,
      `${B} CONFIG GET masteruser`,
      `${B} CONFIG SET masterauth ***`,
      `${B} CONFIG SET masteruser admin`,
      `${B} REPLICAOF 10.0.0.2 6379`,
      `${B} CONFIG SET masterauth old-secret`,
      `${B} CONFIG SET masteruser repl-old`,
    ]);
    expect(report.cleanup.join('\n')).toMatch(new RegExp(`masterauth and masteruser on ${B} put back as before the plan`));
    expect(report.cleanup.join('\n')).not.toContain('old-secret');
    expect(report.authChanged).toEqual([]);
  });

  it('REPLICAOF sent, link never up: left as it is, and named for the way back (never the password)', async () => {
    const run = setUp(moveWithMasterauth(), undefined, 300);
    withOldCredentials(run);
    // Accepted, but the link does not come up (a refused AUTH only shows in the replica's log).
    run.fake.on('INFO', (address) => {
      if (address === B && run.fake.node(B).master === A) run.fake.node(B).linkStatus = 'down';
    });
    const report = await run.execution.run();
    expect(report.status).toBe('failed');
    expect(run.fake.sent().filter((c) => c.includes('old-secret') || c.includes('repl-old'))).toEqual([]);
    expect(report.authChanged).toEqual([{ node: B, masteruser: 'repl-old' }]);
  });
});

describe('re-pointing after a failure', () => {
  it('a promote of a live master\'s replica that fails on a sibling: the siblings left keep following the master clients write to', async () => {
    const C = '10.0.0.4:6379';
    const snapshot = snapshotOf([nodeState(M, { offset: 1000 }), replicaState(A, M, { offset: 1000 }), replicaState(B, M, { offset: 1000 }), replicaState(C, M, { offset: 1000 })]);
    const planned = planAction({ kind: 'promote', node: A, repointSiblings: true, options: { stepTimeoutMs: 300 } }, factsFor(snapshot), META);
    if (!planned.plan.canRun) throw new Error(`plan refused: ${planned.plan.checks.map((c) => c.message).join('; ')}`);
    const fake = FakeNodeCommands.group(M, [A, B, C], 1000);
    fake.on('REPLICAOF', (address) => {
      if (address === B) throw new EngineError('NOPERM', `ACL user admin lacks permission for REPLICAOF on ${B}`);
    });
    const report = await new Execution(fake, planned, { pollMs: 2, stepTimeoutMs: 300, journal: new RecordingJournal([]), onProgress: () => undefined }).run();
    expect(report.status).toBe('failed');
    expect(fake.node(A).role).toBe('master');
    // M still takes writes (a promote leaves it a master, unpaused): C stays with it.
    expect(fake.node(C)).toMatchObject({ role: 'replica', master: M });
    expect(fake.sent(C)).toEqual([]);
  });
});
