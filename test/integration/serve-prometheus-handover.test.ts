// A replica stalled with SIGSTOP as serve and a real Prometheus (loading the shipped rules) see
// it: read late (STALE in the console), then its request times out (the console goes on with the
// same incident as UNREACHABLE). Prometheus must keep one alert firing on it throughout: as two
// rules, STALE stopped at the hand-over and UNREACHABLE's `for` began anew, so for ~10 s nothing
// fired and Alertmanager resolved the page, then sent another.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import { until } from '../helpers/until';
import { getText } from '../helpers/http-get';

const BIN = path.resolve(import.meta.dirname, '../../bin/replication-console.js');
const RULES = path.resolve(import.meta.dirname, '../../monitoring/prometheus-rules.yml');

const children: ChildProcessWithoutNullStreams[] = [];
let lab: Lab | undefined;
let work: string | undefined;

afterAll(async () => {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await lab?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function start(command: string, args: string[], cwd?: string): { child: ChildProcessWithoutNullStreams; out: () => string } {
  const child = spawn(command, args, { cwd, env: { ...process.env, REDISCLI_AUTH: '' } });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, out: () => out };
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

describe('serve and a real Prometheus with the shipped rules', () => {
  it('keep one alert firing on a stalled replica from stale to unreachable: the same alert, never resolved in between', { timeout: 120_000 }, async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'rc-handover-'));
    lab = await Lab.start({ nodes: masterWithReplicas(1) });
    const replica = lab.address('replica-1');
    // A long command timeout: the stopped replica is stale (not read for 3 intervals) for ~20 s
    // before its request times out. The console's STALE fires after 1 s of that, and its
    // UNREACHABLE as soon as the request fails (it has not answered since long before).
    const serve = start(process.execPath, [
      BIN, 'serve', '--listen', '127.0.0.1:0', '--seed', lab.address('master'), '--timeout', '25000',
      '--alert', 'stale-seconds=1', '--alert', 'unreachable-seconds=1', '--alert', 'for-seconds=0',
    ]);
    const url = await until('serve to print its URL', async () => {
      if (serve.child.exitCode !== null) throw new Error(`serve exited: ${serve.out()}`);
      return /^Replication Console \(serve\): (\S+)$/m.exec(serve.out())?.[1];
    }, 30_000, 100);
    const port = await freePort();
    await writeFile(
      path.join(work, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(RULES)}]`,
        'scrape_configs:',
        '  - job_name: replication-console',
        `    static_configs: [{ targets: [${JSON.stringify(new URL(url).host)}] }]`,
        '',
      ].join('\n'),
    );
    const prometheus = start('prometheus', [`--config.file=${path.join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], work);
    const api = async <T>(route: string): Promise<T> => {
      if (prometheus.child.exitCode !== null) throw new Error(`prometheus exited: ${prometheus.out()}`);
      return (JSON.parse(await getText(`http://127.0.0.1:${port}${route}`)) as { data: T }).data;
    };
    await until('Prometheus to have scraped the replica as reachable', async () => {
      const data = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(`replication_console_node_reachable{node="${replica}"} == 1`)}`);
      return data.result.length > 0 ? true : undefined;
    }, 30_000, 250);

    // Every alert on the replica, every 250 ms, from the SIGSTOP until UNREACHABLE has fired for 5 s.
    const onReplica = async (): Promise<PromAlert[]> => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts.filter((a) => a.labels.node === replica);
    const seen: { at: number; firing: PromAlert[]; pending: PromAlert[] }[] = [];
    lab.pause('replica-1');
    try {
      let unreachableSince: number | null = null;
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const alerts = await onReplica();
        const firing = alerts.filter((a) => a.state === 'firing');
        seen.push({ at: Date.now(), firing, pending: alerts.filter((a) => a.state === 'pending') });
        if (unreachableSince === null && firing.some((a) => a.annotations.console_rule === 'UNREACHABLE' || a.labels.console_rule === 'UNREACHABLE')) unreachableSince = Date.now();
        if (unreachableSince !== null && Date.now() - unreachableSince >= 5000) break;
        await sleep(250);
      }
    } finally {
      lab.resume('replica-1');
    }
    const timeline = seen.map((s) => `${s.at - (seen[0]?.at ?? 0)} ms: firing [${s.firing.map((a) => `${a.labels.alertname}/${a.annotations.console_rule ?? a.labels.console_rule}`).join(', ')}]`).join('\n');
    const first = seen.findIndex((s) => s.firing.length > 0);
    expect(first, timeline).toBeGreaterThanOrEqual(0);
    const after = seen.slice(first);
    // Stale first, unreachable at the end: the hand-over happened while watched.
    expect(after[0]?.firing.map((a) => a.annotations.console_rule ?? a.labels.console_rule), timeline).toEqual(['STALE']);
    expect(after.at(-1)?.firing.map((a) => a.annotations.console_rule ?? a.labels.console_rule), timeline).toEqual(['UNREACHABLE']);
    // Firing at every reading in between, one alert, the same one (labels and start) throughout.
    const identity = (a: PromAlert): string => JSON.stringify([a.labels, a.activeAt]);
    for (const s of after) expect(s.firing.map(identity), timeline).toEqual(after[0]?.firing.map(identity));
  });
});
