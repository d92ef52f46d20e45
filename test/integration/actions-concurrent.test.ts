// Two consoles on one machine, one topology: two CLI processes asked to switch over at the same
// moment must not both run. One runs; the other is refused BUSY before sending anything, and
// the topology ends with exactly one master, taking writes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { direct, replication } from '../helpers/actions';
import { disposeAfterEach } from '../helpers/dispose';
import { runCli, type CliRun } from '../helpers/cli';

let dataDir: string;

/** The CLI with the test's data directory (both consoles share it, as two consoles of one user do). */
function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { env: { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' } });
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-concurrent-data-'));
});
const own = disposeAfterEach();
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('two consoles at once', () => {
  for (const method of ['pause', 'paused-failover'] as const) {
    it(`two switchovers (--method ${method}) started together: one runs, the other is BUSY and sends nothing`, async () => {
      const lab = own(await Lab.start({ nodes: masterWithReplicas(2) }));
      const [M, A, B] = ['master', 'replica-1', 'replica-2'].map((n) => lab.address(n)) as [string, string, string];
      const runs = await Promise.all(
        [A, B].map((to) => cli(['switchover', '--seed', M, '--to', to, '--method', method, '--yes', '--step-timeout', '8000'])),
      );
      const output = runs.map((r, i) => `--- console ${i + 1} (exit ${r.code})\n${r.stdout}\n${r.stderr}`).join('\n');
      const done = runs.filter((r) => r.code === 0);
      const refused = runs.filter((r) => r.code !== 0);
      expect(done, output).toHaveLength(1);
      expect(refused, output).toHaveLength(1);
      expect(done[0]?.stdout, output).toContain('✓ Done');
      const busy = refused[0];
      expect(busy?.code, output).toBe(1);
      expect(`${busy?.stdout}\n${busy?.stderr}`, output).toMatch(/another console is running a plan on these nodes: "[^"]+" \(plan [\w-]+, by .+, since .+\)\. Wait for it to finish, then plan again; nothing was sent/);
      expect(`${busy?.stdout}${busy?.stderr}`).not.toContain('✓ Done');

      // Exactly one master, the winner's target; the other two replicate from it and it takes writes.
      const winner = runs[0]?.code === 0 ? A : B;
      const roles = await Promise.all(['master', 'replica-1', 'replica-2'].map((n) => replication(lab, n)));
      const masters = roles.filter((r) => r.role === 'master');
      expect(masters, output).toHaveLength(1);
      const winnerName = winner === A ? 'replica-1' : 'replica-2';
      expect((await replication(lab, winnerName)).role).toBe('master');
      for (const name of ['master', 'replica-1', 'replica-2'].filter((n) => n !== winnerName)) {
        expect(await replication(lab, name)).toMatchObject({ role: 'slave', master_port: String(lab.port(winnerName)) });
      }
      const client = direct(lab, winnerName);
      try {
        expect(await client.set('after-the-race', '1')).toBe('OK');
      } finally {
        client.disconnect();
      }
    });
  }
});
