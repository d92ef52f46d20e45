// Finding and reporting interrupted plans, for every front end: at start (nodes read through
// a short-lived engine of their own) and on connecting to a topology (read through the
// connected engine). Settled plans are closed here; the operator can dismiss one explicitly.
import type { ConnectOptions, TopologySnapshot } from '../../shared/types';
import { ReplicationEngine } from '../engine';
import { toApiError } from '../errors';
import { JournalStore, type JournaledPlan } from './journal';
import { assess, planAddresses, readPlanNodes, recoveryWarnings, reportText, type InterruptedReport, type NodeReader } from './recovery';

export interface StartupCheckOptions {
  /** Credentials for reading the nodes (never written anywhere). */
  user?: string;
  password?: string;
  /** How the nodes are reached (TLS, an SSH bastion, the trusted hosts, the address map), as the front end was told. */
  connection?: Pick<ConnectOptions, 'tls' | 'ssh' | 'trustedHosts' | 'addressMap'>;
  /** Connect and command timeout of the short-lived engine. Default 1500 ms. */
  timeoutMs?: number;
  now?: () => number;
}

export interface CheckResult {
  reports: InterruptedReport[];
  /** Journal files that could not be read (torn `started` record): reported, not hidden. */
  problems: string[];
}

export class InterruptedPlans {
  readonly store: JournalStore;

  constructor(dataDirectory: string) {
    this.store = new JournalStore(dataDirectory);
  }

  /**
   * Reports for the interrupted plans that touch `snapshot` (every one when null), their nodes
   * read through `reader`. Settled plans are closed after this report, those `mayClose` allows.
   */
  async check(reader: NodeReader, snapshot: TopologySnapshot | null, now = Date.now(), mayClose: (planId: string) => boolean = () => true): Promise<CheckResult> {
    const { plans, broken } = await this.store.interrupted();
    const addresses = snapshot ? new Set(snapshot.nodes.flatMap((n) => [n.address, ...n.aliases])) : null;
    const touching = plans.filter((p) => addresses === null || planAddresses(p).some((a) => addresses.has(a)));
    const reports: InterruptedReport[] = [];
    for (const plan of touching) reports.push(await this.assessAndClose(plan, await readPlanNodes(reader, plan, snapshot), now, mayClose(plan.started.planId)));
    return { reports, problems: brokenText(broken) };
  }

  /**
   * At the start of a front end: every interrupted plan, each read through an engine of its
   * own seeded with the plan's nodes (nothing else is connected yet).
   */
  async checkAtStart(options: StartupCheckOptions = {}): Promise<CheckResult> {
    const { plans, broken } = await this.store.interrupted();
    const reports: InterruptedReport[] = [];
    for (const plan of plans) {
      const timeout = options.timeoutMs ?? 1500;
      const engine = new ReplicationEngine({ connectTimeoutMs: timeout, commandTimeoutMs: timeout });
      try {
        await engine.connect({ ...options.connection, seeds: planAddresses(plan), user: options.user, password: options.password, pollIntervalMs: 60_000 }).catch(() => null);
        const reader: NodeReader = engine.connected ? engine.commands() : unreachableReader;
        reports.push(await this.assessAndClose(plan, await readPlanNodes(reader, plan, engine.snapshot()), options.now?.() ?? Date.now()));
      } finally {
        await engine.disconnect();
      }
    }
    return { reports, problems: brokenText(broken) };
  }

  /** The operator's explicit "I have dealt with it": the plan is no longer reported. */
  dismiss(planId: string): Promise<boolean> {
    return this.store.close(planId, 'dismissed by the operator');
  }

  /** Warnings for a connected topology. */
  static warnings(result: CheckResult): ReturnType<typeof recoveryWarnings> {
    return recoveryWarnings(result.reports);
  }

  /** The report as stderr lines. */
  static text(result: CheckResult): string[] {
    return [...result.problems, ...result.reports.flatMap((r) => [...reportText(r), ''])];
  }

  private async assessAndClose(plan: JournaledPlan, nodes: Awaited<ReturnType<typeof readPlanNodes>>, now: number, mayClose = true): Promise<InterruptedReport> {
    const report = assess(plan, nodes, now);
    if (report.settled && mayClose) {
      const reason = report.changedSince.length > 0 ? `moot: ${report.changedSince.join(', ')} changed since by something else, no fence, no pause` : 'settled: nodes seen in the expected end state or the original one, no fence, no pause';
      await this.store.close(plan.started.planId, reason).catch(() => false);
    }
    return report;
  }
}

const unreachableReader: NodeReader = {
  info: async () => {
    throw new Error('none of the plan\'s nodes could be reached');
  },
  configGet: async () => null,
};

function brokenText(broken: { file: string; unreadable: { line: number; excerpt: string }[] }[]): string[] {
  return broken.map(
    (b) =>
      `INTERRUPTED_PLAN: the journal ${b.file} has no readable start record (${b.unreadable.length} unreadable line${b.unreadable.length === 1 ? '' : 's'}): ` +
      `a plan may have been cut off as it began. Check its nodes; remove the file once done.`,
  );
}

/** For callers that only want a one-line reason when the check itself fails. */
export function checkFailed(error: unknown): string {
  return `could not check for interrupted plans: ${toApiError(error).message}`;
}
