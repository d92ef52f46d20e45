// What the executor tells the plan journal while a plan runs. The journal itself (a file in
// the data directory, fsynced, read back on the next start to report an interrupted plan)
// lives in journal.ts; the executor only knows this interface, so unit tests can pass a
// recording fake and a plan run without a journal behaves exactly the same.
import type { StepResult } from '../../shared/actions';

/** A change the plan makes that must be undone if the plan stops half-way. */
export type Undo =
  /** A setting changed (the write fence): `value` is the original, written down before the change. */
  | { kind: 'restore-config'; node: string; parameter: string; value: string }
  /** A write pause that ends by itself at `until` (ms since epoch); CLIENT UNPAUSE ends it sooner. */
  | { kind: 'pause-ends'; node: string; until: number };

export interface StepJournal {
  /**
   * Called with the step as it starts (status 'running', before its first command is sent)
   * and as it ends (ok, failed, aborted, skipped). Awaited: a journal that cannot be written
   * stops the plan before anything is sent.
   */
  step(index: number, step: StepResult): Promise<void>;
  /** Called (and awaited) before a command that needs undoing on failure is sent. */
  undo(undo: Undo): Promise<void>;
}

/** For plans run without a journal (unit tests). */
export const NO_JOURNAL: StepJournal = {
  step: async () => undefined,
  undo: async () => undefined,
};
