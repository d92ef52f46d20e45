import { describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../electron/engine/client-registry';
import { createRecord, LOAD_EVERY, pollNode } from '../../electron/engine/node-record';
import { FakeRespServer } from '../helpers/fake-resp-server';

// 127.77.0.0/16 is loopback where nothing listens (the labs use 127.0.0.1): a dial is refused at once.
const DEAD = '127.77.0.1:6379';

describe('pollNode: what costs more than it is worth is read less often', () => {
  it('dials a listed address that never answered after 1, 2, 4 … polls, up to 30', async () => {
    const registry = new ClientRegistry({ connectTimeoutMs: 500, maxBackoffMs: 1 });
    try {
      const ghost = createRecord(DEAD, DEAD, false, 10);
      ghost.listedBy = '127.0.0.1:6379';
      const dialled: boolean[] = [];
      for (let poll = 0; poll < 40; poll++) {
        const before = ghost.skipPolls;
        await pollNode(registry, ghost);
        dialled.push(before === 0);
        expect(ghost.reachable).toBe(false);
        expect(ghost.error?.code).toBe('UNREACHABLE');
      }
      const dialPolls = dialled.flatMap((d, i) => (d ? [i] : []));
      expect(dialPolls).toEqual([0, 2, 6, 14, 30]);
      expect(ghost.readEvery).toBe(30);
    } finally {
      registry.disconnectAll();
    }
  });

  it('keeps dialling a seed or a master found through master_host on every poll', async () => {
    const registry = new ClientRegistry({ connectTimeoutMs: 500, maxBackoffMs: 1 });
    try {
      const seed = createRecord(DEAD, DEAD, true, 10);
      for (let poll = 0; poll < 5; poll++) {
        await pollNode(registry, seed);
        expect(seed.skipPolls).toBe(0);
        expect(seed.readEvery).toBe(1);
      }
    } finally {
      registry.disconnectAll();
    }
  });
});

describe('pollNode: a live server that refuses us for now is not backed off', () => {
  it('reads a listed node answering LOADING on every poll', async () => {
    // A real server says LOADING only while it loads a large dataset: too brief to test on.
    const fake = await FakeRespServer.start();
    fake.setError('INFO', 'LOADING Redis is loading the dataset in memory');
    const registry = new ClientRegistry({ connectTimeoutMs: 500, maxBackoffMs: 1 });
    try {
      const record = createRecord(fake.address, fake.address, false, 10);
      record.listedBy = '127.0.0.1:6379';
      for (let poll = 0; poll < 4; poll++) {
        await pollNode(registry, record);
        expect(record.error?.code).toBe('LOADING');
        expect(record.skipPolls).toBe(0);
      }
      fake.setError('INFO', null);
      await pollNode(registry, record);
      expect(record.reachable).toBe(true);
    } finally {
      registry.disconnectAll();
      await fake.close();
    }
  });
});

describe('pollNode: the load is read on the first poll and then every LOAD_EVERY polls', () => {
  it('asks INFO memory and clients only on those polls, in the same round trip, and keeps the load in between', async () => {
    const fake = await FakeRespServer.start({
      info: {
        stats: (call) => `instantaneous_ops_per_sec:${call * 100}\ninstantaneous_input_kbps:1.00\ninstantaneous_output_kbps:2.00\nsync_full:0\nsync_partial_ok:0\nsync_partial_err:0`,
        memory: 'used_memory:1048576\nmaxmemory:0',
        clients: 'connected_clients:3',
        persistence: 'rdb_bgsave_in_progress:0\naof_rewrite_in_progress:0\nrdb_last_bgsave_status:ok\naof_enabled:0',
      },
    });
    const registry = new ClientRegistry({ connectTimeoutMs: 500, maxBackoffMs: 1 });
    try {
      const record = createRecord(fake.address, fake.address, true, 10);
      let clock = 1_000;
      const readAts: number[] = [];
      for (let poll = 0; poll < 2 * LOAD_EVERY + 1; poll++) {
        clock += 1_000;
        await pollNode(registry, record, () => clock);
        readAts.push(record.load?.readAt ?? -1);
      }
      // Polls 0, 5 and 10 read it: memory and clients asked three times, never in between.
      expect(fake.infoCalls('memory')).toBe(3);
      expect(fake.infoCalls('clients')).toBe(3);
      expect(readAts).toEqual([2000, 2000, 2000, 2000, 2000, 7000, 7000, 7000, 7000, 7000, 12000]);
      expect(record.load).toMatchObject({ netInputBytesPerSecond: 1024, netOutputBytesPerSecond: 2048, usedMemoryBytes: 1_048_576, maxMemoryBytes: null, connectedClients: 3 });
      expect(record.load?.persistence).toMatchObject({ rdbSaveInProgress: false, lastSaveStatus: 'ok' });
      // A master reads INFO stats every poll for its sync counters: the load reuses that reading.
      expect(fake.infoCalls('stats')).toBe(2 * LOAD_EVERY + 1);
      expect(record.load?.opsPerSecond).toBe((2 * LOAD_EVERY + 1) * 100);
    } finally {
      registry.disconnectAll();
      await fake.close();
    }
  });

  it('reads no load on a Sentinel', async () => {
    const fake = await FakeRespServer.start({
      info: {
        server: 'redis_version:7.2.4\nredis_mode:sentinel\nrun_id:abc\ntcp_port:26379\nuptime_in_seconds:10',
        sentinel: 'sentinel_masters:0',
        memory: 'used_memory:1048576',
        clients: 'connected_clients:3',
      },
    });
    const registry = new ClientRegistry({ connectTimeoutMs: 500, maxBackoffMs: 1 });
    try {
      const record = createRecord(fake.address, fake.address, true, 10);
      for (let poll = 0; poll < LOAD_EVERY + 1; poll++) await pollNode(registry, record);
      expect(record.reachable).toBe(true);
      expect(record.load).toBeNull();
      // Asked once at most (the first poll, before INFO server told it apart), never again.
      expect(fake.infoCalls('memory')).toBeLessThanOrEqual(1);
    } finally {
      registry.disconnectAll();
      await fake.close();
    }
  });
});
