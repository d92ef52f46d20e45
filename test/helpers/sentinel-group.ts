// Shared by the Sentinel action tests: a lab's group of three real Sentinels, a plain client to
// one of its processes, a Sentinel's view of the group, and the CLI run as a user runs it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionPlan } from '../../electron/shared/actions';
import { harness, type Harness } from './actions';
import { runCli, type CliRun } from './cli';
import { until } from './until';

/** Run `work` with a plain client to the lab process `name` (a node or a Sentinel). */
export async function onNode<T>(lab: Lab, name: string, work: (c: Redis) => Promise<T>): Promise<T> {
  const c = new Redis({ host: '127.0.0.1', port: lab.port(name), maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000 });
  try {
    return await work(c);
  } finally {
    c.disconnect();
  }
}

/** A Sentinel reply's flat field-value list as a map. */
function fieldMap(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] ?? ''] = flat[i + 1] ?? '';
  return out;
}

/** SENTINEL MASTER `group` as a map, from one Sentinel. */
export function sentinelView(lab: Lab, sentinel: string, group: string): Promise<Record<string, string>> {
  return onNode(lab, sentinel, async (c) => fieldMap((await c.call('SENTINEL', 'MASTER', group)) as string[]));
}

/** SENTINEL REPLICAS `group`, each replica as a map, from one Sentinel. */
export function sentinelReplicas(lab: Lab, sentinel: string, group: string): Promise<Record<string, string>[]> {
  return onNode(lab, sentinel, async (c) => ((await c.call('SENTINEL', 'REPLICAS', group)) as string[][]).map(fieldMap));
}

/**
 * Three Sentinels (quorum 2) watching the lab's master as `group`, once each has found the
 * master's `replicas` (from its INFO) and the two other Sentinels (hello channel). Their names.
 */
export async function startSentinelGroup(lab: Lab, group: string, replicas: number, timing: { downAfterMs: number; failoverTimeoutMs: number }): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < 3; i++) {
    await lab.startSentinel({ masterName: group, master: 'master', quorum: 2, ...timing });
    names.push(`sentinel-${i + 1}`);
  }
  await until('the Sentinels to know each other and the replicas', async () => {
    const views = await Promise.all(names.map((s) => sentinelView(lab, s, group)));
    return views.every((v) => v['num-slaves'] === String(replicas) && v['num-other-sentinels'] === '2') ? true : undefined;
  }, 30_000);
  return names;
}

/** The CLI as a user runs it, with a data directory of its own. */
export async function cliRun(args: string[]): Promise<CliRun> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-sentinel-cli-'));
  try {
    return await runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' } });
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The plan a `--dry-run --json` run printed first. */
export function planOf(run: CliRun): ActionPlan {
  return (JSON.parse(run.stdout.split('\n')[0] ?? '') as { plan: ActionPlan }).plan;
}

/** One group a test file's tests share (see useSentinelGroup). */
export interface SharedSentinelGroup {
  lab: Lab;
  /** The Sentinels' lab names. */
  sentinels: string[];
  /** A console harness seeded at the master. */
  h: Harness;
}

/**
 * For a file whose tests share one group: a master, two replicas and three Sentinels that call a
 * master down after 1 s, and a console harness on the master; started before the file's tests
 * (its fields are set then), stopped after them.
 */
export function useSentinelGroup(group: string): SharedSentinelGroup {
  const shared = {} as SharedSentinelGroup;
  beforeAll(async () => {
    shared.lab = await Lab.start({ nodes: masterWithReplicas(2) });
    shared.sentinels = await startSentinelGroup(shared.lab, group, 2, { downAfterMs: 1000, failoverTimeoutMs: 5000 });
    shared.h = await harness(shared.lab, 'master');
  }, 60_000);
  afterAll(async () => {
    await shared.h?.close();
    await shared.lab?.close();
  });
  return shared;
}

/**
 * The Sentinels fail `group` over on their own, to the replica a plan steered them to (the lab node
 * `prefer`, given replica-priority 1), while the plan waits: once every `live` Sentinel has read the
 * steer (they read each replica's INFO every 10 s), the master is killed, and this returns when one
 * of them names `prefer` as the master. Returns when the master was killed.
 */
export async function sentinelsFailOverOnTheirOwn(lab: Lab, live: readonly string[], group: string, prefer: string): Promise<number> {
  const port = String(lab.port(prefer));
  await until('the live Sentinels to read the new priority', async () => {
    const views = await Promise.all(live.map((s) => sentinelReplicas(lab, s, group)));
    return views.every((v) => v.find((r) => r.port === port)?.['slave-priority'] === '1') ? true : undefined;
  }, 30_000);
  await lab.kill('master');
  const killedAt = Date.now();
  await until('a live Sentinel to name the preferred replica as the master', async () => {
    const views = await Promise.all(live.map((s) => sentinelView(lab, s, group)));
    return views.some((v) => v.port === port) ? true : undefined;
  }, 30_000, 50);
  return killedAt;
}
