// What a reading of a reply of megabytes keeps alive once the reply itself is dropped. A node
// record keeps up to three replication readings (NodeRecord.replication, masterAddressReading,
// masterOf.reading), its server reading, its cuts and its error: each kept the whole reply it
// came from (its text for `raw`, or a run_id or replid as a view into it), 7.5 MB per hostile
// reply. Measured on the heap after full collections, against bounds far from both sides.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { classifyError, toApiError } from '../../electron/engine/errors';
import { LOAD_FIELDS, MAX_FIELD_CHARS, MAX_INFO_CHARS, parseInfo, parseServer, pickFields, readReplication } from '../../electron/engine/info-parser';
import { parseSettings, persistenceOff } from '../../electron/engine/replication-settings';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
/** Replies kept per case: the code before kept each whole, COUNT × 12 MB. */
const COUNT = 8;
const REPLY_CHARS = 12 * MB;
/** Far above what is kept now (under 1 MB, or MAX_INFO_CHARS' worth of lines per reading: 11 MB), far below COUNT replies (96 MB). */
const BOUND = 32 * MB;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** The heap still held by what `keep` returns for COUNT fresh replies of `reply(i)`, the replies themselves dropped. */
function retained(reply: (i: number) => string, keep: (text: string) => unknown): number {
  // Less what the same loop leaves when nothing is kept: the runtime holds on to one string of
  // the size of a reply made here (12 MB whatever COUNT is, with the code under test or without).
  return heapAfterLoop(reply, keep) - heapAfterLoop(reply, () => null);
}

function heapAfterLoop(reply: (i: number) => string, keep: (text: string) => unknown): number {
  const before = heapAfterGc();
  const kept: unknown[] = [];
  for (let i = 0; i < COUNT; i++) kept.push(keep(reply(i)));
  const after = heapAfterGc();
  expect(kept).toHaveLength(COUNT);
  return after - before;
}

/**
 * `lines` ending in CRLF, as one flat string of its own, as a reply read off a socket is (a join
 * of two or more parts is flat; 'C'.repeat(n) alone is a tree of joins of a few small strings).
 */
function text(lines: string[]): string {
  return [...lines, ''].join('\r\n');
}

/** A field of megabytes ahead of the fields a reading keeps as strings. */
function hugeFieldReply(i: number): string {
  return text([
    '# Replication',
    'role:slave',
    `x_proxy_note_${i}:${'A'.repeat(REPLY_CHARS)}`,
    `master_host:replica-host-name-${i}.example.internal`,
    'master_port:6379',
    'master_link_status:up',
    `master_failover_state:no-failover-${i}-and-then-some`,
    `master_replid:${String(i).padStart(40, 'c')}`,
    `master_replid2:${String(i).padStart(40, 'd')}`,
  ]);
}

/** A master listing a hundred thousand replicas (more than MAX_INFO_CHARS' worth of lines). */
function manyReplicasReply(i: number): string {
  const lines = ['# Replication', 'role:master', `master_replid:${String(i).padStart(40, 'c')}`];
  const host = 'replica-with-a-long-host-name.rack-0042.eu-west.example.internal';
  for (let n = 0; n < 100_000; n++) lines.push(`slave${n}:ip=${n}.${i}.${host},port=${6379 + (n % 1000)},state=wait_bgsave,offset=1,lag=0`);
  return text(lines);
}

describe('what is kept of a reply of megabytes', () => {

  it('the replies are long enough to be cut, and the readings still read what follows the long field', () => {
    const reply = hugeFieldReply(1);
    expect(reply.length).toBeGreaterThan(REPLY_CHARS);
    expect(manyReplicasReply(1).length).toBeGreaterThan(REPLY_CHARS);
    const { info, cuts } = readReplication(reply);
    expect(info.replid).toBe(String(1).padStart(40, 'c'));
    expect(info.masterHost).toBe('replica-host-name-1.example.internal');
    expect(cuts?.fields[0]?.key).toBe('x_proxy_note_1');
    expect(info.raw['x_proxy_note_1']).toMatch(/… \[cut: \d+ characters\]$/);
  });

  it('replication readings (values, raw and cuts) keep no reply alive: three per record, as a record holds them', () => {
    // Measured before: 64 MB for 8 replies of 8 MB (the readings kept their reply), now under 1 MB.
    const bytes = retained(hugeFieldReply, (reply) => [readReplication(reply), readReplication(reply), readReplication(reply)]);
    expect(bytes).toBeLessThan(BOUND);
  });

  it('a reading of a replica list past the cap keeps the lines read, not the reply', () => {
    // Measured before: 70 MB for 8 replies of 8.8 MB; now the lines read, about MAX_INFO_CHARS each.
    const bytes = retained(manyReplicasReply, (reply) => {
      const { info, cuts } = readReplication(reply);
      return { info, cuts, raw: Object.keys(info.raw).length };
    });
    expect(bytes).toBeLessThan(BOUND);
    expect(bytes).toBeLessThan(COUNT * 3 * MAX_INFO_CHARS);
  });

  it('server readings and the cuts of a section keep no reply alive', () => {
    const serverReply = (i: number): string =>
      text([`x_proxy_note_${i}:${'S'.repeat(REPLY_CHARS)}`, 'redis_version:7.0.15-with-a-long-suffix', 'redis_mode:standalone', `run_id:${String(i).padStart(40, 'a')}`, 'config_file:/etc/redis/a-long-config-file-name.conf']);
    const bytes = retained(serverReply, (reply) => {
      const parsed = parseInfo(reply);
      return { server: parseServer(parsed.fields), cuts: parsed.cuts };
    });
    expect(bytes).toBeLessThan(BOUND);
  });

  it('the fields picked for the load keep no reply alive', () => {
    const memoryReply = (i: number): string => text([`maxmemory_policy:volatile-lfu-${'x'.repeat(20)}`, `used_memory:${i}`, `x_proxy_note:${'M'.repeat(REPLY_CHARS)}`]);
    const bytes = retained(memoryReply, (reply) => pickFields(reply, LOAD_FIELDS.memory));
    expect(bytes).toBeLessThan(BOUND);
  });

  it('settings (CONFIG GET replies of megabytes) keep at most a field each, a blank save still blank', () => {
    const configReply = (i: number): string => text([`${i} ${'C'.repeat(REPLY_CHARS)}`]);
    const bytes = retained(configReply, (reply) =>
      parseSettings({ save: reply, 'repl-diskless-load': reply, 'client-output-buffer-limit': `slave 268435456 67108864 60 ${reply}` }, null),
    );
    expect(bytes).toBeLessThan(BOUND);
    const settings = parseSettings({ save: ' '.repeat(2 * MAX_FIELD_CHARS), 'repl-diskless-load': 'x'.repeat(MAX_FIELD_CHARS + 1), 'client-output-buffer-limit': `slave 1 2 3 ${'p'.repeat(MAX_FIELD_CHARS)}` }, { aof_enabled: '0' });
    expect(persistenceOff(settings)).toBe(true);
    expect(settings.replDisklessLoad).toBe(`${'x'.repeat(MAX_FIELD_CHARS)}… [cut: ${MAX_FIELD_CHARS + 1} characters]`);
    expect(settings.clientOutputBufferLimitReplica).toBe('1 2 3');
  });

  it('an error reply of megabytes, kept as a node error, keeps only its first 300 characters', () => {
    const errorReply = (i: number): string => text([`ERR ${i} ${'E'.repeat(REPLY_CHARS)}`]);
    const bytes = retained(errorReply, (reply) => [
      toApiError(classifyError(Object.assign(new Error(reply), { name: 'ReplyError' }), '127.0.0.1:6379')),
      toApiError(classifyError(Object.assign(new Error(`NOPERM ${reply}`), { name: 'ReplyError' }), '127.0.0.1:6379')),
    ]);
    expect(bytes).toBeLessThan(BOUND);
  });
});
