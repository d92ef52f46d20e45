// A master that dies while sentinel-failover waits for its Sentinel to read the steered replica
// priorities, against a real master, two replicas and three real redis-sentinel processes (quorum
// 2, down-after 1000 ms): the Sentinels fail it over on their own, and the plan must see that at
// once and say so, not wait out the step's timeout and blame the priorities. The Sentinel the step
// asks is stopped (SIGSTOP) as the step starts, so the wait holds for sure; the master is killed
// once the two others have read the steer, so their own failover picks the preferred replica.
// Every wait is for a condition.
import Redis from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../../electron/cli/action-output';
import type { Lab } from '../../electron/lab/lab';
import type { StepProgress } from '../../electron/shared/actions';
import { planAndRun, type Harness } from '../helpers/actions';
import { onNode as onLabNode, sentinelsFailOverOnTheirOwn, useSentinelGroup } from '../helpers/sentinel-group';

const NAME = 'rc-own';

let lab: Lab;
let sentinels: string[] = [];
let h: Harness;

const onNode = <T>(name: string, work: (c: Redis) => Promise<T>): Promise<T> => onLabNode(lab, name, work);
const priority = (name: string): Promise<string> => onNode(name, async (c) => ((await c.config('GET', 'replica-priority')) as string[])[1] ?? '?');

const group = useSentinelGroup(NAME);
beforeAll(() => {
  ({ lab, sentinels, h } = group);
});

describe('sentinel-failover when the master dies while the priorities step waits', () => {
  it('ends as soon as the Sentinels fail over on their own, says so (to the preferred replica, SENTINEL FAILOVER not sent), and puts the priorities back', async () => {
    const prefer = lab.address('replica-2');
    const before = await priority('replica-2');
    // The Sentinel the priorities step asks, known as the step starts ("sending SENTINEL REPLICAS … to HOST:PORT").
    const via: { sentinel: string | null } = { sentinel: null };
    let stepStarted!: () => void;
    const started = new Promise<void>((resolve) => (stepStarted = resolve));
    const onProgress = (p: StepProgress): void => {
      const asked = new RegExp(`^sending SENTINEL REPLICAS ${NAME} to (\\S+)$`).exec(p.message)?.[1];
      if (!asked || via.sentinel !== null) return;
      via.sentinel = sentinels.find((s) => lab.address(s) === asked) ?? null;
      // Stopped before the step's first SENTINEL REPLICAS: the step cannot read the new priorities from it.
      if (via.sentinel) lab.pause(via.sentinel);
      stepStarted();
    };
    const run = planAndRun(h, { kind: 'sentinel-failover', masterName: NAME, prefer }, { onProgress });
    let killedAt = 0;
    let switchedAt = 0;
    try {
      await Promise.race([started, run.then(() => Promise.reject(new Error('the plan ended before its priorities step started')))]);
      expect(via.sentinel, "the Sentinel the step asks is one of the lab's").not.toBeNull();
      const live = sentinels.filter((s) => s !== via.sentinel);
      // The two others read the steer: their failover then picks the preferred replica.
      killedAt = await sentinelsFailOverOnTheirOwn(lab, live, NAME, 'replica-2');
      switchedAt = Date.now();
    } catch (error) {
      // The plan ends before the test does, its Sentinel running again.
      if (via.sentinel) lab.resume(via.sentinel);
      await run.catch(() => undefined);
      throw error;
    }
    const { outcome } = await run;
    if (via.sentinel) lab.resume(via.sentinel);
    const said = JSON.stringify(outcome.steps.map((s) => [s.command, s.status, s.message]));
    const wait = outcome.steps.find((s) => s.command === `SENTINEL REPLICAS ${NAME}`);

    // Seen at once: the plan ends within seconds of the switch, far from the step's 30 s timeout.
    expect(outcome.finishedAt - switchedAt, said).toBeLessThan(5000);
    expect(outcome.finishedAt - killedAt, said).toBeLessThan(20_000);
    expect(outcome.status).toBe('failed');
    expect(wait?.status).toBe('failed');
    expect(wait?.message).toContain(`Sentinel failed "${NAME}" over on its own to ${prefer}, the replica this plan preferred`);
    expect(wait?.message).not.toMatch(/in time|old priority/);
    expect(outcome.steps.find((s) => s.command === `SENTINEL FAILOVER ${NAME}`)?.status).toBe('skipped');

    // The restore ran: the priority is what it was before the plan.
    const restore = outcome.steps.filter((s) => s.node === prefer && s.command === `CONFIG SET replica-priority ${before}`);
    expect(restore.map((s) => s.status), said).toEqual(['ok']);
    expect(await priority('replica-2')).toBe(before);

    const advice = outcome.nextSteps.join('\n');
    expect(advice).toContain(`Sentinel failed "${NAME}" over on its own to ${prefer}, the replica this plan preferred`);
    expect(advice).toContain('the console did not send SENTINEL FAILOVER');
    expect(advice).toContain(`The replica priorities the plan changed to steer Sentinel are back: CONFIG SET replica-priority ${before} on ${prefer}`);
    expect(advice).not.toMatch(/in time|Put the replica priority back by hand/);
    // Said in the outcome's headline, not "Failed": the failover happened, to the preferred replica.
    expect(outcome.sentinelOnItsOwn).toEqual({ masterName: NAME, master: prefer, prefer, toPreferred: true, oldMaster: lab.address('master'), stepId: wait?.id });
    const printed = formatOutcome(outcome, { color: false });
    expect(printed).toMatch(
      new RegExp(`^■ Stopped after \\d+ ms: Sentinel failed "${NAME}" over on its own to ${prefer.replace(/\./g, '\\.')} \\(the replica this plan preferred\\); the console sent no SENTINEL FAILOVER\\.$`, 'm'),
    );
    expect(printed).not.toContain('Failed after');
    expect(printed).not.toContain('did not report the new priorities in time');
  }, 120_000);
});
