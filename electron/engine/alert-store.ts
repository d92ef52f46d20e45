// The alerts' mutes and acknowledgements kept across a restart of the console, per topology, in
// the data directory next to the topology memory. Small: the incidents themselves are not kept
// (they are evaluated again from the first tick); an acknowledgement is taken up again only by
// the same rule on the same node still firing at the first evaluation.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ALERT_RULES } from '../shared/types';
import type { AlertBookState } from './alerts';

export const ALERTS_FILE = 'alerts.json';
/** Topologies kept at most (the ones saved last). */
const MAX_TOPOLOGIES = 200;

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

const fileSchema = z.object({ version: z.literal(1), topologies: z.record(z.string(), stateSchema.extend({ savedAt: z.number().finite() })) });
type AlertsFile = z.infer<typeof fileSchema>;

export class AlertStore {
  readonly file: string;
  /** Why the last read or write failed (shown nowhere else: the alerts still work, in memory). */
  problem: string | null = null;

  constructor(dir: string) {
    this.file = path.join(dir, ALERTS_FILE);
  }

  load(topology: string, now: number): AlertBookState | null {
    const state = this.#read()?.topologies[topology];
    if (!state) return null;
    return { mutes: state.mutes.filter((m) => m.until > now), acknowledged: state.acknowledged };
  }

  /** Read the file again and replace only this topology's entry: another console may have saved its own. */
  save(topology: string, state: AlertBookState, now: number): void {
    const body: AlertsFile = this.#read() ?? { version: 1, topologies: {} };
    const live = { mutes: state.mutes.filter((m) => m.until > now), acknowledged: state.acknowledged };
    if (live.mutes.length === 0 && live.acknowledged.length === 0) delete body.topologies[topology];
    else body.topologies[topology] = { ...live, savedAt: now };
    const kept = Object.entries(body.topologies)
      .filter(([, t]) => t.mutes.some((m) => m.until > now) || t.acknowledged.length > 0)
      .sort(([, a], [, b]) => b.savedAt - a.savedAt)
      .slice(0, MAX_TOPOLOGIES);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, `${JSON.stringify({ version: 1, topologies: Object.fromEntries(kept) }, null, 1)}\n`, { mode: 0o600 });
      fs.renameSync(temp, this.file);
      this.problem = null;
    } catch (error) {
      fs.rmSync(temp, { force: true });
      this.problem = `alert mutes and acknowledgements could not be saved to ${this.file}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  }

  #read(): AlertsFile | null {
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
