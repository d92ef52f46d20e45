// Keeps serve's topologies connected: each one connects at start, and one that cannot (a seed
// down, a DNS name not there yet) is retried with backoff instead of stopping the service. Its
// failures go to the log (when the reason changes, and at most every few minutes otherwise) and
// to the metrics (topology_up, topology_connect_failures_total).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '../shared/api';
import type { AlertThresholds, ConnectOptions } from '../shared/types';

/** The part of a ConsoleService the keeper uses (tests give a fake). */
export interface KeptService {
  invoke(channel: string, args: unknown): Promise<Envelope<unknown>>;
  snapshot(): { nodes: unknown[] } | null;
}

export interface KeptTopology {
  id: string;
  connect: ConnectOptions;
  thresholds: Partial<AlertThresholds>;
}

export interface KeeperOptions {
  /** The service of a topology (the hub's get). */
  service: (id: string) => KeptService;
  log: (line: string) => void;
  /** First retry after this, doubling up to maxDelayMs (±20 % so many topologies do not retry in step). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A failure with the same reason as the last one is logged again after this long. */
  repeatLogMs?: number;
  /** Waits (tests: no real time). Resolves early with 'stopped' when the signal aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface TopologyStatus {
  up: boolean;
  connectFailures: number;
  /** The last failure's code and message (no secret: the engine's messages carry none). */
  lastError: string | null;
}

export class TopologyKeeper {
  readonly #options: Required<Omit<KeeperOptions, 'service' | 'log'>> & Pick<KeeperOptions, 'service' | 'log'>;
  readonly #status = new Map<string, TopologyStatus>();
  readonly #stop = new AbortController();
  readonly #running: Promise<void>[] = [];

  constructor(options: KeeperOptions) {
    this.#options = {
      minDelayMs: 1000,
      maxDelayMs: 60_000,
      repeatLogMs: 5 * 60_000,
      wait: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
      now: () => Date.now(),
      ...options,
    };
  }

  /** Set each topology's thresholds, then connect them all (in parallel); resolves once every first attempt is over. */
  async start(topologies: KeptTopology[]): Promise<void> {
    const firstAttempts = topologies.map((t) => {
      this.#status.set(t.id, { up: false, connectFailures: 0, lastError: null });
      let attempted!: () => void;
      const first = new Promise<void>((resolve) => (attempted = resolve));
      // Never an unhandled rejection (a hub closing under a retry): said in the log instead.
      this.#running.push(this.#keep(t, attempted).catch((error: unknown) => this.#options.log(`${t.id}: stopped retrying: ${error instanceof Error ? error.message : String(error)}`)));
      return first;
    });
    await Promise.all(firstAttempts);
  }

  status(id: string): TopologyStatus | null {
    return this.#status.get(id) ?? null;
  }

  /** Stop retrying (the hub's close disconnects the connected ones). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#running);
  }

  async #keep(topology: KeptTopology, attempted: () => void): Promise<void> {
    const { id } = topology;
    const status = this.#status.get(id) as TopologyStatus;
    const signal = this.#stop.signal;
    let logged: { reason: string; at: number } | null = null;
    try {
      const service = this.#options.service(id);
      if (Object.keys(topology.thresholds).length > 0) {
        const set = await service.invoke('alerts:thresholds', [topology.thresholds]);
        if (!set.ok) this.#options.log(`${id}: alert thresholds not applied: ${set.error.message}`);
      }
      for (let attempt = 1; !signal.aborted; attempt++) {
        const result = await service.invoke('topology:connect', [topology.connect]);
        if (signal.aborted) return;
        if (result.ok) {
          status.up = true;
          status.lastError = null;
          const nodes = service.snapshot()?.nodes.length ?? 0;
          this.#options.log(`${id}: connected${attempt > 1 ? ` after ${attempt} attempts` : ''}, ${nodes} node${nodes === 1 ? '' : 's'}`);
          return;
        }
        status.connectFailures++;
        const reason = `${result.error.code}: ${result.error.message}`;
        status.lastError = reason;
        const delay = this.#delay(attempt);
        const now = this.#options.now();
        if (!logged || logged.reason !== reason || now - logged.at >= this.#options.repeatLogMs) {
          this.#options.log(`${id}: cannot connect (${reason}); retrying in ${Math.max(1, Math.round(delay / 1000))} s${logged?.reason === reason ? ` (${attempt} attempts so far)` : ''}`);
          logged = { reason, at: now };
        }
        if (attempt === 1) attempted();
        await this.#options.wait(delay, signal);
      }
    } finally {
      attempted();
    }
  }

  #delay(attempt: number): number {
    const { minDelayMs, maxDelayMs } = this.#options;
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt - 1, 30));
    // ±20 % so that topologies down together do not retry in step; never past the cap (the log
    // said "retrying in 71 s" where the README promises at most 60).
    return Math.min(maxDelayMs, Math.round(base * (0.8 + 0.4 * Math.random())));
  }
}
