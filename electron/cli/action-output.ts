// Terminal renderings of an action plan, its progress and its outcome. Symbols carry the
// verdict (✓ ! ✗); colour, when the terminal has it, only repeats them.
import type { ActionOutcome, ActionPlan, CheckVerdict, StepProgress } from '../shared/actions';
import { formatBytes } from '../shared/format';
import { onItsOwnHeadline } from '../shared/outcome-text';
import { clean } from './output';

export interface Style {
  color: boolean;
}

const SYMBOL: Record<CheckVerdict, string> = { ok: '✓', warning: '!', refused: '✗' };
const COLOR: Record<CheckVerdict, string> = { ok: '32', warning: '33', refused: '31' };

function paint(style: Style, code: string, text: string): string {
  return style.color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function mark(style: Style, verdict: CheckVerdict): string {
  return paint(style, COLOR[verdict], SYMBOL[verdict]);
}

/** True when the plan can run with the overrides given. */
export function runnable(plan: ActionPlan, overrides: string[]): boolean {
  return plan.canRun && plan.needsOverride.every((code) => overrides.includes(code));
}

export function formatPlan(plan: ActionPlan, overrides: string[], style: Style): string {
  const lines = [`Plan: ${clean(plan.summary)}`, ''];
  lines.push('Steps (exact commands):');
  if (plan.steps.length === 0) lines.push('  (none)');
  plan.steps.forEach((step, i) => {
    const flag = step.destructive ? paint(style, '31', '  [destructive]') : '';
    lines.push(`  ${i + 1}. ${clean(step.node)}  ${clean(step.command)}${flag}`);
    lines.push(`     ${clean(step.purpose)}; then checks: ${clean(step.verify)}`);
  });
  lines.push('', 'Checks:');
  const width = Math.max(0, ...plan.checks.map((c) => c.code.length));
  for (const check of plan.checks) {
    const hint = check.overridable ? (overrides.includes(check.code) ? ' (overridden)' : ` (to run anyway: --override ${check.code})`) : '';
    lines.push(`  ${mark(style, check.verdict)} ${check.code.padEnd(width)}  ${clean(check.message)}${hint}`);
  }
  if (plan.predictions.length > 0) {
    lines.push('', 'Resync expected:');
    for (const p of plan.predictions) {
      const what = p.expected === 'partial' ? 'partial' : `${p.expected.toUpperCase()}${p.flushesData ? ' (flushes its data)' : ''}`;
      lines.push(`  ${clean(p.node)} ← ${clean(p.master)}: ${what}: ${clean(p.why)}`);
    }
  }
  if (plan.lostBytes.length > 0) {
    lines.push('', 'Data at risk:');
    for (const l of plan.lostBytes) {
      const exact = l.bytes >= 1024 ? ` (${l.bytes} bytes)` : '';
      lines.push(`  ${clean(l.node)}: ${formatBytes(l.bytes)}${exact} ${clean(l.note)}`);
    }
  }
  lines.push('');
  if (!plan.canRun) {
    lines.push(paint(style, '31', '✗ Refused: the checks marked ✗ must be fixed first.'));
  } else {
    const missing = plan.needsOverride.filter((code) => !overrides.includes(code));
    if (missing.length > 0) {
      lines.push(paint(style, '33', `! Needs an explicit override: ${missing.map((c) => `--override ${c}`).join(' ')}`));
    } else {
      lines.push(paint(style, '32', `✓ Ready to run${plan.confirmAddress ? ` (destructive: confirm by typing ${plan.confirmAddress})` : ''}.`));
    }
  }
  return lines.join('\n');
}

/** Turns progress events into terminal lines, without flooding on fast polls. */
export class ProgressPrinter {
  private readonly last = new Map<string, { message: string; at: number }>();
  private readonly started = new Map<string, number>();

  constructor(
    private readonly plan: ActionPlan,
    private readonly style: Style,
    private readonly write: (line: string) => void,
  ) {}

  print(p: StepProgress): void {
    const index = this.plan.steps.findIndex((s) => s.id === p.stepId);
    const step = this.plan.steps[index];
    const label = `[${index + 1}/${this.plan.steps.length}]`;
    if (p.status === 'running') {
      if (!this.started.has(p.stepId)) {
        this.started.set(p.stepId, p.at);
        this.write(`${label} ${clean(step?.node ?? '')}  ${clean(step?.command ?? '')}`);
        this.last.set(p.stepId, { message: p.message, at: p.at });
        return;
      }
      const previous = this.last.get(p.stepId);
      const important = p.detail?.master_failover_state !== undefined || p.detail?.master_link_status !== undefined;
      if (previous?.message === p.message || (!important && previous && p.at - previous.at < 1000)) return;
      this.last.set(p.stepId, { message: p.message, at: p.at });
      this.write(`      … ${clean(p.message)}`);
      return;
    }
    const took = this.started.has(p.stepId) ? ` (${p.at - (this.started.get(p.stepId) ?? p.at)} ms)` : '';
    const symbol =
      p.status === 'ok'
        ? mark(this.style, 'ok')
        : p.status === 'failed' && p.stoppedBy === undefined
          ? mark(this.style, 'refused')
          : paint(this.style, '33', p.status === 'aborted' || p.stoppedBy !== undefined ? '■' : '-');
    if (p.status === 'skipped') {
      // A step that found nothing to do says why; one skipped because the plan stopped says so on the failed step.
      const why = p.message && !p.message.startsWith('skipped:') ? ` (${clean(p.message)})` : '';
      this.write(`${label} ${symbol} skipped: ${clean(step?.command ?? '')} on ${clean(step?.node ?? '')}${why}`);
    }
    else this.write(`      ${symbol} ${clean(p.message)}${took}`);
  }
}

/**
 * The outcome's headline says why the plan ended: a sentinel-failover whose failover the Sentinels
 * made on their own is "Stopped" with what they did, in yellow; "Failed" is for a plan that broke.
 */
export function formatOutcome(outcome: ActionOutcome, style: Style): string {
  const took = outcome.finishedAt - outcome.startedAt;
  const head =
    outcome.status === 'ok'
      ? paint(style, '32', `✓ Done in ${took} ms.`)
      : outcome.sentinelOnItsOwn
        ? paint(style, '33', clean(`■ Stopped after ${took} ms: ${onItsOwnHeadline(outcome.sentinelOnItsOwn)}`))
        : paint(style, '31', `✗ ${outcome.status === 'aborted' ? 'Aborted' : 'Failed'} after ${took} ms.`);
  const lines = ['', head, '', 'Nodes now (read fresh):'];
  for (const n of outcome.nodes) {
    const state = !n.reachable
      ? `UNREACHABLE${n.error ? ` (${n.error})` : ''}`
      : n.role === 'replica'
        ? `replica of ${n.master ?? '?'}, link ${n.linkStatus ?? '?'}`
        : n.role;
    lines.push(clean(`  ${n.address}  ${state}${n.offset !== null ? `  offset ${n.offset}` : ''}`));
  }
  if (outcome.nextSteps.length > 0) {
    lines.push('', outcome.ok ? 'Notes:' : 'What to do now:');
    for (const step of outcome.nextSteps) lines.push(clean(`  • ${step}`));
  }
  lines.push('', clean(`Audit log: ${outcome.auditFile}`));
  return lines.join('\n');
}
