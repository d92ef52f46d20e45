// `watch --alerts` run twice on one data directory (the README's cron check), found by helper-73.
// A replica that answered the first run and stalls (SIGSTOP) just before the second was paged
// UNREACHABLE by the second within seconds, "has not answered for 23 s": the time since the first
// run last read it, the gap between the runs when nobody watched and the replica was healthy. An
// alert counts only the time this console watched.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { runCli } from '../helpers/cli';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();

describe('watch --alerts, a second run on the same data directory', () => {
  it('does not count the gap since the first run as down time for a replica that stalls just before the second', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(1) }));
    const dataDir = await mkdtemp(join(tmpdir(), 'rc-remembered-'));
    own({ close: () => rm(dataDir, { recursive: true, force: true }) });
    const env = { REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' };
    // A 6 s threshold rather than the default 10 s: the same scenario, shorter.
    const watch = (seconds: number) =>
      runCli(['watch', '--seed', lab.address('master'), '--alerts', '--alert', 'unreachable-seconds=6', '--format', 'json', '--duration', String(seconds)], { env });
    expect((await watch(2)).code).toBe(0);

    // Nobody watches for longer than the threshold; the replica is healthy all along. The gap
    // is the scenario, so it is a fixed time.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    lab.pause('replica-1');
    own({ close: async () => lab.resume('replica-1') });
    const second = await watch(3.5);
    const fired = second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; rule?: string; message?: string })
      .filter((e) => e.type === 'fired');
    // 3.5 s of watching is under the threshold: nothing fires, exit 0.
    expect(fired.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
    expect(second.code).toBe(0);
  }, 60_000);
});
