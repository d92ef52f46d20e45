// The topology memory store: what it keeps, how it writes, what it does with a broken file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MEMORY_FILE, MEMORY_FORGET_AFTER_MS, TopologyMemory, type RememberedNode } from '../../electron/engine/topology-memory';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rc-memory-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function seen(address: string, master: string | null, lastSeenAt = 1000): Omit<RememberedNode, 'formerMaster'> {
  return { address, aliases: [], role: master ? 'replica' : 'master', master, runId: `run-${address}`, replid: 'r'.repeat(40), lastSeenAt };
}

const open = (options: Partial<{ maxEntries: number; forgetAfterMs: number }> = {}): TopologyMemory =>
  new TopologyMemory(dir, { maxEntries: 100, ...options }).load(2000);

describe('topology memory', () => {
  it('keeps what it saw across instances, written atomically to the data directory', () => {
    const memory = open();
    memory.observe(seen('10.0.0.1:6379', null));
    memory.observe(seen('10.0.0.2:6379', '10.0.0.1:6379'));
    memory.save(1000);
    expect(fs.readdirSync(dir)).toEqual([MEMORY_FILE]);
    const again = open();
    expect(again.get('10.0.0.2:6379')).toMatchObject({ role: 'replica', master: '10.0.0.1:6379', runId: 'run-10.0.0.2:6379', lastSeenAt: 1000 });
    expect(again.size).toBe(2);
  });

  it('writes a moved last-seen time at most once a minute, a changed role at once', () => {
    const memory = open();
    memory.observe(seen('a:1', null, 1000));
    memory.save(1000);
    memory.observe(seen('a:1', null, 5000));
    memory.save(5000);
    expect(open().get('a:1')?.lastSeenAt).toBe(1000);
    memory.observe(seen('a:1', null, 70_000));
    memory.save(70_000);
    expect(open().get('a:1')?.lastSeenAt).toBe(70_000);
    memory.observe({ ...seen('a:1', 'b:2', 71_000) });
    memory.save(71_000);
    expect(open().get('a:1')).toMatchObject({ role: 'replica', master: 'b:2' });
  });

  it('keeps an unreadable file aside, reports it and starts empty', () => {
    fs.writeFileSync(path.join(dir, MEMORY_FILE), '{"version":1,"nodes":[{"address":');
    const memory = open();
    expect(memory.size).toBe(0);
    expect(memory.problem).toMatch(/unreadable: kept aside as .*topology-memory\.json\.corrupt-2000/);
    expect(fs.readdirSync(dir)).toEqual([`${MEMORY_FILE}.corrupt-2000`]);
    memory.observe(seen('a:1', null));
    memory.save(3000);
    expect(open().size).toBe(1);
  });

  it('refuses entries of the wrong shape as a corrupt file', () => {
    fs.writeFileSync(path.join(dir, MEMORY_FILE), JSON.stringify({ version: 1, nodes: [{ address: 'a:1', role: 'primary' }] }));
    expect(open().problem).toMatch(/kept aside/);
  });

  it('keeps whether a node had persistence, through readings that could not tell, and reads files from before it was kept', () => {
    const memory = open();
    memory.observe({ ...seen('m:1', null), noPersistence: true });
    // CONFIG GET refused this time: what was known stays.
    memory.observe({ ...seen('m:1', null), noPersistence: null });
    expect(memory.get('m:1')?.noPersistence).toBe(true);
    memory.observe({ ...seen('m:1', null), noPersistence: false });
    expect(memory.get('m:1')?.noPersistence).toBe(false);
    memory.save(1000);
    expect(open().get('m:1')?.noPersistence).toBe(false);
    const old = { address: 'a:1', aliases: [], role: 'master', master: null, formerMaster: null, runId: null, replid: null, lastSeenAt: 1000 };
    fs.writeFileSync(path.join(dir, MEMORY_FILE), JSON.stringify({ version: 1, nodes: [old] }));
    expect(open().get('a:1')).toMatchObject({ address: 'a:1' });
    fs.writeFileSync(path.join(dir, MEMORY_FILE), JSON.stringify({ version: 1, nodes: [{ ...old, noPersistence: 'yes' }] }));
    expect(open().problem).toMatch(/kept aside/);
  });

  it('keeps what a master restart lost through later readings, clears it on request, and refuses a malformed one', () => {
    const memory = open();
    memory.observe(seen('m:1', null));
    const loss = { at: 500, runId: 'run-b', loadedKeys: 0, lostBytes: null, histories: ['old'], below: ['a:1'], wiped: ['a:1'] };
    memory.noteLoss('m:1', loss);
    memory.observe({ ...seen('m:1', null), runId: 'run-b' });
    memory.save(1000);
    expect(open().get('m:1')?.dataLoss).toEqual(loss);
    memory.noteLoss('m:1', null);
    memory.save(1000);
    expect(open().get('m:1')?.dataLoss).toBeNull();
    const entry = { address: 'a:1', aliases: [], role: 'master', master: null, formerMaster: null, runId: null, replid: null, lastSeenAt: 1000 };
    fs.writeFileSync(path.join(dir, MEMORY_FILE), JSON.stringify({ version: 1, nodes: [{ ...entry, dataLoss: { ...loss, wiped: 'a:1' } }] }));
    expect(open().problem).toMatch(/kept aside/);
  });

  it('forgets on request, and by itself after the stated time', () => {
    const memory = open({ forgetAfterMs: 10_000 });
    memory.observe(seen('a:1', null, 1000));
    memory.observe(seen('b:2', 'a:1', 9000));
    expect(memory.forget('b:2')?.address).toBe('b:2');
    expect(memory.forget('b:2')).toBeUndefined();
    expect(memory.expire(11_001).map((e) => e.address)).toEqual(['a:1']);
    expect(memory.size).toBe(0);
    expect(MEMORY_FORGET_AFTER_MS).toBe(7 * 24 * 3600 * 1000);
  });

  it('is bounded: past maxEntries the least recently seen go', () => {
    const memory = open({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) memory.observe(seen(`n:${i}`, null, 1000 + i));
    expect(memory.all().map((e) => e.address).sort()).toEqual(['n:7', 'n:8', 'n:9']);
  });

  it('finds the remembered nodes of a topology: replicas of a known master, transitively, and a replica that became a lone master', () => {
    const memory = open();
    memory.observe(seen('m:1', null));
    for (const r of ['a:1', 'b:1', 'c:1']) memory.observe(seen(r, 'm:1'));
    memory.observe(seen('d:1', 'c:1'));
    memory.observe(seen('other:1', null));
    memory.observe(seen('x:1', 'other:1'));
    // b restarted alone: a master now, still of m's group.
    memory.observe(seen('b:1', null, 2000));
    expect(memory.get('b:1')).toMatchObject({ role: 'master', master: null, formerMaster: 'm:1' });
    const known = new Set(['a:1']);
    const related = memory.relatedTo((address) => known.has(address)).map((e) => e.address).sort();
    expect(related).toEqual(['b:1', 'c:1', 'd:1', 'm:1']);
  });

  it('seeded from a replica promoted after a failover: its old master is recalled (dialled: seen if it comes back a master), with the replicas left on it', () => {
    const memory = open();
    memory.observe(seen('m:1', null));
    for (const r of ['a:1', 'b:1', 'c:1']) memory.observe(seen(r, 'm:1'));
    // Failover: b promoted, a re-pointed to it; c never re-pointed (down at the time).
    memory.observe(seen('b:1', null, 2000));
    memory.observe(seen('a:1', 'b:1', 2000));
    const known = new Set(['b:1']);
    expect(memory.relatedTo((address) => known.has(address)).map((e) => e.address).sort()).toEqual(['a:1', 'c:1', 'm:1']);
  });

  it('one node under several addresses is one entry', () => {
    const memory = open();
    memory.observe(seen('a:1', null));
    memory.observe({ ...seen('b:1', null), aliases: ['a:1'] });
    expect(memory.size).toBe(1);
    expect(memory.get('a:1')?.address).toBe('b:1');
  });

  it('two front ends on one data directory: each keeps what the other saw, and a forget holds', () => {
    const desktop = open();
    const cli = open();
    desktop.observe(seen('x:1', null, 1000));
    desktop.save(1000);
    cli.observe(seen('y:1', null, 1100));
    cli.save(1100);
    expect(open().all().map((e) => e.address).sort()).toEqual(['x:1', 'y:1']);

    // The CLI forgets x; the desktop, which still holds x, must not write it back, and learns of
    // the forget at its next look at the file (its session drops the node), once.
    expect(desktop.pickUp()).toEqual([]);
    const cli2 = open();
    expect(cli2.forget('x:1', 2000)?.address).toBe('x:1');
    cli2.save(2000);
    expect(desktop.pickUp()).toEqual(['x:1']);
    expect(desktop.get('x:1')).toBeUndefined();
    expect(desktop.pickUp()).toEqual([]);
    desktop.observe(seen('z:1', null, 2100));
    desktop.save(2100);
    expect(open().all().map((e) => e.address).sort()).toEqual(['y:1', 'z:1']);
    expect(desktop.get('x:1')).toBeUndefined();

    // Seen alive after the forget, it is remembered again.
    desktop.observe(seen('x:1', null, 3000));
    desktop.save(3000);
    expect(open().get('x:1')?.lastSeenAt).toBe(3000);
  });
});
