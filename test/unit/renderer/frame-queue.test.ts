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
