// Shared by the action integration tests: an engine + action service over a lab, a steady
// write load that follows the master, and direct reads that bypass the console.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { ActionService } from '../../electron/engine/actions/service';
import type { Lab } from '../../electron/lab/lab';
import type { ActionOutcome, ActionPlan, ActionRequest, StepProgress } from '../../electron/shared/actions';

export interface Harness {
  engine: ReplicationEngine;
  actions: ActionService;
  auditDir: string;
  close(): Promise<void>;
}

/** Connect an engine to the lab (seeded at `seed`) with short timeouts and a service with a temp audit dir. */
export async function harness(lab: Lab, seed: string, password?: string, seeds: string[] = []): Promise<Harness> {
  return harnessAs([lab.address(seed), ...seeds], { password });
}

/**
 * The same, logged in as `user` when given (what `--user` gives the CLI); `sentinelHelloMs` is how
 * long a plan listens for Sentinels on a node's hello channel.
 */
export async function harnessAs(seeds: string[], login: { user?: string; password?: string }, sentinelHelloMs = 2500): Promise<Harness> {
  const engine = new ReplicationEngine({ connectTimeoutMs: 800, commandTimeoutMs: 800 });
  await engine.connect({ seeds, ...login, pollIntervalMs: 200 });
  const auditDir = await mkdtemp(path.join(os.tmpdir(), 'rc-audit-'));
  const actions = new ActionService(engine, { auditDir, interface: 'cli', pollMs: 50, sentinelHelloMs });
  return {
    engine,
    actions,
    auditDir,
    async close() {
      await engine.disconnect();
      await rm(auditDir, { recursive: true, force: true });
    },
  };
}

/** A plain client straight to a lab node (not through the console). */
export function direct(lab: Lab, name: string, password?: string): Redis {
  return new Redis({ host: '127.0.0.1', port: lab.port(name), password, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
}

/** INFO replication of a lab node as a field map. */
export async function replication(lab: Lab, name: string, password?: string): Promise<Record<string, string>> {
  const client = direct(lab, name, password);
  try {
    const text = await client.info('replication');
    return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
  } finally {
    client.disconnect();
  }
}

/**
 * Wait until every named replica has the master's offset. Right after a diskless full sync a
 * replica's link is up, yet Redis streams nothing to it until its first ACK (up to a second).
 */
export async function caughtUp(lab: Lab, master: string, replicas: string[], password?: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const target = Number((await replication(lab, master, password)).master_repl_offset);
    const offsets = await Promise.all(replicas.map(async (r) => Number((await replication(lab, r, password)).slave_repl_offset)));
    if (offsets.every((o) => o >= target)) return;
    if (Date.now() > deadline) throw new Error(`replicas not caught up with ${master} (${target}): ${offsets.join(', ')}`);
    await sleep(50);
  }
}

export function codes(plan: ActionPlan, verdict?: 'ok' | 'warning' | 'refused'): string[] {
  return plan.checks.filter((c) => verdict === undefined || c.verdict === verdict).map((c) => c.code);
}

export function check(plan: ActionPlan, code: string): ActionPlan['checks'][number] {
  const found = plan.checks.find((c) => c.code === code && c.verdict !== 'ok') ?? plan.checks.find((c) => c.code === code);
  if (!found) throw new Error(`no ${code} check in the plan; checks: ${plan.checks.map((c) => `${c.code}/${c.verdict}`).join(', ')}`);
  return found;
}

/** Plan and run with the confirmation and overrides it asks for; collects progress. */
export async function planAndRun(
  h: Harness,
  request: ActionRequest,
  options: { overrides?: string[]; onProgress?: (p: StepProgress) => void } = {},
): Promise<{ plan: ActionPlan; outcome: ActionOutcome; progress: StepProgress[] }> {
  const plan = await h.actions.plan(request);
  if (!plan.canRun) throw new Error(`plan refused: ${plan.checks.filter((c) => c.verdict === 'refused').map((c) => c.message).join('; ')}`);
  const progress: StepProgress[] = [];
  const outcome = await h.actions.execute(plan.id, {
    confirmAddress: plan.confirmAddress ?? undefined,
    overrides: options.overrides ?? plan.needsOverride,
    onProgress: (p) => {
      progress.push(p);
      options.onProgress?.(p);
    },
  });
  return { plan, outcome, progress };
}

/**
 * A steady, bounded write load: one SET per key, in sequence, to whichever candidate says it
 * is the master. Every acknowledged key is remembered so a test can prove none was lost.
 */
export class WriteLoad {
  readonly acked: { key: string; node: string; at: number }[] = [];
  readonly failures: { at: number; error: string; node: string }[] = [];
  private stopped = false;
  private done: Promise<void> = Promise.resolve();
  private readonly clients = new Map<string, Redis>();
  private current: string;

  constructor(
    private readonly lab: Lab,
    private readonly candidates: string[],
    private readonly password?: string,
    private readonly maxWrites = 200_000,
  ) {
    this.current = candidates[0] ?? '';
  }

  start(): this {
    this.done = this.loop();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
    for (const client of this.clients.values()) client.disconnect();
  }

  /** Acked writes per node name. */
  countsByNode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.acked) out[a.node] = (out[a.node] ?? 0) + 1;
    return out;
  }

  /** Keys acknowledged by any node but missing on `name` (read directly). */
  async missingOn(name: string): Promise<string[]> {
    const client = direct(this.lab, name, this.password);
    try {
      const missing: string[] = [];
      const keys = this.acked.map((a) => a.key);
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const values = await client.mget(...batch);
        values.forEach((value, j) => {
          if (value === null) missing.push(batch[j] ?? '');
        });
      }
      return missing;
    } finally {
      client.disconnect();
    }
  }

  private client(name: string): Redis {
    let client = this.clients.get(name);
    if (!client || client.status === 'end') {
      // A write paused by a switchover waits (FAILOVER TIMEOUT at most); a stalled node must not hang the load.
      client = new Redis({
        host: '127.0.0.1',
        port: this.lab.port(name),
        password: this.password,
        maxRetriesPerRequest: 0,
        retryStrategy: () => 50,
        enableOfflineQueue: true,
        commandTimeout: 15_000,
      });
      client.on('error', () => undefined);
      this.clients.set(name, client);
    }
    return client;
  }

  private async loop(): Promise<void> {
    for (let i = 0; !this.stopped && i < this.maxWrites; i++) {
      const key = `load:${i}`;
      const node = this.current;
      try {
        await this.client(node).set(key, String(i));
        this.acked.push({ key, node, at: Date.now() });
      } catch (error) {
        this.failures.push({ at: Date.now(), error: (error as Error).message, node });
        await sleep(2);
        await this.findMaster();
      }
    }
  }

  private async findMaster(): Promise<void> {
    for (const name of this.candidates) {
      try {
        const role = (await this.client(name).call('ROLE')) as unknown[];
        if (role[0] === 'master') {
          this.current = name;
          return;
        }
      } catch {
        // Down or paused: try the next one.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Cut replica-1 off for good (wrong masterauth) and write ~50 KB that replica-2 and
 * replica-3 receive: replica-1 is then measurably behind its siblings.
 */
export async function lagReplica1(lab: Lab, password: string): Promise<void> {
  const r1 = direct(lab, 'replica-1', password);
  const master = direct(lab, 'master', password);
  try {
    await r1.config('SET', 'masterauth', 'not-the-password');
    await master.client('KILL', 'TYPE', 'replica');
    for (let i = 0; i < 100 && (await replication(lab, 'replica-1', password)).master_link_status !== 'down'; i++) await sleep(20);
    const value = 'x'.repeat(1000);
    for (let i = 0; i < 50; i++) await master.set(`lag:${i}`, value);
    for (let i = 0; i < 200; i++) {
      const target = Number((await replication(lab, 'master', password)).master_repl_offset);
      const others = await Promise.all(['replica-2', 'replica-3'].map((n) => replication(lab, n, password)));
      if (others.every((o) => o.master_link_status === 'up' && Number(o.slave_repl_offset) >= target)) break;
      await sleep(20);
    }
  } finally {
    r1.disconnect();
    master.disconnect();
  }
}
