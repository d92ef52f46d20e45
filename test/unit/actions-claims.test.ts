// Node claims, the lock between consoles in different processes on one machine: a live owner
// keeps its nodes, a dead one (kill -9) does not, and of claims racing for a node one wins.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeClaims, ownerAlive, type ClaimOwner } from '../../electron/engine/actions/claims';
import { JournalStore } from '../../electron/engine/actions/journal';

const M = '10.0.0.1:6379';
const A = '10.0.0.2:6379';
const B = '10.0.0.3:6379';

let dir: string;
let claims: NodeClaims;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-claims-'));
  claims = new NodeClaims(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function owner(planId: string, pid = process.pid): ClaimOwner {
  return { planId, summary: `plan ${planId}`, pid, host: os.hostname(), user: 'tester', interface: 'cli', at: Date.now() };
}

/** The pid of a process that has exited (a console killed with -9 leaves one like it). */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? 0));
  });
}

/** Write a claim as another console would have left it. */
async function leftBy(address: string, who: ClaimOwner): Promise<void> {
  await mkdir(claims.dir, { recursive: true });
  await writeFile(claims.fileOf(address), JSON.stringify(who));
}

describe('node claims', () => {
  it('a node held by a live process on this host is busy, and nothing of ours stays behind', async () => {
    // The test runner's parent: alive for as long as this test runs.
    const other = owner('other-plan', process.ppid);
    await leftBy(B, other);
    const result = await claims.take([M, A, B], owner('mine'));
    expect(result.busy).toMatchObject({ planId: 'other-plan', pid: process.ppid, summary: 'plan other-plan' });
    expect(result.held).toBeNull();
    // M and A (claimed before B in sorted order) were given back: only the other's claim is left.
    expect(await readdir(claims.dir)).toEqual([path.basename(claims.fileOf(B))]);
    expect(await claims.holder([A, B])).toMatchObject({ planId: 'other-plan' });
  });

  it('a claim left by a dead process is taken over', async () => {
    const pid = await deadPid();
    expect(ownerAlive({ pid, host: os.hostname() })).toBe(false);
    await leftBy(A, owner('dead-plan', pid));
    expect(await claims.holder([A])).toBeNull();
    const result = await claims.take([M, A], owner('mine'));
    expect(result.busy).toBeNull();
    expect(await claims.holder([A], null)).toMatchObject({ planId: 'mine' });
    await result.held?.release();
    expect(await readdir(claims.dir)).toEqual([]);
  });

  it('a claim of another host cannot be checked and is not taken as alive; an unreadable one is stale', async () => {
    expect(ownerAlive({ pid: process.ppid, host: `${os.hostname()}-elsewhere` })).toBe(false);
    expect(ownerAlive({ pid: process.ppid, host: os.hostname() })).toBe(true);
    await mkdir(claims.dir, { recursive: true });
    await writeFile(claims.fileOf(A), 'not json');
    const result = await claims.take([A], owner('mine'));
    expect(result.busy).toBeNull();
    await result.held?.release();
  });

  it('of twenty claims racing for overlapping nodes exactly one wins; the rest are told who holds them', async () => {
    const sets = [[M, A], [A, B], [M, B], [B, A, M]];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => new NodeClaims(dir).take(sets[i % sets.length] ?? [M], owner(`plan-${i}`))));
    const winners = results.filter((r) => r.held !== null);
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.busy) expect(r.busy.planId).toMatch(/^plan-\d+$/);
    // Once the winner gives its nodes back, the next one gets them.
    await winners[0]?.held?.release();
    const next = await claims.take([M, A, B], owner('after'));
    expect(next.busy).toBeNull();
    await next.held?.release();
    expect((await readdir(claims.dir)).filter((n) => n.endsWith('.claim'))).toEqual([]);
  });

  it('release leaves a claim that is no longer ours', async () => {
    const mine = await claims.take([A], owner('mine'));
    // Taken over meanwhile (as if this process had been thought dead).
    await leftBy(A, owner('other-plan', process.ppid));
    await mine.held?.release();
    expect(await claims.holder([A])).toMatchObject({ planId: 'other-plan' });
  });
});

describe('open plans in the journal', () => {
  async function journaled(planId: string, pid: number, nodes: string[], finished: boolean): Promise<void> {
    const store = new JournalStore(dir);
    await mkdir(store.dir, { recursive: true });
    const lines = [{ type: 'started', v: 1, planId, at: 1, pid, host: os.hostname(), user: 'ops', interface: 'cli', summary: planId, nodes, steps: [] }];
    if (finished) lines.push({ type: 'finished', at: 2, status: 'ok', interrupted: null } as never);
    await writeFile(path.join(store.dir, `${planId}.jsonl`), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  }

  it('count only when unfinished, on an overlapping node, and run by a live process other than this one', async () => {
    const store = new JournalStore(dir);
    await journaled('finished-plan', process.ppid, [A], true);
    await journaled('dead-plan', await deadPid(), [A], false);
    await journaled('own-plan', process.pid, [A], false);
    await journaled('elsewhere-plan', process.ppid, [B], false);
    expect(await store.openElsewhere([M, A])).toBeNull();
    expect(await store.openElsewhere([A, B])).toMatchObject({ planId: 'elsewhere-plan', pid: process.ppid });
  });
});
