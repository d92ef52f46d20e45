import { readdirSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  isClusterEnabled,
  MAX_FIELD_CHARS,
  MAX_INFO_CHARS,
  MAX_REPLICA_LINES,
  parseInfo,
  parseReplication,
  parseSentinelMasters,
  parseServer,
  parseStats,
  readReplication,
  type ReplicationInfo,
} from '../../electron/engine/info-parser';

// Fixtures named redis-7.0-* were captured from real redis-server / redis-sentinel 7.0.15
// processes with `redis-cli info > file` (CRLF kept). The others are built from the field
// lists of their versions, since only 7.0 runs on our machines.
function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/info/${name}`, import.meta.url), 'utf8');
}

function load(name: string) {
  const info = parseInfo(fixture(name));
  return {
    info,
    server: parseServer(info.fields),
    repl: parseReplication(info),
    stats: parseStats(info.fields),
  };
}

/** Everything but `raw` and `listedLines`, which tests check on their own. */
function withoutRaw(repl: ReplicationInfo): Omit<ReplicationInfo, 'raw' | 'listedLines'> {
  const { raw: _raw, listedLines: _listedLines, ...rest } = repl;
  return rest;
}

const NO_REPLICA_FIELDS = {
  masterHost: null,
  masterPort: null,
  linkStatus: null,
  lastIoSecondsAgo: null,
  syncInProgress: false,
  sync: null,
  linkDownSinceSeconds: null,
  readReplOffset: null,
  replicaReplOffset: null,
  priority: null,
  readOnly: null,
  replicaAnnounced: null,
} as const;

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu'];

describe('parseInfo', () => {
  it('splits a real 7.0 reply into lower-cased sections and a flat map', () => {
    const { info } = load('redis-7.0-master.txt');
    expect(Object.keys(info.sections)).toEqual([...DEFAULT_SECTIONS, 'modules', 'errorstats', 'cluster', 'keyspace']);
    expect(info.sections['server']?.['redis_version']).toBe('7.0.15');
    expect(info.sections['persistence']?.['rdb_bgsave_in_progress']).toBe('0');
    expect(info.sections['modules']).toEqual({});
    expect(info.fields['used_memory']).toBe('1253272');
    expect(info.fields['db0']).toBe('keys=3,expires=0,avg_ttl=0');
  });

  it('reads CRLF and LF text the same way', () => {
    const crlf = fixture('redis-7.0-replica.txt');
    expect(crlf).toContain('\r\n');
    expect(parseInfo(crlf.replaceAll('\r\n', '\n'))).toEqual(parseInfo(crlf));
  });

  it('splits on the first colon only, keeps values verbatim and lets the last duplicate win', () => {
    const { fields, sections } = parseInfo('# Server\nconfig_file:C:\\r:x\nexecutable: /a b \nk:1\n# Other\nk:2\n');
    expect(fields['config_file']).toBe('C:\\r:x');
    expect(fields['executable']).toBe(' /a b ');
    expect(fields['k']).toBe('2');
    expect(sections['server']?.['k']).toBe('1');
    expect(sections['other']?.['k']).toBe('2');
  });

  it('keeps fields found before any header in the flat map only', () => {
    const { fields, sections } = parseInfo('role:master\r\nconnected_slaves:0\r\n');
    expect(fields).toEqual({ role: 'master', connected_slaves: '0' });
    expect(Object.keys(sections)).toEqual([]);
  });

  it('reads each line by its own colon, after however many lines without one', () => {
    const { fields } = parseInfo(`# Server\n${'no colon here\n'.repeat(5000)}a\nb:2\nc\nd:4:5\n`);
    expect(fields).toEqual({ b: '2', d: '4:5' });
  });

  it('gives a one-section reply the same flat map and section, and a later section its own', () => {
    const one = parseInfo('# Replication\nrole:master\nrole:slave\n');
    expect(one.fields).toEqual({ role: 'slave' });
    expect(one.sections['replication']).toEqual({ role: 'slave' });
    const two = parseInfo('# Replication\nrole:master\n# Server\nrun_id:x\n');
    expect(two.fields).toEqual({ role: 'master', run_id: 'x' });
    expect(two.sections['replication']).toEqual({ role: 'master' });
    expect(two.sections['server']).toEqual({ run_id: 'x' });
  });

  it('continues a section whose header repeats', () => {
    const { sections } = parseInfo('# Stats\na:1\n# CPU\nb:2\n# stats\nc:3\n');
    expect(sections['stats']).toEqual({ a: '1', c: '3' });
  });

  it('returns empty maps for empty or non-string input', () => {
    expect(parseInfo('')).toEqual({ sections: {}, fields: {}, cuts: null });
    expect(parseInfo(undefined as unknown as string)).toEqual({ sections: {}, fields: {}, cuts: null });
    expect(parseInfo(42 as unknown as string)).toEqual({ sections: {}, fields: {}, cuts: null });
  });

  it('never throws on random input', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const alphabet = ['#', ':', ',', '=', '\r', '\n', ' ', 'slave0', 'master0', 'role', '__proto__', '-1', '9', 'a', '\u0000', '\u001b'];
    for (let i = 0; i < 500; i += 1) {
      let text = '';
      for (let j = 0; j < 60; j += 1) text += alphabet[Math.floor(random() * alphabet.length)];
      const info = parseInfo(text);
      expect(() => {
        parseServer(info.fields);
        parseReplication(info);
        parseStats(info.fields);
        parseSentinelMasters(info.fields);
        isClusterEnabled(info.fields);
      }).not.toThrow();
    }
  });
});

describe('redis 5.0 master with two replicas', () => {
  const { info, server, repl, stats } = load('redis-5.0-master.txt');

  it('has the 5.0 sections, LF line endings', () => {
    expect(Object.keys(info.sections)).toEqual([...DEFAULT_SECTIONS, 'cluster', 'keyspace']);
    expect(info.fields['rdb_bgsave_in_progress']).toBe('0');
    expect(info.fields['loading']).toBe('0');
  });

  it('parses the server section', () => {
    expect(server).toEqual({
      runId: '28145ec0aa66555fdbc71dc0c0f44b1df5f754cb',
      product: 'redis',
      version: '5.0.14',
      versionLabel: 'redis 5.0.14',
      mode: 'standalone',
      tcpPort: 6379,
      uptimeSeconds: 1296042,
      startedAtSecond: null,
      configFile: '/etc/redis/redis.conf',
    });
    expect(isClusterEnabled(info.fields)).toBe(false);
  });

  it('parses replication without the 6.2+ fields', () => {
    expect(withoutRaw(repl)).toEqual({
      role: 'master',
      ...NO_REPLICA_FIELDS,
      connectedReplicas: 2,
      syncClients: [],
      replicas: [
        { address: '10.0.1.12:6379', state: 'online', ackOffset: 2740138122, ackAgeSeconds: 0 },
        { address: '10.0.1.13:6380', state: 'online', ackOffset: 2740137980, ackAgeSeconds: 1 },
      ],
      failoverState: null,
      replid: 'd5c47d3bbb24165721d397c856a584e2908cdee0',
      replid2: null,
      masterReplOffset: 2740138122,
      secondReplOffset: null,
      backlog: { active: true, size: 1048576, firstByteOffset: 2739089547, histlen: 1048576 },
      minReplicasGood: null,
    });
  });

  it('keeps the replication section verbatim in raw', () => {
    expect(repl.raw).toEqual(info.sections['replication']);
    expect(Object.keys(repl.raw)).toHaveLength(12);
    expect(repl.raw['master_replid2']).toBe('0000000000000000000000000000000000000000');
    expect(repl.raw['slave1']).toBe('ip=10.0.1.13,port=6380,state=online,offset=2740137980,lag=1');
  });

  it('parses the resync counters', () => {
    expect(stats).toEqual({ syncFull: 2, syncPartialOk: 1, syncPartialErr: 0 });
  });
});

describe('redis 6.0 replica in the middle of a chain', () => {
  const { server, repl, stats } = load('redis-6.0-replica.txt');

  it('parses the server section', () => {
    expect(server).toEqual({
      runId: 'e97f92ff89760a4258a9c120d42ef184d576a0fc',
      product: 'redis',
      version: '6.0.20',
      versionLabel: 'redis 6.0.20',
      mode: 'standalone',
      tcpPort: 6379,
      uptimeSeconds: 86417,
      startedAtSecond: null,
      configFile: '/usr/local/etc/redis/redis.conf',
    });
  });

  it('parses a replica with a hostname master, a sub-replica and a previous history', () => {
    expect(withoutRaw(repl)).toEqual({
      role: 'replica',
      masterHost: 'redis-primary.prod.internal',
      masterPort: 6379,
      linkStatus: 'up',
      lastIoSecondsAgo: 1,
      syncInProgress: false,
      sync: null,
      linkDownSinceSeconds: null,
      readReplOffset: null,
      replicaReplOffset: 58213377,
      priority: 50,
      readOnly: true,
      replicaAnnounced: null,
      connectedReplicas: 1,
      syncClients: [],
      replicas: [{ address: '10.0.2.21:6379', state: 'online', ackOffset: 58213377, ackAgeSeconds: 1 }],
      failoverState: null,
      replid: '1ae767232a30e23134136aab907f3afa7e4a34ae',
      replid2: '28b159fc808273c0472a51e8aa06129a898e413f',
      masterReplOffset: 58213377,
      secondReplOffset: 41200001,
      backlog: { active: true, size: 16777216, firstByteOffset: 41436162, histlen: 16777216 },
      minReplicasGood: null,
    });
    expect(Object.keys(repl.raw)).toHaveLength(19);
    expect(repl.raw['master_host']).toBe('redis-primary.prod.internal');
  });

  it('parses the resync counters', () => {
    expect(stats).toEqual({ syncFull: 1, syncPartialOk: 3, syncPartialErr: 1 });
  });
});

describe('redis 6.2 replica during a disk-based full sync', () => {
  const { info, server, repl, stats } = load('redis-6.2-replica-full-sync.txt');

  it('parses the server section', () => {
    expect(server).toEqual({
      runId: '8cd775075b6e3fd408f76abe3debdaa32be61fb8',
      product: 'redis',
      version: '6.2.14',
      versionLabel: 'redis 6.2.14',
      mode: 'standalone',
      tcpPort: 6380,
      uptimeSeconds: 604811,
      startedAtSecond: 1699485231,
      configFile: '/etc/redis/redis-6380.conf',
    });
  });

  it('computes the percentage from read/total (6.2 prints no master_sync_perc)', () => {
    expect(info.fields['master_sync_perc']).toBeUndefined();
    expect(repl.sync).toEqual({ totalBytes: 188743680, readBytes: 75497472, percent: 40, lastIoSecondsAgo: 0 });
  });

  it('parses the link, the 6.2 fields and priority 0', () => {
    expect(withoutRaw(repl)).toEqual({
      role: 'replica',
      masterHost: '10.0.3.10',
      masterPort: 6379,
      linkStatus: 'down',
      lastIoSecondsAgo: null,
      syncInProgress: true,
      sync: { totalBytes: 188743680, readBytes: 75497472, percent: 40, lastIoSecondsAgo: 0 },
      linkDownSinceSeconds: 42,
      readReplOffset: 0,
      replicaReplOffset: 0,
      priority: 0,
      readOnly: true,
      replicaAnnounced: false,
      connectedReplicas: 0,
      syncClients: [],
      replicas: [],
      failoverState: 'no-failover',
      replid: '54fc916fad2b043160cb6a882fd42dae094412d3',
      replid2: null,
      masterReplOffset: 903711,
      secondReplOffset: null,
      backlog: { active: true, size: 1048576, firstByteOffset: 1, histlen: 903711 },
      minReplicasGood: null,
    });
    expect(repl.raw['master_sync_left_bytes']).toBe('113246208');
    expect(repl.raw).toEqual(info.sections['replication']);
  });

  it('parses the resync counters', () => {
    expect(stats).toEqual({ syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 });
  });
});

describe('redis 7.0, captured from real servers', () => {
  it('master with min-replicas-to-write set', () => {
    const { info, server, repl, stats } = load('redis-7.0-master.txt');
    expect(server).toEqual({
      runId: '5c79f9b43577a0e0f274f1094f2e2eeb08a33a55',
      product: 'redis',
      version: '7.0.15',
      versionLabel: 'redis 7.0.15',
      mode: 'standalone',
      tcpPort: 17301,
      uptimeSeconds: 20,
      startedAtSecond: 1795246184,
      configFile: null,
    });
    expect(withoutRaw(repl)).toEqual({
      role: 'master',
      ...NO_REPLICA_FIELDS,
      connectedReplicas: 1,
      syncClients: [],
      replicas: [{ address: '127.0.0.1:17302', state: 'online', ackOffset: 1345, ackAgeSeconds: 0 }],
      failoverState: 'no-failover',
      replid: '9f7f5e5bb387dd270cacff07e8ae0f0463378097',
      replid2: null,
      masterReplOffset: 1359,
      secondReplOffset: null,
      backlog: { active: true, size: 1048576, firstByteOffset: 1, histlen: 1359 },
      minReplicasGood: 1,
    });
    expect(repl.raw['min_slaves_good_slaves']).toBe('1');
    expect(Object.keys(repl.raw)).toHaveLength(13);
    // One full sync of a fresh replica counts as a failed partial attempt as well.
    expect(stats).toEqual({ syncFull: 1, syncPartialOk: 0, syncPartialErr: 1 });
    expect(isClusterEnabled(info.fields)).toBe(false);
  });

  it('replica of that master, in the same history', () => {
    const { server, repl, stats } = load('redis-7.0-replica.txt');
    expect(server.runId).toBe('825d930eab80fbb798af41d9d8eb7ee9bfb3e735');
    expect(server.tcpPort).toBe(17302);
    expect(withoutRaw(repl)).toEqual({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 17301,
      linkStatus: 'up',
      lastIoSecondsAgo: 0,
      syncInProgress: false,
      sync: null,
      linkDownSinceSeconds: null,
      readReplOffset: 1359,
      replicaReplOffset: 1359,
      priority: 100,
      readOnly: true,
      replicaAnnounced: true,
      connectedReplicas: 0,
      syncClients: [],
      replicas: [],
      failoverState: 'no-failover',
      replid: '9f7f5e5bb387dd270cacff07e8ae0f0463378097',
      replid2: null,
      masterReplOffset: 1359,
      secondReplOffset: null,
      backlog: { active: true, size: 1048576, firstByteOffset: 344, histlen: 1016 },
      minReplicasGood: null,
    });
    expect(Object.keys(repl.raw)).toHaveLength(21);
    expect(stats).toEqual({ syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 });
  });

  it('the same replica after REPLICAOF NO ONE keeps the old history as replid2', () => {
    const { server, repl } = load('redis-7.0-promoted.txt');
    expect(server.runId).toBe('825d930eab80fbb798af41d9d8eb7ee9bfb3e735');
    expect(repl.role).toBe('master');
    expect(repl.replid).toBe('502f1f5aacc1ad3f28d087c9ba23d4a7099897ad');
    expect(repl.replid2).toBe('9f7f5e5bb387dd270cacff07e8ae0f0463378097');
    expect(repl.secondReplOffset).toBe(1360);
    expect(repl.masterReplOffset).toBe(1409);
    expect(repl.connectedReplicas).toBe(0);
    expect(repl.replicas).toEqual([]);
    expect(repl.backlog).toEqual({ active: true, size: 1048576, firstByteOffset: 344, histlen: 1066 });
  });

  it('master streaming a diskless sync to a second replica', () => {
    const { info, server, repl, stats } = load('redis-7.0-master-diskless-sync.txt');
    expect(server.tcpPort).toBe(17311);
    expect(info.fields['rdb_bgsave_in_progress']).toBe('1');
    expect(repl.replicas).toEqual([
      { address: '127.0.0.1:17312', state: 'online', ackOffset: 0, ackAgeSeconds: 0 },
      { address: '127.0.0.1:17313', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 0 },
    ]);
    expect(repl.connectedReplicas).toBe(2);
    expect(repl.masterReplOffset).toBe(0);
    expect(repl.backlog).toEqual({ active: true, size: 1048576, firstByteOffset: 1, histlen: 0 });
    expect(stats).toEqual({ syncFull: 2, syncPartialOk: 0, syncPartialErr: 2 });
  });

  it('replica receiving that diskless sync: size unknown, so no percentage', () => {
    const { repl } = load('redis-7.0-replica-diskless-sync.txt');
    expect(repl.raw['master_sync_total_bytes']).toBe('0');
    expect(repl.raw['master_sync_left_bytes']).toBe('-590046');
    expect(repl.raw['master_sync_perc']).toBe('0.00');
    expect(withoutRaw(repl)).toEqual({
      role: 'replica',
      masterHost: '127.0.0.1',
      masterPort: 17311,
      linkStatus: 'down',
      lastIoSecondsAgo: null,
      syncInProgress: true,
      sync: { totalBytes: null, readBytes: 590046, percent: null, lastIoSecondsAgo: 0 },
      linkDownSinceSeconds: null,
      readReplOffset: 0,
      replicaReplOffset: 0,
      priority: 100,
      readOnly: true,
      replicaAnnounced: true,
      connectedReplicas: 0,
      syncClients: [],
      replicas: [],
      failoverState: 'no-failover',
      replid: '08352a8aa3bd56d5cba767b191033e30ec27689f',
      replid2: null,
      masterReplOffset: 0,
      secondReplOffset: null,
      backlog: { active: false, size: 1048576, firstByteOffset: 0, histlen: 0 },
      minReplicasGood: null,
    });
    expect(Object.keys(repl.raw)).toHaveLength(27);
  });

  it('cluster node', () => {
    const { info, server, repl } = load('redis-7.0-cluster-node.txt');
    expect(server.mode).toBe('cluster');
    expect(server.runId).toBe('f2910496d3ad7bd12c05804dcc31276464c527a3');
    expect(info.fields['cluster_enabled']).toBe('1');
    expect(isClusterEnabled(info.fields)).toBe(true);
    expect(repl.role).toBe('master');
    expect(repl.replid).toBe('2f61e668148ea693a696b8bb552bf894626c2b31');
    expect(repl.backlog).toEqual({ active: false, size: 1048576, firstByteOffset: 0, histlen: 0 });
  });

  it('sentinel: no replication section, one watched master', () => {
    const { info, server, repl, stats } = load('redis-7.0-sentinel.txt');
    expect(Object.keys(info.sections)).toEqual(['server', 'clients', 'stats', 'cpu', 'sentinel']);
    expect(server).toEqual({
      runId: '54eea0eae142158cd54c6c5e0a22d1ff074a52a8',
      product: 'redis',
      version: '7.0.15',
      versionLabel: 'redis 7.0.15',
      mode: 'sentinel',
      tcpPort: 17304,
      uptimeSeconds: 19,
      startedAtSecond: 1795246185,
      configFile: '/tmp/tmp.6GYVGepoz9/sentinel.conf',
    });
    expect(parseSentinelMasters(info.fields)).toEqual([
      { name: 'mymaster', status: 'ok', address: '127.0.0.1:17301', replicas: 1, sentinels: 1 },
    ]);
    expect(repl.role).toBe('unknown');
    expect(repl.connectedReplicas).toBeNull();
    expect(repl.replicas).toEqual([]);
    expect(repl.backlog).toBeNull();
    expect(repl.raw).toEqual({});
    // A Sentinel still prints the resync counters, all zero.
    expect(stats).toEqual({ syncFull: 0, syncPartialOk: 0, syncPartialErr: 0 });
    expect(isClusterEnabled(info.fields)).toBe(false);
  });
});

describe('valkey 8.0 during a dual-channel full sync', () => {
  it('master lists one replica on two lines and they merge into one', () => {
    const { info, server, repl, stats } = load('valkey-8.0-master-dual-channel.txt');
    expect(server).toEqual({
      runId: 'cfb8d3fab005230466df4aa37351248b90be2544',
      product: 'valkey',
      version: '8.0.1',
      versionLabel: 'valkey 8.0.1',
      mode: 'standalone',
      tcpPort: 6379,
      uptimeSeconds: 264019,
      startedAtSecond: 1732614420,
      configFile: '/etc/valkey/valkey.conf',
    });
    expect(info.fields['redis_version']).toBe('7.2.4');
    expect(info.fields['listener0']).toBe('name=tcp,bind=*,bind=-::*,port=6379');
    expect(withoutRaw(repl)).toEqual({
      role: 'master',
      ...NO_REPLICA_FIELDS,
      // Valkey counts the rdb channel as a connection: three lines, two replicas.
      connectedReplicas: 3,
      syncClients: [],
      replicas: [
        { address: '[fd00:4::11]:6379', state: 'online', ackOffset: 734003510, ackAgeSeconds: 0 },
        { address: '10.0.4.12:6379', state: 'bg_transfer', ackOffset: 0, ackAgeSeconds: 0 },
      ],
      failoverState: 'no-failover',
      replid: '03146b7f0a4d98f74488429f1c5fcf464a277abc',
      replid2: null,
      masterReplOffset: 734003650,
      secondReplOffset: null,
      backlog: { active: true, size: 10485760, firstByteOffset: 723517891, histlen: 10485760 },
      minReplicasGood: null,
    });
    expect(repl.raw['replicas_waiting_psync']).toBe('0');
    expect(repl.raw['slave1']).toBe('ip=10.0.4.12,port=6379,state=wait_bgsave,offset=0,lag=0,type=rdb-channel');
    expect(Object.keys(repl.raw)).toHaveLength(15);
    expect(stats).toEqual({ syncFull: 2, syncPartialOk: 6, syncPartialErr: 0 });
    expect(isClusterEnabled(info.fields)).toBe(false);
  });

  it('replica buffers the stream locally while the RDB arrives without a size', () => {
    const { server, repl } = load('valkey-8.0-replica-dual-channel.txt');
    expect(server.product).toBe('valkey');
    expect(server.version).toBe('8.0.1');
    expect(server.runId).toBe('1d7ef5c648d22127b4813de27d6730406a10c3d8');
    expect(repl.role).toBe('replica');
    expect(repl.masterHost).toBe('10.0.4.10');
    expect(repl.linkStatus).toBe('down');
    expect(repl.syncInProgress).toBe(true);
    expect(repl.sync).toEqual({ totalBytes: null, readBytes: 402653184, percent: null, lastIoSecondsAgo: 0 });
    expect(repl.linkDownSinceSeconds).toBeNull();
    expect(repl.raw['replicas_repl_buffer_size']).toBe('6291456');
    expect(repl.raw['replicas_repl_buffer_peak']).toBe('6291456');
    expect(Object.keys(repl.raw)).toHaveLength(30);
  });
});

describe('hostile input', () => {
  const text = fixture('hostile.txt');
  const { info, server, repl, stats } = load('hostile.txt');
  const ESC = '\u001b';

  it('stores __proto__ and constructor as plain keys without touching any prototype', () => {
    const server = info.sections['server'];
    expect(server && Object.hasOwn(server, '__proto__')).toBe(true);
    expect(server?.['__proto__']).toBe('x');
    expect(server?.['constructor']).toBe('y');
    expect(server?.['toString']).toBe('z');
    expect(server?.['hasOwnProperty']).toBe('1');
    expect(info.fields['constructor']).toBe('z');
    expect(info.sections['__proto__']).toEqual({ constructor: 'z' });
    expect(info.sections['constructor']).toEqual({ prototype: 'p' });
    // A '# __proto__' header must create a section, not swap the prototype of `sections`.
    expect(Object.hasOwn(info.sections, '__proto__')).toBe(true);
    expect(Object.hasOwn(info.fields, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(info.fields))['__proto__']).toBe('x');
  });

  it('ignores lines without a key and keeps odd sections', () => {
    expect(Object.keys(info.sections)).toEqual([
      'server',
      '',
      'replication',
      'stats',
      'sentinel',
      'cluster',
      '__proto__',
      'constructor',
    ]);
    expect(info.fields['early_key']).toBe('before-any-header');
    expect(info.fields['']).toBeUndefined();
    expect(Object.keys(info.fields).some((key) => key.includes('no colon'))).toBe(false);
    // 70,000 characters: cut to the field cap, and saying so.
    expect(info.fields['huge_field']).toBe(`${'A'.repeat(MAX_FIELD_CHARS)}… [cut: 70000 characters]`);
    expect(info.cuts).toEqual({ replyChars: text.length, linesSkipped: 0, fieldsCut: 1, fields: [{ key: 'huge_field', chars: 70000 }] });
  });

  it('keeps control characters and escapes verbatim', () => {
    expect(text).toContain(ESC);
    expect(server.runId).toBe(`${ESC}[2J${ESC}[Hrun\u0007id\b`);
    expect(repl.failoverState).toBe(`${ESC}[1mfailover-in-progress`);
    expect(repl.replid).toBe('<script>alert(1)</script>');
  });

  it('rejects malformed server values', () => {
    expect(server).toEqual({
      runId: `${ESC}[2J${ESC}[Hrun\u0007id\b`,
      // An escaped "valkey" is not valkey.
      product: 'redis',
      version: '7.0.15',
      versionLabel: 'redis 7.0.15',
      mode: null,
      // tcp_port appears twice: '6379abc', then '63790', which wins.
      tcpPort: 63790,
      uptimeSeconds: null,
      startedAtSecond: null,
      configFile: 'C:\\redis\\redis.conf:with:colons',
    });
    expect(isClusterEnabled(info.fields)).toBe(false);
  });

  it('turns every malformed replication value into null', () => {
    expect(withoutRaw(repl)).toEqual({
      role: 'unknown',
      masterHost: null,
      masterPort: null,
      linkStatus: null,
      lastIoSecondsAgo: null,
      syncInProgress: true,
      // No usable total, so the reported 250.5 % is taken and clamped.
      sync: { totalBytes: null, readBytes: null, percent: 100, lastIoSecondsAgo: null },
      linkDownSinceSeconds: null,
      readReplOffset: null,
      replicaReplOffset: null,
      priority: null,
      readOnly: null,
      replicaAnnounced: null,
      connectedReplicas: null,
      syncClients: [],
      replicas: [
        // slave2 appears twice; the second line wins.
        { address: '10.0.0.12:6390', state: 'send_bulk', ackOffset: 0, ackAgeSeconds: 0 },
        // Repeated ip: last wins; negative lag clamps to 0; the state stays verbatim.
        { address: '10.0.0.3:6381', state: `${ESC}[31monline${ESC}[0m`, ackOffset: 12, ackAgeSeconds: 0 },
        { address: '10.0.0.10:6388', state: 'online', ackOffset: 7, ackAgeSeconds: 1 },
      ],
      failoverState: `${ESC}[1mfailover-in-progress`,
      replid: '<script>alert(1)</script>',
      replid2: null,
      masterReplOffset: null,
      secondReplOffset: null,
      backlog: null,
      minReplicasGood: null,
    });
  });

  it('keeps the whole replication section, garbage included, in raw', () => {
    expect(repl.raw['role']).toBe('evil');
    expect(repl.raw['slave0']).toBe('garbage');
    expect(repl.raw['slave_1']).toBe('ip=10.0.0.11,port=6389,state=online,offset=7,lag=1');
    expect(Object.keys(repl.raw)).toHaveLength(37);
  });

  it('gives no stats when a counter is unusable', () => {
    expect(info.fields['sync_full']).toBe('12');
    expect(stats).toBeNull();
  });

  it('keeps sentinel lines with a name and nulls their bad numbers', () => {
    expect(parseSentinelMasters(info.fields)).toEqual([
      { name: `${ESC}[31mevil`, status: 'odown', address: null, replicas: null, sentinels: null },
    ]);
  });
});

describe('parseServer', () => {
  it('treats Valkey 7.2 (server_name, no valkey_version) as valkey with its redis_version', () => {
    expect(parseServer({ server_name: 'valkey', redis_version: '7.2.5', redis_mode: 'standalone' })).toMatchObject({
      product: 'valkey',
      version: '7.2.5',
      versionLabel: 'valkey 7.2.5',
      mode: 'standalone',
    });
  });

  it('uses server_mode when redis_mode is missing', () => {
    expect(parseServer({ valkey_version: '8.0.1', server_mode: 'cluster' })).toMatchObject({
      product: 'valkey',
      version: '8.0.1',
      versionLabel: 'valkey 8.0.1',
      mode: 'cluster',
    });
    expect(isClusterEnabled({ server_mode: 'cluster', cluster_enabled: '0' })).toBe(true);
  });

  it('returns nulls for an empty map and ignores inherited properties', () => {
    expect(parseServer({})).toEqual({
      runId: null,
      product: 'redis',
      version: null,
      versionLabel: null,
      mode: null,
      tcpPort: null,
      uptimeSeconds: null,
      startedAtSecond: null,
      configFile: null,
    });
    const inherited = Object.create({ run_id: 'from-prototype' }) as Record<string, string>;
    expect(parseServer(inherited).runId).toBeNull();
  });
});

describe('parseReplication edge cases', () => {
  const line = (fields: string): Record<string, string> => parseInfo(`# Replication\n${fields}`).fields;

  it('reads a pre-6.2 "never connected" link-down time (the Unix time) as null', () => {
    const fields = {
      ...line('role:slave\nmaster_link_status:down\nmaster_link_down_since_seconds:1700090042\n'),
      uptime_in_seconds: '12',
    };
    expect(parseReplication(fields).linkDownSinceSeconds).toBeNull();
    expect(parseReplication({ ...fields, master_link_down_since_seconds: '9' }).linkDownSinceSeconds).toBe(9);
    // Without uptime there is nothing to compare with: the value is kept.
    expect(parseReplication(line('master_link_down_since_seconds:1700090042')).linkDownSinceSeconds).toBe(1700090042);
    expect(parseReplication(line('master_link_down_since_seconds:-1')).linkDownSinceSeconds).toBeNull();
  });

  it('reports no percentage before the size of the transfer is known', () => {
    // Real 7.0 output right after REPLICAOF: total -1, perc -0.00.
    const fields = line(
      'master_sync_in_progress:1\nmaster_sync_total_bytes:-1\nmaster_sync_read_bytes:0\nmaster_sync_left_bytes:-1\nmaster_sync_perc:-0.00\nmaster_sync_last_io_seconds_ago:0',
    );
    expect(parseReplication(fields).sync).toEqual({ totalBytes: null, readBytes: 0, percent: null, lastIoSecondsAgo: 0 });
  });

  it('prefers master_sync_perc, clamps it, and ignores sync fields when no sync runs', () => {
    const base = 'master_sync_total_bytes:1000\nmaster_sync_read_bytes:250\n';
    expect(parseReplication(line(`master_sync_in_progress:1\n${base}master_sync_perc:25.50`)).sync?.percent).toBe(25.5);
    expect(parseReplication(line(`master_sync_in_progress:1\n${base}master_sync_perc:-3`)).sync?.percent).toBe(0);
    expect(parseReplication(line(`master_sync_in_progress:1\n${base}master_sync_perc:abc`)).sync?.percent).toBe(25);
    expect(parseReplication(line(`master_sync_in_progress:1\nmaster_sync_total_bytes:10\nmaster_sync_read_bytes:30`)).sync?.percent).toBe(100);
    expect(parseReplication(line(`master_sync_in_progress:0\n${base}`)).sync).toBeNull();
    expect(parseReplication(line('master_sync_in_progress:1')).sync).toEqual({
      totalBytes: null,
      readBytes: null,
      percent: null,
      lastIoSecondsAgo: null,
    });
  });

  it('reads replica_* spellings of priority and read-only', () => {
    const repl = parseReplication(line('role:slave\nreplica_priority:7\nreplica_read_only:0'));
    expect(repl.priority).toBe(7);
    expect(repl.readOnly).toBe(false);
  });

  it('accepts large offsets but not past the safe-integer range', () => {
    expect(parseReplication(line('master_repl_offset:9007199254740991')).masterReplOffset).toBe(9007199254740991);
    expect(parseReplication(line('master_repl_offset:9007199254740993')).masterReplOffset).toBeNull();
    expect(parseReplication(line('master_repl_offset:12abc')).masterReplOffset).toBeNull();
    expect(parseReplication(line('master_repl_offset:')).masterReplOffset).toBeNull();
    // Only an optional minus and ASCII digits are a number: no sign alone, exponent, space, plus or other digits.
    for (const text of ['-', '1e3', ' 12', '12 ', '+12', '0x1f', '١٢', '1.5', '--1']) {
      expect(parseReplication(line(`master_repl_offset:${text}`)).masterReplOffset, text).toBeNull();
    }
    expect(parseReplication(line('role:slave\nslave_priority:-1\nmaster_last_io_seconds_ago:-1')).priority).toBeNull();
    expect(parseReplication(line('role:slave\nmaster_link_down_since_seconds:-1\nmaster_last_io_seconds_ago:007')).lastIoSecondsAgo).toBe(7);
  });

  it('takes raw from the section when given the section, and by key name from a hand-built map', () => {
    const info = parseInfo(fixture('redis-7.0-replica.txt'));
    const section = info.sections['replication'] ?? {};
    expect(parseReplication(section).raw).toEqual(section);
    const copied = parseReplication({ ...info.fields, replica_full_sync_buffer_size: '0' }).raw;
    expect(Object.keys(copied)).toHaveLength(22);
    expect(copied['replica_full_sync_buffer_size']).toBe('0');
    expect(copied['slave_expires_tracked_keys']).toBeUndefined();
    expect(copied['redis_version']).toBeUndefined();
  });
});

describe('listed replicas', () => {
  const replicas = (lines: string[]) =>
    parseReplication(parseInfo(`# Replication\n${lines.map((l, i) => `slave${i}:${l}`).join('\n')}`).fields).replicas;

  it('merges a dual-channel pair whichever line comes first, taking offset and lag from the main channel', () => {
    const main = 'ip=10.0.0.5,port=6379,state=bg_transfer,offset=5000,lag=2,type=main-channel';
    const rdb = 'ip=10.0.0.5,port=6379,state=send_bulk,offset=0,lag=0,type=rdb-channel';
    const merged = [{ address: '10.0.0.5:6379', state: 'bg_transfer', ackOffset: 5000, ackAgeSeconds: 2 }];
    expect(replicas([rdb, main])).toEqual(merged);
    expect(replicas([main, rdb])).toEqual(merged);
  });

  it('takes the state that is further along from either line', () => {
    const main = 'ip=10.0.0.5,port=6379,state=wait_bgsave,offset=10,lag=0,type=replica';
    const rdb = 'ip=10.0.0.5,port=6379,state=send_bulk,offset=0,lag=0,type=rdb-channel';
    expect(replicas([main, rdb])).toEqual([
      { address: '10.0.0.5:6379', state: 'send_bulk', ackOffset: 10, ackAgeSeconds: 0 },
    ]);
  });

  it('lists an rdb-channel line on its own as its state', () => {
    expect(replicas(['ip=10.0.0.5,port=6379,state=wait_bgsave,offset=0,lag=0,type=rdb-channel'])).toEqual([
      { address: '10.0.0.5:6379', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 0 },
    ]);
  });

  it('does not merge two plain lines that share an address', () => {
    const line = 'ip=10.0.0.5,port=6379,state=online,offset=10,lag=0';
    expect(replicas([line, line])).toHaveLength(2);
    expect(replicas([`${line},type=replica`, `${line},type=replica`])).toHaveLength(2);
  });

  it('does not merge lines of different addresses', () => {
    expect(
      replicas([
        'ip=10.0.0.5,port=6379,state=online,offset=10,lag=0,type=replica',
        'ip=10.0.0.5,port=6380,state=wait_bgsave,offset=0,lag=0,type=rdb-channel',
      ]).map((r) => r.address),
    ).toEqual(['10.0.0.5:6379', '10.0.0.5:6380']);
  });

  it('orders lines by their number, not by insertion', () => {
    const fields = parseInfo(
      '# Replication\nslave10:ip=b,port=2,state=online,offset=0,lag=0\nslave2:ip=a,port=1,state=online,offset=0,lag=0\n',
    ).fields;
    expect(parseReplication(fields).replicas.map((r) => r.address)).toEqual(['a:1', 'b:2']);
  });

  it('lists a repeated slaveN line once, with its last value, from the reply as from its flat map', () => {
    const info = parseInfo(
      '# Replication\nslave0:ip=a,port=1,state=online,offset=0,lag=0\nslave1:ip=b,port=2,state=online,offset=0,lag=0\nslave0:ip=c,port=3,state=online,offset=0,lag=0\n',
    );
    expect(parseReplication(info).replicas.map((r) => r.address)).toEqual(['c:3', 'b:2']);
    expect(parseReplication(info.fields).replicas).toEqual(parseReplication(info).replicas);
    expect(parseReplication(info).listedLines).toBe(2);
  });

  it('brackets IPv6 addresses once', () => {
    expect(replicas(['ip=::1,port=6380,state=online,offset=1,lag=0'])[0]?.address).toBe('[::1]:6380');
    expect(replicas(['ip=[::1],port=6380,state=online,offset=1,lag=0'])[0]?.address).toBe('[::1]:6380');
  });

  it('keeps a line with port 0 apart as a sync client (redis-cli --rdb), counted among the lines but no replica', () => {
    const info = parseInfo(
      ['# Replication', 'role:master', 'connected_slaves:2', 'slave0:ip=10.0.0.1,port=0,state=wait_bgsave,offset=0,lag=3', 'slave1:ip=10.0.0.2,port=6379,state=online,offset=9,lag=0'].join('\r\n'),
    );
    const replication = parseReplication(info);
    expect(replication.replicas.map((r) => r.address)).toEqual(['10.0.0.2:6379']);
    expect(replication.syncClients).toEqual([{ ip: '10.0.0.1', state: 'wait_bgsave', ackOffset: 0, ackAgeSeconds: 3 }]);
    expect(replication.listedLines).toBe(2);
  });
});

describe('parseStats and parseSentinelMasters', () => {
  it('returns null when the counters are absent', () => {
    expect(parseStats({})).toBeNull();
    expect(parseStats({ sync_full: '1', sync_partial_ok: '2' })).toBeNull();
  });

  it('orders sentinel masters by number and defaults a missing status', () => {
    expect(
      parseSentinelMasters({
        master1: 'name=b,status=sdown,address=10.0.0.2:6379,slaves=0,sentinels=3',
        master0: 'name=a,address=10.0.0.1:6379,slaves=2,sentinels=3',
        master_host: '10.0.0.9',
      }),
    ).toEqual([
      { name: 'a', status: 'unknown', address: '10.0.0.1:6379', replicas: 2, sentinels: 3 },
      { name: 'b', status: 'sdown', address: '10.0.0.2:6379', replicas: 0, sentinels: 3 },
    ]);
  });
});

describe('caps: whatever a server sends, the result stays small', () => {
  const replicaLine = (i: number, ip = `10.1.${i >> 8}.${i & 255}`) => `slave${i}:ip=${ip},port=6379,state=online,offset=5,lag=0`;

  it('cuts a 20 MB field to the field cap, says so in the value, and still reads the fields after it', () => {
    const huge = 'B'.repeat(20 * 1024 * 1024);
    const info = parseInfo(`# Replication\r\nrole:master\r\nx_proxy_note:${huge}\r\nmaster_repl_offset:77\r\n`);
    const repl = parseReplication(info);
    expect(repl.raw['x_proxy_note']).toBe(`${'B'.repeat(MAX_FIELD_CHARS)}… [cut: ${huge.length} characters]`);
    expect(repl.masterReplOffset).toBe(77);
    expect(info.cuts).toEqual({ replyChars: expect.any(Number), linesSkipped: 0, fieldsCut: 1, fields: [{ key: 'x_proxy_note', chars: huge.length }] });
    expect(JSON.stringify(repl).length).toBeLessThan(4 * MAX_FIELD_CHARS);
  });

  it('turns a cut numeric or id field into nothing usable rather than a wrong value', () => {
    const info = parseInfo(`# Replication\nrole:master\nmaster_repl_offset:${'9'.repeat(5000)}\nmaster_replid:${'a'.repeat(5000)}\n`);
    const repl = parseReplication(info);
    expect(repl.masterReplOffset).toBeNull();
    expect(repl.replid?.length).toBeLessThan(MAX_FIELD_CHARS + 40);
    expect(info.cuts?.fieldsCut).toBe(2);
  });

  it('reads at most the reply cap and counts the lines it skipped', () => {
    const lines = Array.from({ length: 40_000 }, (_, i) => `key_${i}:${'v'.repeat(40)}`);
    const info = parseInfo(`# Stats\n${lines.join('\n')}\n`);
    const read = Object.keys(info.fields).length;
    expect(read).toBeGreaterThan(MAX_INFO_CHARS / 60);
    expect(read).toBeLessThan(MAX_INFO_CHARS / 40);
    expect(info.fields['key_0']).toBe('v'.repeat(40));
    expect(info.fields['key_39999']).toBeUndefined();
    expect(info.cuts?.linesSkipped).toBe(40_000 - read);
    expect(info.cuts?.fieldsCut).toBe(0);
  });

  it('drops a line whose key is longer than the field cap, and one long line without any colon', () => {
    const info = parseInfo(`# Server\n${'k'.repeat(3000)}:1\n${'z'.repeat(5000)}\nrun_id:abc\n`);
    expect(Object.keys(info.fields)).toEqual(['run_id']);
    expect(info.cuts?.fieldsCut).toBe(2);
    expect(info.cuts?.fields.map((f) => f.key)).toEqual(['k'.repeat(64), 'z'.repeat(64)]);
  });

  it('cuts a section header as long as a field', () => {
    const info = parseInfo(`# ${'S'.repeat(5000)}\nkey:value\n`);
    expect(Object.keys(info.sections)[0]).toHaveLength(MAX_FIELD_CHARS);
  });

  it('names only the first few cut fields, and counts all of them', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `f${i}:${'x'.repeat(MAX_FIELD_CHARS + 1)}`);
    const info = parseInfo(lines.join('\n'));
    expect(info.cuts?.fieldsCut).toBe(30);
    expect(info.cuts?.fields).toHaveLength(10);
  });

  it('reads the first replica lines of 10,000 by number, counts them all, and keeps only those in raw', () => {
    // Written out of order: the cap keeps the lowest numbers, not the first lines.
    const lines = Array.from({ length: 10_000 }, (_, i) => replicaLine(9_999 - i));
    const repl = parseReplication(parseInfo(`# Replication\nrole:master\nconnected_slaves:10000\n${lines.join('\n')}\n`).fields);
    expect(repl.listedLines).toBe(10_000);
    expect(repl.replicas).toHaveLength(MAX_REPLICA_LINES);
    expect(repl.replicas[0]?.address).toBe('10.1.0.0:6379');
    expect(repl.replicas[MAX_REPLICA_LINES - 1]?.address).toBe(`10.1.${(MAX_REPLICA_LINES - 1) >> 8}.${(MAX_REPLICA_LINES - 1) & 255}:6379`);
    const rawLines = Object.keys(repl.raw).filter((k) => /^slave\d+$/.test(k));
    expect(rawLines).toHaveLength(MAX_REPLICA_LINES);
    expect(repl.raw['slave9999']).toBeUndefined();
    expect(repl.raw['connected_slaves']).toBe('10000');
  });

  it('reads at most as many Sentinel masters as replica lines', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `master${i}:name=m${i},status=ok,address=10.0.0.1:${i + 1},slaves=1,sentinels=3`);
    const masters = parseSentinelMasters(parseInfo(`# Sentinel\n${lines.join('\n')}\n`).fields);
    expect(masters).toHaveLength(MAX_REPLICA_LINES);
    expect(masters[0]?.name).toBe('m0');
  });

  it('counts the replica lines of an ordinary reply', () => {
    expect(load('redis-7.0-master-diskless-sync.txt').repl.listedLines).toBe(2);
    // Three lines, two of them one replica's dual-channel pair.
    expect(load('valkey-8.0-master-dual-channel.txt').repl.listedLines).toBe(3);
    expect(load('redis-7.0-replica.txt').repl.listedLines).toBe(0);
  });

  it('merges dual-channel pairs among a thousand lines of one address, and keeps plain duplicates apart', () => {
    const rdb = 'ip=10.0.0.9,port=6379,state=send_bulk,offset=0,lag=0,type=rdb-channel';
    const main = (i: number) => `ip=10.0.0.9,port=6379,state=bg_transfer,offset=${i},lag=0,type=main-channel`;
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(main(i), rdb);
    const fields = parseInfo(`# Replication\n${lines.map((l, i) => `slave${i}:${l}`).join('\n')}`).fields;
    const replicas = parseReplication(fields).replicas;
    expect(replicas).toHaveLength(500);
    expect(replicas.map((r) => r.ackOffset)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const plain = Array.from({ length: 1000 }, (_, i) => `slave${i}:ip=10.0.0.9,port=6379,state=online,offset=1,lag=0`);
    expect(parseReplication(parseInfo(plain.join('\n')).fields).replicas).toHaveLength(1000);
  });
});

describe('readReplication: the text read straight to its fields, as parseReplication(parseInfo(text)) reads it', () => {
  const replicaLine = (i: number) => `slave${i}:ip=10.0.0.${i % 250},port=${6379 + i},state=online,offset=${i},lag=0`;
  const texts: [string, string][] = [
    ...readdirSync(new URL('../fixtures/info/', import.meta.url)).map((name): [string, string] => [name, fixture(name)]),
    ['empty', ''],
    ['no header', 'role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n'],
    ['fields before the header and a duplicate after', 'master_repl_offset:5\n# Replication\nrole:master\nmaster_repl_offset:9\n'],
    ['a field repeated in a second section', '# Server\nuptime_in_seconds:100\n# Replication\nrole:slave\nmaster_link_down_since_seconds:1700000000\n# Other\nrole:master\n'],
    ['a repeated header', '# Replication\nrole:slave\n# Replication\nmaster_host:h\nmaster_port:1\n'],
    ['slave keys repeated, odd and out of order', `# Replication\nrole:master\n${replicaLine(3)}\nslave01:ip=1.1.1.1,port=1,state=online,offset=1,lag=0\n${replicaLine(1)}\nslave_x:1\nslavey:2\n${replicaLine(3).replace('offset=3', 'offset=30')}\n`],
    ['more replica lines than are read', `# Replication\nrole:master\n${Array.from({ length: MAX_REPLICA_LINES + 5 }, (_, i) => replicaLine(MAX_REPLICA_LINES + 4 - i)).join('\n')}\n`],
    ['cut fields and a keyless line', `# Replication\nrole:slave\nmaster_replid:${'a'.repeat(MAX_FIELD_CHARS + 9)}\n${'k'.repeat(MAX_FIELD_CHARS + 1)}:1\n:x\nmaster_port:6379\n`],
    ['past the reply cap', `# Replication\nrole:master\n${Array.from({ length: 30_000 }, (_, i) => `pad_${i}:${'v'.repeat(40)}`).join('\n')}\nmaster_repl_offset:7\n`],
    ['CR only and CRLF mixed', '# Replication\r\nrole:slave\rmaster_host:x\r\nmaster_port:7\n\r\nmaster_sync_in_progress:1\r\nmaster_sync_perc:12.5\r\n'],
    ['prototype keys', '# Replication\n__proto__:1\nconstructor:2\nrole:master\nhasOwnProperty:3\n'],
    // Past MAX_INFO_CHARS: read through the lines kept of it (ReadLines), not the reply.
    [
      'long: a huge field among odd lines',
      `master_repl_offset:5\r\n#  Replication  \r\nrole:slave\r\nx_note:${'A'.repeat(MAX_INFO_CHARS + 5)}\r\nmaster_host:h\r\n:x\r\n${'k'.repeat(MAX_FIELD_CHARS + 1)}:1\r\nvalue_with_cr:v\r\r\nmid:a\rb\r\n# REPLICATION\r\nmaster_port:7\r\nmaster_host:h2\r\n# Other\r\nrole:master\r\n__proto__:p\r\nkeyless line\r\n#\r\nlast:1`,
    ],
    ['long: more replica lines than are read', `# Replication\nrole:master\n${Array.from({ length: 20_000 }, (_, i) => replicaLine(19_999 - i)).join('\n')}\nmaster_repl_offset:7\n`],
    ['long: one line', `${'k'.repeat(MAX_INFO_CHARS + 1)}`],
    ['long: one field', `x_note:${'v'.repeat(MAX_INFO_CHARS + 1)}`],
  ];

  it.each(texts)('%s', (_name, text) => {
    const parsed = parseInfo(text);
    const expected = parseReplication(parsed, 42);
    const { info, cuts } = readReplication(text, 42);
    expect(withoutRaw(info)).toEqual(withoutRaw(expected));
    expect(info.listedLines).toBe(expected.listedLines);
    expect(info.raw).toEqual(expected.raw);
    expect(cuts).toEqual(parsed.cuts);
  });
});
