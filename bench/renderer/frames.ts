// Frame timing from a Chromium trace (categories in TRACE_CATEGORIES). A frame here is what the
// Long Animation Frames API calls one, for every frame rather than only those over 50 ms: all
// the main-thread tasks since the previous frame was rendered, up to the end of this frame's
// rendering. Its "work" is the summed duration of those tasks (JavaScript, style, layout,
// paint), idle gaps excluded: the figure to hold under 16 ms for a frame never to be late.

export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing'];

/** performance.mark() names that bound the measured window inside the trace. */
export const START_MARK = 'renderer-bench:start';
export const STOP_MARK = 'renderer-bench:stop';

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread time of a complete ('X') event, µs. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

export interface Part {
  what: string;
  ms: number;
}

export interface Frame {
  /** Summed main-thread task time in the frame, ms. */
  workMs: number;
  /**
   * The same tasks' thread time (CPU the main thread itself used), ms. On a machine whose cores
   * are busy with other processes (the bench's own redis-servers and engine), a task's wall time
   * also holds the time its thread waited for a core: workMs − cpuMs is that wait.
   */
  cpuMs: number;
  /** From the frame's first task to the end of its rendering (the LoAF duration), ms. */
  spanMs: number;
  /** Rendering step (rAF callbacks, style, layout, paint): ms. */
  renderMs: number;
  styleAndLayoutMs: number;
  /** Script entry points run in the frame (LoAF script attribution), longest first. */
  scripts: Part[];
  /** ms since the trace's first frame. */
  at: number;
}

export interface FrameAnalysis {
  frames: Frame[];
  /** Main-thread task time over the traced span, as a fraction of it. */
  busyFraction: number;
  tracedMs: number;
}

interface Interval {
  start: number;
  end: number;
  /** Thread time, µs (a task's tdur). */
  cpu?: number;
  args?: Record<string, unknown>;
}

/**
 * Splits the page's main thread into frames; `events` is the traceEvents array. Only frames
 * rendered between the START_MARK and STOP_MARK user timing marks count.
 */
export function analyzeFrames(events: TraceEvent[]): FrameAnalysis {
  const main = pageMainThread(events);
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const markAt = (name: string): number | undefined => events.find((e) => e.name === name && e.pid === main.pid)?.ts;
  const from = markAt(START_MARK);
  const to = markAt(STOP_MARK);
  if (from === undefined || to === undefined) throw new Error('the trace lacks the start and stop marks of the measured window');
  const tasks = topLevel(
    onMain
      .filter((e) => e.name === 'RunTask' && e.ph === 'X')
      .map((e) => ({ start: e.ts, end: e.ts + (e.dur ?? 0), cpu: e.tdur ?? e.dur ?? 0 })),
  );
  const renders = pairs(onMain, 'AnimationFrame::Render').filter((r) => r.end > from && r.end <= to);
  const styles = pairs(onMain, 'AnimationFrame::StyleAndLayout');
  const scripts = pairs(onMain, 'AnimationFrame::Script::Execute');

  const frames: Frame[] = [];
  let taskAt = 0;
  const first = renders[0]?.end ?? 0;
  for (let i = 1; i < renders.length; i++) {
    const from = (renders[i - 1] as Interval).end;
    const render = renders[i] as Interval;
    while (taskAt < tasks.length && (tasks[taskAt] as Interval).start <= from) taskAt++;
    let work = 0;
    let cpu = 0;
    let firstStart = Number.POSITIVE_INFINITY;
    for (let t = taskAt; t < tasks.length && (tasks[t] as Interval).start <= render.end; t++) {
      const task = tasks[t] as Interval;
      work += task.end - task.start;
      cpu += task.cpu ?? 0;
      firstStart = Math.min(firstStart, task.start);
    }
    const inFrame = (x: Interval): boolean => x.start > from && x.end <= render.end;
    frames.push({
      workMs: work / 1000,
      cpuMs: cpu / 1000,
      spanMs: Number.isFinite(firstStart) ? (render.end - firstStart) / 1000 : 0,
      renderMs: (render.end - render.start) / 1000,
      styleAndLayoutMs: styles.filter(inFrame).reduce((sum, s) => sum + (s.end - s.start), 0) / 1000,
      scripts: scripts
        .filter(inFrame)
        .map((s) => ({ what: scriptName(s.args), ms: (s.end - s.start) / 1000 }))
        .sort((a, b) => b.ms - a.ms),
      at: (render.end - first) / 1000,
    });
  }
  const tracedMs = renders.length > 1 ? ((renders.at(-1) as Interval).end - first) / 1000 : 0;
  const busy = tasks.filter((t) => t.start > first).reduce((sum, t) => sum + (t.end - t.start), 0) / 1000;
  return { frames, busyFraction: tracedMs > 0 ? busy / tracedMs : 0, tracedMs };
}

/** The renderer main thread that rendered the most frames: the page under test. */
function pageMainThread(events: TraceEvent[]): { pid: number; tid: number } {
  const names = new Map<string, string>();
  for (const e of events) {
    if (e.name === 'thread_name' && e.ph === 'M') names.set(`${e.pid}:${e.tid}`, String(e.args?.name ?? ''));
  }
  const renders = new Map<string, number>();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.name === 'AnimationFrame::Render' && e.ph === 'b' && names.get(key) === 'CrRendererMain') {
      renders.set(key, (renders.get(key) ?? 0) + 1);
    }
  }
  const best = [...renders.entries()].sort((a, b) => b[1] - a[1])[0];
  if (!best) throw new Error('the trace has no rendered frame on any renderer main thread');
  const [pid, tid] = best[0].split(':').map(Number);
  return { pid: pid as number, tid: tid as number };
}

/** Nested async begin/end events of one name, paired in order. */
function pairs(events: TraceEvent[], name: string): Interval[] {
  const open: TraceEvent[] = [];
  const out: Interval[] = [];
  for (const e of events) {
    if (e.name !== name) continue;
    if (e.ph === 'b') open.push(e);
    else if (e.ph === 'e') {
      const begin = open.pop();
      if (begin) out.push({ start: begin.ts, end: e.ts, args: begin.args });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Tasks sorted by start, without any task nested inside another (nested run loops). */
function topLevel(tasks: Interval[]): Interval[] {
  const sorted = [...tasks].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const task of sorted) {
    if (task.start < end) continue;
    out.push(task);
    end = task.end;
  }
  return out;
}

function scriptName(args: Record<string, unknown> | undefined): string {
  const info = (args?.animation_frame_script_timing_info ?? {}) as Record<string, unknown>;
  // "DOMWebSocket message" (a tick arriving) apart from "MessagePort message" (a chart redraw run apart, lib/frame-queue.ts).
  const named = [info.class_like_name, info.property_like_name].filter(Boolean).join(' ');
  const invoker = String(named || info.invoker_type || 'script');
  const fn = String(info.source_location_function_name ?? '');
  return fn ? `${invoker} → ${fn}` : invoker;
}

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}
