// The one object both adapters (Electron IPC and the web mode's WebSocket) talk to. It owns
// the engine, the action service on that engine and the optional lab, checks every call
// against the schema, and answers with envelopes so nothing thrown here crosses the bridge as
// a raw exception.
import type { ApiChannel, ApiMethods, Envelope, LabInfo } from '../shared/api';
import type { ActionInterface, StepProgress } from '../shared/actions';
import type { ConnectOptions, EventQuery, HistoryPoint, HistoryQuery, ReplicationEvent, TickUpdate, TopologySnapshot } from '../shared/types';
import { parseCall } from '../shared/schema';
import { ReplicationEngine } from '../engine/engine';
import { ActionService } from '../engine/actions/service';
import { EngineError, toApiError } from '../engine/errors';
import { Lab, docsLayout } from '../lab/lab';

export interface ConsoleServiceOptions {
  /** An engine to use instead of a new one (tests, benchmarks). */
  engine?: ReplicationEngine;
  /** Which front end runs the actions, as the audit log records it. Default 'desktop'. */
  interface?: ActionInterface;
  /** Directory of the audit log. Default: ActionService's (the app's data directory). */
  auditDir?: string;
}

type Handlers = { [C in ApiChannel]: (...args: Parameters<ApiMethods[C]>) => Promise<ReturnType<ApiMethods[C]>> };

export class ConsoleService {
  readonly #engine: ReplicationEngine;
  readonly #actions: ActionService;
  #lab: Lab | null = null;
  #connected = false;
  #connectedSeeds: string[] = [];
  #closed = false;
  // Connect, disconnect and lab changes run one at a time, in call order: a second connect
  // clicked while the first is still discovering must not interleave with it.
  #queue: Promise<unknown> = Promise.resolve();

  readonly #handlers: Handlers = {
    'topology:connect': (options) => this.connect(options),
    'topology:disconnect': () => this.disconnect(),
    'topology:get': async () => this.#engine.snapshot(),
    'history:get': async (query) => this.history(query),
    'events:list': async (query) => this.events(query),
    'lab:start': () => this.startLab(),
    'lab:stop': () => this.stopLab(),
    'lab:status': async () => this.labStatus(),
    'action:plan': (request) => this.#actions.plan(request),
    // The progress callback travels as 'action:progress' pushes (see onActionProgress).
    'action:execute': ({ planId, confirmAddress, overrides }) => this.#actions.execute(planId, { confirmAddress, overrides }),
    'action:abort': (planId) => this.#actions.abort(planId),
    'action:candidates': async (node) => this.#actions.candidates(node),
    'audit:list': (limit) => this.#actions.audit(limit),
  };

  constructor(options: ConsoleServiceOptions = {}) {
    this.#engine = options.engine ?? new ReplicationEngine();
    this.#actions = new ActionService(this.#engine, {
      interface: options.interface ?? 'desktop',
      ...(options.auditDir === undefined ? {} : { auditDir: options.auditDir }),
    });
  }

  /** Where executed plans are logged. */
  get auditFile(): string {
    return this.#actions.auditFile;
  }

  /** Validate a call from the bridge, run it, and wrap the outcome in an envelope. Never throws. */
  async invoke(channel: string, rawArgs: unknown): Promise<Envelope<unknown>> {
    const call = parseCall(channel, rawArgs);
    if (!call.ok) return { ok: false, error: call.error };
    try {
      const handler = this.#handlers[call.channel] as (...args: unknown[]) => Promise<unknown>;
      const value = await handler(...call.args);
      // IPC can carry undefined, JSON cannot: void results travel as null.
      return { ok: true, value: value ?? null };
    } catch (error) {
      return { ok: false, error: toApiError(error) };
    }
  }

  /** One call per poll tick; returns a disposer. */
  onTick(listener: (update: TickUpdate) => void): () => void {
    return this.#engine.onTick((update) => {
      try {
        listener(update);
      } catch (error) {
        // A broken listener (a closed socket, a destroyed window) must not stop the others.
        console.error(`tick listener failed: ${toApiError(error).message}`);
      }
    });
  }

  /** One call per step progress of any running plan; returns a disposer. */
  onActionProgress(listener: (progress: StepProgress) => void): () => void {
    return this.#actions.onProgress((progress) => {
      try {
        listener(progress);
      } catch (error) {
        console.error(`action progress listener failed: ${toApiError(error).message}`);
      }
    });
  }

  connect(options: ConnectOptions): Promise<TopologySnapshot> {
    return this.#serial(async () => {
      if (this.#connected) await this.#disconnectNow();
      const snapshot = await this.#engine.connect(options);
      this.#connected = true;
      this.#connectedSeeds = [...options.seeds];
      return snapshot;
    });
  }

  disconnect(): Promise<void> {
    return this.#serial(() => this.#disconnectNow());
  }

  history(query: HistoryQuery): HistoryPoint[] {
    return this.#engine.history(query);
  }

  events(query: EventQuery = {}): ReplicationEvent[] {
    return this.#engine.events(query);
  }

  snapshot(): TopologySnapshot | null {
    return this.#engine.snapshot();
  }

  /** Start the documentation lab (master, two replicas, one cascaded replica); idempotent. */
  startLab(): Promise<LabInfo> {
    return this.#serial(async () => {
      try {
        this.#lab ??= await Lab.start({ nodes: docsLayout() });
      } catch (error) {
        const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        throw new EngineError('INTERNAL', `The lab could not start: ${reason}`);
      }
      return this.labStatus();
    });
  }

  /** Stop the lab, first disconnecting the engine if it was watching the lab. */
  stopLab(): Promise<LabInfo> {
    return this.#serial(async () => {
      const lab = this.#lab;
      if (lab) {
        const labAddresses = new Set(lab.nodeNames.map((name) => lab.address(name)));
        if (this.#connected && this.#connectedSeeds.some((seed) => labAddresses.has(seed))) {
          await this.#disconnectNow();
        }
        this.#lab = null;
        await lab.close();
      }
      return this.labStatus();
    });
  }

  labStatus(): LabInfo {
    const lab = this.#lab;
    return lab ? { running: true, seeds: [lab.address('master')] } : { running: false, seeds: [] };
  }

  /** Disconnect the engine and stop the lab. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    try {
      await this.#engine.disconnect();
    } finally {
      this.#connected = false;
      const lab = this.#lab;
      this.#lab = null;
      await lab?.close();
    }
  }

  async #disconnectNow(): Promise<void> {
    this.#connected = false;
    this.#connectedSeeds = [];
    await this.#engine.disconnect();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new EngineError('NOT_CONNECTED', 'The console is shutting down'));
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
