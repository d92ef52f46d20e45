// The interrupted plans of the connected topology in full: the INTERRUPTED_PLAN and
// FENCED_MASTER warnings carry them as text only. Loaded again whenever those warnings change
// (the engine re-reads the plan's nodes every few seconds while one is shown), and dismissed
// from here: "I have dealt with it" closes the record for every window.
import type { InterruptedPlanList, InterruptedPlanReport } from '../../../electron/shared/api';
import type { Address, ApiError, TopologyWarning } from '../../../electron/shared/types';

const JOURNAL_CODES: ReadonlySet<string> = new Set(['INTERRUPTED_PLAN', 'FENCED_MASTER']);

/** Everything the journal's warnings say, as one string: when it changes, so did the reports. */
export function journalSignature(warnings: readonly TopologyWarning[]): string {
  return JSON.stringify(warnings.filter((w) => JOURNAL_CODES.has(w.code)).map((w) => [w.code, w.message, w.nodes]));
}

/** The report an INTERRUPTED_PLAN warning is the text of (its message opens with the plan id). */
export function reportOf(warning: TopologyWarning, reports: readonly InterruptedPlanReport[]): InterruptedPlanReport | undefined {
  if (warning.code !== 'INTERRUPTED_PLAN') return undefined;
  return reports.find((r) => warning.message.startsWith(`INTERRUPTED_PLAN ${r.planId}:`));
}

export type Fence = InterruptedPlanReport['fenced'][number];

/** The fence a FENCED_MASTER warning is about (with the value to restore), and its plan's report. */
export function fenceOf(warning: TopologyWarning, reports: readonly InterruptedPlanReport[]): { fence: Fence; report: InterruptedPlanReport } | undefined {
  if (warning.code !== 'FENCED_MASTER') return undefined;
  const node = warning.nodes[0];
  for (const report of reports) {
    const fence = report.fenced.find((f) => f.node === node && warning.message.includes(report.planId.slice(0, 8)));
    if (fence) return { fence, report };
  }
  return undefined;
}

/** One recovery command as a line to paste in a shell (credentials are the operator's to add). */
export function redisCliLine(node: Address, command: string): string {
  const colon = node.lastIndexOf(':');
  const rawHost = node.slice(0, colon);
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  return `redis-cli -h ${host} -p ${node.slice(colon + 1)} ${command}`;
}

export class InterruptedState {
  reports = $state.raw<InterruptedPlanReport[]>([]);
  problems = $state.raw<string[]>([]);
  /** The last load or dismiss failure. */
  error = $state.raw<ApiError | null>(null);
  /** The plan whose Dismiss waits for "I have dealt with it". */
  confirming = $state<string | null>(null);
  /** The plan being dismissed now. */
  dismissing = $state<string | null>(null);
  /** Plans dismissed from this window: their warnings are hidden until the engine's tick drops them. */
  dismissed = $state.raw<readonly string[]>([]);

  #signature = journalSignature([]);
  #token = 0;

  /**
   * Follow the warnings of a tick. True when the journal's warnings changed and the reports
   * must be loaded again; with none left, everything is cleared here.
   */
  track(warnings: readonly TopologyWarning[]): boolean {
    const signature = journalSignature(warnings);
    if (signature === this.#signature) return false;
    this.#signature = signature;
    if (!warnings.some((w) => JOURNAL_CODES.has(w.code))) {
      this.#token++;
      this.reports = [];
      this.problems = [];
      this.error = null;
      this.confirming = null;
      this.dismissed = [];
      return false;
    }
    return true;
  }

  /** A load starts; returns its token (only the latest load's answer counts). */
  beginLoad(): number {
    return ++this.#token;
  }

  loaded(token: number, list: InterruptedPlanList): void {
    if (token !== this.#token) return;
    this.reports = list.reports.filter((r) => !this.dismissed.includes(r.planId));
    this.problems = list.problems;
    this.error = null;
  }

  failed(token: number, error: ApiError): void {
    if (token !== this.#token) return;
    this.error = error;
  }

  /** Dismiss was clicked: ask for the confirmation first. */
  ask(planId: string): void {
    this.confirming = planId;
  }

  cancel(): void {
    this.confirming = null;
  }

  /** The operator confirmed; false when another dismiss is already on its way. */
  beginDismiss(planId: string): boolean {
    if (this.dismissing !== null) return false;
    this.dismissing = planId;
    this.confirming = null;
    this.error = null;
    return true;
  }

  /** Closed (now or before, elsewhere): gone from this window at once, from the others at the next tick. */
  dismissDone(planId: string): void {
    this.dismissing = null;
    this.dismissed = [...this.dismissed, planId];
    this.reports = this.reports.filter((r) => r.planId !== planId);
  }

  dismissFailed(planId: string, error: ApiError): void {
    if (this.dismissing === planId) this.dismissing = null;
    this.error = error;
  }

  /** True for a journal warning about a plan this window dismissed. */
  hides(warning: TopologyWarning): boolean {
    if (this.dismissed.length === 0 || !JOURNAL_CODES.has(warning.code)) return false;
    for (const planId of this.dismissed) {
      if (warning.code === 'INTERRUPTED_PLAN' ? warning.message.startsWith(`INTERRUPTED_PLAN ${planId}:`) : warning.message.includes(planId.slice(0, 8))) return true;
    }
    return false;
  }

  reset(): void {
    this.#token++;
    this.#signature = journalSignature([]);
    this.reports = [];
    this.problems = [];
    this.error = null;
    this.confirming = null;
    this.dismissing = null;
    this.dismissed = [];
  }
}
