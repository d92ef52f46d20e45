// Sentinel replies and messages as Redis 7.0's redis-sentinel writes them, the grouping of a
// failover's events into one incident, and the Sentinel warnings read from node states.
import { describe, expect, it } from 'vitest';
import { INCIDENT_LINGER_MS, SentinelIncidents, sentinelEvent, type SentinelFeedContext } from '../../electron/engine/sentinel-events';
import {
  parseCkquorum,
  parseHello,
  parseInstances,
  parseMasterAddr,
  parseSentinelEvent,
  parseSentinelMaster,
} from '../../electron/engine/sentinel-parser';
import { sentinelReading } from '../../electron/engine/sentinel-poll';
import { sentinelWarnings } from '../../electron/engine/sentinel-warnings';
import { parseInfo, parseLoad } from '../../electron/engine/info-parser';
import { parseSettings } from '../../electron/engine/replication-settings';
import { toJson, toTable, toTree } from '../../electron/cli/output';
import type { ClientRegistry } from '../../electron/engine/client-registry';
import { NodeSet } from '../../electron/engine/node-set';
import { MAX_SENTINEL_MESSAGES_PER_TICK, SentinelWatch } from '../../electron/engine/sentinel-watch';
import type { NodeState, SentinelMasterView } from '../../electron/shared/types';
import { nodeState } from '../helpers/node-state';

const MASTER = [
  'name', 'orders', 'ip', '127.0.0.1', 'port', '6379', 'runid', 'f0ec65eb', 'flags', 's_down,o_down,master,disconnected',
  'link-pending-commands', '0', 'config-epoch', '3', 'num-slaves', '2', 'num-other-sentinels', '2', 'quorum', '2',
  'failover-timeout', '180000', 'parallel-syncs', '1', 'failover-state', 'wait_promotion',
];

describe('SENTINEL replies', () => {
  it('SENTINEL MASTER: address, flags, quorum, counts, epoch and failover state', () => {
    expect(parseSentinelMaster(MASTER)).toEqual({
      name: 'orders',
      address: '127.0.0.1:6379',
      flags: ['s_down', 'o_down', 'master', 'disconnected'],
      quorum: 2,
      replicas: 2,
      otherSentinels: 2,
      configEpoch: 3,
      failoverState: 'wait_promotion',
    });
    expect(parseSentinelMaster(new Error('ERR No such master with that name'))).toBeNull();
    expect(parseSentinelMaster(['name'])).toBeNull();
  });

  it('CKQUORUM ok and its NOQUORUM error; GET-MASTER-ADDR-BY-NAME and its nil', () => {
    expect(parseCkquorum('OK 3 usable Sentinels. Quorum and failover authorization can be reached')).toEqual({
      ok: true,
      message: 'OK 3 usable Sentinels. Quorum and failover authorization can be reached',
    });
    expect(parseCkquorum(new Error('NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified quorum for this master'))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^NOQUORUM 1 usable/) as unknown,
    });
    // Not allowed to ask: the quorum is unknown, not missing (it said NO QUORUM, and to lower a healthy group's quorum).
    expect(parseCkquorum(new Error("NOPERM this user has no permissions to run the 'sentinel|ckquorum' command"))).toBeNull();
    expect(parseCkquorum(new Error('NOAUTH Authentication required.'))).toBeNull();
    expect(parseMasterAddr(['::1', '6380'])).toBe('[::1]:6380');
    expect(parseMasterAddr(null)).toBeNull();
    expect(parseMasterAddr(['127.0.0.1', '99999'])).toBeNull();
  });

  it('REPLICAS / SENTINELS: one map per instance, capped, odd entries ignored', () => {
    const reply = [['name', '127.0.0.1:6380', 'ip', '127.0.0.1', 'port', '6380', 'flags', 'slave'], 'junk', ['ip']];
    expect(parseInstances(reply)).toEqual([{ name: '127.0.0.1:6380', ip: '127.0.0.1', port: '6380', flags: 'slave' }, {}, {}]);
    expect(parseInstances(Array.from({ length: 5000 }, () => []))).toHaveLength(200);
  });

  it('one pipelined reading: MYID, then MASTER, CKQUORUM, REPLICAS, SENTINELS per name', () => {
    const reading = sentinelReading(
      ['orders'],
      [
        [null, 'aaaa'],
        [null, MASTER],
        [new Error('NOQUORUM 1 usable Sentinels'), null],
        [null, [['ip', '127.0.0.1', 'port', '6380', 'flags', 'slave'], ['ip', '127.0.0.1', 'port', '6381', 'flags', 's_down,slave']]],
        [null, [['ip', '127.0.0.1', 'port', '26380', 'runid', 'bbbb', 'flags', 'sentinel']]],
      ],
    );
    expect(reading.id).toBe('aaaa');
    expect(reading.masters[0]).toMatchObject({
      name: 'orders',
      ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' },
      replicas: [{ address: '127.0.0.1:6380', flags: ['slave'] }, { address: '127.0.0.1:6381', flags: ['s_down', 'slave'] }],
      sentinels: [{ address: '127.0.0.1:26380', id: 'bbbb' }],
    });
  });
});

describe('Sentinel messages', () => {
  it('hello: the Sentinel, its ID, epochs and the master it watches', () => {
    expect(parseHello('127.0.0.1,26379,e7616bcd,4,orders,127.0.0.1,6380,4')).toEqual({
      sentinel: '127.0.0.1:26379',
      id: 'e7616bcd',
      currentEpoch: 4,
      masterName: 'orders',
      master: '127.0.0.1:6380',
      masterConfigEpoch: 4,
    });
    expect(parseHello('127.0.0.1,26379,x')).toBeNull();
    expect(parseHello('127.0.0.1,port,e,4,orders,127.0.0.1,6380,4')).toBeNull();
  });

  it('events about a master, a replica ("@ master"), a move, an epoch and a vote', () => {
    expect(parseSentinelEvent('+odown', 'master orders 127.0.0.1 6379 #quorum 2/2')).toMatchObject({
      subject: { type: 'master', name: 'orders', address: '127.0.0.1:6379' },
      masterName: 'orders',
      detail: '#quorum 2/2',
    });
    expect(parseSentinelEvent('+promoted-slave', 'slave 127.0.0.1:6380 127.0.0.1 6380 @ orders 127.0.0.1 6379')).toMatchObject({
      subject: { type: 'slave', address: '127.0.0.1:6380' },
      masterName: 'orders',
      masterAddress: '127.0.0.1:6379',
    });
    expect(parseSentinelEvent('+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380')).toMatchObject({
      masterName: 'orders',
      masterAddress: '127.0.0.1:6379',
      newMaster: '127.0.0.1:6380',
    });
    expect(parseSentinelEvent('+new-epoch', '5')).toMatchObject({ epoch: 5, masterName: null });
    expect(parseSentinelEvent('+vote-for-leader', 'e7616bcd 5')).toMatchObject({ votedFor: 'e7616bcd', epoch: 5 });
    expect(parseSentinelEvent('+tilt', '#tilt mode entered')).toMatchObject({ subject: null, detail: '#tilt mode entered' });
    expect(parseSentinelEvent('__sentinel__:hello', '127.0.0.1,26379,e,4,orders,127.0.0.1,6380,4')).toBeNull();
  });
});

const S1 = '127.0.0.1:26379';
const S2 = '127.0.0.1:26380';
const S3 = '127.0.0.1:26381';
const context: SentinelFeedContext = {
  resolve: (a) => a,
  mastersOf: () => ['orders'],
  belongs: (name) => name === 'orders',
  sentinelById: (id) => ({ id1: S1, id2: S2, id3: S3 })[id] ?? null,
};

describe('incidents', () => {
  /** Feed [reporter, channel, text, at] messages; return each event's [name, incident]. */
  function feed(incidents: SentinelIncidents, messages: [string, string, string, number][]): [string, number | null][] {
    return messages.flatMap(([reporter, channel, text, at]) => {
      const message = parseSentinelEvent(channel, text);
      const draft = message && sentinelEvent(message, reporter, at, incidents, context);
      return draft ? [[channel, draft.sentinel.incident] as [string, number | null]] : [];
    });
  }

  it('a failover reported by three Sentinels, its late echoes included, is one incident; the next failover is another', () => {
    const incidents = new SentinelIncidents();
    const m = 'master orders 127.0.0.1 6379';
    const r = 'slave 127.0.0.1:6380 127.0.0.1 6380 @ orders 127.0.0.1 6379';
    const events = feed(incidents, [
      [S1, '+sdown', m, 0],
      [S2, '+sdown', m, 100],
      [S1, '+odown', `${m} #quorum 2/2`, 200],
      [S2, '+odown', `${m} #quorum 2/2`, 250],
      [S1, '+new-epoch', '1', 300],
      [S1, '+try-failover', m, 300],
      [S2, '+new-epoch', '1', 310],
      [S2, '+vote-for-leader', 'id1 1', 310],
      [S3, '+vote-for-leader', 'id1 1', 320],
      [S1, '+elected-leader', m, 400],
      [S1, '+selected-slave', r, 500],
      [S1, '+promoted-slave', r, 900],
      [S1, '+failover-end', m, 1500],
      [S1, '+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380', 1500],
      // The other Sentinels learn the new configuration from hello, a moment later.
      [S2, '+new-epoch', '1', 2500],
      [S2, '+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380', 2500],
      [S3, '+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380', 2600],
      [S1, '+convert-to-slave', 'slave 127.0.0.1:6379 127.0.0.1 6379 @ orders 127.0.0.1 6380', 9000],
      // Long after: a new failover.
      [S2, '+odown', 'master orders 127.0.0.1 6380 #quorum 2/2', 9000 + INCIDENT_LINGER_MS + 1],
      [S2, '+new-epoch', '2', 9000 + INCIDENT_LINGER_MS + 2],
    ]);
    const first = events.slice(0, 18);
    // The +sdown before anyone agreed it is down is no failover yet.
    expect(first.slice(0, 2)).toEqual([
      ['+sdown', null],
      ['+sdown', null],
    ]);
    expect(new Set(first.slice(2).map(([, id]) => id))).toEqual(new Set([1]));
    expect(events.slice(18).map(([, id]) => id)).toEqual([2, 2]);
  });

  it('a new attempt after an abort is a new incident; a Sentinel not elected ends nothing; a replica\'s +odown opens none; other masters are not ours', () => {
    const incidents = new SentinelIncidents();
    const m = 'master orders 127.0.0.1 6379';
    const events = feed(incidents, [
      [S1, '+try-failover', m, 0],
      [S2, '+try-failover', m, 10],
      [S2, '-failover-abort-not-elected', m, 100],
      [S1, '+elected-leader', m, 110],
      [S1, '-failover-abort-no-good-slave', m, 200],
      [S1, '+try-failover', m, 300],
      [S2, '+odown', 'slave 127.0.0.1:6381 127.0.0.1 6381 @ payments 127.0.0.1 7000', 400],
    ]);
    expect(events).toEqual([
      ['+try-failover', 1],
      ['+try-failover', 1],
      ['-failover-abort-not-elected', 1],
      ['+elected-leader', 1],
      ['-failover-abort-no-good-slave', 1],
      ['+try-failover', 2],
    ]);
    expect(incidents.leaderOf('orders', 310, context)).toBeNull();
  });

  it('the leader: voted for by ID, then the elected Sentinel; none once the failover ended', () => {
    const incidents = new SentinelIncidents();
    feed(incidents, [
      [S2, '+new-epoch', '1', 0],
      [S2, '+vote-for-leader', 'id3 1', 0],
    ]);
    expect(incidents.leaderOf('orders', 10, context)).toBe(S3);
    feed(incidents, [[S1, '+elected-leader', 'master orders 127.0.0.1 6379', 20]]);
    expect(incidents.leaderOf('orders', 30, context)).toBe(S1);
    feed(incidents, [[S1, '+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380', 40]]);
    expect(incidents.leaderOf('orders', 50, context)).toBeNull();
  });

  it('an event names the instance it is about, with the reporting Sentinel as peer', () => {
    const message = parseSentinelEvent('+switch-master', 'orders 127.0.0.1 6379 127.0.0.1 6380');
    const draft = message && sentinelEvent(message, S2, 0, new SentinelIncidents(), context);
    expect(draft).toMatchObject({
      node: '127.0.0.1:6380',
      peer: S2,
      kind: 'sentinel',
      sentinel: { event: '+switch-master', masterName: 'orders', incident: 1 },
    });
    expect(draft?.message).toBe(
      `Sentinel ${S2}: +switch-master orders 127.0.0.1:6379 → 127.0.0.1:6380 (the master moved: clients asking Sentinel now get the new address)`,
    );
  });
});

describe('Sentinel warnings', () => {
  const view = (overrides: Partial<SentinelMasterView> = {}): SentinelMasterView => ({
    name: 'orders',
    address: '127.0.0.1:6379',
    flags: ['master'],
    quorum: 2,
    ckquorum: { ok: true, message: 'OK 3 usable Sentinels' },
    replicas: 1,
    otherSentinels: 2,
    configEpoch: 0,
    failoverState: null,
    leader: null,
    ...overrides,
  });
  const sentinel = (address: string, v: SentinelMasterView, overrides: Partial<NodeState> = {}): NodeState =>
    nodeState(address, { role: 'sentinel', offset: null, replid: null, depth: null, sentinel: { masters: [v] }, ...overrides });
  const master = nodeState('127.0.0.1:6379');
  const replica = nodeState('127.0.0.1:6380', { role: 'replica', master: '127.0.0.1:6379', linkStatus: 'up' });

  it('none while all is well', () => {
    expect(sentinelWarnings([master, replica, sentinel(S1, view()), sentinel(S2, view())])).toEqual([]);
  });

  it('a Sentinel out of reach, and the quorum check that fails on the others', () => {
    const warnings = sentinelWarnings([
      master,
      sentinel(S1, view({ ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' } })),
      sentinel(S2, view(), { reachable: false, error: { code: 'UNREACHABLE', message: `${S2}: connection refused` } }),
    ]);
    expect(warnings.map((w) => [w.code, w.nodes])).toEqual([
      ['SENTINEL_UNREACHABLE', [S2]],
      ['SENTINEL_NO_QUORUM', [S1]],
    ]);
    expect(warnings[1]?.message).toContain(`cannot reach ${S2}`);
  });

  it('Sentinels that disagree with each other, or name a replica as the master', () => {
    const split = sentinelWarnings([master, replica, sentinel(S1, view()), sentinel(S2, view({ address: '127.0.0.1:6380' }))]);
    expect(split.map((w) => w.code)).toEqual(['SENTINEL_DISAGREES']);
    expect(split[0]?.message).toContain(`${S1} says 127.0.0.1:6379; ${S2} says 127.0.0.1:6380`);
    const stale = sentinelWarnings([master, replica, sentinel(S1, view({ address: '127.0.0.1:6380' }))]);
    expect(stale[0]?.message).toContain('replication says 127.0.0.1:6380 is a replica of 127.0.0.1:6379');
  });

  it('a master down for Sentinel, and a failover under way with its leader', () => {
    const odown = sentinelWarnings([master, sentinel(S1, view({ flags: ['s_down', 'o_down', 'master'] }))]);
    expect(odown.map((w) => w.code)).toEqual(['SENTINEL_DOWN']);
    expect(odown[0]?.message).toContain('objectively down (o_down)');
    const failover = sentinelWarnings([
      master,
      sentinel(S1, view({ flags: ['o_down', 'master', 'failover_in_progress'], failoverState: 'wait_promotion', leader: S1 })),
    ]);
    expect(failover[0]?.message).toContain(`in progress (wait_promotion, led by ${S1}`);
  });

  it("a master whose disk fails answers the console but refuses Sentinel's PING (MISCONF): that is said, not 'look at the network'", () => {
    const failedSave = parseLoad(
      { stats: null, memory: null, clients: null, persistence: parseInfo('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_bgsave_status:err\nrdb_saves:1\naof_enabled:0').fields },
      1,
    );
    const sick = nodeState('127.0.0.1:6379', { load: failedSave, settings: parseSettings({ save: '3600 1', 'stop-writes-on-bgsave-error': 'yes' }, null) });
    const sdown = (m: NodeState) => sentinelWarnings([m, replica, sentinel(S1, view({ flags: ['s_down', 'master'] }))])[0]?.message ?? '';
    expect(sdown(master)).toContain('if it answers the console, look at the network between it and that Sentinel');
    expect(sdown(sick)).toContain(
      "127.0.0.1:6379 answers the console, but refuses Sentinel's PING with MISCONF: its last RDB save failed (rdb_last_bgsave_status:err) and stop-writes-on-bgsave-error is yes, and Sentinel takes that reply for down",
    );
    expect(sdown(sick)).toMatch(/To keep it the master, before they agree: look at its log and disk .* or CONFIG SET stop-writes-on-bgsave-error no/);
    expect(sdown(sick)).not.toContain('look at the network');
    // Settings unread: probably.
    expect(sdown({ ...sick, settings: null })).toContain("but probably refuses Sentinel's PING with MISCONF");
    const odown = sentinelWarnings([sick, sentinel(S1, view({ flags: ['s_down', 'o_down', 'master'] }))])[0]?.message ?? '';
    expect(odown).toContain("refuses Sentinel's PING with MISCONF");
    const failover = sentinelWarnings([sick, sentinel(S1, view({ flags: ['o_down', 'master', 'failover_in_progress'], failoverState: 'wait_promotion' }))])[0]?.message ?? '';
    expect(failover).toMatch(/Once failed over, 127\.0\.0\.1:6379 cannot come back as a replica while its disk fails .*: fix its disk$/);
    // Down for the console too: nothing to add.
    expect(sdown({ ...sick, reachable: false })).toContain('look at the network');
  });
});

describe('CLI output', () => {
  const view: SentinelMasterView = {
    name: 'orders',
    address: '127.0.0.1:6379',
    flags: ['s_down', 'master'],
    quorum: 2,
    ckquorum: { ok: false, message: 'NOQUORUM 1 usable Sentinels' },
    replicas: 1,
    otherSentinels: 2,
    configEpoch: 1,
    failoverState: null,
    leader: null,
  };
  const master = nodeState('127.0.0.1:6379');
  const s1 = nodeState(S1, {
    role: 'sentinel',
    offset: null,
    depth: null,
    sentinelMasters: [{ name: 'orders', status: 'sdown', address: '127.0.0.1:6379' }],
    sentinel: { masters: [view] },
  });
  const s2 = nodeState(S2, { role: 'sentinel', reachable: false, offset: null, depth: null, error: { code: 'UNREACHABLE', message: `${S2}: connection refused` } });
  const snapshot = { seq: 1, takenAt: 0, pollIntervalMs: 1000, nodes: [master, s1, s2], edges: [], warnings: [] };

  it('the tree puts the Sentinels in a section of their own, with quorum, flags and reachability', () => {
    const lines = toTree(snapshot).split('\n');
    expect(lines[0]).toMatch(/^127\.0\.0\.1:6379 {2}master/);
    expect(lines.slice(1)).toEqual([
      '',
      'Sentinels:',
      `  ${S1}  sentinel  orders → 127.0.0.1:6379, quorum 2, NO QUORUM, flags s_down`,
      `  ${S2}  sentinel, UNREACHABLE  — ${S2}: connection refused`,
    ]);
  });

  it('the JSON keeps role "sentinel" with the masters it monitors and its view; watch shows the view', () => {
    const json = toJson(snapshot) as { nodes: Record<string, unknown>[] };
    expect(json.nodes[1]).toMatchObject({ role: 'sentinel', sentinelMasters: [{ name: 'orders' }], sentinel: { masters: [{ name: 'orders', quorum: 2 }] } });
    expect(json.nodes[0]).not.toHaveProperty('sentinel');
    expect(toTable(snapshot)).toContain('orders → 127.0.0.1:6379, quorum 2, NO QUORUM, flags s_down');
  });
});

describe('SentinelWatch', () => {
  it('takes a bounded number of messages per tick from a Sentinel that floods them', () => {
    const nodes = new NodeSet(10);
    nodes.add(S1, true).asSentinel = true;
    const handlers: ((channel: string, text: string) => void)[] = [];
    const registry = {
      subscribe: (_address: string, _patterns: readonly string[], onMessage: (channel: string, text: string) => void) => {
        handlers.push(onMessage);
        return () => undefined;
      },
    } as unknown as ClientRegistry;
    let events = 0;
    const watch = new SentinelWatch({
      nodes,
      dataRegistry: registry,
      sentinelRegistry: registry,
      now: () => 0,
      entryName: 'orders',
      added: () => undefined,
      event: () => events++,
      refresh: () => undefined,
    });
    watch.sync();
    expect(handlers).toHaveLength(1);
    const flood = (): void => {
      for (let i = 0; i < 3 * MAX_SENTINEL_MESSAGES_PER_TICK; i++) handlers[0]?.('+sdown', 'master orders 127.0.0.1 6379');
    };
    flood();
    expect(events).toBe(MAX_SENTINEL_MESSAGES_PER_TICK);
    watch.sync();
    flood();
    expect(events).toBe(2 * MAX_SENTINEL_MESSAGES_PER_TICK);
    // Another master's messages are no event of this topology.
    watch.sync();
    handlers[0]?.('+sdown', 'master payments 127.0.0.1 7000');
    expect(events).toBe(2 * MAX_SENTINEL_MESSAGES_PER_TICK);
  });
});
