// Mutes and acknowledgements kept across a restart, per topology, in the data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBook } from '../../electron/engine/alerts';
import { ALERTS_FILE, AlertStore } from '../../electron/engine/alert-store';
import type { NodeState, TopologySnapshot } from '../../electron/shared/types';
import { FakeClock } from '../helpers/fake-clock';
import { inSyncLag, nodeState } from '../helpers/node-state';

const M = '127.0.0.1:6379';
const R = '127.0.0.1:6380';
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-store-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function lagging(bytes: number): TopologySnapshot {
  const nodes: NodeState[] = [nodeState(M), nodeState(R, { role: 'replica', master: M, linkStatus: 'up', lag: inSyncLag({ bytesBehindMaster: bytes }) })];
  return { seq: 1, takenAt: 0, pollIntervalMs: 1000, nodes, edges: [], warnings: [] };
}

describe('alert store', () => {
  it("a restarted console keeps its mutes and the acknowledgement of an incident still going; a whole-topology mute and acknowledgements stay with their topology", async () => {
    const clock = new FakeClock();
    const dir = tempDir();
    const before = new AlertBook();
    before.persistTo(new AlertStore(dir), 'T1', clock.now());
    const id = before.evaluate(lagging(50 << 20), clock.now()).alerts[0]?.id ?? '';
    before.acknowledge(id, clock.now());
    before.mute(M, 30, 'upgrade', clock.now());
    before.mute(null, 10, null, clock.now());
    expect(fs.statSync(path.join(dir, ALERTS_FILE)).mode & 0o777).toBe(0o600);

    await clock.advance(60_000);
    const after = new AlertBook();
    after.persistTo(new AlertStore(dir), 'T1', clock.now());
    const view = after.evaluate(lagging(50 << 20), clock.now());
    expect(view.alerts[0]).toMatchObject({ id, state: 'acknowledged', rule: 'LAG_BYTES', node: R });
    expect(view.mutes.map((m) => [m.node, m.reason])).toEqual(
      expect.arrayContaining([
        [M, 'upgrade'],
        [null, null],
      ]),
    );
    expect(view.mutes).toHaveLength(2);
    // Another topology (other seeds) has the node's mute, not the first one's whole-topology mute or acknowledgement.
    const other = new AlertBook();
    other.persistTo(new AlertStore(dir), 'T2', clock.now());
    const otherView = other.evaluate(lagging(50 << 20), clock.now());
    expect(otherView.mutes.map((m) => [m.node, m.reason])).toEqual([[M, 'upgrade']]);
    expect(otherView.alerts[0]?.state).toBe('firing');

    // Resolved while the console was down: the acknowledgement is not given to a later incident.
    const third = new AlertBook();
    third.persistTo(new AlertStore(dir), 'T1', clock.now());
    third.evaluate(lagging(0), clock.now());
    expect(new AlertStore(dir).load('T1', clock.now())?.acknowledged).toEqual([]);
    after.evaluate(lagging(0), clock.now() + 1000); // resolves the acknowledged incident: forgotten in the file
    const fourth = new AlertBook();
    fourth.persistTo(new AlertStore(dir), 'T1', clock.now() + 2000);
    expect(fourth.evaluate(lagging(50 << 20), clock.now() + 2000).alerts[0]?.state).toBe('firing');
    // Expired mutes are not restored.
    const late = new AlertBook();
    late.persistTo(new AlertStore(dir), 'T1', clock.now() + 3_600_000);
    expect(late.view(clock.now() + 3_600_000).mutes).toEqual([]);
  });

  it('an unreadable file is moved aside, not overwritten, and the alerts work in memory', () => {
    const clock = new FakeClock();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, ALERTS_FILE), '{ not json');
    const store = new AlertStore(dir);
    const book = new AlertBook();
    book.persistTo(store, 'T1', clock.now());
    expect(store.problem).toMatch(/kept aside as .*alerts\.json\.unreadable-/);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(`${ALERTS_FILE}.unreadable-`))).toHaveLength(1);
    expect(book.mute(R, 5, null, clock.now()).mutes).toHaveLength(1);
    expect(new AlertStore(dir).load('T1', clock.now())?.mutes.map((m) => m.node)).toEqual([R]);
  });

  it("a node's mute holds in every topology that has the node, and reaches a console already running", async () => {
    const clock = new FakeClock();
    const dir = tempDir();
    // A serve (seeds M) and a desktop app (seeds R) on one data directory, both running.
    const serve = new AlertBook();
    serve.persistTo(new AlertStore(dir), 'seeds M', clock.now());
    expect(serve.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: false });
    const desktop = new AlertBook();
    desktop.persistTo(new AlertStore(dir), 'seeds R', clock.now());
    desktop.evaluate(lagging(50 << 20), clock.now());
    desktop.mute(R, 60, 'disk swap', clock.now());
    desktop.mute(null, 60, 'the desktop only', clock.now());

    await clock.advance(1000);
    const picked = serve.evaluate(lagging(50 << 20), clock.now());
    expect(picked.alerts[0]).toMatchObject({ node: R, muted: true });
    expect(picked.mutes.map((m) => [m.node, m.reason])).toEqual([[R, 'disk swap']]);
    // A node of neither topology is kept, not listed.
    desktop.mute('10.9.9.9:6379', 60, null, clock.now());
    await clock.advance(1000);
    expect(serve.evaluate(lagging(50 << 20), clock.now()).mutes.map((m) => m.node)).toEqual([R]);

    // Lifted by the serve's own web console: lifted on the desktop too, and in the file.
    serve.unmute(R, clock.now());
    await clock.advance(1000);
    expect(desktop.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: true }); // its whole-topology mute
    desktop.unmute(null, clock.now());
    expect(desktop.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: false });
    const file = JSON.parse(fs.readFileSync(path.join(dir, ALERTS_FILE), 'utf8')) as { nodes: Record<string, unknown> };
    expect(Object.keys(file.nodes)).toEqual(['10.9.9.9:6379']);
  });

  it('a whole-topology mute set by one console on the topology reaches another running on it, and survives the other saving an acknowledgement', async () => {
    const clock = new FakeClock();
    const dir = tempDir();
    // Two serves (or the app and a serve) on one data directory, watching the same topology.
    const a = new AlertBook();
    a.persistTo(new AlertStore(dir), 'T1', clock.now());
    const b = new AlertBook();
    b.persistTo(new AlertStore(dir), 'T1', clock.now());
    a.evaluate(lagging(50 << 20), clock.now());
    const firing = b.evaluate(lagging(50 << 20), clock.now()).alerts[0];
    expect(firing).toMatchObject({ node: R, muted: false });

    a.mute(null, 30, 'maintenance window', clock.now());
    await clock.advance(1000);
    // It kept paging from B (its /metrics said the alert fired).
    expect(b.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: true });

    // B acknowledges: it wrote its whole entry, mutes: [], and the maintenance mute was gone after A restarted.
    b.acknowledge(firing!.id, clock.now());
    const restarted = new AlertBook();
    restarted.persistTo(new AlertStore(dir), 'T1', clock.now());
    expect(restarted.evaluate(lagging(50 << 20), clock.now()).mutes.map((m) => [m.node, m.reason])).toEqual([[null, 'maintenance window']]);

    // Lifted on B: lifted on A too.
    b.unmute(null, clock.now());
    await clock.advance(1000);
    expect(a.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: false });
  });

  it("takes up the node mutes an earlier version kept in one topology's entry, for every topology, and moves them on its next save", () => {
    const clock = new FakeClock();
    const dir = tempDir();
    const until = clock.now() + 3_600_000;
    const old = { version: 1, topologies: { T1: { mutes: [{ node: R, until, reason: 'old' }, { node: null, until, reason: null }], acknowledged: [], savedAt: clock.now() } } };
    fs.writeFileSync(path.join(dir, ALERTS_FILE), JSON.stringify(old));
    const other = new AlertBook();
    other.persistTo(new AlertStore(dir), 'T2', clock.now());
    expect(other.evaluate(lagging(50 << 20), clock.now()).alerts[0]).toMatchObject({ node: R, muted: true });
    other.mute(M, 10, null, clock.now());
    const file = JSON.parse(fs.readFileSync(path.join(dir, ALERTS_FILE), 'utf8')) as { topologies: { T1: { mutes: unknown[] } }; nodes: Record<string, { reason: string | null }> };
    expect(file.nodes[R]?.reason).toBe('old');
    expect(Object.keys(file.nodes).sort()).toEqual([M, R].sort());
    expect(file.topologies.T1.mutes).toEqual([{ node: null, until, reason: null }]);
  });
});
