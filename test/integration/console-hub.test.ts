// Several topologies at once (ConsoleHub) against real redis-servers: each topology its own
// engine and polling, closing one leaves the others polling, one lab for all of them (stopping
// it disconnects every topology watching it), and shutdown closes every one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHub } from '../../electron/app/console-hub';
import { ConsoleService } from '../../electron/app/service';
import type { Envelope, LabInfo } from '../../electron/shared/api';
import type { TickUpdate, TopologySnapshot } from '../../electron/shared/types';
import { Lab } from '../../electron/lab/lab';
import { disposeAfterEach } from '../helpers/dispose';

let lab: Lab;
let dir: string;
let a: string;
let aReplica: string;
let b: string;
const own = disposeAfterEach();

beforeAll(async () => {
  // Two topologies that know nothing of each other: a master with a replica, and a lone master.
  lab = await Lab.start({ nodes: [{ name: 'a' }, { name: 'a-replica', replicaOf: 'a' }, { name: 'b' }] });
  [a, aReplica, b] = [lab.address('a'), lab.address('a-replica'), lab.address('b')];
  dir = await mkdtemp(join(tmpdir(), 'rc-hub-test-'));
});

afterAll(async () => {
  await lab?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A hub that records every tick by topology, closed after the test. */
function hubWithTicks(): { hub: ConsoleHub; ticks: Map<string, TickUpdate[]> } {
  const hub = new ConsoleHub({ service: { interface: 'web', auditDir: dir } });
  own({ close: () => hub.closeAll() });
  const ticks = new Map<string, TickUpdate[]>();
  hub.onTick((topology, update) => ticks.set(topology, [...(ticks.get(topology) ?? []), update]));
  return { hub, ticks };
}

function value<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

function addresses(update: TickUpdate | TopologySnapshot | null | undefined): string[] {
  const snapshot = update && 'snapshot' in update ? update.snapshot : update;
  return (snapshot?.nodes ?? []).map((n) => n.address).sort();
}

describe('ConsoleHub', () => {
  it('polls two topologies independently, each with its own engine', async () => {
    const { hub, ticks } = hubWithTicks();
    const first = value<TopologySnapshot>(await hub.invoke('one', 'topology:connect', [{ seeds: [a], pollIntervalMs: 200 }]));
    const second = value<TopologySnapshot>(await hub.invoke('two', 'topology:connect', [{ seeds: [b], pollIntervalMs: 300 }]));
    expect(addresses(first)).toEqual([a, aReplica].sort());
    expect(addresses(second)).toEqual([b]);
    expect(hub.get('one')).not.toBe(hub.get('two'));
    expect(hub.ids.sort()).toEqual(['one', 'two']);

    await expect.poll(() => (ticks.get('one') ?? []).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await expect.poll(() => (ticks.get('two') ?? []).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    // Each topology's ticks are its own: never a node of the other.
    for (const update of ticks.get('one') ?? []) expect(addresses(update)).toEqual([a, aReplica].sort());
    for (const update of ticks.get('two') ?? []) expect(addresses(update)).toEqual([b]);
    expect(ticks.get('one')?.[0]?.snapshot.pollIntervalMs).toBe(200);
    expect(ticks.get('two')?.[0]?.snapshot.pollIntervalMs).toBe(300);
    // Each engine answers for its own topology.
    expect(addresses(value<TopologySnapshot>(await hub.invoke('two', 'topology:get', [])))).toEqual([b]);
  });

  it('closing one topology stops its polling and leaves the other polling', async () => {
    const { hub, ticks } = hubWithTicks();
    value(await hub.invoke('one', 'topology:connect', [{ seeds: [a], pollIntervalMs: 200 }]));
    value(await hub.invoke('two', 'topology:connect', [{ seeds: [b], pollIntervalMs: 200 }]));
    await expect.poll(() => (ticks.get('one') ?? []).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const closedService = hub.get('one');

    expect(value(await hub.invoke('one', 'topology:close', []))).toBeNull();
    expect(hub.ids).toEqual(['two']);
    expect(closedService.snapshot()).toBeNull();
    const oneAtClose = (ticks.get('one') ?? []).length;
    const twoAtClose = (ticks.get('two') ?? []).length;
    await expect.poll(() => (ticks.get('two') ?? []).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(twoAtClose + 3);
    expect((ticks.get('one') ?? []).length).toBe(oneAtClose);
    // The id can be used again: a new, idle topology.
    expect(value(await hub.invoke('one', 'topology:get', []))).toBeNull();
    expect(hub.get('one')).not.toBe(closedService);
  });

  it('shares one lab: started from one topology, seen and watched from another, and stopping it disconnects every topology watching it', async () => {
    const { hub } = hubWithTicks();
    const started = value<LabInfo>(await hub.invoke('one', 'lab:start', []));
    expect(started.running).toBe(true);
    // Any topology sees the same lab; starting it again from another one is the same lab.
    expect(value<LabInfo>(await hub.invoke('two', 'lab:status', []))).toEqual(started);
    expect(value<LabInfo>(await hub.invoke('three', 'lab:start', []))).toEqual(started);
    value(await hub.invoke('two', 'topology:connect', [{ seeds: started.seeds, pollIntervalMs: 200 }]));
    value(await hub.invoke('three', 'topology:connect', [{ seeds: [b], pollIntervalMs: 200 }]));

    expect(value<LabInfo>(await hub.invoke('one', 'lab:stop', []))).toEqual({ running: false, seeds: [] });
    // 'two' watched the lab: disconnected before its servers went. 'three' did not: still connected.
    expect(value(await hub.invoke('two', 'topology:get', []))).toBeNull();
    expect(addresses(value<TopologySnapshot>(await hub.invoke('three', 'topology:get', [])))).toEqual([b]);
    expect(value<LabInfo>(await hub.invoke('three', 'lab:status', [])).running).toBe(false);
  });

  it('closeAll closes every topology and the lab it owns; an adopted main service is left to its maker', async () => {
    const main = own(new ConsoleService({ interface: 'web', auditDir: dir }));
    await main.connect({ seeds: [b], pollIntervalMs: 200 });
    const hub = new ConsoleHub({ main, service: { interface: 'web', auditDir: dir } });
    expect(hub.lab).toBe(main.lab);
    value(await hub.invoke('side', 'topology:connect', [{ seeds: [a], pollIntervalMs: 200 }]));
    const side = hub.get('side');
    await hub.closeAll();
    expect(side.snapshot()).toBeNull();
    expect(main.snapshot()).not.toBeNull();
    // Closed: no new topology after shutdown, with a clear word.
    const refused = await hub.invoke('late', 'topology:get', []);
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });

    // Closing the adopted main's tab disconnects it, it is not closed (its maker closes it).
    const again = new ConsoleHub({ main });
    own({ close: () => again.closeAll() });
    value(await again.invoke('main', 'topology:close', []));
    expect(main.snapshot()).toBeNull();
    await main.connect({ seeds: [b], pollIntervalMs: 200 });
    expect(main.snapshot()).not.toBeNull();
  });
});
