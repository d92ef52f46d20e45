import { ReplyError, type default as Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { splitInfoSections } from '../../electron/engine/node-commands';
import { createRecord, readSections } from '../../electron/engine/node-record';
import { parseServer, parseInfo } from '../../electron/engine/info-parser';

// What redis-server 7.0 answers to INFO replication, INFO stats, and INFO replication stats.
const REPLICATION = '# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:42\r\n';
const STATS = '# Stats\r\ntotal_connections_received:3\r\nsync_full:0\r\n';
const BOTH = `# Stats\r\ntotal_connections_received:3\r\nsync_full:0\r\n\r\n${REPLICATION}`;

describe('splitInfoSections: one multi-section INFO reply back into each section', () => {
  it('gives each section the text a single-section INFO gives, in the order asked, whatever order the server used', () => {
    expect(splitInfoSections(BOTH, ['replication', 'stats'])).toEqual([REPLICATION, STATS]);
  });

  it('answers a section the reply lacks with an empty text, matches headers whatever their case, and keeps repeated headers together', () => {
    expect(splitInfoSections(BOTH, ['replication', 'memory', 'STATS'])).toEqual([REPLICATION, '', STATS]);
    expect(splitInfoSections('# replication\nrole:master\n\n# Replication\nconnected_slaves:0\n', ['replication'])).toEqual([
      '# replication\nrole:master\n# Replication\nconnected_slaves:0\n',
    ]);
    expect(splitInfoSections('role:master\r\n', ['replication'])).toEqual(['']);
  });
});

/** A client that answers INFO of one or several sections from canned texts, and records what it was asked. */
function fakeClient(opts: { refuseSeveral?: boolean } = {}): { client: Redis; calls: string[][] } {
  const texts: Record<string, string> = { replication: REPLICATION, stats: STATS };
  const calls: string[][] = [];
  const info = (...sections: string[]): Promise<string> => {
    calls.push(sections);
    if (sections.length > 1 && opts.refuseSeveral) return Promise.reject(new ReplyError('ERR syntax error'));
    return Promise.resolve(sections.map((s) => texts[s] ?? '').join('\r\n'));
  };
  const pipeline = (): unknown => {
    const queued: string[] = [];
    const p = {
      info: (section: string) => (queued.push(section), p),
      exec: () => {
        calls.push(['pipeline', ...queued]);
        return Promise.resolve(queued.map((s) => [null, texts[s] ?? '']));
      },
    };
    return p;
  };
  return { client: { info, pipeline } as unknown as Redis, calls };
}

function recordOf(version: string, mode = 'standalone'): ReturnType<typeof createRecord> {
  const record = createRecord('127.0.0.1:7000', '127.0.0.1:7000', true, 10);
  record.server = parseServer(parseInfo(`redis_version:${version}\nredis_mode:${mode}\nrun_id:abc\n`).fields);
  return record;
}

describe('readSections: several INFO sections in one command where the server takes it', () => {
  it('asks a Redis 7 data node once for all the sections, and gets the same texts as one INFO per section', async () => {
    const { client, calls } = fakeClient();
    const read = await readSections(client, recordOf('7.0.15'), ['replication', 'stats'], false, () => 1);
    expect(calls).toEqual([['replication', 'stats']]);
    expect(read.texts).toEqual([REPLICATION, STATS]);
  });

  it('pipelines one INFO per section on Redis 6.2, on a Sentinel, and on a poll that re-reads INFO server', async () => {
    for (const [record, wantServer] of [
      [recordOf('6.2.14'), false],
      [recordOf('7.2.4', 'sentinel'), false],
      [recordOf('7.0.15'), true],
    ] as const) {
      const { client, calls } = fakeClient();
      const read = await readSections(client, record, ['replication', 'stats'], wantServer, () => 1);
      expect(calls).toEqual([['pipeline', 'replication', 'stats']]);
      expect(read.texts).toEqual([REPLICATION, STATS]);
    }
  });

  it('falls back to one INFO per section when a server refuses several, and asks that way from then on', async () => {
    const { client, calls } = fakeClient({ refuseSeveral: true });
    const record = recordOf('7.0.0');
    const first = await readSections(client, record, ['replication', 'stats'], false, () => 1);
    expect(first.texts).toEqual([REPLICATION, STATS]);
    expect(record.oneSectionPerInfo).toBe(true);
    await readSections(client, record, ['replication', 'stats'], false, () => 1);
    expect(calls).toEqual([['replication', 'stats'], ['pipeline', 'replication', 'stats'], ['pipeline', 'replication', 'stats']]);
  });
});
