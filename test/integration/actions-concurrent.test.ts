// Two consoles on one machine, one topology: two CLI processes asked to switch over at the same
// moment must not both run at once. One runs; the other is refused BUSY before sending anything,
// and the topology ends with exactly one master, taking writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct, replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { runCli, type CliRun } from '../helpers/cli';

let dataDir: string;

/** The CLI with the test's data directory (both consoles share it, as two consoles of one user do). */
function cli(args: string[], dir: string): Promise<CliRun> {
  return runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dir, NO_COLOR: '1' } });
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-concurrent-data-'));
});
const own = disposeAfterEach();
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Each plan's [started, finished] from the journals the consoles left in `dir`. */
async function runIntervals(dir: string): Promise<[number, number][]> {
  const done = path.join(dir, 'journal', 'done');
  const names = await readdir(done).catch(() => [] as string[]);
  return Promise.all(
    names.map(async (name) => {
      const records = (await readFile(path.join(done, name), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; at: number });
      return [records.find((r) => r.type === 'started')?.at ?? 0, records.find((r) => r.type === 'finished')?.at ?? Infinity] as [number, number];
    }),
  );
}

/** One master among the lab's nodes, the others replicating from it, and it takes a write. */
async function oneWritableMaster(lab: Lab, output: string): Promise<string> {
  const names = ['master', 'replica-1', 'replica-2'];
  const roles = await Promise.all(names.map((n) => replication(lab, n)));
  const masters = names.filter((_, i) => roles[i]?.role === 'master');
  expect(masters, output).toHaveLength(1);
  const master = masters[0] ?? '';
  for (const [i, name] of names.entries()) if (name !== master) expect(roles[i], output).toMatchObject({ role: 'slave', master_port: String(lab.port(master)) });
  const client = direct(lab, master);
  try {
    expect(await client.set('after-the-race', '1')).toBe('OK');
  } finally {
    client.disconnect();
  }
  return master;
}

const BUSY = /another console is running a plan on these nodes: "[^"]+" \(plan [\w-]+, by .+, since .+\)\. Wait for it to finish, then plan again; nothing was sent/;

describe('two consoles at once', () => {
  for (const method of ['pause', 'paused-failover'] as const) {
    it(`two switchovers (--method ${method}) started together: one runs, the other is BUSY and sends nothing`, async () => {
      // Two processes started together can still run one after the other (a switchover takes a
      // few hundred ms, a loaded machine delays a start by more): then the second one rightly
      // sees the first one's result. Such a round is checked (one writable master, the runs did
      // not overlap) and the race is run again on a fresh lab, up to six rounds (beside two busy
      // loops, three rounds without a race were seen).
      const rounds: string[] = [];
      for (let round = 1; round <= 6; round++) {
        const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
        const dir = path.join(dataDir, `round-${round}`);
        const [M, A, B] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
        const runs = await Promise.all([A, B].map((to) => cli(['switchover', '--seed', M, '--to', to, '--method', method, '--yes', '--step-timeout', '8000'], dir)));
        const output = runs.map((r, i) => `--- round ${round}, console ${i + 1} (exit ${r.code})\n${r.stdout}\n${r.stderr}`).join('\n');
        rounds.push(output);
        const master = await oneWritableMaster(lab, output);
        const done = runs.filter((r) => r.code === 0);
        const busy = runs.find((r) => BUSY.test(`${r.stdout}\n${r.stderr}`));
        if (busy) {
          // The race: one ran to the end, the other was refused before sending anything.
          expect(done, output).toHaveLength(1);
          expect(done[0]?.stdout, output).toContain('✓ Done');
          expect(busy.code, output).toBe(1);
          expect(`${busy.stdout}${busy.stderr}`, output).not.toContain('✓ Done');
          expect(master, output).toBe(runs[0] === busy ? 'replica-2' : 'replica-1');
          expect(await runIntervals(dir), output).toHaveLength(1);
          return;
        }
        // No BUSY: the two runs must not have overlapped in time.
        const [first, second] = (await runIntervals(dir)).sort((a, b) => a[0] - b[0]);
        if (first && second) expect(second[0], output).toBeGreaterThanOrEqual(first[1]);
      }
      expect.fail(`no round ran the two switchovers at the same time:\n${rounds.join('\n')}`);
    });
  }
});
