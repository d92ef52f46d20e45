// For tests that cut a plan off half-way: wait for the plan journal to record a step starting
// (the cut is triggered by that, never by a sleep), then run the next start's check.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedPlans } from '../../electron/engine/actions/interrupted';
import { JOURNAL_DIR, readJournal } from '../../electron/engine/actions/journal';
import type { InterruptedReport } from '../../electron/engine/actions/recovery';
import { until } from './until';

/**
 * Resolves with the plan id once a journal in `dataDir` records step `index` (0-based) starting.
 * A plan that starts the step and ends between two reads has moved its journal to done/ by the
 * next: journals there count too, but for those already there when the wait began (earlier plans').
 */
export async function stepStarted(dataDir: string, index: number, timeoutMs = 20_000): Promise<string> {
  const dir = path.join(dataDir, JOURNAL_DIR);
  const done = path.join(dir, 'done');
  const list = (d: string): Promise<string[]> => readdir(d).then((names) => names.filter((n) => n.endsWith('.jsonl')), () => []);
  const earlier = new Set(await list(done));
  return until(
    `the journal to record step ${index + 1} starting`,
    async () => {
      const journals = [...(await list(dir)).map((n) => path.join(dir, n)), ...(await list(done)).filter((n) => !earlier.has(n)).map((n) => path.join(done, n))];
      for (const file of journals) {
        const text = await readFile(file, 'utf8').catch(() => '');
        if (text.split('\n').some((line) => line.includes('"type":"step"') && line.includes(`"index":${index},`) && line.includes('"status":"running"'))) {
          return path.basename(file, '.jsonl');
        }
      }
      return undefined;
    },
    timeoutMs,
    2,
  );
}

/** The next start's check (the one every front end runs), for this plan. */
export async function nextStart(dataDir: string, planId: string): Promise<InterruptedReport> {
  const { reports } = await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000 });
  const report = reports.find((r) => r.planId === planId);
  if (!report) throw new Error(`no INTERRUPTED_PLAN report for ${planId}; got ${reports.map((r) => r.planId).join(', ') || 'none'}`);
  return report;
}

/**
 * True when the plan's journal records a normal end: it ran to its end before a cut reached it
 * (a kill lands a few milliseconds after the step it was aimed at started, and a last step can
 * finish in that time). A settled journal has moved to `done/`.
 */
export async function endedBeforeCut(dataDir: string, planId: string): Promise<boolean> {
  for (const dir of [path.join(dataDir, JOURNAL_DIR), path.join(dataDir, JOURNAL_DIR, 'done')]) {
    const read = await readJournal(path.join(dir, `${planId}.jsonl`)).catch(() => null);
    if (read?.started) return read.finished !== null && read.finished.interrupted === null;
  }
  return false;
}

/**
 * The steps the plan's journal records starting, in the order they started: after a kill aimed
 * at one step, whether it landed there or later (a quick step, like a wait whose replica is
 * already caught up, can be over, and the next ones started, before the kill reaches the process).
 */
export async function stepsStarted(dataDir: string, planId: string): Promise<number[]> {
  for (const dir of [path.join(dataDir, JOURNAL_DIR), path.join(dataDir, JOURNAL_DIR, 'done')]) {
    const read = await readJournal(path.join(dir, `${planId}.jsonl`)).catch(() => null);
    if (read?.started) return [...read.stepStarts.keys()];
  }
  return [];
}
