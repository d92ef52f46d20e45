// The poll schedule on a fake clock: hours of slots, refreshes, slow replies, merges, nodes
// coming and going, in milliseconds. The poll function is a stand-in whose replies take fake
// time; the engine's own polls over real servers are in test/integration/poll-schedule.test.ts.
import { describe, expect, it } from 'vitest';
import { PollScheduler, type SlotTiming } from '../../electron/engine/poll-scheduler';
import { FakeClock } from '../helpers/fake-clock';
import { seededRandom } from '../helpers/seeded-random';

const I = 1000;
const HOUR = 3_600_000;
/** Hours of fake time take a second or two of real time: room for a loaded machine. */
const LONG = 60_000;

interface FakeNode {
  name: string;
  depth: number;
}

interface Reading {
  node: FakeNode;
  startedAt: number;
  endedAt: number | null;
}

/** A scheduler over fake nodes whose readings take `latency` fake ms, recording everything. */
/** Timers a scheduler of these nodes keeps: one per distinct phase (a wave), plus the tick's. */
function timersFor(nodes: readonly FakeNode[]): number {
  return new Set(nodes.map((n) => Math.min(n.depth, 5))).size + 1;
}

class Sim {
  readonly clock = new FakeClock();
  readonly readings: Reading[] = [];
  /** Readings under way. */
  readonly open = new Set<Reading>();
  readonly slots = new Map<FakeNode, SlotTiming[]>();
  readonly ticks: number[] = [];
  readonly stalls: [number, number][] = [];
  readonly errors: unknown[] = [];
  readonly inFlight = new Map<FakeNode, number>();
  maxInFlight = 0;
  /** Runs at the start of every reading, as the engine's merges and neighbour adds do. */
  onRead: (node: FakeNode) => void = () => undefined;
  readonly scheduler: PollScheduler<FakeNode>;
  startedAt = 0;

  constructor(
    readonly latency: (node: FakeNode, now: number) => number,
    readonly behaviour: (node: FakeNode) => 'ok' | 'throw' | 'reject' = () => 'ok',
  ) {
    this.scheduler = new PollScheduler<FakeNode>({
      clock: this.clock,
      intervalMs: I,
      poll: (node) => this.poll(node),
      phaseOf: (node) => Math.min(node.depth, 5) * 10,
      tick: () => this.ticks.push(this.clock.now()),
      onStall: (from, to) => this.stalls.push([from, to]),
      onSlot: (node, slot) => {
        const slots = this.slots.get(node);
        if (slots) slots.push(slot);
        else this.slots.set(node, [slot]);
      },
      onError: (error) => this.errors.push(error),
    });
  }

  start(nodes: FakeNode[]): void {
    for (const node of nodes) this.scheduler.add(node);
    this.startedAt = this.clock.now();
    this.scheduler.start();
  }

  /** Where slot k of a node falls: one interval after start, then every interval, plus its phase. */
  slotTime(node: FakeNode, k: number): number {
    return this.startedAt + I + k * I + Math.min(node.depth, 5) * 10;
  }

  /** Read every node (or the given ones) as the engine's refresh does. */
  refresh(nodes: FakeNode[]): Promise<void[]> {
    return Promise.all(nodes.map((n) => this.scheduler.read(n)));
  }

  private poll(node: FakeNode): Promise<void> {
    const count = (this.inFlight.get(node) ?? 0) + 1;
    this.inFlight.set(node, count);
    this.maxInFlight = Math.max(this.maxInFlight, count);
    const reading: Reading = { node, startedAt: this.clock.now(), endedAt: null };
    this.readings.push(reading);
    this.open.add(reading);
    this.onRead(node);
    const done = (): void => {
      reading.endedAt = this.clock.now();
      this.open.delete(reading);
      this.inFlight.set(node, (this.inFlight.get(node) ?? 1) - 1);
    };
    const behaviour = this.behaviour(node);
    if (behaviour === 'throw') {
      done();
      throw new Error(`${node.name} threw`);
    }
    return new Promise((resolve, reject) => {
      this.clock.setTimeout(() => {
        done();
        if (behaviour === 'reject') reject(new Error(`${node.name} failed`));
        else resolve();
      }, this.latency(node, this.clock.now()));
    });
  }
}

function topology(count: number): FakeNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `n${i}`, depth: i === 0 ? 0 : i < 6 ? 1 : i < 9 ? 2 : 7 }));
}

/** Every slot of the node from `first` to `last`, exactly once, each on its grid time. */
function expectEverySlot(sim: Sim, node: FakeNode, first: number, last: number): SlotTiming[] {
  const slots = (sim.slots.get(node) ?? []).filter((s) => s.scheduledAt >= sim.slotTime(node, first) && s.scheduledAt <= sim.slotTime(node, last));
  // One comparison per node: thousands of expect() calls would cost more than the schedule.
  const wrong = slots.map((s, i) => [i, s.scheduledAt - sim.slotTime(node, first + i)]).filter(([, off]) => off !== 0);
  expect({ node: node.name, slots: slots.length, wrong: wrong.slice(0, 5) }).toEqual({ node: node.name, slots: last - first + 1, wrong: [] });
  return slots;
}

/** One tick per interval from start, half an interval after each slot, none twice. */
function expectOneTickPerInterval(sim: Sim, intervals: number): void {
  const expected = Array.from({ length: intervals }, (_, k) => sim.startedAt + I + k * I + I / 2);
  expect(sim.ticks.slice(0, intervals)).toEqual(expected);
  expect(new Set(sim.ticks).size).toBe(sim.ticks.length);
}

describe('poll scheduler', () => {
  it('polls every node in every interval through two hours of overlapping refreshes, with one tick per interval', async () => {
    const rand = seededRandom(7);
    const sim = new Sim(() => 1 + Math.floor(rand() * 40));
    const nodes = topology(12);
    sim.start(nodes);
    const refreshes: { calledAt: number; done: Promise<unknown> }[] = [];
    let unfinished = 0;
    for (let t = 0; t < 2 * HOUR; ) {
      // A refresh every 0.3–1.5 s at any phase of the grid, sometimes two at once (planner and executor).
      const step = 300 + Math.floor(rand() * 1200);
      await sim.clock.advance(step);
      t += step;
      const calledAt = sim.clock.now();
      const targets = rand() < 0.5 ? nodes : nodes.filter(() => rand() < 0.5);
      const count = rand() < 0.2 ? 2 : 1;
      for (let i = 0; i < count; i++) {
        const done = sim.refresh(targets).then(() => {
          // Waited for, not skipped: no reading of a target that began before the call is still under way.
          for (const r of sim.open) if (targets.includes(r.node) && r.startedAt <= calledAt) unfinished++;
        });
        refreshes.push({ calledAt, done });
      }
    }
    await sim.clock.advance(I);
    await Promise.all(refreshes.map((r) => r.done));

    const intervals = Math.floor((2 * HOUR) / I) - 2;
    for (const node of nodes) {
      const slots = expectEverySlot(sim, node, 0, intervals);
      // A slot either starts a reading on time, or joins one that began at most one reply time earlier.
      const late = slots.filter((s) => s.skipped > 0 || (s.joined ? s.scheduledAt - s.startedAt > 40 : s.startedAt !== s.scheduledAt));
      expect(late).toEqual([]);
    }
    const joined = [...sim.slots.values()].flat().filter((s) => s.joined).length;
    expect(joined).toBeGreaterThan(50);
    expect(unfinished).toBe(0);
    expect(sim.maxInFlight).toBe(1);
    expect(sim.errors).toEqual([]);
    expectOneTickPerInterval(sim, intervals);
  }, LONG);

  it('keeps the next slot when one comes due while a refresh is reading the node (the frozen-after-a-plan bug)', async () => {
    const sim = new Sim(() => 5);
    const [node] = topology(1) as [FakeNode];
    sim.start([node]);
    // The refresh starts 2 ms before the slot and is still reading when the slot comes due.
    await sim.clock.advance(I - 2);
    const refresh = sim.refresh([node]);
    await sim.clock.advance(2);
    await sim.clock.advance(10 * I);
    await refresh;
    const slots = expectEverySlot(sim, node, 0, 10);
    expect(slots[0]).toMatchObject({ joined: true, startedAt: sim.slotTime(node, 0) - 2 });
    expect(slots.slice(1).every((s) => !s.joined && s.startedAt === s.scheduledAt)).toBe(true);
  });

  it('rides out replies slower than the interval: one reading at a time, slots join it, no pile-up, on time again after', async () => {
    const nodes = topology(3);
    const slow = nodes[1] as FakeNode;
    const slowUntil = Date.UTC(2026, 0, 1) + HOUR;
    // The slow node answers in 2.5 intervals for the first hour, then in 5 ms.
    const sim = new Sim((node, now) => (node === slow && now < slowUntil ? 2.5 * I : 5));
    sim.start(nodes);
    await sim.clock.advance(2 * HOUR);
    const intervals = Math.floor((2 * HOUR) / I) - 2;
    for (const node of nodes) expectEverySlot(sim, node, 0, intervals);
    expect(sim.maxInFlight).toBe(1);

    const slowSlots = sim.slots.get(slow) ?? [];
    const during = slowSlots.filter((s) => s.scheduledAt < slowUntil - 3 * I);
    const after = slowSlots.filter((s) => s.scheduledAt > slowUntil + 3 * I);
    // While slow, a reading starts every third slot and the two between wait for it.
    expect(during.filter((s) => !s.joined).length).toBeGreaterThan(during.length / 3 - 2);
    expect(during.filter((s) => !s.joined).length).toBeLessThan(during.length / 3 + 2);
    expect(during.every((s) => s.skipped === 0 && s.scheduledAt - s.startedAt <= 2.5 * I)).toBe(true);
    expect(after.every((s) => !s.joined && s.startedAt === s.scheduledAt)).toBe(true);
    // The node's own record of its schedule agrees with what was observed.
    expect(sim.scheduler.timing(slow)).toEqual({ last: slowSlots.at(-1), slots: slowSlots.length, joined: slowSlots.filter((s) => s.joined).length, skipped: 0 });
    // The fast nodes never noticed.
    for (const node of nodes.filter((n) => n !== slow)) {
      expect((sim.slots.get(node) ?? []).every((s) => !s.joined && s.startedAt === s.scheduledAt)).toBe(true);
    }
    expectOneTickPerInterval(sim, intervals);
  }, LONG);

  it('reports a reading that throws or rejects, and the next slot comes anyway', async () => {
    const nodes = topology(3);
    const sim = new Sim(
      () => 5,
      (node) => (node === nodes[1] ? 'throw' : node === nodes[2] ? 'reject' : 'ok'),
    );
    sim.start(nodes);
    await sim.clock.advance(30 * I);
    for (const node of nodes) expectEverySlot(sim, node, 0, 28);
    expect(sim.errors.map((e) => (e as Error).message)).toContain('n1 threw');
    expect(sim.errors.map((e) => (e as Error).message)).toContain('n2 failed');
    expect(sim.errors).toHaveLength(2 * 29);
    // read() never rejects, so a refresh over a failing node still completes.
    const refresh = sim.refresh(nodes);
    await sim.clock.advance(10);
    await expect(refresh).resolves.toHaveLength(3);
  });

  it('ends the schedule of a node folded into another from inside its reading; the survivor keeps its own', async () => {
    const nodes = topology(3);
    const [keep, drop] = nodes as [FakeNode, FakeNode];
    const sim = new Sim(() => 5);
    let dropReadings = 0;
    // As the engine's merge does: the reading finds the same run_id under another address.
    sim.onRead = (node) => {
      if (node === drop && ++dropReadings === 600) sim.scheduler.remove(drop);
    };
    sim.start(nodes);
    // To mid-interval, so that no reply is pending at the end.
    await sim.clock.advance(HOUR + I / 2);
    const intervals = HOUR / I - 2;
    expectEverySlot(sim, keep, 0, intervals);
    expectEverySlot(sim, nodes[2] as FakeNode, 0, intervals);
    const dropped = sim.slots.get(drop) ?? [];
    expect(dropped).toHaveLength(600);
    expect(sim.scheduler.has(drop)).toBe(false);
    expect(sim.scheduler.size).toBe(2);
    // One timer per phase of the nodes left (depth 0 and 1), one tick timer: nothing left behind for the folded node.
    expect(sim.clock.pending).toBe(timersFor([keep, nodes[2] as FakeNode]));
  }, LONG);

  it('gives nodes that appear a schedule from the next slot and ends it when they vanish; track() reconciles both ways', async () => {
    const sim = new Sim(() => 5);
    const nodes = topology(4);
    sim.start(nodes);
    const born = new Map<FakeNode, number>();
    const died = new Map<FakeNode, number>();
    const extra: FakeNode[] = [];
    for (let minute = 1; minute <= 180; minute++) {
      await sim.clock.advance(minute === 1 ? 60_000 + I / 2 : 60_000);
      if (minute % 5 === 0) {
        // A node turns up as a neighbour: added and read at once, as addNeighbours does.
        const node = { name: `new${minute}`, depth: 1 };
        extra.push(node);
        born.set(node, sim.clock.now());
        sim.scheduler.add(node);
        void sim.scheduler.read(node);
      }
      if (minute % 7 === 0 && extra.length > 2) {
        const gone = extra.splice(0, 1)[0] as FakeNode;
        died.set(gone, sim.clock.now());
        sim.scheduler.remove(gone);
      }
    }
    await sim.clock.advance(10 * I);
    for (const [node, at] of born) {
      const firstSlot = Math.ceil((at - sim.slotTime(node, 0)) / I);
      const end = died.get(node) ?? sim.clock.now();
      const lastSlot = Math.floor((end - sim.slotTime(node, 0)) / I) - 1;
      expectEverySlot(sim, node, firstSlot, lastSlot);
      const slots = sim.slots.get(node) ?? [];
      expect(slots.every((s) => s.scheduledAt < end)).toBe(true);
    }
    expect(sim.scheduler.size).toBe(nodes.length + extra.length);

    // The engine's safety net: whatever the set of nodes is now, the schedules follow it.
    const stray = { name: 'stray', depth: 0 };
    sim.scheduler.track([...nodes.slice(1), stray]);
    expect(sim.scheduler.size).toBe(4);
    expect(sim.scheduler.has(nodes[0] as FakeNode)).toBe(false);
    expect(sim.scheduler.has(stray)).toBe(true);
    // Nodes due at the same time share one timer: one per phase of the tracked nodes, and the tick's.
    expect(sim.clock.pending).toBe(timersFor([...nodes.slice(1), stray]));
  }, LONG);

  it('after a blocked event loop, polls each node once and ticks once, then is back on the grid', async () => {
    const sim = new Sim(() => 5);
    const nodes = topology(4);
    sim.start(nodes);
    await sim.clock.advance(10 * I);
    const ticksBefore = sim.ticks.length;
    const before = new Map(nodes.map((n) => [n, (sim.slots.get(n) ?? []).length]));
    sim.clock.jump(3.7 * I);
    await sim.clock.advance(0);
    for (const node of nodes) {
      const slots = sim.slots.get(node) ?? [];
      expect(slots.length - (before.get(node) ?? 0), node.name).toBe(1);
    }
    expect(sim.ticks.length - ticksBefore).toBe(1);
    await sim.clock.advance(20 * I);
    for (const node of nodes) {
      const slots = sim.slots.get(node) ?? [];
      const slotsBefore = before.get(node) ?? 0;
      const late = slots[slotsBefore] as SlotTiming;
      expect(late.startedAt - late.scheduledAt).toBeGreaterThan(2 * I);
      // Of the slots the loop slept through, the first is served late; the others are counted, not made up.
      const next = slots[slotsBefore + 1] as SlotTiming;
      expect(next.skipped).toBeGreaterThanOrEqual(2);
      expect(next.scheduledAt - late.scheduledAt).toBe((next.skipped + 1) * I);
      const back = slots.slice(slotsBefore + 1);
      expect(back.every((s) => s.startedAt === s.scheduledAt && (s.scheduledAt - sim.slotTime(node, 0)) % I === 0)).toBe(true);
    }
    const ticks = sim.ticks.slice(ticksBefore + 1);
    expect(ticks.every((t) => (t - sim.startedAt - I - I / 2) % I === 0)).toBe(true);
    expect(new Set(sim.ticks).size).toBe(sim.ticks.length);
  });

  it('after the console itself stopped (asleep, SIGSTOP): the late tick is skipped and said, so the next comes after the polls sent on waking', async () => {
    const sim = new Sim(() => 5);
    const nodes = topology(4);
    sim.start(nodes);
    await sim.clock.advance(10 * I);
    const ticksBefore = sim.ticks.length;
    const lastTick = sim.ticks.at(-1) ?? 0;
    const readingsBefore = sim.readings.length;
    sim.clock.jump(30 * I);
    await sim.clock.advance(0);
    const woke = sim.clock.now();
    // Every node is asked at once; no tick yet over readings 30 s old.
    expect(sim.readings.length - readingsBefore).toBe(nodes.length);
    expect(sim.ticks.length).toBe(ticksBefore);
    expect(sim.stalls).toEqual([[lastTick + I, woke]]);
    await sim.clock.advance(I);
    // The next tick is on the grid, after every reading sent on waking has ended.
    expect(sim.ticks.length).toBe(ticksBefore + 1);
    const tick = sim.ticks.at(-1) ?? 0;
    expect((tick - sim.startedAt - I - I / 2) % I).toBe(0);
    expect(sim.readings.slice(readingsBefore, readingsBefore + nodes.length).every((r) => r.endedAt !== null && r.endedAt <= tick)).toBe(true);
    // A loop merely busy (3.7 s at 1 s ticks) is not taken for the console stopping: its tick runs.
    sim.clock.jump(3.7 * I);
    await sim.clock.advance(0);
    expect(sim.stalls).toHaveLength(1);
    expect(sim.ticks.length).toBe(ticksBefore + 2);
  });

  it('the wall clock set back an hour (NTP, an administrator): every node is still read every interval, with a tick each interval', async () => {
    const sim = new Sim(() => 5);
    const nodes = topology(4);
    sim.start(nodes);
    await sim.clock.advance(10 * I);
    const ticksBefore = sim.ticks.length;
    const readingsBefore = sim.readings.length;
    // Timers run on monotonic time: only now() moves back. Before, every slot and the tick were
    // set for their grid time by the clock that moved, an hour away: the console froze for an hour.
    sim.clock.setWall(-HOUR);
    await sim.clock.advance(5 * I);
    expect(sim.ticks.length - ticksBefore).toBeGreaterThanOrEqual(4);
    for (const node of nodes) expect(sim.readings.slice(readingsBefore).filter((r) => r.node === node).length).toBeGreaterThanOrEqual(4);
    // Still one tick per interval, and no stall said: the console never stopped.
    const after = sim.ticks.slice(ticksBefore);
    expect(after.slice(1).map((t, i) => t - after[i]!)).toEqual(after.slice(1).map(() => I));
    expect(sim.stalls).toEqual([]);
  });

  it('nodes due at the same time share one timer; a wave emptied by removals leaves no timer behind', async () => {
    const sim = new Sim(() => 5);
    const nodes = topology(9); // depths 0, 1 ×5, 2 ×3: three waves
    sim.start(nodes);
    expect(sim.clock.pending).toBe(4);
    await sim.clock.advance(3 * I + I / 2);
    for (const node of nodes.filter((n) => n.depth === 2)) sim.scheduler.remove(node);
    expect(sim.clock.pending).toBe(3);
    await sim.clock.advance(3 * I);
    // Every remaining node still has every slot, each read once per slot.
    for (const node of nodes.filter((n) => n.depth < 2)) expectEverySlot(sim, node, 0, 5);
  });

  it('stop() leaves no timer; readings under way finish and schedule nothing', async () => {
    const sim = new Sim(() => 300);
    const nodes = topology(3);
    sim.start(nodes);
    await sim.clock.advance(I + 10);
    expect([...sim.inFlight.values()].some((n) => n > 0)).toBe(true);
    sim.scheduler.stop();
    await sim.clock.advance(10 * I);
    expect(sim.clock.pending).toBe(0);
    const readings = sim.readings.length;
    await sim.clock.advance(10 * I);
    expect(sim.readings.length).toBe(readings);
    expect(sim.readings.every((r) => r.endedAt !== null)).toBe(true);
  });

  it('refuses an interval that is not a positive number', () => {
    const clock = new FakeClock();
    expect(() => new PollScheduler({ clock, intervalMs: 0, poll: async () => undefined })).toThrow(/positive number of ms/);
    expect(() => new PollScheduler({ clock, intervalMs: Number.NaN, poll: async () => undefined })).toThrow(/positive number of ms/);
  });
});
