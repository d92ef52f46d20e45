// The write-unavailability window of a planned switchover under a steady write load: from the
// first write that was paused or refused to the first write accepted by the new master. Our
// default switchover (paused-failover: CLIENT PAUSE WRITE, wait for every byte, FAILOVER TO …
// FORCE TIMEOUT 1, release, re-point the other replica, verify) against a bare FAILOVER TO
// typed by hand, alternated in the same run, each on a fresh lab. Our --method failover (a
// FAILOVER TO with our checks around it) and the manual --method pause run too: FAILOVER waits
// for the target's own once-a-second REPLCONF ACK (Redis sends no GETACK while clients are
// paused); paused-failover and pause read the target's offset directly instead.
import Redis from 'ioredis';
import { ReplicationEngine } from '../electron/engine/engine';
import { ActionService } from '../electron/engine/actions/service';
import { Lab, masterWithReplicas } from '../electron/lab/lab';
import { median, round, spread } from './lib/stats';
import type { SwitchoverMethod } from '../electron/shared/actions';
import type { BenchResult, Figure } from './types';

/** Measured runs per variant (after one unmeasured run of each). */
const RUNS = 5;
/** Load before and after the switchover. */
const LEAD_MS = 500;
const TAIL_MS = 300;
/** A write slower than this counts as paused (a loopback SET takes well under 1 ms). */
const PAUSED_MS = 20;
const FAILOVER_TIMEOUT_MS = 10_000;

interface Write {
  sentAt: number;
  doneAt: number;
  ok: boolean;
  node: 'old' | 'new';
  key: string;
}

interface Run {
  windowMs: number;
  actionMs: number;
  acked: number;
  lost: number;
  failed: number;
}

/** ours: the default (paused-failover); failover and pause: our other methods; bare: FAILOVER TO by hand. */
type Variant = 'ours' | 'bare' | 'failover' | 'pause';

const METHOD: Record<Exclude<Variant, 'bare'>, SwitchoverMethod> = { ours: 'auto', failover: 'failover', pause: 'pause' };

export async function switchoverBench(): Promise<BenchResult> {
  const runs: Record<Variant, Run[]> = { ours: [], bare: [], failover: [], pause: [] };
  const variants: Variant[] = ['ours', 'bare', 'failover', 'pause'];
  for (let i = 0; i <= RUNS; i++) {
    // Rotate the order so no variant always runs on a warmer machine.
    const order = [...variants.slice(i % variants.length), ...variants.slice(0, i % variants.length)];
    for (const variant of order) {
      const run = await measure(variant);
      if (i > 0) runs[variant].push(run);
    }
  }
  const ours = median(runs.ours.map((r) => r.windowMs));
  const bare = median(runs.bare.map((r) => r.windowMs));
  const lost = (list: Run[]): number => list.reduce((sum, r) => sum + r.lost, 0);
  const figures: Figure[] = [
    { name: 'switchover: write-unavailability window', value: round(ours, 1), unit: 'ms' },
    { name: 'bare FAILOVER TO: write-unavailability window', value: round(bare, 1), unit: 'ms' },
    { name: 'switchover window / bare window', value: round(ours / bare, 2), unit: '×' },
    { name: 'switchover --method failover: write-unavailability window', value: round(median(runs.failover.map((r) => r.windowMs)), 1), unit: 'ms' },
    { name: 'switchover --method pause: write-unavailability window', value: round(median(runs.pause.map((r) => r.windowMs)), 1), unit: 'ms' },
    { name: 'switchover: whole execute (re-check, hand-over, re-point, verify)', value: round(median(runs.ours.map((r) => r.actionMs)), 1), unit: 'ms' },
    { name: 'switchover: acknowledged writes lost', value: lost(runs.ours), unit: 'writes', goal: { max: 0 } },
    { name: 'bare FAILOVER TO: acknowledged writes lost', value: lost(runs.bare), unit: 'writes' },
    { name: 'switchover --method failover: acknowledged writes lost', value: lost(runs.failover), unit: 'writes', goal: { max: 0 } },
    { name: 'switchover --method pause: acknowledged writes lost', value: lost(runs.pause), unit: 'writes', goal: { max: 0 } },
  ];
  const notes = [
    `Median of ${RUNS} runs each after one unmeasured run; master + 2 replicas, one client doing sequential SETs, ` +
      `a write counts as paused above ${PAUSED_MS} ms. Spread: ours ${pct(runs.ours)}, bare ${pct(runs.bare)}, ` +
      `failover ${pct(runs.failover)}, pause ${pct(runs.pause)}. "switchover" is the default method, paused-failover on this ` +
      'Redis: the window ends when the old master, a replica by then, is released and the client\'s held write gets ' +
      'READONLY and goes to the new master; re-pointing the other replica runs after that.',
    'FAILOVER TO (bare and --method failover) waits for the target\'s periodic ACK, so its window falls anywhere in ' +
      '0–2 s with the replication cron phase. paused-failover and pause read the target\'s offset themselves and hand ' +
      'over in tens of ms; only paused-failover leaves the hand-over to the server once FAILOVER … FORCE is sent, ' +
      'while pause relies on the console staying up between the promotion and the old master\'s REPLICAOF.',
  ];
  return { figures, details: runs, notes };
}

async function measure(variant: Variant): Promise<Run> {
  const lab = await Lab.start({ nodes: masterWithReplicas(2) });
  const clients = { old: client(lab.port('master')), new: client(lab.port('replica-1')) };
  let engine: ReplicationEngine | null = null;
  try {
    await streaming(lab);
    const writes: Write[] = [];
    let stop = false;
    let target: 'old' | 'new' = 'old';
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const key = `bench:${i}`;
        const node = target;
        const sentAt = performance.now();
        try {
          await clients[node].set(key, String(i));
          writes.push({ sentAt, doneAt: performance.now(), ok: true, node, key });
        } catch {
          writes.push({ sentAt, doneAt: performance.now(), ok: false, node, key });
          // READONLY: the old master is a replica now; the client moves to the new one.
          target = 'new';
        }
      }
    })();

    let actionStart = 0;
    let actionEnd = 0;
    if (variant !== 'bare') {
      engine = new ReplicationEngine();
      await engine.connect({ seeds: [lab.address('master')], pollIntervalMs: 500 });
      const actions = new ActionService(engine, { interface: 'cli', auditDir: lab.dir });
      await sleep(LEAD_MS);
      const plan = await actions.plan({
        kind: 'switchover',
        to: lab.address('replica-1'),
        options: { switchoverMethod: METHOD[variant] },
      });
      actionStart = performance.now();
      const outcome = await actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined });
      actionEnd = performance.now();
      if (!outcome.ok) throw new Error(`switchover failed: ${outcome.steps.map((s) => `${s.command}: ${s.status} ${s.message}`).join('; ')}`);
    } else {
      await sleep(LEAD_MS);
      const admin = client(lab.port('master'));
      actionStart = performance.now();
      await admin.call('FAILOVER', 'TO', '127.0.0.1', String(lab.port('replica-1')), 'TIMEOUT', String(FAILOVER_TIMEOUT_MS));
      for (;;) {
        const info = await admin.info('replication');
        if (/master_failover_state:no-failover/.test(info)) break;
        await sleep(5);
      }
      actionEnd = performance.now();
      admin.disconnect();
    }
    await sleep(TAIL_MS);
    stop = true;
    await load;

    const disturbed = writes.find((w) => w.sentAt >= actionStart && (!w.ok || w.doneAt - w.sentAt > PAUSED_MS));
    const resumed = writes.find((w) => w.ok && w.node === 'new');
    if (!disturbed || !resumed) throw new Error(`${variant}: no ${disturbed ? 'write on the new master' : 'paused or failed write'} seen`);
    const acked = writes.filter((w) => w.ok);
    return {
      windowMs: resumed.doneAt - disturbed.sentAt,
      actionMs: actionEnd - actionStart,
      acked: acked.length,
      lost: await missing(clients.new, acked.map((w) => w.key)),
      failed: writes.length - acked.length,
    };
  } finally {
    await engine?.disconnect();
    clients.old.disconnect();
    clients.new.disconnect();
    await lab.close();
  }
}

/**
 * Right after a diskless full sync a replica's link is up, but Redis streams nothing to it
 * until its first ACK (up to a second): start measuring only once both replicas follow.
 */
async function streaming(lab: Lab): Promise<void> {
  const master = client(lab.port('master'));
  const replicas = ['replica-1', 'replica-2'].map((name) => client(lab.port(name)));
  try {
    await master.set('bench:ready', '1');
    const offset = (info: string, field: string): number => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1] ?? -1);
    const target = offset(await master.info('replication'), 'master_repl_offset');
    for (let i = 0; i < 400; i++) {
      const offsets = await Promise.all(replicas.map(async (r) => offset(await r.info('replication'), 'slave_repl_offset')));
      if (offsets.every((o) => o >= target)) return;
      await sleep(10);
    }
    throw new Error('replicas did not start streaming within 4 s');
  } finally {
    master.disconnect();
    for (const r of replicas) r.disconnect();
  }
}

function client(port: number): Redis {
  return new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => 50, commandTimeout: FAILOVER_TIMEOUT_MS + 5000 });
}

async function missing(redis: Redis, keys: string[]): Promise<number> {
  let count = 0;
  for (let i = 0; i < keys.length; i += 1000) {
    const values = await redis.mget(...keys.slice(i, i + 1000));
    count += values.filter((v) => v === null).length;
  }
  return count;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pct(list: Run[]): string {
  return `${(spread(list.map((r) => r.windowMs)) * 100).toFixed(0)}%`;
}
