import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { ReplicationEngine } from '../../electron/engine/engine';
import { ACK_SILENT_SECONDS, type TickUpdate, type TopologySnapshot, type TopologyWarning } from '../../electron/shared/types';
import { Lab, cascade } from '../../electron/lab/lab';
import { node, waitForTick } from '../helpers/engine';
import { disposeAfterEach } from '../helpers/dispose';

const POLL_MS = 250;

/** Every warning, those folded under a headline included. */
const allWarnings = (snapshot: TopologySnapshot): TopologyWarning[] => snapshot.warnings.flatMap((w) => [w, ...(w.folded ?? [])]);

const own = disposeAfterEach();

describe('STALLED_UPSTREAM', () => {
  it('a SIGSTOPped middle node: the nodes below it are behind because of it, with lag to the root in bytes and seconds', async () => {
    const lab = own(await Lab.start({ nodes: cascade(4) }));
    const [root, middle, below, bottom] = ['level-0', 'level-1', 'level-2', 'level-3'].map((n) => lab.address(n)) as [string, string, string, string];
    const engine = own(new ReplicationEngine());
    await engine.connect({ seeds: [root], pollIntervalMs: POLL_MS });
    const calm = await waitForTick(engine, (u) => u.snapshot.edges.length === 3 && u.snapshot.edges.every((e) => e.health === 'up'), 10_000, 'chain up');
    for (const address of [middle, below, bottom]) expect(node(calm.snapshot, address).lag).toMatchObject({ behindBecauseOf: null, secondsBehindRoot: 0 });

    const writer = new Redis(`redis://${root}`);
    let writing = true;
    const load = (async () => {
      for (let i = 0; writing; i++) {
        await writer.set(`load:${i % 1000}`, 'x'.repeat(1024));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    lab.pause('level-1');
    try {
      const { snapshot } = await waitForTick(
        engine,
        (u) =>
          (node(u.snapshot, below).lag?.bytesBehindRoot ?? 0) > 100 * 1024 &&
          (node(u.snapshot, bottom).lag?.secondsBehindRoot ?? 0) >= 1 &&
          allWarnings(u.snapshot).some((w) => w.code === 'STALLED_UPSTREAM'),
        20_000,
        'the nodes below the stalled one 100 KB and 1 s behind the root, STALLED_UPSTREAM',
      );
      for (const address of [below, bottom]) {
        const lag = node(snapshot, address).lag;
        expect(lag?.behindBecauseOf).toBe(middle);
        expect(lag?.bytesBehindRoot).toBeGreaterThan(100 * 1024);
        expect(lag?.secondsBehindRoot).toBeGreaterThan(0);
        // Their own links are up: the edges say they are behind anyway, never green.
        expect(snapshot.edges.find((e) => e.replica === address)?.health).not.toBe('up');
      }
      // Compared with the stalled node's old readings, "0 behind its master" would be a lie.
      expect(node(snapshot, below).lag?.bytesBehindMaster).toBeNull();
      const warning = allWarnings(snapshot).find((w) => w.code === 'STALLED_UPSTREAM');
      expect(warning?.nodes).toEqual([middle, below, bottom]);
      expect(warning?.message).toContain('behind the root');
      expect(node(snapshot, middle).lag?.behindBecauseOf).toBeNull();
      // Once it does not answer at all, its UNREACHABLE heads what follows from it: one line, not one per node below.
      const cut = await waitForTick(engine, (u) => !node(u.snapshot, middle).reachable, 15_000, 'the stalled node unreachable');
      const headline = cut.snapshot.warnings.find((w) => w.code === 'UNREACHABLE' && w.nodes[0] === middle);
      expect(headline?.folded?.map((w) => w.code)).toContain('STALLED_UPSTREAM');
      expect(headline?.message).toMatch(/2 nodes below it\. \d+ more warnings? follows? from this$/);
      expect(cut.snapshot.warnings.map((w) => w.code)).not.toContain('STALLED_UPSTREAM');
    } finally {
      lab.resume('level-1');
      writing = false;
      await load;
      writer.disconnect();
    }
    await waitForTick(
      engine,
      (u) => !allWarnings(u.snapshot).some((w) => w.code === 'STALLED_UPSTREAM') && u.snapshot.edges.every((e) => e.health === 'up'),
      20_000,
      'the chain caught up again',
    );
  });

  it("a link the console cannot read from the replica's side is judged by its master's ACKs, and one it cannot read from either side is unknown", async () => {
    const lab = own(await Lab.start({ nodes: cascade(3) }));
    const [root, middle, bottom] = ['level-0', 'level-1', 'level-2'].map((n) => lab.address(n)) as [string, string, string];
    // A short timeout: the stopped replica is unreachable while its last ACK is still recent.
    const engine = own(new ReplicationEngine({ connectTimeoutMs: 1000, commandTimeoutMs: 1000 }));
    await engine.connect({ seeds: [root], pollIntervalMs: POLL_MS });
    await waitForTick(engine, (u) => u.snapshot.edges.length === 2 && u.snapshot.edges.every((e) => e.health === 'up'), 10_000, 'chain up');
    const healthOf = (u: TickUpdate, replica: string) => u.snapshot.edges.find((e) => e.replica === replica)?.health;
    const ticks: TickUpdate[] = [];
    engine.onTick((u) => ticks.push(u));

    lab.pause('level-2');
    const silent = await waitForTick(engine, (u) => healthOf(u, bottom) === 'down', 15_000, 'the stopped replica silent to its master');
    expect(node(silent.snapshot, bottom).reachable).toBe(false);
    expect(node(silent.snapshot, bottom).lag?.lastAckSecondsAgo).toBeGreaterThan(ACK_SILENT_SECONDS);
    // Not answering the console, but its master heard from it a moment ago: not "link down" yet.
    const unheard = ticks.filter((u) => !node(u.snapshot, bottom).reachable && (node(u.snapshot, bottom).lag?.lastAckSecondsAgo ?? Infinity) <= ACK_SILENT_SECONDS);
    expect(unheard.length).toBeGreaterThan(0);
    for (const u of unheard) expect(healthOf(u, bottom)).not.toBe('down');

    // Its master stopped too: nothing current says how the link between them is.
    lab.pause('level-1');
    const blind = await waitForTick(engine, (u) => healthOf(u, bottom) === 'unknown' && healthOf(u, middle) === 'down', 15_000, 'both ends stopped');
    expect(node(blind.snapshot, middle).lag?.lastAckSecondsAgo).toBeGreaterThan(ACK_SILENT_SECONDS);
    lab.resume('level-1');
    lab.resume('level-2');
    await waitForTick(engine, (u) => u.snapshot.edges.every((e) => e.health === 'up'), 20_000, 'both back');
  });
});
