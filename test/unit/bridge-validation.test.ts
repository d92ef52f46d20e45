// Every argument that crosses the bridge is checked by the schema before the engine sees it.
// These calls never reach Redis: a rejected call fails before the engine, and the accepted
// ones used here (topology:get, events:list, lab:status) only read state.
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { parseCall, isAddress } from '../../electron/shared/schema';
import type { Envelope } from '../../electron/shared/api';

const service = new ConsoleService();
afterAll(() => service.close());

async function rejected(channel: string, args: unknown): Promise<string> {
  const result: Envelope<unknown> = await service.invoke(channel, args);
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error.code).toBe('BAD_ARGUMENT');
  return result.error.message;
}

function accepted(channel: string, args: unknown[]): void {
  const parsed = parseCall(channel, args);
  expect(parsed, JSON.stringify(parsed)).toMatchObject({ ok: true });
}

describe('addresses', () => {
  it.each([
    '127.0.0.1:6379',
    'localhost:1',
    'redis-1.internal.example.com:65535',
    'compose_redis_1:6379',
    '[::1]:6379',
    '[2001:db8::7]:7000',
    '10.0.0.255:6380',
  ])('accepts %s', (address) => expect(isAddress(address)).toBe(true));

  it.each([
    '',
    '127.0.0.1',
    '127.0.0.1:',
    ':6379',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:-1',
    '127.0.0.1:6379x',
    '256.1.1.1:6379',
    '1.2.3:6379',
    '::1:6379',
    '[::1]',
    '[not-v6]:6379',
    'bad host:6379',
    'host/path:6379',
    'a..b:6379',
    '-lead.example:6379',
    'redis://127.0.0.1:6379',
    `${'a'.repeat(64)}:6379`,
  ])('refuses %j', (address) => expect(isAddress(address)).toBe(false));
});

describe('topology:connect', () => {
  const seeds = ['127.0.0.1:6379'];

  it('accepts complete and minimal options', () => {
    accepted('topology:connect', [{ seeds }]);
    accepted('topology:connect', [
      {
        seeds: ['[::1]:7000', 'redis.example:6379'],
        user: 'replication-admin',
        password: 'p'.repeat(512),
        pollIntervalMs: 100,
        addressMap: { '172.17.0.2:6379': '127.0.0.1:16379' },
      },
    ]);
    accepted('topology:connect', [{ seeds, pollIntervalMs: 60_000 }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['no argument', [], /missing argument/],
    ['two arguments', [{ seeds }, { seeds }], /too many arguments/],
    ['a string instead of options', ['127.0.0.1:6379'], /argument/],
    ['null options', [null], /argument/],
    ['no seeds', [{}], /seeds/],
    ['empty seeds', [{ seeds: [] }], /seeds/],
    ['65 seeds', [{ seeds: Array.from({ length: 65 }, (_, i) => `10.0.0.1:${i + 1}`) }], /seeds/],
    ['a seed without port', [{ seeds: ['127.0.0.1'] }], /seeds\[0\]: must be host:port/],
    ['a seed with port 0', [{ seeds: ['127.0.0.1:0'] }], /seeds\[0\]/],
    ['a number as seed', [{ seeds: [6379] }], /seeds\[0\]/],
    ['an unknown key', [{ seeds, sentinel: true }], /Unrecognized key: "sentinel"/],
    ['a numeric password', [{ seeds, password: 1234 }], /password/],
    ['a 513-character password', [{ seeds, password: 'p'.repeat(513) }], /password/],
    ['a 513-character user', [{ seeds, user: 'u'.repeat(513) }], /user/],
    ['a poll interval of 99 ms', [{ seeds, pollIntervalMs: 99 }], /pollIntervalMs/],
    ['a poll interval of 60001 ms', [{ seeds, pollIntervalMs: 60_001 }], /pollIntervalMs/],
    ['a fractional poll interval', [{ seeds, pollIntervalMs: 1000.5 }], /pollIntervalMs/],
    ['a poll interval as a string', [{ seeds, pollIntervalMs: '1000' }], /pollIntervalMs/],
    ['a bad address-map key', [{ seeds, addressMap: { nowhere: '127.0.0.1:1' } }], /addressMap: key "nowhere"/],
    ['a bad address-map value', [{ seeds, addressMap: { '10.0.0.1:6379': 'x' } }], /addressMap/],
    ['an address map as an array', [{ seeds, addressMap: [] }], /addressMap/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('topology:connect', args)).toMatch(message);
  });

  it('refuses an address map with more than 256 entries', async () => {
    const addressMap = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`10.0.1.1:${i + 1}`, `127.0.0.1:${i + 1}`]));
    expect(await rejected('topology:connect', [{ seeds, addressMap }])).toMatch(/addressMap: at most 256 entries/);
  });

  it('never echoes the password it refuses', async () => {
    const password = 'hunter2-secret-'.repeat(40);
    const message = await rejected('topology:connect', [{ seeds: ['nope'], password }]);
    expect(message).not.toContain('hunter2');
  });
});

describe('history:get', () => {
  it('accepts a node alone and with every option', () => {
    accepted('history:get', [{ node: '127.0.0.1:6379' }]);
    accepted('history:get', [{ node: '127.0.0.1:6379', since: Date.now() - 60_000, maxPoints: 10 }]);
    accepted('history:get', [{ node: '127.0.0.1:6379', since: -1, maxPoints: 100_000 }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['no query', [], /missing argument/],
    ['no node', [{ since: 0 }], /node/],
    ['a bad node', [{ node: 'localhost' }], /node/],
    ['a non-finite since', [{ node: '127.0.0.1:6379', since: Number.POSITIVE_INFINITY }], /since/],
    ['NaN since', [{ node: '127.0.0.1:6379', since: Number.NaN }], /since/],
    ['since as a date string', [{ node: '127.0.0.1:6379', since: '2024-01-01' }], /since/],
    ['9 points', [{ node: '127.0.0.1:6379', maxPoints: 9 }], /maxPoints/],
    ['100001 points', [{ node: '127.0.0.1:6379', maxPoints: 100_001 }], /maxPoints/],
    ['an unknown key', [{ node: '127.0.0.1:6379', until: 0 }], /Unrecognized key/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('history:get', args)).toMatch(message);
  });
});

describe('events:list', () => {
  it('accepts an empty, a full, and an omitted query', async () => {
    accepted('events:list', [{}]);
    accepted('events:list', [{ node: '127.0.0.1:6379', limit: 10_000 }]);
    accepted('events:list', []);
    expect(await service.invoke('events:list', [{ limit: 1 }])).toEqual({ ok: true, value: [] });
  });

  it.each<[string, unknown[], RegExp]>([
    ['a limit of 0', [{ limit: 0 }], /limit/],
    ['a limit of 10001', [{ limit: 10_001 }], /limit/],
    ['a fractional limit', [{ limit: 2.5 }], /limit/],
    ['a bad node', [{ node: 'x:y' }], /node/],
    ['an unknown key', [{ kind: 'link-down' }], /Unrecognized key/],
    ['two arguments', [{}, {}], /too many arguments/],
    ['a string', ['recent'], /argument/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('events:list', args)).toMatch(message);
  });
});

describe('channels without arguments', () => {
  it.each(['topology:disconnect', 'topology:get', 'lab:start', 'lab:stop', 'lab:status'])(
    '%s refuses any argument',
    async (channel) => {
      expect(await rejected(channel, [{}])).toMatch(/too many arguments/);
      accepted(channel, []);
    },
  );

  it('answers topology:get and lab:status before any connect', async () => {
    expect(await service.invoke('topology:get', [])).toEqual({ ok: true, value: null });
    expect(await service.invoke('lab:status', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });
  });
});

describe('channels', () => {
  it.each([
    'topology:nope',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    '',
    'TOPOLOGY:GET',
  ])('refuses the unknown channel %j', async (channel) => {
    expect(await rejected(channel, [])).toMatch(/Unknown channel/);
  });

  it('refuses a channel that is not a string', () => {
    expect(parseCall(42, [])).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } });
  });

  it('refuses arguments that are not a list', async () => {
    expect(await rejected('topology:get', { 0: 'x' })).toMatch(/arguments must be a list/);
    expect(await rejected('topology:get', 'x')).toMatch(/arguments must be a list/);
  });
});
