// The app's one local lab. Every topology (tab) can start it, stop it or ask about it; stopping
// it first lets each topology watching it disconnect, so none is left polling dead ports.
// The lab's module is loaded when the lab is first started, not with the app: most never use it.
import type { LabInfo } from '../shared/api';
import { EngineError } from '../engine/errors';
import type { Lab } from '../lab/lab';

/** Told the lab's addresses before it stops; resolves once it no longer watches them. */
export type LabStopWatcher = (addresses: ReadonlySet<string>) => Promise<void>;

export class SharedLab {
  #lab: Lab | null = null;
  // Start and stop run one at a time: a stop clicked while the lab starts waits for it.
  #queue: Promise<unknown> = Promise.resolve();
  readonly #watchers = new Set<LabStopWatcher>();

  /** Start the documentation lab (master, two replicas, one cascaded replica); idempotent. */
  start(): Promise<LabInfo> {
    return this.#serial(async () => {
      try {
        if (!this.#lab) {
          const { Lab, docsLayout } = await import('../lab/lab');
          this.#lab = await Lab.start({ nodes: docsLayout() });
        }
      } catch (error) {
        const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
        throw new EngineError('INTERNAL', `The lab could not start: ${reason}`);
      }
      return this.status();
    });
  }

  /** Stop the lab, first letting every watcher (each topology watching it) disconnect. */
  stop(): Promise<LabInfo> {
    return this.#serial(async () => {
      const lab = this.#lab;
      if (lab) {
        const addresses = new Set(lab.nodeNames.map((name) => lab.address(name)));
        // One topology failing to disconnect must not keep the lab's processes alive.
        await Promise.allSettled([...this.#watchers].map((watcher) => watcher(addresses)));
        this.#lab = null;
        await lab.close();
      }
      return this.status();
    });
  }

  status(): LabInfo {
    const lab = this.#lab;
    return lab ? { running: true, seeds: [lab.address('master')] } : { running: false, seeds: [] };
  }

  /** Called before the lab stops; returns a disposer. */
  onStopping(watcher: LabStopWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Shutdown: stop the lab's processes without asking anyone (they are closing too). */
  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    const lab = this.#lab;
    this.#lab = null;
    await lab?.close();
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
