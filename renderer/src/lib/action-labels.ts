// Words, symbols and tones for topology changes: check verdicts, step states, outcomes and a
// one-line title per request. The symbols (✓ ! ✗) are the CLI's, so both read the same.
import type { ActionKind, ActionOutcome, ActionRequest, CheckVerdict, SentinelOnItsOwn, StepResult } from '../../../electron/shared/actions';
import type { IconName } from './icons';
import type { StatusLabel } from './labels';

export interface VerdictLabel extends StatusLabel {
  symbol: string;
}

export const VERDICT_LABELS: Record<CheckVerdict, VerdictLabel> = {
  ok: { symbol: '✓', label: 'OK', icon: 'check', tone: 'ok' },
  warning: { symbol: '!', label: 'Warning', icon: 'alert', tone: 'warn' },
  refused: { symbol: '✗', label: 'Refused', icon: 'x', tone: 'bad' },
};

export const STEP_STATUS_LABELS: Record<StepResult['status'], StatusLabel> = {
  pending: { label: 'Pending', icon: 'circle', tone: 'neutral' },
  running: { label: 'Running', icon: 'sync', tone: 'accent' },
  ok: { label: 'Done', icon: 'check', tone: 'ok' },
  failed: { label: 'Failed', icon: 'x', tone: 'bad' },
  skipped: { label: 'Skipped', icon: 'minus', tone: 'neutral' },
  aborted: { label: 'Aborted', icon: 'stop', tone: 'warn' },
};

export const OUTCOME_LABELS: Record<ActionOutcome['status'], StatusLabel> = {
  ok: { label: 'Done', icon: 'check', tone: 'ok' },
  failed: { label: 'Failed', icon: 'x', tone: 'bad' },
  aborted: { label: 'Aborted', icon: 'stop', tone: 'warn' },
};

/**
 * A sentinel-failover the Sentinels made pointless by failing over on their own before it sent
 * SENTINEL FAILOVER: it stopped, it did not break anything, and the failover happened.
 */
export const STOPPED_BY_SENTINEL_LABEL: StatusLabel = { label: 'Stopped — Sentinel failed over on its own', icon: 'stop', tone: 'warn' };

/** The step a sentinel-failover stopped at when the Sentinels failed over on their own. */
export const STOPPED_STEP_LABEL: StatusLabel = { label: 'Stopped', icon: 'stop', tone: 'warn' };

/** Whether `step` is the one its plan stopped at because the Sentinels failed over on their own (it failed, but broke nothing). */
export function stoppedBySentinel(step: { id: string; status: StepResult['status'] }, own: Pick<SentinelOnItsOwn, 'stepId'> | undefined): boolean {
  return step.status === 'failed' && step.id === own?.stepId;
}

/** The label of an outcome: its status's, save a plan stopped by Sentinel's own failover (a warning, not a failure). */
export function outcomeLabel(outcome: Pick<ActionOutcome, 'status' | 'sentinelOnItsOwn'>): StatusLabel {
  return outcome.status !== 'ok' && outcome.sentinelOnItsOwn ? STOPPED_BY_SENTINEL_LABEL : OUTCOME_LABELS[outcome.status];
}

export const KIND_LABELS: Record<ActionKind, { label: string; icon: IconName }> = {
  replicaof: { label: 'Re-point', icon: 'link' },
  promote: { label: 'Promote', icon: 'promote' },
  switchover: { label: 'Switchover', icon: 'swap' },
  failover: { label: 'Emergency failover', icon: 'alert' },
  detach: { label: 'Detach', icon: 'lone' },
  'sentinel-failover': { label: 'Sentinel failover', icon: 'eye' },
};

/** One line naming what the request does, for the dialog title and the audit list. */
export function actionTitle(request: ActionRequest): string {
  switch (request.kind) {
    case 'replicaof':
      return `Make ${request.node} replicate from ${request.master}`;
    case 'promote':
      return `Promote ${request.node}${request.repointSiblings ? ' and re-point its siblings' : ''}`;
    case 'switchover':
      return `Switch over to ${request.to}`;
    case 'failover':
      return request.to ? `Emergency failover to ${request.to}` : 'Emergency failover to the most up-to-date replica';
    case 'detach':
      return `Detach ${request.node}`;
    case 'sentinel-failover':
      return `Sentinel failover of ${request.masterName ? `"${request.masterName}"` : (request.master ?? 'the group')}${request.prefer ? `, steered to ${request.prefer}` : ' (Sentinel picks the new master)'}`;
  }
}
