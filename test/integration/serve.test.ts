// `replication-console serve` as an operator runs it (the built CLI), against a real master and
// replica with a password, from a config of two topologies (one that cannot connect): HTTPS with
// an openssl-made certificate, bearer / cookie / basic authentication, a non-loopback listen
// refused without auth, /metrics checked by `promtool check metrics`, and a real Prometheus
// scraping it, loading the shipped rules, and answering a PromQL query with the replica's lag.
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { freePort } from '../../electron/lab/free-port';
import type { WireResponse } from '../../electron/shared/schema';
import { runCli } from '../helpers/cli';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs';
import { until } from '../helpers/until';
import { DEAD_PORT } from '../helpers/dead-port';

const BIN = path.resolve(import.meta.dirname, '../../bin/replication-console.js');
const RULES = path.resolve(import.meta.dirname, '../../monitoring/prometheus-rules.yml');
const TOKEN = 'serve-test-token-0123456789abcdef';
const LAB_PASSWORD = 'lab-secret-password-42';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: URL;
  stderr: () => string;
}

/** Starts serve and resolves with the URL of its one stdout line. */
async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { env: { ...process.env, REDISCLI_AUTH: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const line = await until(
    'serve to print its URL',
    async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${stderr}`);
      return /^Replication Console \(serve\): (\S+)$/m.exec(stdout)?.[1];
    },
    30_000,
  );
  return { child, url: new URL(line), stderr: () => stderr };
}

async function stopServe(running: Running | undefined): Promise<number | null> {
  if (!running || running.child.exitCode !== null) return running?.child.exitCode ?? null;
  const exited = once(running.child, 'exit');
  running.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET over HTTP or HTTPS (trusting the test CA). */
function get(url: URL | string, headers: Record<string, string> = {}): Promise<Reply> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, { headers, ca: certs.caFile ? readFileSync(certs.caFile) : undefined }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open the console's socket with these headers and make one call; the HTTP status when the upgrade is refused. */
/** The status of a plain-HTTP WebSocket upgrade to /api with these headers: 101 when it opens. */
function plainUpgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/api',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function callOverSocket(base: URL, headers: Record<string, string>, channel: string, topology: string, query = ''): Promise<{ status: number } | { reply: WireResponse }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${base.host}/api${query}`, { headers, ca: readFileSync(certs.caFile) });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, channel, args: [], topology })));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as WireResponse | { push: string };
      if ('push' in message) return;
      resolve({ reply: message });
      ws.close();
    });
  });
}

let lab: Lab;
let certs: TestCertificates;
let work: string;
let serve: Running | undefined;
let prometheus: ChildProcessWithoutNullStreams | undefined;
let replica: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'rc-serve-'));
  certs = makeTestCertificates();
  lab = await Lab.start({ nodes: masterWithReplicas(1), password: LAB_PASSWORD });
  replica = lab.address('replica-1');
  await writeFile(path.join(work, 'lab.pass'), `${LAB_PASSWORD}\n`, { mode: 0o600 });
  await writeFile(path.join(work, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  await writeFile(path.join(work, 'users'), 'ops:basic-pass-1\n', { mode: 0o600 });
  const nothingThere = DEAD_PORT;
  await writeFile(
    path.join(work, 'serve.json'),
    JSON.stringify({
      alerts: { lagSeconds: 5, staleSeconds: 7 },
      topologies: [
        { name: 'cache', seeds: [lab.address('master')], passwordFile: 'lab.pass', pollIntervalMs: 500, alerts: { lagBytes: 1234 } },
        { name: 'offline', seeds: [`127.0.0.1:${nothingThere}`] },
      ],
    }),
  );
  serve = await startServe([
    '--listen', '127.0.0.1:0',
    '--config', path.join(work, 'serve.json'),
    '--auth-token-file', path.join(work, 'token'),
    '--basic-auth-file', path.join(work, 'users'),
    '--listen-cert', certs.serverCert,
    '--listen-key', certs.serverKey,
    '--alert', 'lag-seconds=42',
    '--alert', 'stale-seconds=9',
  ]);
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = once(prometheus, 'exit');
    prometheus.kill('SIGTERM');
    await exited;
  }
  await stopServe(serve);
  await lab?.close();
  certs?.remove();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('serve', () => {
  it('serves HTTPS, and asks for credentials on the console and its socket: 401 without, the call answered with a bearer token or a basic user', async () => {
    const base = serve!.url;
    expect(base.protocol).toBe('https:');
    expect(base.search).toBe('');
    const page = await get(new URL('/', base));
    expect(page.status).toBe(401);
    expect(page.headers['www-authenticate']).toEqual(expect.stringContaining('Basic realm="Replication Console"'));
    expect(await callOverSocket(base, {}, 'topology:list', 'cache')).toEqual({ status: 401 });
    expect(await callOverSocket(base, { Authorization: 'Bearer wrong-token-wrong-token' }, 'topology:list', 'cache')).toEqual({ status: 401 });

    const basic = `Basic ${Buffer.from('ops:basic-pass-1').toString('base64')}`;
    for (const headers of [{ Authorization: `Bearer ${TOKEN}` }, { Authorization: basic }]) {
      const answer = await callOverSocket(base, headers, 'topology:list', 'cache');
      expect(answer).toMatchObject({ reply: { id: 1, result: { ok: true } } });
      if ('reply' in answer && answer.reply.result.ok) expect(answer.reply.result.value).toEqual(expect.arrayContaining(['cache', 'offline']));
    }
    // A browser: ?token= once, then the HttpOnly cookie alone opens the socket.
    const first = await get(new URL(`/?token=${TOKEN}`, base));
    expect(first.status).not.toBe(401);
    const cookie = String(first.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    expect(first.headers['set-cookie']).toEqual([expect.stringMatching(/HttpOnly; SameSite=Strict; Secure$/)]);
    expect(cookie).not.toContain(TOKEN);
    expect(await callOverSocket(base, { Cookie: cookie, Origin: base.origin }, 'topology:list', 'cache', '?token=')).toMatchObject({ reply: { result: { ok: true } } });
    // Another site's page cannot use the browser's cookie: its Origin is refused.
    expect(await callOverSocket(base, { Cookie: cookie, Origin: 'https://evil.example' }, 'topology:list', 'cache')).toEqual({ status: 403 });
    // The configured topologies stay connected whatever a browser asks.
    const disconnect = await callOverSocket(base, { Authorization: `Bearer ${TOKEN}` }, 'topology:disconnect', 'cache');
    expect(disconnect).toMatchObject({ reply: { result: { ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringContaining('"cache" is watched by serve') } } } });
  });

  it("gives each topology's engine its thresholds: the file's, then --alert, then the topology's own", async () => {
    const answer = await callOverSocket(serve!.url, { Authorization: `Bearer ${TOKEN}` }, 'alerts:get', 'cache');
    expect(answer).toMatchObject({ reply: { result: { ok: true, value: { thresholds: { lagSeconds: 42, staleSeconds: 9, lagBytes: 1234, linkDownSeconds: 10 } } } } });
    const offline = await callOverSocket(serve!.url, { Authorization: `Bearer ${TOKEN}` }, 'alerts:get', 'offline');
    expect(offline).toMatchObject({ reply: { result: { ok: true, value: { thresholds: { lagSeconds: 42, staleSeconds: 9, lagBytes: 10 * 1024 * 1024 } } } } });
  });

  it('tells a tab its config name and, for a topology still retrying, that serve is connecting and why', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const cache = await callOverSocket(serve!.url, auth, 'topology:info', 'cache');
    expect(cache).toMatchObject({ reply: { result: { ok: true, value: { label: 'cache', managed: true, status: 'connected', lastError: null } } } });
    const offline = await until('the offline topology to have failed once', async () => {
      const answer = await callOverSocket(serve!.url, auth, 'topology:info', 'offline');
      return JSON.stringify(answer).includes('"lastError":"') ? answer : undefined;
    });
    expect(offline).toMatchObject({ reply: { result: { ok: true, value: { label: 'offline', managed: true, status: 'connecting', lastError: expect.any(String) } } } });
  });

  it('keeps running with a topology that cannot connect, saying so in its log and its metrics', async () => {
    const base = serve!.url;
    expect((await get(new URL('/healthz', base))).body).toBe('ok\n');
    const scrape = await until('the offline topology to have failed twice', async () => {
      const text = (await get(new URL('/metrics', base))).body;
      const failures = Number(/^replication_console_topology_connect_failures_total\{topology="offline"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      return failures >= 2 && /^replication_console_topology_up\{topology="cache"\} 1$/m.test(text) ? text : undefined;
    });
    expect(scrape).toMatch(/^replication_console_topology_up\{topology="offline"\} 0$/m);
    expect(serve!.stderr()).toMatch(/offline: cannot connect \(UNREACHABLE: .*\); retrying in \d+ s/);
    expect(serve!.stderr()).toMatch(/cache: connected, 2 nodes/);
    expect(serve!.child.exitCode).toBeNull();
  });

  it('exposes /metrics (open on loopback) that passes promtool check metrics, with the replica and no secret', async () => {
    const text = await until('the replica lag in a scrape', async () => {
      const reply = await get(new URL('/metrics', serve!.url));
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return reply.body.includes(`replication_console_replica_lag_bytes{topology="cache",node="${replica}",master="${lab.address('master')}"}`) ? reply.body : undefined;
    });
    expect(text).toMatch(new RegExp(`^replication_console_link_up\\{topology="cache",node="${replica}",master="${lab.address('master')}"\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^replication_console_node_info\\{topology="cache",node="${lab.address('master')}",role="master",version="redis [0-9.]+"\\} 1$`, 'm'));
    // The node's load, read with its first poll.
    expect(text).toMatch(new RegExp(`^replication_console_node_memory_used_bytes\\{topology="cache",node="${lab.address('master')}"\\} [1-9]\\d*$`, 'm'));
    expect(text).not.toContain(LAB_PASSWORD);
    expect(serve!.stderr()).not.toContain(LAB_PASSWORD);
    expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })).toBe('');
  });

  it('is scraped by a real Prometheus, which loads the shipped rules and answers a PromQL query with the replica lag', async () => {
    const port = await freePort();
    const config = path.join(work, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(RULES)}]`,
        'scrape_configs:',
        '  - job_name: replication-console',
        '    scheme: https',
        `    tls_config: { ca_file: ${JSON.stringify(certs.caFile)} }`,
        `    static_configs: [{ targets: [${JSON.stringify(serve!.url.host)}] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(work, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      cwd: work,
    });
    let log = '';
    prometheus.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const api = async (query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[] | undefined> => {
      if (prometheus?.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      const reply = await get(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = JSON.parse(reply.body) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined;
    };
    const lag = await until('Prometheus to have scraped the replica lag', () => api(`replication_console_replica_lag_bytes{topology="cache"}`), 30_000, 250);
    expect(lag).toEqual([{ metric: expect.objectContaining({ __name__: 'replication_console_replica_lag_bytes', job: 'replication-console', topology: 'cache', node: replica, master: lab.address('master') }), value: [expect.any(Number), expect.stringMatching(/^\d+$/)] }]);
    const seconds = await until('the lag in seconds', () => api(`replication_console_replica_lag_seconds{node="${replica}"}`), 10_000, 250);
    expect(Number(seconds[0]?.value[1])).toBeGreaterThanOrEqual(0);
    expect((await api('up{job="replication-console"}'))?.[0]?.value[1]).toBe('1');
    const rules = JSON.parse((await get(`http://127.0.0.1:${port}/api/v1/rules`)).body) as { data: { groups: { name: string; rules: { name: string; health: string }[] }[] } };
    const group = rules.data.groups.find((g) => g.name === 'replication-console');
    expect(group?.rules.length).toBe(13);
    // Evaluated against the real series: the offline topology's rule is pending or firing, none broken.
    await until('the rules to have been evaluated', async () => {
      const now = JSON.parse((await get(`http://127.0.0.1:${port}/api/v1/rules`)).body) as typeof rules;
      const current = now.data.groups.find((g) => g.name === 'replication-console')?.rules ?? [];
      return current.every((r) => r.health === 'ok') ? true : undefined;
    }, 10_000, 250);
  });

  it("exports none of a replica's last readings while it cannot be read (SIGSTOP), only that it is stale or down and when it was last read, and its readings again once it answers", async () => {
    const sample = (text: string, name: string): string | undefined =>
      new RegExp(`^replication_console_${name}\\{topology="cache",node="${replica}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1];
    const scrape = async (): Promise<string> => (await get(new URL('/metrics', serve!.url))).body;
    lab.pause('replica-1');
    try {
      const text = await until('the stopped replica to be stale or down in a scrape', async () => {
        const body = await scrape();
        return sample(body, 'node_stale') === '1' || sample(body, 'node_reachable') === '0' ? body : undefined;
      }, 20_000, 250);
      // Its lag went on growing in the snapshot: exported, it paged a lag alert for a stopped replica.
      for (const name of ['replica_lag_bytes', 'replica_lag_seconds', 'link_up', 'node_offset_bytes', 'node_memory_used_bytes', 'node_connected_clients']) {
        expect({ name, value: sample(text, name) }).toEqual({ name, value: undefined });
      }
      expect(Number(sample(text, 'node_last_poll_timestamp_seconds'))).toBeGreaterThan(0);
    } finally {
      lab.resume('replica-1');
    }
    await until('the replica lag back in a scrape', async () => sample(await scrape(), 'replica_lag_bytes'), 20_000, 250);
  });
});

describe('serve refuses', () => {
  it('a listen address off loopback without authentication, in one line, exit 2, before connecting', async () => {
    const run = await runCli(['serve', '--listen', '0.0.0.0:0', '--seed', '127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['replication-console: refusing to serve on 0.0.0.0 (not loopback) without authentication: give --auth-token-file FILE or --basic-auth-file FILE']);
    // A certificate with another's key: a mistake in the options, said as such, not a failure to listen.
    const mismatched = await runCli(['serve', '--listen', '127.0.0.1:0', '--seed', '127.0.0.1:1', '--listen-cert', certs.serverCert, '--listen-key', certs.clientKey]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr.trim()).toBe('replication-console: --listen-key is not the key of --listen-cert');
    expect(run.stdout).toBe('');
  });

  it('a config file with a mistake, naming the field, and connection options beside --config', async () => {
    const broken = path.join(work, 'broken.json');
    await writeFile(broken, JSON.stringify({ topologies: [{ name: 'orders', seeds: ['10.0.0.1:6379'], passwordFile: 'nope.pass' }] }));
    const missing = await runCli(['serve', '--config', broken]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`replication-console: ${broken}: topologies[0] ("orders").passwordFile: cannot read ${path.join(work, 'nope.pass')}: no such file`);
    const both = await runCli(['serve', '--config', broken, '--user', 'ops']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^replication-console: with --config the connections are the config file's: --user is not taken \(put it in the file\)$/m);
  });

  it('/metrics without credentials off loopback, and answers it with them', async () => {
    const running = await startServe(
      ['--listen', '0.0.0.0:0', '--seed', lab.address('master'), '--auth-token-file', path.join(work, 'token'), '--basic-auth-file', path.join(work, 'users')],
      { REDISCLI_AUTH: LAB_PASSWORD },
    );
    try {
      // Listening on every address, it prints the URL by the machine's name (http://0.0.0.0:PORT opens nothing elsewhere).
      expect(running.url.hostname).toBe(os.hostname().toLowerCase());
      const local = new URL(`http://127.0.0.1:${running.url.port}/metrics`);
      const refused = await get(local);
      expect(refused.status).toBe(401);
      // Node joins the two WWW-Authenticate headers into one value.
      expect(refused.headers['www-authenticate']).toBe('Basic realm="Replication Console", charset="UTF-8", Bearer realm="Replication Console"');
      expect((await get(local, { Authorization: `Basic ${Buffer.from('ops:wrong').toString('base64')}` })).status).toBe(401);
      const scraped = await get(local, { Authorization: `Bearer ${TOKEN}` });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toMatch(/^replication_console_topology_up\{topology="main"\} [01]$/m);
      expect((await get(local, { Authorization: `Basic ${Buffer.from('ops:basic-pass-1').toString('base64')}` })).status).toBe(200);
      // Behind a TLS-terminating proxy the page is https://console.example and the proxy speaks plain HTTP to serve.
      const bearer = { Authorization: `Bearer ${TOKEN}` };
      const upgrade = (headers: Record<string, string>): Promise<number> => plainUpgradeStatus(Number(running.url.port), { ...bearer, ...headers });
      expect(await upgrade({ Host: 'console.example', Origin: 'https://console.example' })).toBe(101);
      expect(await upgrade({ Host: 'console.example:80', Origin: 'http://console.example' })).toBe(101);
      expect(await upgrade({ Host: `127.0.0.1:${running.url.port}`, 'X-Forwarded-Host': 'console.example', Origin: 'https://console.example' })).toBe(101);
      expect(await upgrade({ Host: 'console.example', Origin: 'https://evil.example' })).toBe(403);
      expect(await upgrade({ Host: 'console.example', Origin: 'null' })).toBe(403);
    } finally {
      expect(await stopServe(running)).toBe(0);
    }
  });
});
