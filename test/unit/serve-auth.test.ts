// serve's --listen parsing and loopback rule, its HTTP authentication (bearer, ?token= then a
// cookie, basic), the auth files, and the keeper that retries a topology that cannot connect.
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../electron/app/options';
import { AuthFileError, HttpAuth, readBasicAuthFile, readTokenFile, SESSION_COOKIE } from '../../electron/serve/http-auth';
import { TopologyKeeper, type KeptService } from '../../electron/serve/keeper';
import { isLoopbackHost, parseListen } from '../../electron/serve/listen';
import type { Envelope } from '../../electron/shared/api';
import { until } from '../helpers/until';

const TOKEN = 'a'.repeat(20) + '-token';

function request(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}
const at = (pathAndQuery: string): URL => new URL(pathAndQuery, 'http://localhost');

describe('--listen', () => {
  it('reads HOST:PORT, [IPv6]:PORT and :PORT, and tells loopback from the rest', () => {
    expect(parseListen('127.0.0.1:9121')).toEqual({ host: '127.0.0.1', port: 9121, loopback: true });
    expect(parseListen('localhost:0')).toEqual({ host: 'localhost', port: 0, loopback: true });
    expect(parseListen('[::1]:9121')).toEqual({ host: '::1', port: 9121, loopback: true });
    expect(parseListen(':9121')).toEqual({ host: '0.0.0.0', port: 9121, loopback: false });
    expect(parseListen('0.0.0.0:80')).toMatchObject({ loopback: false });
    expect(parseListen('[::]:80')).toMatchObject({ host: '::', loopback: false });
    expect(parseListen('10.1.2.3:9121')).toMatchObject({ loopback: false });
    expect(parseListen('console.internal:9121')).toMatchObject({ loopback: false });
    expect(isLoopbackHost('127.8.9.1')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('refuses what is not an address, in words that name --listen', () => {
    for (const bad of ['9121', 'host', '127.0.0.1:99999', '[nope]:1', 'a b:1', '::1:9121']) {
      expect(() => parseListen(bad), bad).toThrow(UsageError);
      expect(() => parseListen(bad), bad).toThrow(/--listen/);
    }
  });
});

describe('HttpAuth', () => {
  const auth = new HttpAuth({ tokens: [TOKEN, 'b'.repeat(32)], users: [{ user: 'ops', password: 'pa:ss' }] });

  it('accepts the bearer token, each token of the file, and a basic user', () => {
    expect(auth.check(request({ authorization: `Bearer ${TOKEN}` }), at('/'))).toEqual({ ok: true, via: 'bearer' });
    expect(auth.check(request({ authorization: `Bearer ${'b'.repeat(32)}` }), at('/'))).toEqual({ ok: true, via: 'bearer' });
    const basic = `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`;
    expect(auth.check(request({ authorization: basic }), at('/'))).toEqual({ ok: true, via: 'basic' });
  });

  it('refuses a wrong token, a wrong password, a wrong user, and nothing', () => {
    for (const header of [`Bearer ${TOKEN}x`, 'Bearer ', `Basic ${Buffer.from('ops:wrong').toString('base64')}`, `Basic ${Buffer.from('root:pa:ss').toString('base64')}`, `Basic ${Buffer.from(TOKEN).toString('base64')}`]) {
      expect(auth.check(request({ authorization: header }), at('/')), header).toEqual({ ok: false });
    }
    expect(auth.check(request({}), at('/'))).toEqual({ ok: false });
    expect(auth.check(request({}), at('/?token=wrong'))).toEqual({ ok: false });
  });

  it('takes ?token= once and gives a cookie that is not the token and opens the next requests', () => {
    const url = at(`/?token=${TOKEN}`);
    expect(auth.check(request({}), url)).toEqual({ ok: true, via: 'query' });
    const cookie = auth.sessionCookie(url, true) ?? '';
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict; Secure$`));
    expect(cookie).not.toContain(TOKEN);
    const value = cookie.split(';')[0] ?? '';
    expect(auth.check(request({ cookie: `theme=dark; ${value}` }), at('/assets/app.js'))).toEqual({ ok: true, via: 'cookie' });
    expect(auth.check(request({ cookie: `${SESSION_COOKIE}=${'0'.repeat(64)}` }), at('/'))).toEqual({ ok: false });
    // A new token ends the old sessions.
    expect(new HttpAuth({ tokens: ['c'.repeat(32)] }).check(request({ cookie: value }), at('/'))).toEqual({ ok: false });
  });

  it('challenges with Basic (a browser asks) and Bearer, and hints without a secret', () => {
    expect(auth.challenges()).toEqual(['Basic realm="Replication Console", charset="UTF-8"', 'Bearer realm="Replication Console"']);
    expect(auth.hint()).not.toContain(TOKEN);
    expect(new HttpAuth({ tokens: [TOKEN] }).challenges()).toEqual(['Bearer realm="Replication Console"']);
  });
});

describe('auth files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rc-serve-auth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string, mode = 0o600): string => {
    const full = path.join(dir, name);
    writeFileSync(full, text, { mode });
    return full;
  };

  it('reads tokens and users, skipping blank lines and comments; warns of a file others can read', async () => {
    const notices: string[] = [];
    expect(await readTokenFile(file('tokens', `# current\n${TOKEN}\n\n${'d'.repeat(40)}\n`), notices)).toEqual([TOKEN, 'd'.repeat(40)]);
    expect(notices).toEqual([]);
    const open = file('users', 'ops:pa:ss\r\nviewer:v\n', 0o644);
    expect(await readBasicAuthFile(open, notices)).toEqual([
      { user: 'ops', password: 'pa:ss' },
      { user: 'viewer', password: 'v' },
    ]);
    expect(notices).toEqual([`Warning: --basic-auth-file ${open} can be read by other users (chmod 600 it).`]);
  });

  it('refuses a short token, an empty file, a line that is not USER:PASSWORD and a missing file, never echoing a secret', async () => {
    const short = readTokenFile(file('short', 'tooshort\n'), []);
    await expect(short).rejects.toThrow(AuthFileError);
    await expect(short).rejects.toThrow(/token 1 of .*short is shorter than 16 characters/);
    expect(((await short.catch((e: unknown) => e)) as Error).message).not.toContain('tooshort');
    await expect(readTokenFile(file('empty', '# nothing\n'), [])).rejects.toThrow(/holds no token/);
    await expect(readBasicAuthFile(file('bad-users', 'ops:ok\njustapassword\n'), [])).rejects.toThrow(/entry 2 of .* is not USER:PASSWORD$/);
    await expect(readTokenFile(path.join(dir, 'missing'), [])).rejects.toThrow(`--auth-token-file: cannot read ${path.join(dir, 'missing')}: ENOENT`);
  });
});

describe('TopologyKeeper', () => {
  /** A service whose connects fail `failures` times, then succeed; the keeper's waits are recorded, not slept. */
  function flaky(failures: number): KeptService & { calls: string[] } {
    let left = failures;
    const calls: string[] = [];
    return {
      calls,
      async invoke(channel: string): Promise<Envelope<unknown>> {
        calls.push(channel);
        if (channel !== 'topology:connect') return { ok: true, value: null };
        if (left-- > 0) return { ok: false, error: { code: 'UNREACHABLE', message: '10.0.0.1:6379: connection refused' } };
        return { ok: true, value: null };
      },
      snapshot: () => (left < 0 ? { nodes: [1, 2, 3] } : null),
    };
  }

  it('retries with a doubling, capped backoff, logs a repeated reason once, and says when it connects', async () => {
    const service = flaky(6);
    const lines: string[] = [];
    const waits: number[] = [];
    const keeper = new TopologyKeeper({
      service: () => service,
      log: (line) => lines.push(line),
      minDelayMs: 1000,
      maxDelayMs: 8000,
      wait: async (ms) => {
        waits.push(ms);
      },
      now: () => 0,
    });
    await keeper.start([{ id: 'orders', connect: { seeds: ['10.0.0.1:6379'] }, thresholds: { lagSeconds: 5 } }]);
    await until('the 7th attempt', async () => (keeper.status('orders')?.up ? true : undefined), 2000, 1);
    await keeper.stop();
    expect(service.calls[0]).toBe('alerts:thresholds');
    expect(service.calls.filter((c) => c === 'topology:connect')).toHaveLength(7);
    // 1, 2, 4, 8, 8, 8 s, each ±20 %, never past the 8 s cap.
    [1000, 2000, 4000, 8000, 8000, 8000].forEach((base, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(base * 0.8);
      expect(waits[i]).toBeLessThanOrEqual(Math.min(8000, base * 1.2));
    });
    expect(lines).toEqual([expect.stringMatching(/^orders: cannot connect \(UNREACHABLE: 10\.0\.0\.1:6379: connection refused\); retrying in 1 s$/), 'orders: connected after 7 attempts, 3 nodes']);
    expect(keeper.status('orders')).toEqual({ up: true, connectFailures: 6, lastError: null });
  });

  it('keeps a topology that never connects down, counting its failures, until stopped', async () => {
    const service = flaky(Number.POSITIVE_INFINITY);
    let waited = 0;
    const stopAt = 3;
    let keeper: TopologyKeeper | null = null;
    keeper = new TopologyKeeper({
      service: () => service,
      log: () => undefined,
      wait: async () => {
        if (++waited === stopAt) void keeper?.stop();
      },
    });
    await keeper.start([{ id: 'down', connect: { seeds: ['10.0.0.9:6379'] }, thresholds: {} }]);
    await until('the stop', async () => (waited >= stopAt ? true : undefined), 2000, 1);
    await keeper.stop();
    expect(keeper.status('down')).toMatchObject({ up: false, connectFailures: stopAt, lastError: 'UNREACHABLE: 10.0.0.1:6379: connection refused' });
    // No thresholds given: none set.
    expect(service.calls).not.toContain('alerts:thresholds');
  });
});
