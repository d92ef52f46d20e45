import { describe, expect, it } from 'vitest';
import { LOAD_FIELDS, MAX_INFO_CHARS, parseInfo, parseLoad, pickFields } from '../../electron/engine/info-parser';

const fields = (text: string): Record<string, string> => parseInfo(text).fields;

const STATS_TEXT = '# Stats\r\ntotal_connections_received:12\r\ninstantaneous_ops_per_sec:1532\r\ninstantaneous_input_kbps:61.25\r\ninstantaneous_output_kbps:0.02\r\nsync_full:1\r\n';
const STATS = fields(STATS_TEXT);
const MEMORY = fields('# Memory\r\nused_memory:2035488\r\nused_memory_human:1.94M\r\nmaxmemory:104857600\r\nmaxmemory_policy:noeviction\r\nmem_not_counted_for_evict:4096\r\n');
const CLIENTS = fields('# Clients\r\nconnected_clients:7\r\nblocked_clients:0\r\n');
const PERSISTENCE = fields(
  [
    '# Persistence',
    'loading:0',
    'rdb_changes_since_last_save:42',
    'rdb_bgsave_in_progress:1',
    'rdb_last_save_time:1764745200',
    'rdb_last_bgsave_status:ok',
    'aof_enabled:1',
    'aof_rewrite_in_progress:0',
    'aof_last_write_status:err',
  ].join('\r\n'),
);

describe('parseLoad', () => {
  it('reads ops/s, network in bytes/s, memory, maxmemory, clients and persistence', () => {
    expect(parseLoad({ stats: STATS, memory: MEMORY, clients: CLIENTS, persistence: PERSISTENCE }, 5000)).toEqual({
      readAt: 5000,
      opsPerSecond: 1532,
      netInputBytesPerSecond: 62_720,
      netOutputBytesPerSecond: 20,
      usedMemoryBytes: 2_035_488,
      maxMemoryBytes: 104_857_600,
      maxMemoryPolicy: 'noeviction',
      memoryNotCountedBytes: 4096,
      keysWithTtl: null,
      connectedClients: 7,
      persistence: {
        rdbSaveInProgress: true,
        aofRewriteInProgress: false,
        lastSaveStatus: 'ok',
        lastSaveAt: 1_764_745_200_000,
        changesSinceLastSave: 42,
        aofLastWriteStatus: 'err',
        loading: null,
      },
    });
  });

  it('a node loading its dataset says how far and how long left', () => {
    const loading = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nloading:1\nloading_loaded_perc:42.37\nloading_eta_seconds:17');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: loading }, 1).persistence?.loading).toEqual({ percent: 42.37, etaSeconds: 17 });
  });

  it('maxmemory 0 is no limit; AOF off has no AOF write status; missing sections are null', () => {
    const load = parseLoad(
      {
        stats: null,
        memory: fields('used_memory:10\nmaxmemory:0'),
        clients: null,
        persistence: fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:1\naof_enabled:0\naof_last_write_status:ok\nrdb_last_save_time:0'),
      },
      1,
    );
    expect(load.maxMemoryBytes).toBeNull();
    expect(load.opsPerSecond).toBeNull();
    expect(load.connectedClients).toBeNull();
    expect(load.persistence).toMatchObject({ rdbSaveInProgress: false, aofRewriteInProgress: true, aofLastWriteStatus: null, lastSaveAt: null });
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: null }, 1).persistence).toBeNull();
    // No RDB save since start (7.0+ says rdb_saves:0): the start time Redis reports as its last
    // save, and its default "ok", are no save at all.
    const unsaved = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745200\nrdb_last_bgsave_status:ok\nrdb_saves:0');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: unsaved }, 1).persistence).toMatchObject({ lastSaveStatus: null, lastSaveAt: null });
    const savedOnce = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745200\nrdb_last_bgsave_status:ok\nrdb_saves:1');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: savedOnce }, 1).persistence).toMatchObject({ lastSaveStatus: 'ok', lastSaveAt: 1_764_745_200_000 });
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: fields('loading:0') }, 1).persistence).toBeNull();
    // With its start known (server_time_usec less uptime): a save time no later than the start is Redis's
    // own start, whether or not a save was tried (rdb_saves counts failed ones, and CONFIG RESETSTAT zeroes it).
    const started = 1_764_745_200;
    const failedOnly = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745200\nrdb_last_bgsave_status:err\nrdb_saves:2');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: failedOnly }, 1, started).persistence).toMatchObject({ lastSaveStatus: 'err', lastSaveAt: null });
    const afterResetStat = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745200\nrdb_last_bgsave_status:err\nrdb_saves:0');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: afterResetStat }, 1, started).persistence).toMatchObject({ lastSaveStatus: 'err', lastSaveAt: null });
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: afterResetStat }, 1).persistence).toMatchObject({ lastSaveStatus: 'err', lastSaveAt: null });
    const savedLater = fields('rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_save_time:1764745260\nrdb_last_bgsave_status:ok\nrdb_saves:0');
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: savedLater }, 1, started).persistence).toMatchObject({ lastSaveStatus: 'ok', lastSaveAt: 1_764_745_260_000 });
    expect(parseLoad({ stats: null, memory: null, clients: null, persistence: savedOnce }, 1, started).persistence).toMatchObject({ lastSaveStatus: null, lastSaveAt: null });
  });

  it('turns hostile values (not numbers, negative, huge, exponents) into null, never NaN or Infinity', () => {
    const huge = '9'.repeat(400);
    const load = parseLoad(
      {
        stats: fields(`instantaneous_ops_per_sec:abc\ninstantaneous_input_kbps:${huge}.5\ninstantaneous_output_kbps:-3.5`),
        memory: fields(`used_memory:${huge}\nmaxmemory:-1\nmaxmemory_policy:NoEviction;rm -rf\nmem_not_counted_for_evict:-7`),
        clients: fields('connected_clients:1e3'),
        persistence: fields(`rdb_bgsave_in_progress:yes\naof_rewrite_in_progress:2\nrdb_last_bgsave_status:OK\nrdb_last_save_time:${Number.MAX_SAFE_INTEGER}\nrdb_changes_since_last_save:-5`),
        keyspace: `db0:keys=1,expires=${huge},avg_ttl=0\r\ndb1:keys=1,expires=-4`,
      },
      1,
    );
    expect(load).toEqual({
      readAt: 1,
      opsPerSecond: null,
      netInputBytesPerSecond: null,
      netOutputBytesPerSecond: null,
      usedMemoryBytes: null,
      maxMemoryBytes: null,
      maxMemoryPolicy: null,
      memoryNotCountedBytes: null,
      keysWithTtl: null,
      connectedClients: null,
      persistence: null,
    });
    const json = JSON.stringify(load);
    expect(json).not.toMatch(/NaN|Infinity/);
    const flagsOnly = parseLoad({ stats: null, memory: null, clients: null, persistence: fields(`rdb_bgsave_in_progress:1\nrdb_last_save_time:${Number.MAX_SAFE_INTEGER}\nrdb_changes_since_last_save:-5\nrdb_last_bgsave_status:OK\nloading:1\nloading_loaded_perc:NaN\nloading_eta_seconds:-1`) }, 1);
    expect(flagsOnly.persistence).toEqual({
      rdbSaveInProgress: true,
      aofRewriteInProgress: false,
      lastSaveStatus: null,
      lastSaveAt: null,
      changesSinceLastSave: null,
      aofLastWriteStatus: null,
      loading: { percent: null, etaSeconds: null },
    });
  });

  it('does not read a field from the prototype of a hand-built map', () => {
    const proto = { instantaneous_ops_per_sec: '5' };
    const stats = Object.create(proto) as Record<string, string>;
    expect(parseLoad({ stats, memory: null, clients: null, persistence: null }, 1).opsPerSecond).toBeNull();
  });
});

describe('pickFields', () => {
  it('reads only the keys asked, as parseInfo would: last duplicate wins, CRLF or LF, values cut', () => {
    const text = `# Memory\r\nused_memory_human:1M\r\nused_memory:10\r\nmaxmemory:0\r\nused_memory:20\r\nx:used_memory:5\nconnected_clients:${'9'.repeat(2000)}`;
    const picked = pickFields(text, ['used_memory', 'maxmemory', 'connected_clients', 'missing']);
    expect(picked.used_memory).toBe('20');
    expect(picked.maxmemory).toBe('0');
    expect(Object.hasOwn(picked, 'missing')).toBe(false);
    expect(picked.connected_clients).toContain('[cut: 2000 characters]');
    expect(pickFields('used_memory:7', ['used_memory']).used_memory).toBe('7');
    expect(pickFields('', ['used_memory'])).toEqual({});
    // A key that begins another is told apart from it; a lone \r starts no line (parseInfo's rule).
    expect({ ...pickFields('loading_loaded_perc:5\r\nloading:1\r\n', ['loading', 'loading_loaded_perc']) }).toEqual({ loading: '1', loading_loaded_perc: '5' });
    expect({ ...pickFields('aof_enabled:0\rloading:1\r\n', ['loading', 'aof_enabled']) }).toEqual({ aof_enabled: '0\rloading:1' });
    // Nothing past MAX_INFO_CHARS is read.
    const long = `loading:0\nx:${'x'.repeat(MAX_INFO_CHARS)}\nloading:1\n`;
    expect(pickFields(long, ['loading']).loading).toBe('0');
    expect(pickFields(long.slice(MAX_INFO_CHARS - 20), ['loading']).loading).toBe('1');
    // The same figures as through parseInfo.
    const sections = { stats: pickFields(STATS_TEXT, LOAD_FIELDS.stats), memory: null, clients: null, persistence: null };
    expect(parseLoad(sections, 1)).toEqual(parseLoad({ ...sections, stats: fields(STATS_TEXT) }, 1));
  });
});
