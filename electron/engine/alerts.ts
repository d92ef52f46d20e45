// Alerts: rules with thresholds evaluated on every tick's snapshot, with incidents that keep
// their id from firing to resolved, acknowledgements and mutes (maintenance). One evaluator in
// the engine, so the desktop, the web mode, `serve` and `watch --alerts` agree.
//
// The verdicts follow the console's warnings (warnings.ts): BACKLOG_EXCEEDED, SYNC_FAILING,
// MULTIPLE_MASTERS, INTERRUPTED_PLAN, MASTER_RESTARTED_EMPTY and WRITES_REFUSED fire exactly while the snapshot carries that warning
// (folded under a MASTER_DOWN headline included); the threshold rules read the node states.
// A node whose figures are old (unreachable, stale) gets that alert and no other: its lag and
// link are what they were. SYNC_FAILING alone goes on where its warning does (on its master's
// word). A replica below a stalled or unreachable node (STALLED_UPSTREAM), or
// whose own master is down or stale, gets no LINK_DOWN or LAG alert: the node above it has one.
import { alertThresholdsSchema } from '../shared/schema';
import { formatBytes, formatSeconds, formatSecondsBehind } from '../shared/format';
import { refusesConsole, type Alert, type AlertMute, type AlertRule, type AlertsView, type AlertThresholds, type NodeState, type TopologySnapshot, type TopologyWarning, type WarningCode } from '../shared/types';
import { EngineError } from './errors';
import type { AlertStore } from './alert-store';
import { mastersWithReplicas, nodesByAddress } from '../shared/node-index';
import { answeringForSeconds } from './warnings';

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  lagBytes: 10 * 1024 * 1024,
  lagSeconds: 10,
  linkDownSeconds: 10,
  unreachableSeconds: 10,
  staleSeconds: 10,
  backlogShortSeconds: 60,
  forSeconds: 0,
};

/** Resolved incidents kept for the panel: at most this many, and none older than RESOLVED_KEEP_MS. */
export const RESOLVED_KEEP = 50;
export const RESOLVED_KEEP_MS = 60 * 60_000;
/**
 * How long a replica's lag must stay past its master's backlog before BACKLOG_EXCEEDED fires: a
 * connected replica a write burst puts past a small backlog for a poll or two catches up by
 * itself (BACKLOG_SHORT says the backlog is small); one that stays past it is the risk.
 */
export const BACKLOG_EXCEEDED_HOLD_SECONDS = 10;
/** Beyond the rules' own times, for restored acknowledgements: a few polls for the node to be read again. */
const RESTORE_SLACK_MS = 5000;
/** Longest mute: a week (the channel's schema says the same). */
const MAX_MUTE_MINUTES = 7 * 24 * 60;
/** Console stops remembered: enough for every fact a threshold still holds open. */
const MAX_STOPS = 16;

/** What one rule found true on one node (or the topology) on this tick. */
interface Finding {
  rule: AlertRule;
  node: string | null;
  message: string;
  value: number | null;
  threshold: number | null;
}

/** What the book keeps across a restart (a future store): mutes and acknowledged incidents. */
export interface AlertBookState {
  mutes: AlertMute[];
  acknowledged: { rule: AlertRule; node: string | null; id: string; startedAt: number; acknowledgedAt: number }[];
}

const keyOf = (rule: AlertRule, node: string | null): string => `${rule}\u0000${node ?? ''}`;

/** One topology's alerts (the engine keeps one across reconnects of the same session). */
export class AlertBook {
  #thresholds: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS };
  #mutes: AlertMute[] = [];
  /** Firing and acknowledged incidents, by rule and node. */
  #active = new Map<string, Alert>();
  /** When each finding was first true (forSeconds counts from here); dropped as soon as it is not. */
  #pending = new Map<string, number>();
  /** When a fact with no clock of its own (a link down for an unknown time, a node down) was first seen. */
  #since = new Map<string, number>();
  /** When the console itself was stopped (the latest few): not counted in how long a fact held. */
  #stopped: { from: number; to: number }[] = [];
  /**
   * The first evaluation: no fact held longer than this console has watched. A node remembered
   * from an earlier run was last seen then; when it went down since is not known (a second `watch
   * --alerts` paged a replica stalled 2.6 s as down for the 23 s since the first run read it).
   */
  #watchingFrom: number | null = null;
  /** Newest first. */
  #resolved: Alert[] = [];
  #last: TopologySnapshot | null = null;
  #sequence = 0;
  /** Where mutes and acknowledgements are kept across a restart, and under which topology. */
  #store: { store: AlertStore; topology: string } | null = null;
  /** Mutes set or lifted here since the last save, by node (a node's mute is kept for every topology; null: the whole topology's). */
  #muteChanges = new Map<string | null, AlertMute | null>();
  /** Acknowledgements restored from an earlier run: taken up by the first finding of the same rule and node. */
  #restored = new Map<string, AlertBookState['acknowledged'][number]>();

  /** Why the mutes and acknowledgements could not be read or saved (the store's problem), or null. */
  get storeProblem(): string | null {
    return this.#store?.store.problem ?? null;
  }

  /** Evaluate the rules on this tick's snapshot; `now` is the engine's clock. */
  evaluate(snapshot: TopologySnapshot, now: number): AlertsView {
    this.#watchingFrom ??= now;
    this.#last = snapshot;
    this.#pickUpMutes(now);
    const findings = new Map<string, Finding>();
    for (const finding of this.#find(snapshot, now)) findings.set(keyOf(finding.rule, finding.node), finding);

    this.#handOver(findings, now);
    let forgetAcknowledged = false;
    for (const [key, alert] of this.#active) {
      if (findings.has(key)) continue;
      this.#active.delete(key);
      forgetAcknowledged ||= alert.state === 'acknowledged';
      this.#resolved.unshift({ ...alert, state: 'resolved', resolvedAt: now, muted: this.#isMuted(alert.node, now) });
    }
    for (const key of this.#pending.keys()) if (!findings.has(key)) this.#pending.delete(key);

    const forMs = this.#thresholds.forSeconds * 1000;
    for (const [key, finding] of findings) {
      const active = this.#active.get(key);
      if (active) {
        this.#active.set(key, { ...active, message: finding.message, value: finding.value, threshold: finding.threshold });
        continue;
      }
      const since = this.#pending.get(key) ?? now;
      this.#pending.set(key, since);
      if (now - since < forMs) continue;
      this.#pending.delete(key);
      const restored = this.#restored.get(key);
      this.#restored.delete(key);
      this.#active.set(key, {
        id: restored?.id ?? `${now.toString(36)}-${(this.#sequence += 1)}`,
        rule: finding.rule,
        node: finding.node,
        state: restored ? 'acknowledged' : 'firing',
        message: finding.message,
        value: finding.value,
        threshold: finding.threshold,
        startedAt: restored?.startedAt ?? now,
        resolvedAt: null,
        acknowledgedAt: restored?.acknowledgedAt ?? null,
        muted: false,
      });
    }
    // Restored acknowledgements are for incidents still going when the console is back, which
    // may take the rule's own time to fire again: UNREACHABLE and STALE count only the time this
    // console watched (an acknowledged node still down fired anew 10 s after a restart), and
    // forSeconds delays every rule. Past that, one not taken up ended while the console was away:
    // dropped from the store too.
    for (const [key, restored] of this.#restored) {
      if (this.#mayFireAgain(restored, snapshot, now)) continue;
      this.#restored.delete(key);
      forgetAcknowledged = true;
    }
    if (forgetAcknowledged) this.#save(now);
    return this.view(now);
  }

  /**
   * A node that was not read for a while (STALE: a paused process, a request under way) and then
   * fails outright (its request timed out: UNREACHABLE) is one outage getting worse, not a stale
   * node that recovered and a new incident: its alert goes on under the new rule, with its id, its
   * start and its acknowledgement, at once (no for-delay, no notification, no resolution of STALE).
   */
  #handOver(findings: ReadonlyMap<string, Finding>, now: number): void {
    for (const [key, stale] of this.#active) {
      if (stale.rule !== 'STALE' || findings.has(key)) continue;
      const downKey = keyOf('UNREACHABLE', stale.node);
      const down = findings.get(downKey);
      if (!down || this.#active.has(downKey)) continue;
      this.#active.delete(key);
      this.#pending.delete(downKey);
      this.#active.set(downKey, { ...stale, rule: down.rule, message: down.message, value: down.value, threshold: down.threshold, muted: this.#isMuted(stale.node, now) });
    }
  }

  view(now: number): AlertsView {
    this.#mutes = this.#mutes.filter((m) => m.until > now);
    this.#resolved = this.#resolved.filter((a, i) => i < RESOLVED_KEEP && (a.resolvedAt ?? now) > now - RESOLVED_KEEP_MS);
    const rank = (a: Alert): number => (a.state === 'firing' ? 0 : 1);
    const active = [...this.#active.values()]
      .map((a) => ({ ...a, muted: this.#isMuted(a.node, now) }))
      .sort((a, b) => rank(a) - rank(b) || b.startedAt - a.startedAt);
    // A node's mute is kept for every topology: listed only in the one that has the node.
    // (The set only when there is a node mute to check: this runs on every tick.)
    const here = this.#last && this.#mutes.some((m) => m.node !== null) ? new Set(this.#last.nodes.flatMap((n) => [n.address, ...n.aliases])) : null;
    return {
      alerts: [...active, ...this.#resolved.map((a) => ({ ...a }))],
      mutes: this.#mutes.filter((m) => m.node === null || !here || here.has(m.node)).map((m) => ({ ...m })),
      thresholds: { ...this.#thresholds },
    };
  }

  /** "Seen": no more notifications for this incident; it stays listed (acknowledged) until it resolves. */
  acknowledge(id: string, now: number): AlertsView {
    const entry = [...this.#active].find(([, a]) => a.id === id);
    if (entry) {
      const [key, alert] = entry;
      if (alert.state === 'firing') {
        this.#active.set(key, { ...alert, state: 'acknowledged', acknowledgedAt: now });
        this.#save(now);
      }
    } else if (!this.#resolved.some((a) => a.id === id)) {
      // A resolved incident needs no acknowledgement (a click racing the resolution is fine).
      throw new EngineError('BAD_ARGUMENT', `no alert with the id "${id}": it may have resolved more than an hour ago`);
    }
    return this.view(now);
  }

  /** Maintenance: a node's (or the whole topology's, null) alerts are shown muted, never notified, until the mute ends. */
  mute(node: string | null, minutes: number, reason: string | null, now: number): AlertsView {
    if (!(Number.isFinite(minutes) && minutes >= 1 && minutes <= MAX_MUTE_MINUTES)) {
      throw new EngineError('BAD_ARGUMENT', `a mute lasts from 1 minute to a week (${MAX_MUTE_MINUTES} minutes), not ${String(minutes)}`);
    }
    const mute: AlertMute = { node, until: now + minutes * 60_000, reason: reason?.trim() ? reason.trim().slice(0, 200) : null };
    this.#mutes = [...this.#mutes.filter((m) => m.node !== node), mute];
    this.#muteChanges.set(node, mute);
    this.#save(now);
    return this.view(now);
  }

  unmute(node: string | null, now: number): AlertsView {
    this.#mutes = this.#mutes.filter((m) => m.node !== node);
    this.#muteChanges.set(node, null);
    this.#save(now);
    return this.view(now);
  }

  /** Change some thresholds (the others keep their values); the alerts are evaluated again at once. */
  setThresholds(change: Partial<AlertThresholds>, now: number): AlertsView {
    const parsed = alertThresholdsSchema.safeParse(change);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new EngineError('BAD_ARGUMENT', `bad alert threshold ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`.replace('  ', ' '));
    }
    const defined = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as Partial<AlertThresholds>;
    this.#thresholds = { ...this.#thresholds, ...defined };
    return this.#last ? this.evaluate(this.#last, now) : this.view(now);
  }

  /** Another topology: its incidents and whole-topology mute are not this one's; node mutes and the thresholds stay (the user's or the command line's). */
  reset(): void {
    // A node's mute is the node's, whichever seeds name it: only the whole topology's goes.
    this.#mutes = this.#mutes.filter((m) => m.node !== null);
    this.#muteChanges.clear();
    this.#active.clear();
    this.#pending.clear();
    this.#since.clear();
    this.#stopped = [];
    this.#resolved = [];
    this.#restored.clear();
    this.#last = null;
    this.#store = null;
  }

  /** The mutes and acknowledged incidents, for a store that keeps them across a restart. */
  state(now: number): AlertBookState {
    return {
      mutes: this.#mutes.filter((m) => m.until > now).map((m) => ({ ...m })),
      acknowledged: [
        ...[...this.#active.values()]
          .filter((a) => a.state === 'acknowledged' && a.acknowledgedAt !== null)
          .map((a) => ({ rule: a.rule, node: a.node, id: a.id, startedAt: a.startedAt, acknowledgedAt: a.acknowledgedAt ?? a.startedAt })),
        // Restored, and not yet fired again since the restart (see evaluate): kept meanwhile.
        ...[...this.#restored.values()].map((a) => ({ ...a })),
      ],
    };
  }

  /**
   * A restored acknowledgement not taken up yet: can its incident still be going? Only while the
   * rule's own time to fire has not passed since this console began watching (none for a rule
   * that fires at once, with forSeconds 0), and the node is still in that state.
   */
  #mayFireAgain(restored: AlertBookState['acknowledged'][number], snapshot: TopologySnapshot, now: number): boolean {
    const t = this.#thresholds;
    const node = restored.node === null ? undefined : snapshot.nodes.find((n) => n.address === restored.node);
    const held: Partial<Record<AlertRule, [seconds: number, holds: boolean]>> = {
      UNREACHABLE: [t.unreachableSeconds, node !== undefined && !node.reachable],
      STALE: [t.staleSeconds, node !== undefined && node.reachable && node.stale],
      LINK_DOWN: [t.linkDownSeconds, node !== undefined && node.linkStatus === 'down'],
      BACKLOG_EXCEEDED: [BACKLOG_EXCEEDED_HOLD_SECONDS, true],
    };
    const [seconds, holds] = held[restored.rule] ?? [0, true];
    const graceMs = (seconds + t.forSeconds) * 1000;
    return holds && graceMs > 0 && now - (this.#watchingFrom ?? now) <= graceMs + RESTORE_SLACK_MS;
  }

  /** Take up a stored state: mutes still running, and acknowledgements of incidents still going at the next evaluation. */
  restore(state: AlertBookState, now: number): void {
    this.#mutes = state.mutes.filter((m) => m.until > now);
    this.#restored = new Map(state.acknowledged.map((a) => [keyOf(a.rule, a.node), a]));
  }

  /**
   * Keep the mutes and acknowledgements in `store` under `topology` from now on, and take up what
   * it holds (a console restarted on the same topology keeps its maintenance mutes).
   */
  persistTo(store: AlertStore, topology: string, now: number): void {
    this.#store = { store, topology };
    const saved = store.load(topology, now);
    if (saved) this.restore(saved, now);
  }

  #save(now: number): void {
    if (!this.#store) return;
    this.#store.store.save(this.#store.topology, this.state(now), now, this.#muteChanges);
    this.#muteChanges.clear();
  }

  /** Mutes another console set or lifted in the store since it was last read (a node's, or this topology's): taken up here. */
  #pickUpMutes(now: number): void {
    if (!this.#store) return;
    const current = this.#store.store.mutesIfChanged(this.#store.topology, now);
    if (current) this.#mutes = current;
  }

  #isMuted(node: string | null, now: number): boolean {
    return this.#mutes.some((m) => m.until > now && (m.node === null || m.node === node));
  }

  /**
   * The console itself did not run from `from` to `to` (asleep, stopped): that time is not counted
   * as any fact's, so a node is not "unread for 31 s" because the console slept 30 of them.
   */
  consoleStopped(from: number, to: number): void {
    if (!(to > from)) return;
    this.#stopped.push({ from, to });
    if (this.#stopped.length > MAX_STOPS) this.#stopped.splice(0, this.#stopped.length - MAX_STOPS);
  }

  /** The clock was set back by `by` ms: when facts were first seen moves back with it (else each held "negative" time, and resolved, until the clock caught up). */
  clockSetBack(by: number): void {
    for (const [key, at] of this.#since) this.#since.set(key, at - by);
    for (const [key, at] of this.#pending) this.#pending.set(key, at - by);
    if (this.#watchingFrom !== null) this.#watchingFrom -= by;
    this.#stopped = this.#stopped.map((s) => ({ from: s.from - by, to: s.to - by }));
  }

  /**
   * How long (s) a fact has held: from its own clock when it has one, else from when the book first
   * saw it, whichever is earlier, and the earliest kept while it holds (a clock that says so once
   * and then nothing, as Redis's link-down figure does, still counts); never from before this
   * console watched, and the time it was stopped left out.
   */
  #heldFor(fact: string, address: string, now: number, since: number | null, seen: Set<string>): number {
    const key = `${fact}\u0000${address}`;
    seen.add(key);
    const first = Math.min(this.#since.get(key) ?? now, since !== null && Number.isFinite(since) ? since : now);
    this.#since.set(key, first);
    const start = Math.max(this.#watchingFrom ?? now, first);
    let stopped = 0;
    for (const s of this.#stopped) stopped += Math.max(0, Math.min(now, s.to) - Math.max(start, s.from));
    return (now - start - stopped) / 1000;
  }

  /** "; last seen 3 d ago, before this console watched": a node down since an earlier run may have been down that long. */
  #seenBefore(lastSeenAt: number | null, now: number): string {
    if (lastSeenAt === null || this.#watchingFrom === null || lastSeenAt >= this.#watchingFrom) return '';
    return `; last seen ${formatSeconds(Math.round((now - lastSeenAt) / 1000))} ago, before this console watched`;
  }

  #find(snapshot: TopologySnapshot, now: number): Finding[] {
    const t = this.#thresholds;
    const out: Finding[] = [];
    const seen = new Set<string>();
    const byAddress = nodesByAddress(snapshot.nodes);
    const warnings = flatten(snapshot.warnings);
    const named = (code: WarningCode): Map<string, TopologyWarning> => {
      const map = new Map<string, TopologyWarning>();
      for (const w of warnings) if (w.code === code && w.nodes[0] && !map.has(w.nodes[0])) map.set(w.nodes[0], w);
      return map;
    };
    const unreachableWarned = new Set(warnings.filter((w) => w.code === 'UNREACHABLE').flatMap((w) => w.nodes));
    const backlogExceeded = named('BACKLOG_EXCEEDED');
    const syncFailing = named('SYNC_FAILING');
    const hasReplicas = mastersWithReplicas(snapshot.nodes);
    const replicaCount = new Map<string, number>();
    for (const n of snapshot.nodes) if (n.master) replicaCount.set(n.master, (replicaCount.get(n.master) ?? 0) + 1);
    // Replicas their master lists as syncing (wait_bgsave, send_bulk): before the transfer starts
    // the replica itself says neither "syncing" nor up (a diskless sync's delay, another save first).
    const syncingEdges = new Set(snapshot.edges.filter((e) => e.health === 'syncing').map((e) => e.replica));

    const failingSync = (node: NodeState): void => {
      const failing = syncFailing.get(node.address);
      if (failing) out.push({ rule: 'SYNC_FAILING', node: node.address, value: node.syncAttempts, threshold: null, message: firstPart(failing.message) });
    };

    for (const node of snapshot.nodes) {
      const a = node.address;
      // SYNC_FAILING goes on while the replica is not read only as the engine's warning does, on
      // its master's word (a replica that cannot write the RDB times out at each attempt).
      if (!node.reachable || node.stale) failingSync(node);
      if (!node.reachable) {
        if (!alertsWhenDown(node) && !unreachableWarned.has(a)) continue;
        const down = this.#heldFor('down', a, now, node.lastSeenAt, seen);
        // A node already STALE that now fails outright goes on as UNREACHABLE at once (#handOver),
        // and stays so while it is down, whatever unreachableSeconds says: below it, STALE resolved
        // and the outage had no alert until UNREACHABLE fired as a new incident (unreachableSeconds
        // after its last answer, when the request timeout is shorter).
        const underWay = this.#active.has(keyOf('STALE', a)) || this.#active.has(keyOf('UNREACHABLE', a));
        if (down >= t.unreachableSeconds || underWay) {
          const replicas = replicaCount.get(a) ?? 0;
          out.push({
            rule: 'UNREACHABLE',
            node: a,
            value: round(down),
            threshold: t.unreachableSeconds,
            message:
              // Up but refusing the console (out of clients, its password): not read, yet it answers.
              `${a} ${refusesConsole(node.error) ? 'has refused the console' : 'has not answered'} for ${formatSeconds(down)} (threshold ${formatSeconds(t.unreachableSeconds)})` +
              `${node.error?.message ? `: ${oneLine(node.error.message)}` : ''}` +
              `${replicas > 0 ? `; ${replicas} ${replicas === 1 ? 'replica' : 'replicas'} below it` : ''}` +
              this.#seenBefore(node.lastSeenAt, now),
          });
        }
        continue;
      }
      if (node.stale) {
        const stale = this.#heldFor('stale', a, now, node.polledAt, seen);
        if (stale >= t.staleSeconds) {
          out.push({
            rule: 'STALE',
            node: a,
            value: round(stale),
            threshold: t.staleSeconds,
            message: `${a} has not been read for ${formatSeconds(stale)} (threshold ${formatSeconds(t.staleSeconds)}): a paused process, a long command, swapping or a slow network`,
          });
        }
        continue;
      }
      if (node.role === 'sentinel') continue;

      if (node.role === 'replica' && node.master) out.push(...this.#replicaFindings(node, byAddress, syncingEdges, now, seen));
      const exceeded = backlogExceeded.get(a);
      if (exceeded && this.#heldFor('backlog', a, now, null, seen) >= BACKLOG_EXCEEDED_HOLD_SECONDS) {
        const master = byAddress.get(exceeded.nodes[1] ?? node.master ?? '');
        const behind = finite(node.lag?.bytesBehindMaster);
        const held = master?.backlog?.active ? finite(master.backlog.histlen) : null;
        out.push({
          rule: 'BACKLOG_EXCEEDED',
          node: a,
          value: behind,
          threshold: held,
          message:
            behind !== null && held !== null && master
              ? `${a} is ${formatBytes(behind)} behind ${master.address}, past the ${formatBytes(held)} its backlog holds: its next resync will be a full one`
              : firstPart(exceeded.message),
        });
      }
      failingSync(node);
      const covers = finite(node.backlogWindow?.coversSeconds);
      if (node.role === 'master' && (hasReplicas.has(a) || node.replicas.length > 0) && covers !== null && covers >= 0 && covers < t.backlogShortSeconds) {
        const rate = finite(node.backlogWindow?.writeBytesPerSecond);
        out.push({
          rule: 'BACKLOG_SHORT',
          node: a,
          value: round(covers),
          threshold: t.backlogShortSeconds,
          message:
            `${a}'s backlog (${formatBytes(node.backlog?.size ?? null)}) holds ${formatSeconds(covers)} of writes` +
            `${rate !== null ? ` at ${formatBytes(rate)}/s` : ''} (threshold ${formatSeconds(t.backlogShortSeconds)}): a replica away longer needs a full resync`,
        });
      }
    }

    for (const w of warnings) {
      if (w.code === 'MASTER_RESTARTED_EMPTY' || w.code === 'WRITES_REFUSED') out.push({ rule: w.code, node: w.nodes[0] ?? null, value: null, threshold: null, message: firstPart(w.message, 'sentence') });
    }
    const masters = warnings.find((w) => w.code === 'MULTIPLE_MASTERS');
    if (masters) out.push({ rule: 'MULTIPLE_MASTERS', node: null, value: masters.nodes.length, threshold: 1, message: firstPart(masters.message, 'sentence') });
    const plans = warnings.filter((w) => w.code === 'INTERRUPTED_PLAN');
    const [plan] = plans;
    if (plan) {
      out.push({
        rule: 'INTERRUPTED_PLAN',
        node: null,
        value: plans.length,
        threshold: null,
        message: plans.length === 1 ? firstPart(plan.message, 'line') : `${plans.length} plans of the console stopped half-way; the first: ${firstPart(plan.message, 'line')}`,
      });
    }
    for (const key of this.#since.keys()) if (!seen.has(key)) this.#since.delete(key);
    return out;
  }

  #replicaFindings(node: NodeState, byAddress: ReadonlyMap<string, NodeState>, syncingEdges: ReadonlySet<string>, now: number, seen: Set<string>): Finding[] {
    const master = node.master ? byAddress.get(node.master) : undefined;
    const t = this.#thresholds;
    const a = node.address;
    // The node above is down, stale or stalls the chain (STALLED_UPSTREAM): its own alert says so,
    // not one per replica. A master never reached (a wrong address) has no alert of its own: the
    // replica's link says it.
    const hasOwnAlert = (above: NodeState | undefined): boolean => above !== undefined && (above.stale || (!above.reachable && alertsWhenDown(above)));
    if (hasOwnAlert(master) || hasOwnAlert(node.lag?.behindBecauseOf ? byAddress.get(node.lag.behindBecauseOf) : undefined)) return [];
    const m = master?.address ?? node.master ?? '?';
    const out: Finding[] = [];
    // During a (full) sync the link reads down: a resync does not start an outage (SYNC_FAILING
    // covers one that keeps failing). Nor does it end one: a link down whose every resync fails
    // (a rotated password, a refused PSYNC) is one incident, not a new one at each attempt.
    const syncing = node.sync !== null || syncingEdges.has(a);
    if (node.linkStatus === 'down' && (!syncing || this.#active.has(keyOf('LINK_DOWN', a)))) {
      const reported = finite(node.linkDownSinceSeconds);
      // Held since this console first read it down, or since Redis said it went down where earlier,
      // every tick: a replica whose handshake keeps failing (a wrong masterauth) says -1, then a
      // few seconds, then -1 again. Counted by whichever said so that tick, the time went 1 s, then
      // 0.999 s (read down one tick earlier than its 1 s), and the outage resolved under a 1 s
      // threshold and fired anew, notified twice (the alerts e2e, about one run in ten).
      const held = this.#heldFor('link', a, now, reportedDownAt(node, now), seen);
      // Counted from when its master answered: the master's own outage is its UNREACHABLE, not this link's.
      const down = Math.min(reported !== null ? linkDownFor(reported, held) : held, answeringForSeconds(master, now));
      if (down >= t.linkDownSeconds) {
        out.push({
          rule: 'LINK_DOWN',
          node: a,
          value: round(down),
          threshold: t.linkDownSeconds,
          message: `${a}'s link to ${m} has been down for ${formatSeconds(down)} (threshold ${formatSeconds(t.linkDownSeconds)})`,
        });
      }
    }
    const bytes = finite(node.lag?.bytesBehindMaster);
    if (bytes !== null && bytes > t.lagBytes) {
      out.push({
        rule: 'LAG_BYTES',
        node: a,
        value: bytes,
        threshold: t.lagBytes,
        message: `${a} is ${formatBytes(bytes)} behind ${m} (threshold ${formatBytes(t.lagBytes)})`,
      });
    }
    const seconds = finite(node.lag?.secondsBehind);
    if (seconds !== null && seconds > t.lagSeconds) {
      out.push({
        rule: 'LAG_SECONDS',
        node: a,
        value: round(seconds),
        threshold: t.lagSeconds,
        // A lower bound fires too (the real lag is at least that), and says it is one.
        message: `${a} is ${formatSecondsBehind(seconds, node.lag?.secondsBehindIsLowerBound === true)} behind ${m} (threshold ${formatSeconds(t.lagSeconds)})`,
      });
    }
    return out;
  }
}

/**
 * A node down counts as UNREACHABLE once it has been read (in this session or, remembered, an
 * earlier one). Kept from the password (UNTRUSTED_HOST) is not down; never reached at all is an
 * address the console cannot dial (ADDRESS_MISMATCH), not an outage.
 */
function alertsWhenDown(node: NodeState): boolean {
  return node.error?.code !== 'UNTRUSTED_HOST' && (node.lastSeenAt !== null || node.remembered);
}

/** Each warning and those folded under it (a MASTER_DOWN headline carries the per-node ones). */
function flatten(warnings: readonly TopologyWarning[]): TopologyWarning[] {
  return warnings.flatMap((w) => [w, ...flatten(w.folded ?? [])]);
}

/**
 * How long a replica's link has been down, the console's alerts and serve's metric alike: since
 * the console first read it down (`heldSeconds`), or Redis's own master_link_down_since_seconds
 * where longer (a link down before the console watched). Redis's figure alone restarts at each
 * failed handshake (-1, then 0 s, then -1: a wrong masterauth), and the one outage read as over
 * and begun anew.
 */
export function linkDownFor(reportedSeconds: number | null, heldSeconds: number): number {
  return reportedSeconds !== null && reportedSeconds >= 0 ? Math.max(reportedSeconds, heldSeconds) : heldSeconds;
}

/** When Redis says the replica's link went down (now − master_link_down_since_seconds), or null where it says nothing (-1: never up since it started). */
export function reportedDownAt(node: Pick<NodeState, 'linkDownSinceSeconds'>, now: number): number | null {
  const seconds = finite(node.linkDownSinceSeconds);
  return seconds === null ? null : now - seconds * 1000;
}

/** A finite, non-negative number, or null (NaN, null, negative and infinite values never fire). */
function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A warning's headline, on one line: up to its first ": " or ". " ('clause'; the explanation
 * follows), its first sentence ('sentence'), or its first line ('line').
 */
function firstPart(message: string, upTo: 'clause' | 'sentence' | 'line' = 'clause'): string {
  const text = upTo === 'line' ? (message.split('\n')[0] ?? message) : message;
  const line = oneLine(text);
  const cut = upTo === 'line' ? -1 : line.search(upTo === 'clause' ? /: |\. / : /\. /);
  return (cut > 0 ? line.slice(0, cut) : line).replace(/\.$/, '');
}
