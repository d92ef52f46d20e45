// The audit log: one JSON line per executed plan (who, when, nodes, commands, outcome,
// timings), appended to a file in the app's data directory. Commands already show passwords
// as ***; every message is redacted once more with the session's password before writing.
// Each entry is a line of its own and reaches the disk before the plan's outcome is returned.
import os from 'node:os';
import path from 'node:path';
import type { ActionInterface, ActionOutcome, AuditEntry, StepResult } from '../../shared/actions';
import type { TopologySnapshot } from '../../shared/types';
import { redact } from '../errors';
import { appendRecord, readRecords, type UnreadableLine } from './jsonl';
import type { PlannedAction } from './plan-builder';

export const APP_NAME = 'replication-console';
export const AUDIT_FILE = 'audit.jsonl';

/**
 * Where the app keeps its data: REPLICATION_CONSOLE_DATA_DIR when set, else the directory
 * Electron's app.getPath('userData') gives an app of this name, so the CLI and the desktop
 * app share one audit log.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  const override = env.REPLICATION_CONSOLE_DATA_DIR;
  if (override) return override;
  if (platform === 'win32') return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_NAME);
  return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), APP_NAME);
}

/** Who runs the plan: OS user, host, and which front end. */
export function whoAmI(iface: ActionInterface): AuditEntry['who'] {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep "unknown".
  }
  return { user, host: os.hostname(), interface: iface };
}

/** Build the audit line for one executed plan. */
export function auditEntry(
  planned: PlannedAction,
  outcome: Omit<ActionOutcome, 'auditFile'>,
  who: AuditEntry['who'],
  overrides: string[],
  secrets: ReadonlyArray<string | undefined>,
): AuditEntry {
  const clean = (text: string): string => redact(text, secrets);
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  const { plan } = planned;
  return {
    v: 1,
    planId: plan.id,
    startedAt: new Date(outcome.startedAt).toISOString(),
    finishedAt: new Date(outcome.finishedAt).toISOString(),
    durationMs: outcome.finishedAt - outcome.startedAt,
    who,
    request: plan.request,
    summary: clean(plan.summary),
    nodes: plan.nodes,
    overrides,
    checks: plan.checks.map((c) => ({ code: c.code, verdict: c.verdict, message: clean(c.message) })),
    steps: outcome.steps.map((s: StepResult) => ({
      id: s.id,
      node: s.node,
      command: clean(s.command),
      status: s.status,
      startedAt: iso(s.startedAt),
      durationMs: s.startedAt !== null && s.finishedAt !== null ? s.finishedAt - s.startedAt : null,
      message: clean(s.message),
    })),
    outcome: outcome.status,
    ...(outcome.sentinelOnItsOwn ? { sentinelOnItsOwn: outcome.sentinelOnItsOwn } : {}),
    finalNodes: outcome.nodes.map((n) => ({ ...n, error: n.error === null ? null : clean(n.error) })),
    nextSteps: outcome.nextSteps.map(clean),
  };
}

/** The addresses (and aliases) of a snapshot's nodes, to tell which entries concern it. */
export function topologyAddresses(snapshot: TopologySnapshot): Set<string> {
  return new Set(snapshot.nodes.flatMap((n) => [n.address, ...n.aliases]));
}

/** True when the entry read, changed or re-pointed any of these addresses. */
export function touchesTopology(entry: AuditEntry, addresses: ReadonlySet<string>): boolean {
  return entry.nodes.some((a) => addresses.has(a)) || entry.finalNodes.some((n) => addresses.has(n.address));
}

export interface AuditRead {
  /** Newest last. */
  entries: AuditEntry[];
  /** Lines that are not a record: reported to the reader, never hidden. */
  unreadable: UnreadableLine[];
}

export class AuditLog {
  readonly file: string;

  constructor(dir: string = dataDir()) {
    this.file = path.join(dir, AUDIT_FILE);
  }

  /** One line of its own (even after a torn line), fsynced before this resolves. */
  append(entry: AuditEntry): Promise<void> {
    return appendRecord(this.file, entry);
  }

  /** The last `limit` entries that pass `keep`, newest last, and every unreadable line. */
  async read(limit = 100, keep: (entry: AuditEntry) => boolean = () => true): Promise<AuditRead> {
    const { records, unreadable } = await readRecords<AuditEntry>(this.file);
    const entries = records.filter((e) => e.v === 1 && typeof e.planId === 'string' && keep(e));
    return { entries: entries.slice(-limit), unreadable };
  }
}
