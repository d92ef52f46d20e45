// One topology's alerts as the engine evaluates them: the latest view (every tick carries one,
// connecting reads it once), the actions on it (acknowledge, mute, unmute, thresholds) with
// their errors, and a notification for each incident seen starting to fire live.
/* eslint-disable svelte/prefer-svelte-reactivity --
   The Map and Set here are built whole inside $derived or kept outside the reactive graph (#notified). */
import type { ReplicationConsoleApi } from '../../../electron/shared/api';
import { alertTransitions } from '../../../electron/shared/alert-transitions';
import type { Address, Alert, AlertMute, AlertsView, AlertState, AlertThresholds, ApiError } from '../../../electron/shared/types';
import { toApiError } from '../lib/errors';

export type AlertsApi = Pick<ReplicationConsoleApi, 'getAlerts' | 'acknowledgeAlert' | 'muteAlerts' | 'unmuteAlerts' | 'setAlertThresholds'>;

/** Who shows a notification for an incident that started firing (the browser's, in the web mode). */
export interface AlertNotifier {
  notify(alert: Alert): void;
}

/** The maintenance windows offered, in minutes. */
export const MUTE_CHOICES: readonly { minutes: number; label: string }[] = [
  { minutes: 15, label: '15 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 240, label: '4 h' },
  { minutes: 1440, label: '24 h' },
];

export type AlertAction = 'load' | 'acknowledge' | 'mute' | 'unmute' | 'thresholds';

const STATE_ORDER: Record<AlertState, number> = { firing: 0, acknowledged: 1, resolved: 2 };
const NO_MUTES: ReadonlyMap<Address, number> = new Map();

/** Firing first, then acknowledged, then resolved; the newest first in each (resolved: by when it resolved). */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
      (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0) ||
      b.startedAt - a.startedAt ||
      a.id.localeCompare(b.id),
  );
}

export class AlertsState {
  /** The alerts as last evaluated (a tick's, or an action's answer); null until the first one arrives. */
  view = $state.raw<AlertsView | null>(null);
  /** The last action that failed, and why; cleared by the next one that works. */
  error = $state.raw<{ action: AlertAction; error: ApiError } | null>(null);
  /** The action on its way to the engine, if any (`acknowledge:<id>`, `mute:<node>`, …). */
  pending = $state<string | null>(null);

  readonly #api: AlertsApi;
  readonly #notifier: AlertNotifier | null;
  /** The last view a tick brought: what the next tick is compared with. Null: nothing seen yet, so nothing to notify. */
  #baseline: AlertsView | null = null;
  /** Incidents already notified: one notification per incident, whatever arrives twice. */
  #notified = new Set<string>();
  /** Bumped by reset(): an answer to a call of an earlier connection is dropped. */
  #generation = 0;

  constructor(api: AlertsApi, notifier: AlertNotifier | null = null) {
    this.#api = api;
    this.#notifier = notifier;
  }

  readonly alerts: Alert[] = $derived(sortAlerts(this.view?.alerts ?? []));
  /** Firing, not acknowledged and not muted: what the tab and the header count. */
  readonly firingCount: number = $derived(this.alerts.filter((a) => a.state === 'firing' && !a.muted).length);
  /** Firing during a mute: listed, not counted in red. */
  readonly mutedFiringCount: number = $derived(this.alerts.filter((a) => a.state === 'firing' && a.muted).length);
  readonly thresholds: AlertThresholds | null = $derived(this.view?.thresholds ?? null);
  /** The whole topology's mute, if one runs. */
  readonly topologyMute: AlertMute | null = $derived(this.view?.mutes.find((m) => m.node === null) ?? null);

  // Every tick brings a new mutes array: the key is equal while the same nodes are muted until the
  // same time, so the map (read by every card) is rebuilt only when a mute changes.
  readonly #nodeMutesKey: string = $derived(
    JSON.stringify(
      (this.view?.mutes ?? [])
        .filter((m): m is AlertMute & { node: Address } => m.node !== null)
        .map((m) => [m.node, m.until] as const)
        .sort((a, b) => a[0].localeCompare(b[0])),
    ),
  );
  /** Muted nodes and when their mute ends (ms since epoch). */
  readonly mutedNodes: ReadonlyMap<Address, number> = $derived.by(() => {
    const entries = JSON.parse(this.#nodeMutesKey) as [Address, number][];
    return entries.length === 0 ? NO_MUTES : new Map(entries);
  });

  /** A tick's view: shown, and compared with the previous tick's for incidents that started firing. */
  applyTick(view: AlertsView): void {
    const before = this.#baseline;
    this.#baseline = view;
    this.view = view;
    // The first view of a connection is what already was: no notification for it.
    if (before === null || this.#notifier === null) return;
    for (const alert of alertTransitions(before, view).fired) {
      if (this.#notified.has(alert.id)) continue;
      this.#notified.add(alert.id);
      this.#notifier.notify(alert);
    }
  }

  /** Reads the alerts once (on connect): shown until the first tick, and the baseline ticks are compared with. */
  async load(): Promise<void> {
    const generation = this.#generation;
    try {
      const view = await this.#api.getAlerts();
      if (generation !== this.#generation || this.#baseline !== null) return;
      this.#baseline = view;
      this.view = view;
      if (this.error?.action === 'load') this.error = null;
    } catch (thrown) {
      if (generation === this.#generation) this.error = { action: 'load', error: toApiError(thrown) };
    }
  }

  /** "I have seen it": no more notifications; it stays listed until it resolves. */
  acknowledge(id: string): Promise<boolean> {
    return this.#run('acknowledge', `acknowledge:${id}`, () => this.#api.acknowledgeAlert(id));
  }

  /** Maintenance: a node's alerts (or the topology's, node null) are not notified for `minutes`. */
  mute(node: Address | null, minutes: number, reason?: string): Promise<boolean> {
    const request = reason ? { node, minutes, reason } : { node, minutes };
    return this.#run('mute', `mute:${node ?? '*'}`, () => this.#api.muteAlerts(request));
  }

  unmute(node: Address | null): Promise<boolean> {
    return this.#run('unmute', `unmute:${node ?? '*'}`, () => this.#api.unmuteAlerts(node));
  }

  setThresholds(change: Partial<AlertThresholds>): Promise<boolean> {
    return this.#run('thresholds', 'thresholds', () => this.#api.setAlertThresholds(change));
  }

  /** The mute of `node`, its own or the topology's, whichever ends later; null when not muted. */
  muteOf(node: Address): AlertMute | null {
    const mutes = (this.view?.mutes ?? []).filter((m) => m.node === node || m.node === null);
    return mutes.reduce<AlertMute | null>((latest, m) => (latest === null || m.until > latest.until ? m : latest), null);
  }

  dismissError(): void {
    this.error = null;
  }

  /** A new connection (or none): nothing of the previous one is shown or compared with. */
  reset(): void {
    this.#generation += 1;
    this.#baseline = null;
    this.#notified = new Set();
    this.view = null;
    this.error = null;
    this.pending = null;
  }

  async #run(action: AlertAction, key: string, call: () => Promise<AlertsView>): Promise<boolean> {
    const generation = this.#generation;
    this.pending = key;
    try {
      const view = await call();
      if (generation !== this.#generation) return false;
      this.view = view;
      this.error = null;
      return true;
    } catch (thrown) {
      if (generation === this.#generation) this.error = { action, error: toApiError(thrown) };
      return false;
    } finally {
      if (generation === this.#generation && this.pending === key) this.pending = null;
    }
  }
}
