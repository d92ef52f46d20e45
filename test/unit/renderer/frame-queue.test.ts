import { describe, expect, it } from 'vitest';
import { FRAME_MS, FrameQueue } from '../../../renderer/src/lib/frame-queue';

/** A queue whose frames come when the test says, and whose clock moves by each job's cost. */
function harness(costMs: number) {
  const frames: (() => void)[] = [];
  let clock = 1000;
  const queue = new FrameQueue(
    (run) => frames.push(run),
    () => clock,
  );
  const ran: string[] = [];
  const job = (name: string) => () => {
    clock += costMs;
    ran.push(name);
  };
  return {
    queue,
    ran,
    job,
    frame: (): void => frames.shift()?.(),
    frames,
    wait: (ms: number) => {
      clock += ms;
    },
  };
}

describe('FrameQueue.request (a chart redraw)', () => {
  it('runs expensive jobs one per frame, none before the first frame', () => {
    const { queue, ran, job, frame } = harness(6);
    const a = {};
    const b = {};
    queue.request(a, job('a'));
    queue.request(b, job('b'));
    queue.request(a, job('a2'));
    expect(ran).toEqual([]);
    frame();
    expect(ran).toEqual(['a2']);
    frame();
    expect(ran).toEqual(['a2', 'b']);
    frame();
    expect(ran).toEqual(['a2', 'b']);
    expect(queue.pending).toBe(0);
  });

  it('runs cheap jobs together, and drops cancelled ones', () => {
    const { queue, ran, job, frame, frames } = harness(0.5);
    const owners = [{}, {}, {}];
    owners.forEach((o, i) => queue.request(o, job(String(i))));
    queue.cancel(owners[1]!);
    frame();
    expect(ran).toEqual(['0', '2']);
    expect(frames).toHaveLength(0);
  });

  it('runs a job at once when asked to, instead of the one it had queued', () => {
    const { queue, ran, job, frame } = harness(1);
    const owner = {};
    queue.request(owner, job('queued'));
    queue.request(owner, job('now'), true);
    expect(ran).toEqual(['now']);
    frame();
    expect(ran).toEqual(['now']);
  });
});

describe('FrameQueue.requestAlone (the redraw a job found it needs)', () => {
  it('runs in a task of its own after the frame, before the other jobs, which wait a frame more', () => {
    const { queue, ran, job, frame, frames } = harness(0.5);
    const [a, b, c] = [{}, {}, {}];
    // Cheap jobs share a task; a's finds it must redraw and hands that on.
    queue.request(a, () => {
      job('a')();
      queue.requestAlone(a, job('a redraw'));
    });
    queue.request(b, job('b'));
    frame();
    expect(ran).toEqual(['a', 'b']);
    queue.request(c, job('c'));
    frame();
    expect(ran).toEqual(['a', 'b', 'a redraw']);
    frame();
    expect(ran).toEqual(['a', 'b', 'a redraw', 'c']);
    expect(frames).toHaveLength(0);
  });

  it('runs one per frame, a later request replacing an earlier one; cancel and a job run at once drop it', () => {
    const { queue, ran, job, frame, frames } = harness(0.5);
    const [a, b, c] = [{}, {}, {}];
    queue.requestAlone(a, job('a1'));
    queue.requestAlone(b, job('b'));
    queue.requestAlone(a, job('a2'));
    queue.requestAlone(c, job('c'));
    queue.cancel(c);
    frame();
    expect(ran).toEqual(['a2']);
    queue.request(b, job('b now'), true);
    expect(ran).toEqual(['a2', 'b now']);
    frame();
    expect(ran).toEqual(['a2', 'b now']);
    expect(frames).toHaveLength(0);
    expect(queue.pending).toBe(0);
  });

  it('keeps a tick that lands after it out of its frame', () => {
    const { queue, ran, job, frame } = harness(6);
    queue.requestAlone({}, job('redraw'));
    frame();
    queue.runApart(job('tick'));
    expect(ran).toEqual(['redraw']);
    frame();
    expect(ran).toEqual(['redraw', 'tick']);
  });
});

describe('FrameQueue.runApart (a tick)', () => {
  it('runs at once when no job ran in this frame', () => {
    const { queue, ran, job } = harness(6);
    queue.runApart(job('tick'));
    expect(ran).toEqual(['tick']);
  });

  it('after a job ran in this frame, waits for the next frame, runs first and alone, in order; the jobs wait one more frame', () => {
    const { queue, ran, job, frame, frames } = harness(6);
    const chart = {};
    queue.request(chart, job('chart'));
    frame();
    expect(ran).toEqual(['chart']);
    // A tick lands in the frame the chart's redraw is part of.
    queue.runApart(job('tick 1'));
    queue.runApart(job('tick 2'));
    queue.request(chart, job('chart again'));
    expect(ran).toEqual(['chart']);
    expect(queue.pending).toBe(3);
    frame();
    expect(ran).toEqual(['chart', 'tick 1', 'tick 2']);
    frame();
    expect(ran).toEqual(['chart', 'tick 1', 'tick 2', 'chart again']);
    expect(frames).toHaveLength(0);
    expect(queue.pending).toBe(0);
  });

  it('runs at once again a frame after the last job', () => {
    const { queue, ran, job, frame, wait } = harness(2);
    queue.request({}, job('chart'));
    frame();
    wait(FRAME_MS);
    queue.runApart(job('tick'));
    expect(ran).toEqual(['chart', 'tick']);
  });
});
