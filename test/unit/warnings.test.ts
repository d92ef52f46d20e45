import { describe, expect, it } from 'vitest';
import { MAX_REPLICA_LINES } from '../../electron/engine/info-parser';
import type { NodeRecord } from '../../electron/engine/node-record';
import { NodeSet } from '../../electron/engine/node-set';
import { findWarnings } from '../../electron/engine/warnings';
import { parseSettings } from '../../electron/engine/replication-settings';
import type { TopologyWarning, WarningCode } from '../../electron/shared/types';
import { read, refused } from '../helpers/node-record';

const INTERVAL = 1000;

function only(warnings: TopologyWarning[], code: WarningCode): TopologyWarning[] {
  return warnings.filter((w) => w.code === code);
}

describe('DUPLICATE_ADDRESS', () => {
  it('flags a master that lists itself, says why and what to set, and does not call it NOT_POINTING_BACK', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.0.1:6379', '10.0.0.2:6379'] });
    read(nodes.add('10.0.0.2:6379', true), { master: '10.0.0.1:6379' });
    nodes.addNeighboursOf(master);
    const warnings = findWarnings(nodes);
    const [duplicate, ...rest] = only(warnings, 'DUPLICATE_ADDRESS');
    expect(rest).toEqual([]);
    expect(duplicate?.nodes).toEqual(['10.0.0.1:6379']);
    expect(duplicate?.message).toContain('lists its own address 10.0.0.1:6379');
    expect(duplicate?.message).toContain('replica-announce-ip and replica-announce-port');
    expect(only(warnings, 'NOT_POINTING_BACK')).toEqual([]);
  });

  it('flags a master that lists itself under an alias of its own (same run_id)', () => {
    const nodes = new NodeSet(10);
    const master = nodes.mergeByRunId(read(nodes.add('db.example:6379', true), { replicas: ['10.0.0.1:6379'], runId: 'm' }));
    const [alias] = nodes.addNeighboursOf(master);
    nodes.mergeByRunId(read(alias as NodeRecord, { replicas: ['10.0.0.1:6379'], runId: 'm' }));
    expect(nodes.size).toBe(1);
    expect(only(findWarnings(nodes), 'DUPLICATE_ADDRESS').map((w) => w.nodes)).toEqual([['db.example:6379']]);
  });

  it('flags two replicas announcing one address, once per address, naming the master and that node', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), {
      replicas: ['10.0.0.7:6379', '10.0.0.7:6379', '10.0.0.7:6379', '10.0.0.8:6379', '10.0.0.8:6379', '10.0.0.9:6379'],
    });
    nodes.addNeighboursOf(master);
    const duplicates = only(findWarnings(nodes), 'DUPLICATE_ADDRESS');
    expect(duplicates.map((w) => w.nodes)).toEqual([
      ['10.0.0.1:6379', '10.0.0.7:6379'],
      ['10.0.0.1:6379', '10.0.0.8:6379'],
    ]);
    expect(duplicates[0]?.message).toContain('lists 3 replicas at one address, 10.0.0.7:6379');
    expect(duplicates[0]?.message).toContain('replica-announce-port');
  });

  it('says nothing of a Valkey dual-channel pair, which is one replica on two lines', () => {
    const nodes = new NodeSet(10);
    read(nodes.add('10.0.0.1:6379', true), {
      extra: [
        'slave0:ip=10.0.0.5,port=6379,state=wait_bgsave,offset=0,lag=0,type=rdb-channel',
        'slave1:ip=10.0.0.5,port=6379,state=bg_transfer,offset=9,lag=0,type=main-channel',
      ].join('\n'),
    });
    expect(only(findWarnings(nodes), 'DUPLICATE_ADDRESS')).toEqual([]);
  });
});

describe('caps and churn', () => {
  it('REPLICA_LIST_TRUNCATED names the master and both counts', () => {
    const nodes = new NodeSet(10, {}, 5000);
    read(nodes.add('10.0.0.1:6379', true), { replicas: Array.from({ length: 2500 }, (_, i) => `10.1.${i >> 8}.${i & 255}:6379`) });
    const [warning, ...rest] = only(findWarnings(nodes), 'REPLICA_LIST_TRUNCATED');
    expect(rest).toEqual([]);
    expect(warning?.nodes).toEqual(['10.0.0.1:6379']);
    expect(warning?.message).toContain('lists 2,500 replica lines; the console reads the first 1,000');
    expect(nodes.all()[0]?.replication?.replicas).toHaveLength(MAX_REPLICA_LINES);
  });

  it('TOO_MANY_NODES once full, with how many addresses are not dialled and who lists them', () => {
    const nodes = new NodeSet(10, {}, 4);
    const master = read(nodes.add('10.0.0.1:6379', true), { replicas: Array.from({ length: 8 }, (_, i) => `10.1.0.${i}:6379`) });
    nodes.addNeighboursOf(master);
    const [warning] = only(findWarnings(nodes), 'TOO_MANY_NODES');
    expect(warning?.nodes).toEqual(['10.0.0.1:6379']);
    expect(warning?.message).toContain('reached 4 nodes, the most the console follows (maxNodes 4): 5 more listed addresses are not dialled');
  });

  it('INFO_TRUNCATED names the node, the section, the field and its size', () => {
    const nodes = new NodeSet(10);
    read(nodes.add('10.0.0.1:6379', true), { extra: `x_proxy_note:${'A'.repeat(20 * 1024 * 1024)}` });
    const [warning] = only(findWarnings(nodes), 'INFO_TRUNCATED');
    expect(warning?.nodes).toEqual(['10.0.0.1:6379']);
    expect(warning?.message).toContain('INFO replication');
    expect(warning?.message).toContain('x_proxy_note (20,971,520 characters)');
    expect(warning?.message.length).toBeLessThan(1000);
  });

  it('CHURNING_REPLICAS names the master whose list keeps changing', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), {});
    for (let poll = 0; poll < 10; poll++) {
      read(master, { replicas: [`10.2.0.${poll}:6379`, `10.3.0.${poll}:6379`] });
      for (const added of nodes.addNeighboursOf(master, poll * INTERVAL)) refused(added);
      nodes.forgetVanished({ now: poll * INTERVAL, forgetAfterMs: 600_000, intervalMs: INTERVAL });
    }
    const [warning, ...rest] = only(findWarnings(nodes), 'CHURNING_REPLICAS');
    expect(rest).toEqual([]);
    expect(warning?.nodes).toEqual(['10.0.0.1:6379']);
    expect(warning?.message).toMatch(/^10\.0\.0\.1:6379's replica list keeps changing: \d+ addresses it listed in the last 60 s were never reached/);
  });

  it('groups many never-reached addresses from one list into one ADDRESS_MISMATCH, and keeps a few separate', () => {
    const nodes = new NodeSet(10);
    const big = read(nodes.add('10.0.0.1:6379', true), { replicas: Array.from({ length: 40 }, (_, i) => `10.4.0.${i}:6379`) });
    const small = read(nodes.add('10.0.0.2:6379', true), { replicas: ['10.5.0.1:6379', '10.5.0.2:6379'] });
    for (const added of [...nodes.addNeighboursOf(big), ...nodes.addNeighboursOf(small)]) refused(added);
    const mismatches = only(findWarnings(nodes), 'ADDRESS_MISMATCH');
    expect(mismatches).toHaveLength(3);
    expect(mismatches[0]?.nodes).toHaveLength(40);
    expect(mismatches[0]?.message).toContain('10.0.0.1:6379 lists 40 replicas the console has never reached (10.4.0.0:6379, 10.4.0.1:6379, 10.4.0.2:6379, 10.4.0.3:6379, 10.4.0.4:6379 and 35 more)');
    expect(mismatches.slice(1).map((w) => w.nodes)).toEqual([['10.5.0.1:6379'], ['10.5.0.2:6379']]);
  });
});

describe('cycles, walked once per node', () => {
  it('finds each loop once, from the first node that reaches it, whatever hangs off it', () => {
    const nodes = new NodeSet(10);
    const add = (address: string, master: string) => read(nodes.add(address, true), { master });
    add('10.0.0.9:1', '10.0.0.1:1'); // leads into the loop
    add('10.0.0.1:1', '10.0.0.2:1');
    add('10.0.0.2:1', '10.0.0.3:1');
    add('10.0.0.3:1', '10.0.0.1:1');
    add('10.0.0.8:1', '10.0.0.2:1'); // also hangs off it
    add('10.0.1.1:1', '10.0.1.1:1'); // replicates from itself
    const cycles = only(findWarnings(nodes), 'CYCLE');
    expect(cycles.map((w) => w.nodes)).toEqual([['10.0.0.1:1', '10.0.0.2:1', '10.0.0.3:1'], ['10.0.1.1:1']]);
    expect(cycles[0]?.message).toBe('Replication cycle: 10.0.0.1:1 → 10.0.0.2:1 → 10.0.0.3:1 → 10.0.0.1:1. None of these nodes has a master that takes writes');
    // Redis 7.0 keeps its data: "will never receive data" left out that it takes no writes either.
    expect(cycles[1]?.message).toBe(
      '10.0.1.1:1 replicates from itself: it takes no writes (READONLY) and receives nothing (it asks itself for a sync and refuses it, NOMASTERLINK), nor do the nodes below it',
    );
  });
});

describe('MULTIPLE_MASTERS', () => {
  it('does not call a master whose listed replicas never answer a lone master', () => {
    const nodes = new NodeSet(10);
    read(nodes.add('10.0.0.1:6379', true), { replicas: ['10.0.9.1:6379', '10.0.9.2:6379'] });
    read(nodes.add('10.0.0.2:6379', true));
    const [warning] = only(findWarnings(nodes), 'MULTIPLE_MASTERS');
    expect(warning?.message).toContain('10.0.0.1:6379 (lists 2 replicas, none reached)');
    expect(warning?.message).toContain('10.0.0.2:6379 (lone master, no replicas)');
  });
});

describe('WRITES_REFUSED: a FAILOVER holding the writes', () => {
  it('a node its FAILOVER demoted already, waiting for the target: said once held 5 s, naming the target and the two-masters risk of aborting', () => {
    const nodes = new NodeSet(10);
    const old = read(nodes.add('10.0.0.1:6379', true), { master: '10.0.0.2:6379', extra: 'master_failover_state:failover-in-progress' });
    old.failoverSince = 6_000;
    old.polledAt = 10_000;
    expect(only(findWarnings(nodes), 'WRITES_REFUSED')).toEqual([]);
    old.polledAt = 11_000;
    expect(only(findWarnings(nodes), 'WRITES_REFUSED')).toEqual([
      {
        code: 'WRITES_REFUSED',
        message:
          '10.0.0.1:6379 takes no writes, and nothing else does: its FAILOVER made it a replica of 10.0.0.2:6379, which has not taken over yet (master_failover_state failover-in-progress, for 5 s). ' +
          'Writes sent to it wait, or are refused READONLY; 10.0.0.2:6379 becomes the master once it answers. If 10.0.0.2:6379 is gone for good, FAILOVER ABORT on 10.0.0.1:6379 makes it the master again, ' +
          'but check first that 10.0.0.2:6379 is not a master already: that would leave two masters',
        nodes: ['10.0.0.1:6379'],
      },
    ]);
  });

  it('a master waiting for sync is one warning with its other reasons', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), { extra: 'master_failover_state:waiting-for-sync\nmin_slaves_good_slaves:0' });
    master.failoverSince = 0;
    master.polledAt = 7_000;
    const [refusal, ...rest] = only(findWarnings(nodes), 'WRITES_REFUSED');
    expect(rest).toEqual([]);
    expect(refusal?.message).toMatch(/^10\.0\.0\.1:6379 holds every write: it has been in a FAILOVER for 7 s \(master_failover_state waiting-for-sync\)/);
    expect(refusal?.message).toContain('. It also refuses every write (NOREPLICAS)');
  });

  it('in a FAILOVER already at the console\'s first reading (a one-shot topology): said at once, since when unknown', () => {
    const nodes = new NodeSet(10);
    const master = read(nodes.add('10.0.0.1:6379', true), { extra: 'master_failover_state:waiting-for-sync' });
    master.failoverSince = -Infinity;
    master.polledAt = 1_000;
    expect(only(findWarnings(nodes), 'WRITES_REFUSED')[0]?.message).toMatch(/^10\.0\.0\.1:6379 holds every write: it has been in a FAILOVER since before the console first read it \(master_failover_state waiting-for-sync\)/);
  });
});

describe('MULTIPLE_MASTERS: an old master back after a failover', () => {
  it('names it as the master the other was promoted off (topology memory), with the REPLICAOF that makes it follow', () => {
    const nodes = new NodeSet(10);
    const promoted = read(nodes.add('10.0.0.2:6379', true), { replicas: ['10.0.0.3:6379'] });
    read(nodes.add('10.0.0.3:6379', true), { master: '10.0.0.2:6379' });
    read(nodes.add('10.0.0.1:6379', true));
    promoted.rememberedAs = { role: 'master', master: null, formerMaster: '10.0.0.1:6379', noPersistence: null, replid: null, offset: null };
    const [split] = only(findWarnings(nodes), 'MULTIPLE_MASTERS');
    // It said only "a lone master may be a replica that restarted without its replicaof setting".
    expect(split?.message).toBe(
      '2 masters in one topology: 10.0.0.2:6379 (1 replica), 10.0.0.1:6379 (lone master, no replicas). If more than one takes writes, their data diverges (split brain). ' +
        '10.0.0.1:6379 is the master 10.0.0.2:6379 was promoted off (as the console remembers it), back as a master beside it: make it a replica of 10.0.0.2:6379 ' +
        '(REPLICAOF 10.0.0.2 6379 on 10.0.0.1:6379: a full sync replaces what it took since; copy what you need first), or keep it and re-point 10.0.0.2:6379\'s side to it.',
    );
    promoted.rememberedAs = null;
    expect(only(findWarnings(nodes), 'MULTIPLE_MASTERS')[0]?.message).toContain('a lone master may be a replica that restarted without its replicaof setting');
  });

  it('back empty (no keys loaded at its start): never offered as the side to keep, whose replicas would take its empty dataset', () => {
    const nodes = new NodeSet(10);
    const promoted = read(nodes.add('10.0.0.2:6379', true), { replicas: ['10.0.0.3:6379'] });
    read(nodes.add('10.0.0.3:6379', true), { master: '10.0.0.2:6379' });
    promoted.rememberedAs = { role: 'master', master: null, formerMaster: '10.0.0.1:6379', noPersistence: true, replid: null, offset: null };
    const back = (offset: number): string | undefined => {
      const old = read(nodes.add('10.0.0.1:6379', true), { extra: `master_repl_offset:${offset}` });
      old.settings = { ...parseSettings({ save: '' }, { aof_enabled: '0' }), loadedKeys: 0 };
      return only(findWarnings(nodes), 'MULTIPLE_MASTERS')[0]?.message;
    };
    // Restarted with save "": it said "make it a replica …, or keep it and re-point 10.0.0.2:6379's side to it".
    expect(back(0)).toContain(
      '10.0.0.1:6379 is the master 10.0.0.2:6379 was promoted off (as the console remembers it), back as a master beside it, empty: it loaded no keys when it started and has taken no writes since. ' +
        "Make it a replica of 10.0.0.2:6379 (REPLICAOF 10.0.0.2 6379 on 10.0.0.1:6379); keeping it would replace the data of 10.0.0.2:6379's side with nothing.",
    );
    expect(back(0)).not.toContain('or keep it');
    // Written to since: what it holds is those writes alone.
    expect(back(2048)).toContain('it loaded no keys when it started, so it holds only what was written to it since (2.0 KiB of writes)');
    expect(back(2048)).not.toContain('or keep it');
  });
});
