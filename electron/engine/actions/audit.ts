// The audit log: one JSON line per executed plan (who, when, nodes, commands, outcome,
// timings), appended to a file in the app's data directory. Commands already show passwords
// as ***; every message is redacted once more with the session's password before writing.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ActionInterface, ActionOutcome, AuditEntry, StepResult } from '../../shared/actions';
import { redact } from '../errors';
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
    finalNodes: outcome.nodes.map((n) => ({ ...n, error: n.error === null ? null : clean(n.error) })),
    nextSteps: outcome.nextSteps.map(clean),
  };
}

export class AuditLog {
  readonly file: string;

  constructor(dir: string = dataDir()) {
    this.file = path.join(dir, AUDIT_FILE);
  }

  async append(entry: AuditEntry): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', mode: 0o600 });
  }

  /** The last `limit` entries, newest last; unreadable lines are skipped. */
  async read(limit = 100): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: AuditEntry[] = [];
    for (const line of text.split('\n').slice(-(limit + 1))) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // A torn line (a crash mid-append) must not hide the others.
      }
    }
    return out.slice(-limit);
  }
}
