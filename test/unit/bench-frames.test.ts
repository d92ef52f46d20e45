// The renderer bench's frame analysis (bench/renderer/frames.ts) on a hand-made Chromium trace:
// a frame's work is its tasks' wall time, its CPU their thread time, so a frame whose thread
// waited for a core shows more work than CPU.
import { describe, expect, it } from 'vitest';
import { START_MARK, STOP_MARK, analyzeFrames, type TraceEvent } from '../../bench/renderer/frames';

const PID = 7;
const TID = 1;

function trace(tasks: { start: number; wall: number; cpu: number }[], renders: [number, number][]): TraceEvent[] {
  const on = { pid: PID, tid: TID };
  return [
    { name: 'thread_name', ph: 'M', ts: 0, ...on, args: { name: 'CrRendererMain' } },
    { name: START_MARK, ph: 'R', ts: 0, ...on },
    ...renders.flatMap(([start, end]): TraceEvent[] => [
      { name: 'AnimationFrame::Render', ph: 'b', ts: start, ...on },
      { name: 'AnimationFrame::Render', ph: 'e', ts: end, ...on },
    ]),
    ...tasks.map((t): TraceEvent => ({ name: 'RunTask', ph: 'X', ts: t.start, dur: t.wall, tdur: t.cpu, ...on })),
    { name: STOP_MARK, ph: 'R', ts: 1_000_000, ...on },
  ];
}

describe('renderer bench frames', () => {
  it('counts each frame\'s tasks by wall time (work) and by thread time (CPU)', () => {
    // Frame 2 (rendered at 40 ms) holds a task of 30 ms wall of which the thread ran 12 ms, and its own render task.
    const events = trace(
      [
        { start: 1_000, wall: 2_000, cpu: 2_000 },
        { start: 17_000, wall: 30_000, cpu: 12_000 },
        { start: 48_000, wall: 3_000, cpu: 3_000 },
      ],
      [
        [3_000, 4_000],
        [48_000, 51_000],
      ],
    );
    const { frames } = analyzeFrames(events);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ workMs: 33, cpuMs: 15 });
  });

  it('takes a task without thread time as all CPU', () => {
    const events = trace(
      [{ start: 10_000, wall: 5_000, cpu: 5_000 }],
      [
        [1_000, 2_000],
        [15_000, 16_000],
      ],
    );
    delete events.find((e) => e.name === 'RunTask')!.tdur;
    expect(analyzeFrames(events).frames[0]).toMatchObject({ workMs: 5, cpuMs: 5 });
  });
});
