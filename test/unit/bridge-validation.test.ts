// Every argument that crosses the bridge is checked by the schema before the engine sees it.
// These calls never reach Redis: a rejected call fails before the engine, and the accepted
// ones used here (topology:get, events:list, lab:status, the action calls before any connect,
// audit:list on an empty directory) only read state.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConsoleService } from '../../electron/app/service';
import { isAddress } from '../../electron/shared/schema';
import { parseCall } from '../../electron/shared/channels';
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
    ['an unknown key', [{ seeds, sentinels: true }], /Unrecognized key: "sentinels"/],
    ['a numeric password', [{ seeds, password: 1234 }], /password/],
    ['a 513-character password', [{ seeds, password: 'p'.repeat(513) }], /password/],
    ['a 513-character user', [{ seeds, user: 'u'.repeat(513) }], /user/],
    ['a poll interval of 99 ms', [{ seeds, pollIntervalMs: 99 }], /pollIntervalMs/],
    ['a poll interval of 60001 ms', [{ seeds, pollIntervalMs: 60_001 }], /pollIntervalMs/],
    ['a fractional poll interval', [{ seeds, pollIntervalMs: 1000.5 }], /pollIntervalMs/],
    ['a poll interval as a string', [{ seeds, pollIntervalMs: '1000' }], /pollIntervalMs/],
    ['a bad address-map key', [{ seeds, addressMap: { 'no where': '127.0.0.1:1' } }], /addressMap: key "no where"/],
    ['a host mapped to an address (--map HOST=HOST:PORT)', [{ seeds, addressMap: { nowhere: '127.0.0.1:1' } }], /addressMap: each entry maps HOST:PORT to HOST:PORT or HOST to HOST/],
    ['a bad address-map value', [{ seeds, addressMap: { '10.0.0.1:6379': 'x' } }], /addressMap/],
    ['an address map as an array', [{ seeds, addressMap: [] }], /addressMap/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('topology:connect', args)).toMatch(message);
  });

  it('accepts an address map of hosts (--map HOST=HOST: a host on every port) as well as of addresses', async () => {
    expect(parseCall('topology:connect', [{ seeds, addressMap: { '10.0.0.5': '127.0.0.1', '10.0.0.6:6379': '127.0.0.1:7000' } }])).toMatchObject({ ok: true });
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

describe('history:all', () => {
  it('accepts no option, and every option with series', () => {
    accepted('history:all', [{}]);
    accepted('history:all', [{ nodes: ['127.0.0.1:6379'], since: 0, maxPoints: 1800, series: ['offset', 'lagBytes', 'lagSeconds', 'opsPerSecond'] }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['an unknown series', [{ series: ['offset', 'password'] }], /series/],
    ['series as a string', [{ series: 'offset' }], /series/],
    ['more series than there are', [{ series: Array.from({ length: 8 }, () => 'offset') }], /series/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('history:all', args)).toMatch(message);
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
  it.each(['topology:disconnect', 'topology:get', 'lab:start', 'lab:stop', 'lab:status', 'journal:interrupted'])(
    '%s refuses any argument',
    async (channel) => {
      expect(await rejected(channel, [{}])).toMatch(/too many arguments/);
      accepted(channel, []);
    },
  );

  it('answers topology:get and lab:status before any connect', async () => {
    expect(await service.invoke('topology:get', [])).toEqual({ ok: true, value: null });
    expect(await service.invoke('lab:status', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });
    expect(await service.invoke('journal:interrupted', [])).toEqual({ ok: true, value: { reports: [], problems: [], checkedAt: 0 } });
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

describe('action:plan', () => {
  const node = '127.0.0.1:7001';
  const master = '127.0.0.1:7000';

  it('accepts every kind of request, with and without options', () => {
    accepted('action:plan', [{ kind: 'replicaof', node, master }]);
    accepted('action:plan', [{ kind: 'replicaof', node, master, options: { persist: true, setMasterauth: true, stepTimeoutMs: 500 } }]);
    accepted('action:plan', [{ kind: 'promote', node, repointSiblings: false }]);
    accepted('action:plan', [{ kind: 'switchover', to: node, options: { switchoverMethod: 'fence', stepTimeoutMs: 600_000 } }]);
    accepted('action:plan', [{ kind: 'failover' }]);
    accepted('action:plan', [{ kind: 'failover', to: '[::1]:7002' }]);
    accepted('action:plan', [{ kind: 'detach', node }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['no request', [], /missing argument/],
    ['two requests', [{ kind: 'detach', node }, { kind: 'detach', node }], /too many arguments/],
    ['a string', ['promote'], /argument/],
    ['an unknown kind', [{ kind: 'reboot', node }], /kind/],
    ['no kind', [{ node, master }], /kind/],
    ['a bad node address', [{ kind: 'replicaof', node: 'localhost', master }], /node: must be host:port/],
    ['a bad master address', [{ kind: 'replicaof', node, master: '127.0.0.1:0' }], /master/],
    ['no master', [{ kind: 'replicaof', node }], /master/],
    ['promote without repointSiblings', [{ kind: 'promote', node }], /repointSiblings/],
    ['repointSiblings as a string', [{ kind: 'promote', node, repointSiblings: 'yes' }], /repointSiblings/],
    ['an unknown key', [{ kind: 'detach', node, force: true }], /Unrecognized key: "force"/],
    ['an unknown option', [{ kind: 'detach', node, options: { yes: true } }], /options: Unrecognized key: "yes"/],
    ['a step timeout of 499 ms', [{ kind: 'detach', node, options: { stepTimeoutMs: 499 } }], /options.stepTimeoutMs/],
    ['a fractional step timeout', [{ kind: 'detach', node, options: { stepTimeoutMs: 1000.5 } }], /options.stepTimeoutMs/],
    ['an unknown switchover method', [{ kind: 'switchover', to: node, options: { switchoverMethod: 'force' } }], /switchoverMethod/],
    ['persist as a number', [{ kind: 'detach', node, options: { persist: 1 } }], /options.persist/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('action:plan', args)).toMatch(message);
  });

  it('reaches the engine only with a valid request: NOT_CONNECTED before any connect', async () => {
    expect(await service.invoke('action:plan', [{ kind: 'detach', node }])).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });
});

describe('action:execute', () => {
  const planId = '0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f';

  it('accepts a plan id alone, and with a confirmation and overrides', () => {
    accepted('action:execute', [{ planId }]);
    accepted('action:execute', [{ planId, confirmAddress: '127.0.0.1:7001', overrides: ['REPLICA_BEHIND', 'FULL_SYNC'] }]);
  });

  it.each<[string, unknown[], RegExp]>([
    ['no request', [], /missing argument/],
    ['a bare plan id', [planId], /argument/],
    ['no plan id', [{ confirmAddress: '127.0.0.1:7001' }], /planId/],
    ['a plan id that is not a UUID', [{ planId: 'plan-1' }], /planId/],
    ['a numeric confirmation', [{ planId, confirmAddress: 7001 }], /confirmAddress/],
    ['a 301-character confirmation', [{ planId, confirmAddress: 'a'.repeat(301) }], /confirmAddress/],
    ['overrides as a string', [{ planId, overrides: 'REPLICA_BEHIND' }], /overrides/],
    ['a lower-case override', [{ planId, overrides: ['replica_behind'] }], /overrides\[0\]/],
    ['an override with spaces', [{ planId, overrides: ['RUN ANYWAY'] }], /overrides\[0\]/],
    ['33 overrides', [{ planId, overrides: Array.from({ length: 33 }, () => 'FULL_SYNC') }], /overrides/],
    ['an onProgress key', [{ planId, onProgress: 'x' }], /Unrecognized key: "onProgress"/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('action:execute', args)).toMatch(message);
  });

  it('refuses a plan it does not know, before anything is sent', async () => {
    const result = await service.invoke('action:execute', [{ planId }]);
    expect(result).toMatchObject({ ok: false, error: { code: 'PLAN_EXPIRED', message: expect.stringMatching(/unknown or expired plan/), details: { nothingSent: true } } });
  });
});

describe('action:abort', () => {
  it.each<[string, unknown[], RegExp]>([
    ['no plan id', [], /missing argument/],
    ['a plan id that is not a UUID', ['abc'], /argument/],
    ['a number', [42], /argument/],
    ['an object', [{ planId: '0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f' }], /argument/],
    ['two plan ids', ['0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f', '0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f'], /too many arguments/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('action:abort', args)).toMatch(message);
  });

  it('answers that a plan which is not running cannot be aborted', async () => {
    expect(await service.invoke('action:abort', ['0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f'])).toEqual({
      ok: true,
      value: { accepted: false, message: 'this plan is not running' },
    });
  });
});

describe('action:candidates', () => {
  it.each<[string, unknown[], RegExp]>([
    ['no node', [], /missing argument/],
    ['a node without port', ['127.0.0.1'], /must be host:port/],
    ['a node as an object', [{ node: '127.0.0.1:7001' }], /argument/],
    ['two nodes', ['127.0.0.1:7001', '127.0.0.1:7002'], /too many arguments/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('action:candidates', args)).toMatch(message);
  });

  it('answers NOT_CONNECTED for a valid node before any connect', async () => {
    expect(await service.invoke('action:candidates', ['127.0.0.1:7001'])).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });
});

describe('audit:list', () => {
  it('accepts an omitted and a given limit, and a scope after it', () => {
    accepted('audit:list', []);
    accepted('audit:list', [1]);
    accepted('audit:list', [10_000]);
    accepted('audit:list', [10, 'topology']);
    accepted('audit:list', [10, 'all']);
  });

  it.each<[string, unknown[], RegExp]>([
    ['a limit of 0', [0], /argument/],
    ['a limit of 10001', [10_001], /argument/],
    ['a fractional limit', [2.5], /argument/],
    ['a limit as a string', ['10'], /argument/],
    ['two limits', [1, 2], /argument/],
    ['an unknown scope', [1, 'everything'], /argument/],
    ['a scope and more', [1, 'all', 3], /too many arguments/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('audit:list', args)).toMatch(message);
  });

  it('reads the audit log of the directory it was given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-audit-bridge-'));
    const own = new ConsoleService({ interface: 'web', auditDir: dir });
    try {
      expect(own.auditFile).toBe(join(dir, 'audit.jsonl'));
      // Not connected: every topology's entries, whatever the scope asked.
      expect(await own.invoke('audit:list', [])).toEqual({ ok: true, value: { entries: [], scope: 'all', otherTopologies: 0, unreadable: [] } });
    } finally {
      await own.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('journal:dismiss', () => {
  const planId = '0f8b3c2e-5d7a-4c1b-9e6f-2a3b4c5d6e7f';

  it.each<[string, unknown[], RegExp]>([
    ['no plan id', [], /missing argument/],
    ['a plan id that is not a UUID', ['abc'], /argument/],
    ['a path instead of an id', ['../../audit'], /argument/],
    ['a number', [42], /argument/],
    ['an object', [{ planId }], /argument/],
    ['two plan ids', [planId, planId], /too many arguments/],
  ])('refuses %s', async (_what, args, message) => {
    expect(await rejected('journal:dismiss', args)).toMatch(message);
  });

  it('closes the journal of an interrupted plan once, in the directory it was given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rc-journal-bridge-'));
    const own = new ConsoleService({ interface: 'web', auditDir: dir });
    try {
      await mkdir(join(dir, 'journal'), { recursive: true });
      // A plan started by a process on another host: nothing here can be running it.
      const started = { type: 'started', v: 1, planId, at: 1, pid: 1, host: 'elsewhere', user: 'ops', interface: 'cli', summary: 'Switchover', nodes: [], before: [], expected: [], steps: [], ops: [], original: [] };
      await writeFile(join(dir, 'journal', `${planId}.jsonl`), `${JSON.stringify(started)}\n`);
      expect((await own.interruptedPlans.store.interrupted()).plans.map((p) => p.started.planId)).toEqual([planId]);

      expect(await own.invoke('journal:dismiss', [planId])).toEqual({ ok: true, value: true });
      expect((await own.interruptedPlans.store.interrupted()).plans).toEqual([]);
      expect(await readdir(join(dir, 'journal', 'done'))).toEqual([`${planId}.jsonl`]);
      // Already closed (here, or by another window): says so, and is no error.
      expect(await own.invoke('journal:dismiss', [planId])).toEqual({ ok: true, value: false });
    } finally {
      await own.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
