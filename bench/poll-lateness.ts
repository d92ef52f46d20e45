// Poll lateness while plans run: 50 real redis-server nodes polled once a second by one engine
// session while ten switchovers run back and forth through its action service, then the same
// with a fake node listing 10,000 replica lines beside them in the same session. Lateness is
// when a scheduled poll started minus when it was due (the engine's onPollSlot); a slot that
// came due while the node was being read already (a plan's refresh) joins that reading and
// counts as on time. "Intervals without a reading" counts, from the published ticks, every
// interval in which a reachable node's last-read time did not move: it needs no help from the
// engine, so it measures an engine without the scheduler too.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ActionService } from '../electron/engine/actions/service';
import { ReplicationEngine } from '../electron/engine/engine';
import type { SlotTiming } from '../electron/engine/poll-scheduler';
import type { Lab } from '../electron/lab/lab';
import type { SwitchoverMethod } from '../electron/shared/actions';
import type { TopologySnapshot } from '../electron/shared/types';
import { FakeRespServer, scenario } from '../test/helpers/fake-resp-server';
import { startFlatLab } from './lib/polling';
import { round } from './lib/stats';
import type { BenchResult, Figure } from './types';

/** The app's default interval; BENCH_POLL_MS overrides it. */
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const PLANS = 10;
const METHODS: SwitchoverMethod[] = ['failover', 'pause', 'fence'];
/** Intervals watched before the first plan and after the last. */
const MARGIN_INTERVALS = 3;
const FAKE_REPLICA_LINES = 10_000;
interface Side {
  label: string;
  /** Lateness of every scheduled poll of a lab node inside the window, in ms (joined slots count 0). */
  lateness: number[];
  slots: number;
  joined: number;
  skipped: number;
  /** Node-intervals in which a reachable lab node was not read. */
  unread: number;
  nodeIntervals: number;
  /** Longest a reachable lab node went unread, as seen by a tick, in ms. */
  maxAgeMs: number;
  staleSightings: number;
  ticks: number;
  plansMs: number;
  nodesInSession: number;
  rssMb: number;
  /** How late this process's event loop ran timers over the window (p99, max), in ms: what no scheduler can beat. */
  loopDelayMs: { p99: number; max: number };
  /** The latest polls: when (ms into the window) and how late, to see what they coincide with. */
  worst: { atMs: number; lateMs: number; address: string }[];
}

export async function pollLateness(): Promise<BenchResult> {
  if (!(Number.isInteger(POLL_MS) && POLL_MS >= 100)) throw new Error('BENCH_POLL_MS must be a whole number of ms, at least 100');
  const lab = await startFlatLab();
  const sides: Side[] = [];
  try {
    sides.push(await measure(lab, null));
    const fake = await FakeRespServer.start({ info: { replication: scenario.manyReplicas(FAKE_REPLICA_LINES) } });
    try {
      sides.push(await measure(lab, fake));
    } finally {
      await fake.close();
    }
  } finally {
    await lab.close();
  }
  const figures: Figure[] = [];
  for (const side of sides) {
    const prefix = side.label;
    figures.push(
      { name: `${prefix}: poll lateness p99`, value: round(percentile(side.lateness, 0.99), 1), unit: 'ms', goal: { max: POLL_MS / 4 } },
      { name: `${prefix}: poll lateness max`, value: round(Math.max(0, ...side.lateness), 1), unit: 'ms', goal: { max: POLL_MS / 2 } },
      { name: `${prefix}: intervals without a reading`, value: side.unread, unit: 'node-intervals', goal: { max: 0 } },
      { name: `${prefix}: stale sightings`, value: side.staleSightings, unit: 'node-ticks', goal: { max: 0 } },
    );
  }
  const notes = sides.map(
    (s) =>
      `${s.label}: ${PLANS} switchovers (${METHODS.join('/')} in turn, master ⇄ replica-1) in ${round(s.plansMs / 1000, 1)} s; ` +
      `${s.slots} scheduled polls of lab nodes (${s.joined} joined a reading under way, ${s.skipped} skipped by a late timer), ` +
      `p50 ${round(percentile(s.lateness, 0.5), 1)} ms; ${s.unread} of ${s.nodeIntervals} node-intervals without a reading; ` +
      `a lab node was last read at most ${s.maxAgeMs} ms before a tick; ${s.ticks} ticks; ${s.nodesInSession} nodes in the session; RSS ${s.rssMb} MB; ` +
      `event-loop delay p99 ${s.loopDelayMs.p99} ms, max ${s.loopDelayMs.max} ms.`,
  );
  if (sides.some((s) => s.slots === 0)) notes.push('no slot timings: this engine has no onPollSlot (the figures from ticks still hold).');
  // A poll can start no earlier than the event loop gets to its timer: when the two maxima meet,
  // something else held the loop (a plan's computation, a tick over many nodes), not the schedule.
  for (const s of sides) {
    const max = Math.max(0, ...s.lateness);
    if (max > POLL_MS / 10 && s.loopDelayMs.max >= 0.8 * max) {
      notes.push(`${s.label}: the latest poll (${max} ms) is within the event loop's longest delay (${s.loopDelayMs.max} ms): the loop was busy.`);
    }
  }
  return { figures, details: { pollIntervalMs: POLL_MS, sides: sides.map(({ lateness, ...rest }) => ({ ...rest, lateness: summary(lateness) })) }, notes };
}

async function measure(lab: Lab, fake: FakeRespServer | null): Promise<Side> {
  const label = fake ? `50 nodes + ${FAKE_REPLICA_LINES / 1000}k-line fake` : '50 nodes';
  console.log(`  ${label}: connecting`);
  const labAddresses = new Set(lab.nodeNames.map((n) => lab.address(n)));
  let windowOpen = false;
  const side: Side = {
    label,
    lateness: [],
    slots: 0,
    joined: 0,
    skipped: 0,
    unread: 0,
    nodeIntervals: 0,
    maxAgeMs: 0,
    staleSightings: 0,
    ticks: 0,
    plansMs: 0,
    nodesInSession: 0,
    rssMb: 0,
    loopDelayMs: { p99: 0, max: 0 },
    worst: [],
  };
  let windowStart = 0;
  const onPollSlot = (address: string, slot: SlotTiming): void => {
    if (!windowOpen || !labAddresses.has(address)) return;
    side.slots++;
    side.skipped += slot.skipped;
    if (slot.joined) side.joined++;
    const late = slot.joined ? 0 : Math.max(0, slot.startedAt - slot.scheduledAt);
    side.lateness.push(late);
    if (late > POLL_MS / 10) side.worst.push({ atMs: slot.scheduledAt - windowStart, lateMs: late, address });
  };
  const engine = new ReplicationEngine({ onPollSlot });
  const auditDir = await mkdtemp(path.join(os.tmpdir(), 'rc-bench-lateness-'));
  try {
    const seeds = [lab.address('master'), ...(fake ? [fake.address] : [])];
    const first = await engine.connect({ seeds, pollIntervalMs: POLL_MS });
    const missing = [...labAddresses].filter((a) => !first.nodes.some((n) => n.address === a || n.aliases.includes(a)));
    if (missing.length > 0) throw new Error(`the engine did not discover ${missing.join(', ')}`);
    const actions = new ActionService(engine, { auditDir, interface: 'cli' });

    let previous: TopologySnapshot | null = null;
    const dispose = engine.onTick(({ snapshot }) => {
      // refresh() publishes ticks of its own: only the scheduled ones are a new interval.
      if (previous && snapshot.takenAt - previous.takenAt < POLL_MS / 2) return;
      if (windowOpen && previous) countInterval(side, labAddresses, previous, snapshot);
      previous = snapshot;
    });
    await intervals(engine, 2);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    windowOpen = true;
    windowStart = Date.now();
    await intervals(engine, MARGIN_INTERVALS);
    const started = performance.now();
    for (let i = 0; i < PLANS; i++) {
      const to = lab.address(i % 2 === 0 ? 'replica-1' : 'master');
      const method = METHODS[i % METHODS.length] ?? 'failover';
      const plan = await actions.plan({ kind: 'switchover', to, options: { switchoverMethod: method, stepTimeoutMs: 15_000 } });
      if (!plan.canRun) throw new Error(`plan ${i + 1} refused: ${plan.checks.filter((c) => c.verdict === 'refused').map((c) => c.message).join('; ')}`);
      const outcome = await actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
      if (!outcome.ok) throw new Error(`plan ${i + 1} (${method} to ${to}) ended ${outcome.status}: ${outcome.steps.map((s) => `${s.command}: ${s.message}`).join('; ')}`);
      console.log(`  ${label}: plan ${i + 1}/${PLANS} (${method} to ${i % 2 === 0 ? 'replica-1' : 'master'}) ok`);
    }
    side.plansMs = performance.now() - started;
    await intervals(engine, MARGIN_INTERVALS);
    windowOpen = false;
    loop.disable();
    side.loopDelayMs = { p99: round(loop.percentile(99) / 1e6, 1), max: round(loop.max / 1e6, 1) };
    side.worst = side.worst.sort((a, b) => b.lateMs - a.lateMs).slice(0, 20);
    dispose();
    side.nodesInSession = engine.snapshot()?.nodes.length ?? 0;
    side.rssMb = round(process.memoryUsage().rss / 1024 / 1024, 1);
    return side;
  } finally {
    await engine.disconnect();
    await rm(auditDir, { recursive: true, force: true });
  }
}

/** One interval between two scheduled ticks: which reachable lab nodes were read in it. */
function countInterval(side: Side, lab: ReadonlySet<string>, before: TopologySnapshot, after: TopologySnapshot): void {
  side.ticks++;
  const earlier = new Map(before.nodes.map((n) => [n.address, n.polledAt]));
  for (const node of after.nodes) {
    if (!lab.has(node.address) || !node.reachable) continue;
    side.nodeIntervals++;
    const last = earlier.get(node.address);
    if (last !== undefined && node.polledAt !== null && last !== null && node.polledAt <= last) side.unread++;
    if (node.stale) side.staleSightings++;
    if (node.polledAt !== null) side.maxAgeMs = Math.max(side.maxAgeMs, after.takenAt - node.polledAt);
  }
}

/** Wait for `count` scheduled ticks. */
function intervals(engine: ReplicationEngine, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    let last = 0;
    const dispose = engine.onTick(({ snapshot }) => {
      if (snapshot.takenAt - last < POLL_MS / 2) return;
      last = snapshot.takenAt;
      if (++seen < count) return;
      dispose();
      resolve();
    });
  });
}

/** The value below which `q` of the values fall (nearest rank); 0 for none. */
function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function summary(values: readonly number[]): Record<string, number> {
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p99: percentile(values, 0.99),
    max: Math.max(0, ...values),
  };
}
