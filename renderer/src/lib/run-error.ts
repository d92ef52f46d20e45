// What the plan dialog says when a run is refused or does not report back: whether anything
// reached the nodes (only details.nothingSent says "nothing"), and what to do next, per code.
import type { ApiError } from '../../../electron/shared/types';
import { explainError, nothingSent } from './errors';

/** The way forward the dialog offers next to the message. */
export type RunRemedy =
  /** Make a fresh plan (the reviewed one is stale, expired, refused or gone). */
  | 'plan-again'
  /** Another plan runs: wait for it (then Run again) or abort it. */
  | 'wait-or-abort'
  /** Tick "Run anyway" for the checks named, then Run again. */
  | 'override'
  /** Type the address named in the confirm field, then Run again. */
  | 'confirm'
  /** Nothing to retry here (a read-only connection). */
  | 'none'
  /** Not known what ran: look at the topology and the audit log first. */
  | 'check';

export interface RunErrorView {
  /** "Not run: nothing was sent" only when that is known. */
  title: string;
  /** 'nothing': known that no changing command was sent; 'unknown': it may have run, in part or whole. */
  sent: 'nothing' | 'unknown';
  /** What to do, in the operator's words. */
  advice: string;
  remedy: RunRemedy;
}

const UNKNOWN_ADVICE =
  'It is not known whether any command reached the nodes: the plan may have finished, failed part-way or still be running. ' +
  'Check the topology graph and the audit log before running anything again.';

/** Headline, what was sent, and advice for an executeAction that failed. */
export function runErrorView(error: ApiError): RunErrorView {
  if (!nothingSent(error)) {
    const partly = error.details?.nothingSent === false;
    return {
      title: partly ? 'Stopped after sending commands' : 'Not known whether the plan ran',
      sent: 'unknown',
      advice: partly ? 'Some commands were sent before this error. Check the topology graph and the audit log before running anything again.' : UNKNOWN_ADVICE,
      remedy: 'check',
    };
  }
  const title = 'Not run: nothing was sent';
  const details = error.details ?? {};
  switch (error.code) {
    case 'PLAN_STALE':
      return { title, sent: 'nothing', remedy: 'plan-again', advice: 'The nodes changed since you reviewed this plan, so its steps no longer fit. Plan again and review the new steps.' };
    case 'PLAN_EXPIRED':
      return { title, sent: 'nothing', remedy: 'plan-again', advice: 'This plan is too old to run (or has run already): its checks must be current. Plan again and review it.' };
    case 'PLAN_REFUSED':
      return {
        title,
        sent: 'nothing',
        remedy: 'plan-again',
        advice: `Read just now, the nodes fail a check that cannot be overridden${listed(details.checks)}. Deal with its cause, then plan again.`,
      };
    case 'BUSY':
      return {
        title,
        sent: 'nothing',
        remedy: 'wait-or-abort',
        advice: details.elsewhere
          ? `Another console runs a plan${details.runningPlanId ? ` (${details.runningPlanId.slice(0, 8)})` : ''} on these nodes (who and where: above). Wait for it to finish, then plan again; it can be stopped only where it runs.`
          : `Another plan${details.runningPlanId ? ` (${details.runningPlanId.slice(0, 8)})` : ''} is running on this topology. Wait for it to finish, then run this one again; or abort it.`,
      };
    case 'NEEDS_OVERRIDE':
      return {
        title,
        sent: 'nothing',
        remedy: 'override',
        advice: `Read just now, the nodes need an override${listed(details.overrides)}. Tick "Run anyway" only if you accept what the check says, then run again.`,
      };
    case 'NEEDS_CONFIRMATION':
      return {
        title,
        sent: 'nothing',
        remedy: 'confirm',
        advice: `This plan changes roles or throws data away: type ${details.confirm ?? 'the address it names'} in the confirm field, then run again.`,
      };
    case 'STOPPING':
      return { title, sent: 'nothing', remedy: 'plan-again', advice: 'The console (or this tab) was stopping, so the plan was not started. Once it is connected again, plan again.' };
    case 'READ_ONLY':
      return { title, sent: 'nothing', remedy: 'none', advice: explainError('READ_ONLY').hint };
    default:
      return { title, sent: 'nothing', remedy: 'plan-again', advice: explainError(error.code).hint };
  }
}

function listed(codes: readonly string[] | undefined): string {
  return codes && codes.length > 0 ? ` (${codes.join(', ')})` : '';
}
