// The alerts' mutes and acknowledgements kept across a restart of the console, in the data
// directory next to the topology memory. A node's mute is the node's, whichever seeds a console
// names its topology by (the desktop's maintenance mute holds for a cron `watch --alerts` and a
// `serve` too); a whole topology's mute and the acknowledgements are kept per topology. Small:
// the incidents themselves are not kept (they are evaluated again from the first tick); an
// acknowledgement is taken up again only by the same rule on the same node still firing at the
// first evaluation.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ALERT_RULES, type AlertMute } from '../shared/types';
import type { AlertBookState } from './alerts';
import { mtimeOf } from './topology-memory';

export const ALERTS_FILE = 'alerts.json';
/** Topologies kept at most (the ones saved last), and node mutes (the longest). */
const MAX_TOPOLOGIES = 200;
const MAX_NODE_MUTES = 5000;

const stateSchema = z.object({
  mutes: z.array(z.object({ node: z.string().max(300).nullable(), until: z.number().finite(), reason: z.string().max(200).nullable() })).max(5000),
  acknowledged: z
    .array(
      z.object({
        rule: z.enum(ALERT_RULES),
        node: z.string().max(300).nullable(),
        id: z.string().max(100),
        startedAt: z.number().finite(),
        acknowledgedAt: z.number().finite(),
      }),
    )
    .max(5000),
});

const nodeMuteSchema = z.object({ until: z.number().finite(), reason: z.string().max(200).nullable() });
const fileSchema = z.object({
  version: z.literal(1),
  topologies: z.record(z.string(), stateSchema.extend({ savedAt: z.number().finite() })),
  /** Node mutes by node address, for every topology (a file of an earlier version kept them in its topologies). */
  nodes: z.record(z.string().max(300), nodeMuteSchema).optional(),
});
type AlertsFile = z.infer<typeof fileSchema>;

/**
 * A mute set (or, null, lifted) here since the last save, by node; the key null is the whole
 * topology's. What it does not name is left as another console wrote it.
 */
export type MuteChanges = ReadonlyMap<string | null, AlertMute | null>;

/** The running whole-topology mutes the file keeps for `topology`. */
function topologyMutesOf(body: AlertsFile, topology: string, now: number): AlertMute[] {
  return body.topologies[topology]?.mutes.filter((m) => m.node === null && m.until > now) ?? [];
}

/** Every running node mute in the file, the longest one per node. */
function nodeMutesOf(body: AlertsFile, now: number): AlertMute[] {
  const byNode = new Map<string, AlertMute>();
  const take = (mute: AlertMute): void => {
    if (mute.node === null || mute.until <= now) return;
    const known = byNode.get(mute.node);
    if (!known || known.until < mute.until) byNode.set(mute.node, mute);
  };
  for (const [node, mute] of Object.entries(body.nodes ?? {})) take({ node, ...mute });
  for (const topology of Object.values(body.topologies)) for (const mute of topology.mutes) take(mute);
  return [...byNode.values()];
}

export class AlertStore {
  readonly file: string;
  /** Why the last read or write failed (shown nowhere else: the alerts still work, in memory). */
  problem: string | null = null;
  /** The file's modification time when this store last read or wrote it (-1: missing). */
  #fileTime = -2;

  constructor(dir: string) {
    this.file = path.join(dir, ALERTS_FILE);
  }

  /** This topology's mutes and acknowledgements, with every node's mute (set from any topology). */
  load(topology: string, now: number): AlertBookState | null {
    const body = this.#read();
    if (!body) return null;
    const state = body.topologies[topology];
    const mutes = [...topologyMutesOf(body, topology, now), ...nodeMutesOf(body, now)];
    if (!state && mutes.length === 0) return null;
    return { mutes, acknowledged: state?.acknowledged ?? [] };
  }

  /**
   * The mutes now in the file for `topology` (its whole-topology mute and every node's) when
   * another console wrote it since this store last read or wrote it (a mute set on the desktop
   * reaches a running `serve` on the same topology), else null. One stat when nothing changed.
   */
  mutesIfChanged(topology: string, now: number): AlertMute[] | null {
    const time = mtimeOf(this.file);
    if (time === this.#fileTime) return null;
    const body = this.#read();
    return body ? [...topologyMutesOf(body, topology, now), ...nodeMutesOf(body, now)] : null;
  }

  /**
   * Read the file again and replace only this topology's acknowledgements, and the mutes `changes`
   * names (a node's, or the topology's): another console on the same file may have saved its own
   * since. A console acknowledging an alert wrote its whole entry, and a maintenance mute another
   * console had set on the topology was gone.
   */
  save(topology: string, state: AlertBookState, now: number, changes: MuteChanges = new Map()): void {
    const body: AlertsFile = this.#read() ?? { version: 1, topologies: {} };
    const nodes = new Map(nodeMutesOf(body, now).map((m) => [m.node as string, m]));
    let whole = topologyMutesOf(body, topology, now);
    for (const [node, mute] of changes) {
      const live = mute !== null && mute.until > now;
      if (node === null) whole = live ? [mute] : [];
      else if (live) nodes.set(node, mute);
      else nodes.delete(node);
    }
    // Node mutes kept in a topology's entry (an earlier version) move to `nodes`, where every topology reads them.
    for (const entry of Object.values(body.topologies)) entry.mutes = entry.mutes.filter((m) => m.node === null);
    const live = { mutes: whole, acknowledged: state.acknowledged };
    if (live.mutes.length === 0 && live.acknowledged.length === 0) delete body.topologies[topology];
    else body.topologies[topology] = { ...live, savedAt: now };
    const kept = Object.entries(body.topologies)
      .filter(([, t]) => t.mutes.some((m) => m.until > now) || t.acknowledged.length > 0)
      .sort(([, a], [, b]) => b.savedAt - a.savedAt)
      .slice(0, MAX_TOPOLOGIES);
    const out: AlertsFile = {
      version: 1,
      topologies: Object.fromEntries(kept),
      nodes: Object.fromEntries([...nodes.values()].sort((a, b) => b.until - a.until).slice(0, MAX_NODE_MUTES).map((m) => [m.node, { until: m.until, reason: m.reason }])),
    };
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, `${JSON.stringify(out, null, 1)}\n`, { mode: 0o600 });
      fs.renameSync(temp, this.file);
      this.#fileTime = mtimeOf(this.file);
      this.problem = null;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.problem = `alert mutes and acknowledgements could not be saved to ${this.file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }

  #read(): AlertsFile | null {
    this.#fileTime = mtimeOf(this.file);
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `${this.file} cannot be read: ${(error as Error).message.split('\n')[0]}`;
      return null;
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // Not JSON: as unreadable as a wrong shape.
    }
    // Moved aside, never overwritten: what it held can still be read by hand.
    const aside = `${this.file}.unreadable-${Date.now()}`;
    try {
      fs.renameSync(this.file, aside);
      this.problem = `${this.file} was not a file of alert mutes the console can read: kept aside as ${aside}`;
    } catch {
      this.problem = `${this.file} is not a file of alert mutes the console can read`;
    }
    return null;
  }
}
