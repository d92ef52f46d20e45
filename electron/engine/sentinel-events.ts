// Sentinel's own events, as the console's timeline shows them: each message a Sentinel
// publishes becomes a ReplicationEvent of kind 'sentinel', and the steps of one failover
// (+odown, +try-failover, +new-epoch … +switch-master, +failover-end, -failover-abort-*) share an
// incident id, whichever of the Sentinels reports them and in whatever order they arrive.
import type { ReplicationEvent } from '../shared/types';
import type { SentinelEventMessage } from './sentinel-parser';

export type SentinelEventDraft = Omit<ReplicationEvent, 'id' | 'at'> & { sentinel: NonNullable<ReplicationEvent['sentinel']> };

/**
 * After a failover ends, its late echoes (the other Sentinels' +switch-master, the old master's
 * +convert-to-slave, -odown) still belong to it for this long.
 */
export const INCIDENT_LINGER_MS = 30_000;
/** An incident nothing was heard of for this long is over, even without an end (a Sentinel that died mid-failover). */
export const INCIDENT_IDLE_MS = 5 * 60_000;

/** Events that start a failover incident when none is under way. */
const OPENING = new Set(['+odown', '+try-failover', '+new-epoch', '+vote-for-leader', '+elected-leader']);
/**
 * Events that end one (they join the incident under way, or open-and-close one that started unseen).
 * A Sentinel that was not elected gives up its own attempt only: the elected one carries on.
 */
const CLOSING = /^(\+switch-master|\+failover-end|\+failover-end-for-timeout|-failover-abort-(?!not-elected).*)$/;
/** Steps only a failover takes. */
const STEP = /^(\+failover-state-.*|\+selected-slave|\+promoted-slave|\+slave-reconf-.*|\+config-update-from|-failover-abort-not-elected)$/;

interface Incident {
  id: number;
  masterName: string;
  epoch: number | null;
  lastAt: number;
  closedAt: number | null;
  /** The Sentinel leading it: an address once known, else the ID it was voted by. */
  leader: string | null;
  elected: boolean;
}

/** How to name what a message is about, in the session's own terms. */
export interface SentinelFeedContext {
  /** The node's canonical address for an address a Sentinel gives (alias, address map). */
  resolve(address: string): string;
  /** The masters of this topology the reporting Sentinel monitors: for +new-epoch and +vote-for-leader, which name none. */
  mastersOf(sentinel: string): string[];
  /** Does this master name belong to this topology? */
  belongs(masterName: string): boolean;
  /** A Sentinel's address from its ID (SENTINEL MYID, hello, SENTINEL SENTINELS), when known. */
  sentinelById(id: string): string | null;
}

/** Groups events into incidents and knows each master's current failover leader. One per session. */
export class SentinelIncidents {
  private readonly byMaster = new Map<string, Incident>();
  private nextId = 1;

  /** The incident `message` belongs to (opening one when it starts a failover), or null. */
  assign(message: SentinelEventMessage, masterName: string, reporter: string, now: number, context: SentinelFeedContext): number | null {
    const event = message.event;
    let incident = this.byMaster.get(masterName) ?? null;
    if (incident && now - incident.lastAt > INCIDENT_IDLE_MS) incident = null;
    if (incident !== null && incident.closedAt !== null) {
      const lingering = now - incident.closedAt <= INCIDENT_LINGER_MS;
      // A new attempt after the end is a new incident; an echo of the old one's epoch is not.
      const newAttempt = event === '+try-failover' || (event === '+new-epoch' && (message.epoch ?? 0) > (incident.epoch ?? 0));
      if (!lingering || newAttempt) incident = null;
    }
    const failover = OPENING.has(event) || CLOSING.test(event) || STEP.test(event);
    // +odown of a replica or a Sentinel is no failover.
    const opens = failover && !(event === '+odown' && message.subject?.type !== 'master');
    if (!incident) {
      if (!opens) return null;
      incident = { id: this.nextId++, masterName, epoch: null, lastAt: now, closedAt: null, leader: null, elected: false };
      this.byMaster.set(masterName, incident);
    }
    incident.lastAt = now;
    if (message.epoch !== null && (event === '+new-epoch' || event === '+vote-for-leader')) incident.epoch = Math.max(incident.epoch ?? 0, message.epoch);
    if (event === '+elected-leader') {
      incident.leader = reporter;
      incident.elected = true;
    }
    if (event === '+vote-for-leader' && !incident.elected && message.votedFor) {
      incident.leader = context.sentinelById(message.votedFor) ?? message.votedFor;
    }
    if (CLOSING.test(event)) incident.closedAt ??= now;
    return incident.id;
  }

  /** The Sentinel leading the failover of `masterName` under way, or null. */
  leaderOf(masterName: string, now: number, context: SentinelFeedContext): string | null {
    const incident = this.byMaster.get(masterName);
    if (!incident || incident.closedAt !== null || now - incident.lastAt > INCIDENT_IDLE_MS || !incident.leader) return null;
    // A vote named the leader by ID before its address was known: it may be known now.
    return context.sentinelById(incident.leader) ?? incident.leader;
  }
}

/**
 * One Sentinel message as an event of the timeline, or null when it is not about this topology
 * (another master the Sentinel also watches) or not an event at all.
 */
export function sentinelEvent(
  message: SentinelEventMessage,
  reporter: string,
  now: number,
  incidents: SentinelIncidents,
  context: SentinelFeedContext,
): SentinelEventDraft | null {
  let masterName = message.masterName;
  if (masterName === null) {
    // +new-epoch, +vote-for-leader, +tilt name no master: they concern every master of ours this Sentinel watches.
    const mine = context.mastersOf(reporter);
    masterName = mine.length === 1 ? (mine[0] ?? null) : null;
  } else if (!context.belongs(masterName)) {
    return null;
  }
  const incident = masterName === null ? null : incidents.assign(message, masterName, reporter, now, context);
  const subject = message.subject;
  // The instance it is about, else (the master moved) the new master, else the reporting Sentinel.
  const about = message.newMaster ?? (subject ? subject.address : null);
  const node = about ? context.resolve(about) : reporter;
  return {
    node,
    kind: 'sentinel',
    message: describeEvent(message, reporter, context),
    ...(node !== reporter ? { peer: reporter } : {}),
    sentinel: { event: message.event, masterName, incident },
  };
}

const MEANINGS: Record<string, string> = {
  '+sdown': 'subjectively down: this Sentinel gets no valid reply',
  '-sdown': 'no longer subjectively down',
  '+odown': 'objectively down: enough Sentinels agree (quorum)',
  '-odown': 'no longer objectively down',
  '+new-epoch': 'a new configuration epoch',
  '+try-failover': 'starts a failover, asking the other Sentinels to elect it',
  '+vote-for-leader': 'votes for the Sentinel to lead the failover',
  '+elected-leader': 'elected to lead the failover',
  '+failover-state-select-slave': 'looking for a replica to promote',
  '+selected-slave': 'chose the replica to promote',
  '+failover-state-send-slaveof-noone': 'sending REPLICAOF NO ONE to the chosen replica',
  '+failover-state-wait-promotion': 'waiting for the chosen replica to report itself master',
  '+promoted-slave': 'the chosen replica is master now',
  '+failover-state-reconf-slaves': 're-pointing the other replicas at the new master',
  '+slave-reconf-sent': 'sent REPLICAOF to point a replica at the new master',
  '+slave-reconf-inprog': 'a replica is syncing with the new master',
  '+slave-reconf-done': 'a replica is synced with the new master',
  '+failover-end': 'the failover is finished',
  '+failover-end-for-timeout': 'the failover ended on its timeout: replicas not yet re-pointed will be later',
  '+switch-master': 'the master moved: clients asking Sentinel now get the new address',
  '-failover-abort-not-elected': 'failover aborted: this Sentinel was not elected leader',
  '-failover-abort-no-good-slave': 'failover aborted: no replica fit to promote (all down, lagging, or replica-priority 0)',
  '-failover-abort-slave-timeout': 'failover aborted: the chosen replica did not become master in time',
  '+convert-to-slave': 'turned back into a replica of the current master',
  '+fix-slave-config': 're-pointing a replica at the master Sentinel knows',
  '+reset-master': 'SENTINEL RESET: its state of this master was cleared',
  '+slave': 'found a new replica',
  '+sentinel': 'found another Sentinel of this master',
  '-dup-sentinel': 'dropped a duplicate Sentinel entry (it restarted with a new address or ID)',
  '+tilt': 'TILT mode: its clock or process stalled, it takes no action for 30 s',
  '-tilt': 'left TILT mode',
  '+monitor': 'started monitoring',
  '-monitor': 'stopped monitoring',
};

/** "127.0.0.1:26379: +odown master mymaster 127.0.0.1:6379 #quorum 2/2 (objectively down: …)". */
export function describeEvent(message: SentinelEventMessage, reporter: string, context: Pick<SentinelFeedContext, 'sentinelById'>): string {
  let what: string;
  if (message.event === '+switch-master') {
    what = `${message.masterName ?? '?'} ${message.masterAddress ?? '?'} → ${message.newMaster ?? '?'}`;
  } else if (message.event === '+vote-for-leader') {
    const id = message.votedFor ?? '?';
    what = `${context.sentinelById(id) ?? id} (epoch ${message.epoch ?? '?'})`;
  } else if (message.subject) {
    const s = message.subject;
    const of = s.type === 'master' ? '' : ` of ${message.masterName ?? '?'}`;
    what = `${s.type === 'slave' ? 'replica' : s.type} ${s.type === 'master' ? `${s.name} ${s.address}` : s.address}${of}${message.detail ? ` ${message.detail}` : ''}`;
  } else {
    what = message.text.trim();
  }
  const meaning = MEANINGS[message.event] ?? (message.event.startsWith('-failover-abort-') ? 'failover aborted' : undefined);
  return `Sentinel ${reporter}: ${message.event} ${what}${meaning ? ` (${meaning})` : ''}`;
}
