// The web mode against a real lab (master, two replicas, one cascaded replica): static files,
// the WebSocket guard (token, Host, Origin), calls, tick pushes and malformed input.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Lab, docsLayout } from '../../electron/lab/lab';
import { startWebServer, type WebServer } from '../../electron/web/server';
import type { WireResponse } from '../../electron/shared/schema';
import type { TickUpdate, TopologySnapshot } from '../../electron/shared/types';

const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'";
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}" />
    <title>Replication Console</title>
    <script type="module" src="./assets/app.js"></script>
  </head>
  <body><div id="app"></div></body>
</html>
`;

let lab: Lab;
let server: WebServer;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'rc-web-test-'));
  const rendererDir = join(workDir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), INDEX_HTML);
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app");\n');
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body { margin: 0 }\n');
  // Next to the root, so a traversal that works would find it.
  await writeFile(join(workDir, 'secret.txt'), 'TOP-SECRET\n');
  lab = await Lab.start({ nodes: docsLayout() });
  server = await startWebServer({ rendererDir });
});

afterAll(async () => {
  await server?.close();
  await lab?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A raw HTTP request, so that Host and the path go out exactly as written. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Attempt a WebSocket upgrade by hand; resolves with the HTTP status the server answered. */
function upgradeStatus(path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: server.port,
      path,
      headers: {
        Host: `127.0.0.1:${server.port}`,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket client that speaks the wire protocol. */
class Client {
  readonly ws: WebSocket;
  readonly ticks: TickUpdate[] = [];
  readonly responses: WireResponse[] = [];
  #nextId = 1;
  #waiters: (() => void)[] = [];

  constructor(url: string, options?: WebSocket.ClientOptions) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { push?: string; data?: TickUpdate } & Partial<WireResponse>;
      if (message.push === 'topology:tick' && message.data) this.ticks.push(message.data);
      else this.responses.push(message as WireResponse);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  async opened(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
  }

  async until<T>(find: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for a message');
      await new Promise<void>((wake) => {
        this.#waiters.push(wake);
        setTimeout(wake, 100);
      });
    }
  }

  async call(channel: string, args: unknown[]): Promise<WireResponse['result']> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ id, channel, args }));
    return (await this.until(() => this.responses.find((r) => r.id === id))).result;
  }

  close(): void {
    this.ws.close();
  }
}

function apiUrl(token = server.token): string {
  return `ws://127.0.0.1:${server.port}/api?token=${token}`;
}

describe('static files', () => {
  it('prints a URL carrying a 32-byte hex token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves the page with its own CSP as a header', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(`${PAGE_CSP}; frame-ancestors 'none'`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('<div id="app"></div>');
  });

  it('serves assets with their content types', async () => {
    const js = await fetch(`http://127.0.0.1:${server.port}/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const css = await fetch(`http://127.0.0.1:${server.port}/assets/app.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const missing = await fetch(`http://127.0.0.1:${server.port}/assets/nope.js`);
    expect(missing.status).toBe(404);
  });

  it.each(['/../secret.txt', '/..%2Fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2F..%2Fsecret.txt', '/..\\secret.txt'])(
    'does not serve %s from outside the root',
    async (path) => {
      const res = await rawGet(path);
      expect(res.status).not.toBe(200);
      expect(res.body).not.toContain('TOP-SECRET');
    },
  );

  it('refuses a foreign Host (DNS rebinding)', async () => {
    expect((await rawGet('/', { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('answers only GET and HEAD', async () => {
    const res = await fetch(server.url, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
  });
});

describe('WebSocket guard', () => {
  it('accepts the token with our Host and Origin', async () => {
    expect(await upgradeStatus(`/api?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await upgradeStatus(`/api?token=${server.token}`, { Host: `localhost:${server.port}` })).toBe(101);
  });

  it.each<[string, () => [string, Record<string, string>]]>([
    ['no token', () => ['/api', {}]],
    ['an empty token', () => ['/api?token=', {}]],
    ['a wrong token', () => [`/api?token=${'0'.repeat(64)}`, {}]],
    ['a truncated token', () => [`/api?token=${server.token.slice(0, 63)}`, {}]],
    ['another path', () => [`/socket?token=${server.token}`, {}]],
    ['a foreign Origin', () => [`/api?token=${server.token}`, { Origin: 'http://evil.example' }]],
    ['an Origin on another port', () => [`/api?token=${server.token}`, { Origin: `http://127.0.0.1:${server.port + 1}` }]],
    ['a null Origin', () => [`/api?token=${server.token}`, { Origin: 'null' }]],
    ['a foreign Host', () => [`/api?token=${server.token}`, { Host: `evil.example:${server.port}` }]],
    ['a Host on another port', () => [`/api?token=${server.token}`, { Host: `127.0.0.1:${server.port + 1}` }]],
  ])('rejects an upgrade with %s (403)', async (_what, make) => {
    const [path, headers] = make();
    expect(await upgradeStatus(path, headers)).toBe(403);
  });

  it('rejects a ws client with a wrong token', async () => {
    const ws = new WebSocket(apiUrl('f'.repeat(64)));
    const error = await new Promise<Error>((resolveError) => ws.once('error', resolveError));
    expect(error.message).toMatch(/Unexpected server response: 403/);
  });
});

describe('calls and pushes', () => {
  it('connects to the lab master, returns 4 nodes, and pushes ticks', async () => {
    const client = new Client(apiUrl(), { origin: `http://127.0.0.1:${server.port}` });
    try {
      await client.opened();
      const result = await client.call('topology:connect', [{ seeds: [lab.address('master')], pollIntervalMs: 200 }]);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      const snapshot = (result as { ok: true; value: TopologySnapshot }).value;
      expect(snapshot.nodes).toHaveLength(4);
      expect(snapshot.nodes.filter((node) => node.role === 'master')).toHaveLength(1);

      const tick = await client.until(() => client.ticks[0]);
      expect(tick.snapshot.nodes).toHaveLength(4);
      expect(Array.isArray(tick.events)).toBe(true);

      const got = await client.call('topology:get', []);
      expect(got).toMatchObject({ ok: true, value: { nodes: expect.any(Array) } });
    } finally {
      client.close();
    }
  });

  it('answers bad arguments with BAD_ARGUMENT under the request id', async () => {
    const client = new Client(apiUrl());
    try {
      await client.opened();
      const result = await client.call('topology:connect', [{ seeds: ['not an address'] }]);
      expect(result).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
      const unknown = await client.call('admin:shutdown', []);
      expect(unknown).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/Unknown channel/) } });
    } finally {
      client.close();
    }
  });

  it('answers malformed messages with an error envelope and keeps the socket open', async () => {
    const client = new Client(apiUrl());
    try {
      await client.opened();
      const malformed: (string | Buffer)[] = [
        '{not json',
        'null',
        '42',
        '[]',
        JSON.stringify({ id: 'one', channel: 'topology:get', args: [] }),
        JSON.stringify({ id: 1.5, channel: 'topology:get', args: [] }),
        JSON.stringify({ id: 7, channel: 'topology:get' }),
        JSON.stringify({ id: 8, channel: 'topology:get', args: [], extra: true }),
        Buffer.from([0xff, 0x00, 0x01]),
      ];
      for (const message of malformed) client.ws.send(message);
      await client.until(() => (client.responses.length >= malformed.length ? true : undefined));
      for (const response of client.responses) {
        // Refused before any call was made: the client may say nothing was sent.
        expect(response.result).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', details: { nothingSent: true } } });
      }
      // A request whose only fault is its shape still gets its id back.
      expect(client.responses.map((r) => r.id)).toEqual(expect.arrayContaining([7, 8]));
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect(await client.call('lab:status', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });
    } finally {
      client.close();
    }
  });
});

describe('message size', () => {
  it('answers a message over 1 MiB under its id, nothing done, and keeps the socket open', async () => {
    const client = new Client(apiUrl());
    try {
      await client.opened();
      const big = JSON.stringify({ id: 41, channel: 'profile:import', topology: 'main', args: ['x'.repeat(1024 * 1024)] });
      client.ws.send(big);
      const response = await client.until(() => client.responses.find((r) => r.id === 41));
      expect(response.result).toEqual({
        ok: false,
        error: { code: 'BAD_ARGUMENT', message: `Message too big: ${Buffer.byteLength(big)} bytes, at most 1048576`, details: { nothingSent: true } },
      });
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect(await client.call('profile:list', [])).toMatchObject({ ok: true });
    } finally {
      client.close();
    }
  });

  it('closes the socket (1009) on a message over 4 MiB instead of holding it', async () => {
    const client = new Client(apiUrl());
    try {
      await client.opened();
      const closed = new Promise<number>((resolve) => client.ws.once('close', (code: number) => resolve(code)));
      client.ws.send(JSON.stringify({ id: 42, channel: 'profile:import', topology: 'main', args: ['x'.repeat(4 * 1024 * 1024)] }));
      expect(await closed).toBe(1009);
    } finally {
      client.close();
    }
  });
});

describe('lab channels', () => {
  it('starts one lab however often asked, and stopping it disconnects the engine', async () => {
    const client = new Client(apiUrl());
    try {
      await client.opened();
      const first = await client.call('lab:start', []);
      expect(first).toMatchObject({ ok: true, value: { running: true, seeds: [expect.stringMatching(/^127\.0\.0\.1:\d+$/)] } });
      const second = await client.call('lab:start', []);
      expect(second).toEqual(first);
      const seeds = (first as { ok: true; value: { seeds: string[] } }).value.seeds;
      const connected = await client.call('topology:connect', [{ seeds }]);
      expect((connected as { ok: true; value: TopologySnapshot }).value.nodes).toHaveLength(4);

      expect(await client.call('lab:stop', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });
      expect(await client.call('topology:get', [])).toEqual({ ok: true, value: null });
      expect(await client.call('lab:status', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });
    } finally {
      client.close();
    }
  });
});

describe('web CLI', () => {
  const root = resolve(import.meta.dirname, '../..');
  const runCli = (args: string[]) =>
    spawn(process.execPath, [join(root, 'bin/web-server.js'), '--no-open', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('exits 1 with one clear line when the seed cannot be reached', async () => {
    const child = runCli(['--seed', '127.0.0.1:1']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line.trim() && !/npm warn/i.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Replication Console: cannot connect: .*127\.0\.0\.1:1/);
  });

  it('prints one URL line, connects to a seed, and stops on SIGTERM', async () => {
    const child = runCli(['--seed', lab.address('replica-2')]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL line; stdout: ${stdout}`)), 30_000);
      child.stdout.on('data', () => {
        const match = /^Replication Console \(web mode\): (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})$/m.exec(stdout);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      child.once('exit', () => reject(new Error(`exited early; stdout: ${stdout}`)));
    });
    const { host, searchParams } = new URL(url);
    const client = new Client(`ws://${host}/api?token=${searchParams.get('token')}`);
    try {
      await client.opened();
      const got = await client.call('topology:get', []);
      expect(got).toMatchObject({ ok: true });
      expect((got as { ok: true; value: TopologySnapshot }).value.nodes).toHaveLength(4);
    } finally {
      client.close();
    }
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
  });
});
