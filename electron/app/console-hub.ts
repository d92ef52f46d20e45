// Several topologies at once: one ConsoleService (its own engine, polling and action service)
// per topology id, made on first use. What the app has one of is shared: the lab (any tab can
// start or stop it), the audit log and the plan journal (the same data directory), and the
// startup report of interrupted plans (read once, through the 'main' topology).
import type { Envelope } from '../shared/api';
import { MAIN_TOPOLOGY, MAX_TOPOLOGIES, TOPOLOGY_ID_PATTERN } from '../shared/api';

export { MAX_TOPOLOGIES };
import type { StepProgress } from '../shared/actions';
import type { TickUpdate } from '../shared/types';
import type { InterruptedPlans } from '../engine/actions/interrupted';
import { isHubChannel, parseCall } from '../shared/channels';
import { EngineError, toApiError } from '../engine/errors';
import { ConsoleService, type ConsoleServiceOptions } from './service';
import { SharedLab } from './shared-lab';

export interface ConsoleHubOptions {
  /** What every topology's service is made with (interface, audit directory, stop wait, profile store…). */
  service?: Omit<ConsoleServiceOptions, 'engine' | 'lab'>;
  /**
   * An existing service to serve as the 'main' topology (tests, a front end that made it first):
   * its lab becomes everyone's, and whoever made it closes it (closing its tab only disconnects it).
   */
  main?: ConsoleService;
  /** Default MAX_TOPOLOGIES. */
  maxTopologies?: number;
}

interface Entry {
  service: ConsoleService;
  /** False for the adopted 'main' service: its maker closes it. */
  owned: boolean;
  unsubscribe: (() => void)[];
}

type TickListener = (topology: string, update: TickUpdate) => void;
type ProgressListener = (topology: string, progress: StepProgress) => void;
type NoticeListener = (topology: string, message: string) => void;

/** A call refused before any handler ran: no node was sent anything (as parseCall says of its own refusals). */
const NOTHING_SENT = { nothingSent: true } as const;

/** Is this a topology id the bridge accepts? */
export function isTopologyId(value: unknown): value is string {
  return typeof value === 'string' && TOPOLOGY_ID_PATTERN.test(value);
}

/** The id a call names, or the clear error that refuses it (never echoing more than a short prefix). */
export function parseTopologyId(value: unknown): { ok: true; id: string } | { ok: false; error: { code: 'BAD_ARGUMENT'; message: string; details: { nothingSent: true } } } {
  if (value === undefined) return { ok: true, id: MAIN_TOPOLOGY };
  if (isTopologyId(value)) return { ok: true, id: value };
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
  return {
    ok: false,
    error: { code: 'BAD_ARGUMENT', message: `Invalid topology id ${shown}: 1 to 36 letters, digits, "_" or "-"`, details: NOTHING_SENT },
  };
}

export class ConsoleHub {
  /** The app's one lab. */
  readonly lab: SharedLab;
  readonly #ownsLab: boolean;
  readonly #options: Omit<ConsoleServiceOptions, 'engine' | 'lab'>;
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  readonly #adopted: ConsoleService | null;
  /** Closes in flight: closeAll waits for them too. */
  readonly #closing = new Set<Promise<void>>();
  readonly #ticks = new Set<TickListener>();
  readonly #progress = new Set<ProgressListener>();
  readonly #notices = new Set<NoticeListener>();
  #closed = false;

  constructor(options: ConsoleHubOptions = {}) {
    this.#options = options.service ?? {};
    this.#max = options.maxTopologies ?? MAX_TOPOLOGIES;
    this.#adopted = options.main ?? null;
    this.lab = this.#adopted?.lab ?? new SharedLab();
    this.#ownsLab = this.#adopted === null;
    if (this.#adopted) this.#add(MAIN_TOPOLOGY, this.#adopted, false);
  }

  /** The ids open now, in the order they were opened. */
  get ids(): string[] {
    return [...this.#entries.keys()];
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The topology's service, made (idle, on the connect screen) on first use. Throws BAD_ARGUMENT for a bad id or one too many. */
  get(id: string): ConsoleService {
    const parsed = parseTopologyId(id);
    if (!parsed.ok) throw new EngineError('BAD_ARGUMENT', parsed.error.message);
    const entry = this.#entries.get(id);
    if (entry) return entry.service;
    if (this.#closed) throw new EngineError('NOT_CONNECTED', 'The console is shutting down');
    if (this.#entries.size >= this.#max) {
      throw new EngineError('BAD_ARGUMENT', `At most ${this.#max} topologies can be open at once: close a tab first`, { nothingSent: true });
    }
    const adoptedBack = id === MAIN_TOPOLOGY && this.#adopted !== null;
    const service = adoptedBack && this.#adopted ? this.#adopted : new ConsoleService({ ...this.#options, lab: this.lab });
    this.#add(id, service, !adoptedBack);
    return service;
  }

  /** Plans a dead console or a shutdown left half-done, for the report every front end prints at start. */
  get interruptedPlans(): InterruptedPlans {
    return this.get(MAIN_TOPOLOGY).interruptedPlans;
  }

  /** Check the id, the channel and the arguments, run the call on that topology; an envelope, never a throw. */
  async invoke(topology: unknown, channel: string, rawArgs: unknown): Promise<Envelope<unknown>> {
    const parsed = parseTopologyId(topology);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const id = parsed.id;
    if (isHubChannel(channel)) {
      if (!Array.isArray(rawArgs)) return { ok: false, error: { code: 'BAD_ARGUMENT', message: `${channel}: arguments must be a list`, details: NOTHING_SENT } };
      if (rawArgs.length > 0) return { ok: false, error: { code: 'BAD_ARGUMENT', message: `${channel}: too many arguments`, details: NOTHING_SENT } };
      if (channel === 'topology:list') return { ok: true, value: this.ids };
      // Its own listeners get every tick whole: only a transport sending differences has one to resend.
      if (channel === 'tick:resend') return { ok: true, value: null };
      try {
        await this.close(id);
        return { ok: true, value: null };
      } catch (error) {
        return { ok: false, error: toApiError(error) };
      }
    }
    // A malformed call must not make a topology: check it before get(), once (the service runs it as checked).
    const call = parseCall(channel, rawArgs);
    if (!call.ok) return { ok: false, error: call.error };
    let service: ConsoleService;
    try {
      service = this.get(id);
    } catch (error) {
      return { ok: false, error: toApiError(error) };
    }
    return service.invokeChecked(call.channel, call.args);
  }

  /**
   * Stop one topology (a running plan first reaches a safe point, as ConsoleService.close does)
   * and drop it. The adopted 'main' service is only disconnected: its maker closes it.
   */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    const closing = (async () => {
      try {
        // disconnect() lets a running plan reach a safe point first, as close() does.
        if (entry.owned) await entry.service.close();
        else await entry.service.disconnect();
      } finally {
        for (const unsubscribe of entry.unsubscribe) unsubscribe();
      }
    })();
    this.#closing.add(closing);
    try {
      await closing;
    } finally {
      this.#closing.delete(closing);
    }
  }

  /**
   * Shutdown: close every topology (each plan first reaches a safe point), then the lab. The
   * adopted 'main' service is left as it is, to its maker. Safe to call twice.
   */
  async closeAll(): Promise<void> {
    this.#closed = true;
    const ids = [...this.#entries].filter(([, entry]) => entry.owned).map(([id]) => id);
    const results = await Promise.allSettled(ids.map((id) => this.close(id)));
    await Promise.allSettled([...this.#closing]);
    if (this.#ownsLab) await this.lab.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The plans running now, one per topology at most. */
  get runningPlans(): { topology: string; planId: string; summary: string }[] {
    return [...this.#entries].flatMap(([topology, { service }]) => {
      const plan = service.runningPlan;
      return plan ? [{ topology, ...plan }] : [];
    });
  }

  /** Ask every running plan to stop at its next safe point and wait for them (bounded, each as ConsoleService says). */
  async stopRunningPlans(reason: string): Promise<void> {
    await Promise.allSettled([...this.#entries.values()].map(({ service }) => service.stopRunningPlan(reason)));
  }

  /** Every tick of every topology; returns a disposer. */
  onTick(listener: TickListener): () => void {
    this.#ticks.add(listener);
    return () => this.#ticks.delete(listener);
  }

  /** Every step progress of every topology's running plan; returns a disposer. */
  onActionProgress(listener: ProgressListener): () => void {
    this.#progress.add(listener);
    return () => this.#progress.delete(listener);
  }

  /** The lines a disconnect or shutdown says while it stops a running plan; returns a disposer. */
  onStopNotice(listener: NoticeListener): () => void {
    this.#notices.add(listener);
    return () => this.#notices.delete(listener);
  }

  #add(id: string, service: ConsoleService, owned: boolean): void {
    const unsubscribe = [
      service.onTick((update) => notify(this.#ticks, (listener) => listener(id, update))),
      service.onActionProgress((progress) => notify(this.#progress, (listener) => listener(id, progress))),
      service.onStopNotice((message) => notify(this.#notices, (listener) => listener(id, message))),
    ];
    this.#entries.set(id, { service, owned, unsubscribe });
  }
}

/** Call every listener; a broken one (a closed socket, a destroyed window) must not stop the others. */
function notify<L>(listeners: ReadonlySet<L>, call: (listener: L) => void): void {
  for (const listener of listeners) {
    try {
      call(listener);
    } catch (error) {
      console.error(`listener failed: ${toApiError(error).message}`);
    }
  }
}
