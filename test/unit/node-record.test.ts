import { describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../electron/engine/client-registry';
import { createRecord, pollNode } from '../../electron/engine/node-record';
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
