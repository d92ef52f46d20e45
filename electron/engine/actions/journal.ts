// The plan journal: one JSON Lines file per running plan in <data dir>/journal/. Its
// `started` record (the plan, each node's role before and after, the original value of every
// setting the plan changes) reaches the disk before the first command is sent; then one
// record per step start and end and per undo, and a `finished` record. A plan whose file has
// no `finished` record (the console died), or whose run was cut short by a shutdown, is an
// interrupted plan: the next start of any front end reports it (see recovery.ts) until its
// nodes are seen settled or the operator dismisses it. Settled plans move to journal/done/.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActionInterface, ActionRequest, StepResult } from '../../shared/actions';
import { redact } from '../errors';
import { appendRecord, readRecords, type UnreadableLine } from './jsonl';
import type { StepOp } from './operations';
import type { ExpectedNode, PlannedAction } from './plan-builder';
import type { StepJournal, Undo } from './step-journal';

export const JOURNAL_DIR = 'journal';
/** Settled journals kept as a trace (the audit log has the outcome); older ones are removed. */
const DONE_KEPT = 50;

/** A setting the plan changes, with the value to put back. */
export interface OriginalValue {
  node: string;
  parameter: string;
  value: string;
}

export interface StartedRecord {
  type: 'started';
  v: 1;
  planId: string;
  at: number;
  /** The process running the plan: a live one on this host is not interrupted, only busy. */
  pid: number;
  host: string;
  user: string;
  interface: ActionInterface;
  summary: string;
  request: ActionRequest;
  nodes: string[];
  before: ExpectedNode[];
  expected: ExpectedNode[];
  steps: { id: string; node: string; command: string }[];
  /** What each step sends (never a password: set-masterauth takes it at run time). */
  ops: StepOp[];
  original: OriginalValue[];
}

export interface StepRecord {
  type: 'step';
  at: number;
  index: number;
  id: string;
  status: StepResult['status'];
  message: string;
}

export interface UndoRecord {
  type: 'undo';
  at: number;
  undo: Undo;
}

export interface FinishedRecord {
  type: 'finished';
  at: number;
  status: 'ok' | 'failed' | 'aborted';
  /** Set when the run was cut short by a shutdown or a disconnect: still reported at the next start. */
  interrupted: string | null;
}

export interface ClosedRecord {
  type: 'closed';
  at: number;
  reason: string;
}

export type JournalRecord = StartedRecord | StepRecord | UndoRecord | FinishedRecord | ClosedRecord;

/** One plan's journal as read back. */
export interface JournaledPlan {
  file: string;
  started: StartedRecord;
  /** Last record per step index. */
  steps: Map<number, StepRecord>;
  /** When each step was first seen running (ms). */
  stepStarts: Map<number, number>;
  undos: Undo[];
  finished: FinishedRecord | null;
  unreadable: UnreadableLine[];
}

// Plans this process is running: never reported as interrupted while they run.
const running = new Set<string>();

/** Values a plan puts back: a parameter it sets twice on one node is restored by the second set. */
export function originalValues(ops: readonly StepOp[]): OriginalValue[] {
  const sets = ops.filter((op): op is Extract<StepOp, { kind: 'set-config' }> => op.kind === 'set-config');
  const out: OriginalValue[] = [];
  for (const op of sets) {
    const same = sets.filter((o) => o.node === op.node && o.parameter === op.parameter);
    if (same.length >= 2 && same.at(-1) === op) out.push({ node: op.node, parameter: op.parameter, value: op.value });
  }
  return out;
}

/** The journal of one running plan; the executor calls step() and undo() through StepJournal. */
export class PlanJournal implements StepJournal {
  private closed = false;

  private constructor(
    readonly file: string,
    readonly planId: string,
    private readonly secrets: ReadonlyArray<string | undefined>,
  ) {}

  /** Write and fsync the `started` record; nothing may be sent before this resolves. */
  static async begin(
    dir: string,
    planned: PlannedAction,
    who: { user: string; host: string; interface: ActionInterface },
    secrets: ReadonlyArray<string | undefined>,
  ): Promise<PlanJournal> {
    const { plan } = planned;
    const journal = new PlanJournal(path.join(dir, JOURNAL_DIR, `${plan.id}.jsonl`), plan.id, secrets);
    const started: StartedRecord = {
      type: 'started',
      v: 1,
      planId: plan.id,
      at: Date.now(),
      pid: process.pid,
      host: who.host,
      user: who.user,
      interface: who.interface,
      summary: redact(plan.summary, secrets),
      request: plan.request,
      nodes: plan.nodes,
      before: planned.before,
      expected: planned.expected,
      steps: plan.steps.map((s) => ({ id: s.id, node: s.node, command: redact(s.command, secrets) })),
      ops: planned.ops,
      original: originalValues(planned.ops),
    };
    running.add(plan.id);
    try {
      await appendRecord(journal.file, started);
    } catch (error) {
      running.delete(plan.id);
      throw error;
    }
    return journal;
  }

  async step(index: number, step: StepResult): Promise<void> {
    await this.write({ type: 'step', at: Date.now(), index, id: step.id, status: step.status, message: redact(step.message, this.secrets) });
  }

  async undo(undo: Undo): Promise<void> {
    await this.write({ type: 'undo', at: Date.now(), undo });
  }

  /**
   * The plan ended. A normal end (`interrupted` null) settles the journal at once; a run cut
   * short by a shutdown or disconnect stays to be reported at the next start.
   */
  async finish(status: FinishedRecord['status'], interrupted: string | null): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await appendRecord(this.file, { type: 'finished', at: Date.now(), status, interrupted } satisfies FinishedRecord);
      if (interrupted === null) await settle(this.file);
    } finally {
      running.delete(this.planId);
    }
  }

  private async write(record: JournalRecord): Promise<void> {
    if (this.closed) return;
    await appendRecord(this.file, record);
  }
}

/** Read one journal file; null when it has no `started` record (then it is reported as unreadable). */
export async function readJournal(file: string): Promise<JournaledPlan | { file: string; unreadable: UnreadableLine[]; started: null }> {
  const { records, unreadable } = await readRecords<JournalRecord>(file);
  const started = records.find((r): r is StartedRecord => r.type === 'started' && r.v === 1);
  if (!started) return { file, unreadable, started: null };
  const plan: JournaledPlan = { file, started, steps: new Map(), stepStarts: new Map(), undos: [], finished: null, unreadable };
  for (const record of records) {
    if (record.type === 'step') {
      plan.steps.set(record.index, record);
      if (record.status === 'running' && !plan.stepStarts.has(record.index)) plan.stepStarts.set(record.index, record.at);
    } else if (record.type === 'undo') plan.undos.push(record.undo);
    else if (record.type === 'finished') plan.finished = record;
  }
  return plan;
}

/** True when another live process on this host is running the plan (it is busy, not interrupted). */
function runningElsewhere(started: StartedRecord, host = os.hostname()): boolean {
  if (started.pid === process.pid || started.host !== host) return false;
  try {
    process.kill(started.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The journal directory of a data directory: list interrupted plans, close them. */
export class JournalStore {
  readonly dir: string;

  constructor(dataDirectory: string) {
    this.dir = path.join(dataDirectory, JOURNAL_DIR);
  }

  /**
   * Plans that stopped half-way: no `finished` record and no live process running them, or cut
   * short by a shutdown. Files without a readable `started` record are listed in `broken`.
   */
  async interrupted(): Promise<{ plans: JournaledPlan[]; broken: { file: string; unreadable: UnreadableLine[] }[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { plans: [], broken: [] };
      throw error;
    }
    const plans: JournaledPlan[] = [];
    const broken: { file: string; unreadable: UnreadableLine[] }[] = [];
    for (const name of names) {
      const read = await readJournal(path.join(this.dir, name));
      if (read.started === null) {
        broken.push({ file: read.file, unreadable: read.unreadable });
        continue;
      }
      const plan = read;
      if (plan.started.pid === process.pid && running.has(plan.started.planId)) continue;
      if (plan.finished === null ? runningElsewhere(plan.started) : plan.finished.interrupted === null) continue;
      plans.push(plan);
    }
    return { plans, broken };
  }

  /**
   * An open plan (no `finished` record) that another live process on this host runs on any of
   * these nodes, or null: such a plan is busy, not interrupted.
   */
  async openElsewhere(nodes: readonly string[]): Promise<StartedRecord | null> {
    const wanted = new Set(nodes);
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    for (const name of names) {
      const read = await readJournal(path.join(this.dir, name)).catch(() => null);
      if (!read?.started || read.finished !== null) continue;
      if (!read.started.nodes.some((n) => wanted.has(n))) continue;
      if (runningElsewhere(read.started)) return read.started;
    }
    return null;
  }

  /** Close an interrupted plan (settled, or dismissed by the operator): it is no longer reported. */
  async close(planId: string, reason: string): Promise<boolean> {
    if (!/^[\w-]{1,100}$/.test(planId)) return false;
    const file = path.join(this.dir, `${planId}.jsonl`);
    const read = await readJournal(file).catch(() => null);
    if (!read || (read.started === null && read.unreadable.length === 0)) return false;
    await appendRecord(file, { type: 'closed', at: Date.now(), reason } satisfies ClosedRecord);
    await settle(file);
    return true;
  }
}

/** Move a journal out of the active directory, keeping the most recent ones as a trace. */
async function settle(file: string): Promise<void> {
  const doneDir = path.join(path.dirname(file), 'done');
  await mkdir(doneDir, { recursive: true, mode: 0o700 });
  await rename(file, path.join(doneDir, path.basename(file)));
  const names = (await readdir(doneDir)).sort();
  if (names.length <= DONE_KEPT) return;
  // Names are random plan ids: the oldest go by modification time.
  const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(doneDir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, aged.length - DONE_KEPT)) await rm(path.join(doneDir, n), { force: true });
}
