import { describe, expect, it } from 'vitest';
import { OffsetHistory, bytesBehind, sameHistory, secondsBehind } from '../../electron/engine/lag';

function history(samples: Array<[sentAt: number, receivedAt: number, offset: number]>): OffsetHistory {
  const h = new OffsetHistory(100);
  for (const [sentAt, receivedAt, offset] of samples) h.push({ sentAt, receivedAt, offset });
  return h;
}

describe('bytesBehind', () => {
  it('reports no lag on an idle link even when a PING moved the master after the replica was read', () => {
    // The master pings at t=1500 (+14 bytes); the replica is read at 1200, before it got the PING.
    const master = history([
      [1000, 1001, 100],
      [2000, 2001, 114],
    ]);
    expect(bytesBehind({ sentAt: 1200, receivedAt: 1201, offset: 100 }, master)).toBe(0);
  });

  it('uses only master readings whose reply had arrived before the replica was asked', () => {
    const master = history([
      [1000, 1001, 100],
      [1199, 1210, 5000], // answered after the replica read at 1200 was sent: not usable
    ]);
    expect(bytesBehind({ sentAt: 1200, receivedAt: 1201, offset: 100 }, master)).toBe(0);
    expect(bytesBehind({ sentAt: 1300, receivedAt: 1301, offset: 100 }, master)).toBe(4900);
  });

  it('is unknown when the master has no reading from before the replica', () => {
    const master = history([[2000, 2001, 100]]);
    expect(bytesBehind({ sentAt: 1000, receivedAt: 1001, offset: 50 }, master)).toBeNull();
  });

  it('never goes negative when the replica is read after it passed an older master reading', () => {
    const master = history([[1000, 1001, 100]]);
    expect(bytesBehind({ sentAt: 1500, receivedAt: 1501, offset: 180 }, master)).toBe(0);
  });
});

describe('secondsBehind', () => {
  const master = history([
    [0, 1, 100],
    [1000, 1001, 200],
    [2000, 2001, 300],
    [3000, 3001, 400],
  ]);

  it('is the time since the master moved past the replica offset, placed between its readings by offset while writes flow', () => {
    // The replica has 250: halfway from the reading at ~1000 (200) to the one at ~2000 (300).
    expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset: 250 }, master)?.seconds).toBeCloseTo(2, 3);
    expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset: 290 }, master)?.seconds).toBeCloseTo(1.6, 3);
    // Before the first reading there is nothing to tell a flow by: the later reading is the bound.
    expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset: 150 }, master)?.seconds).toBeCloseTo(2.499, 3);
  });

  it('says half a second, not milliseconds, for a replica half a poll of heavy writes behind', () => {
    // 10 MiB of writes a second, the master read every second; the replica read 6 ms after the
    // master, 5 MiB behind it. The later master reading alone said 6 ms.
    const mib = 1024 * 1024;
    const busy = history([
      [-1000, -998, 990 * mib],
      [0, 2, 1000 * mib],
      [1000, 1002, 1010 * mib],
    ]);
    expect(secondsBehind({ sentAt: 1008, receivedAt: 1010, offset: 1005 * mib }, busy)?.seconds).toBeCloseTo(0.508, 3);
  });

  it('on an idle master, a replica one lone write (a PING) behind is as far behind as the later reading says, not a poll', () => {
    const idle = history([
      [0, 1, 1000],
      [1000, 1001, 1000],
      [2000, 2001, 1040],
    ]);
    expect(secondsBehind({ sentAt: 2010, receivedAt: 2011, offset: 1000 }, idle)?.seconds).toBeCloseTo(0.009, 3);
  });

  it('is zero for a caught-up replica', () => {
    expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset: 400 }, master)?.seconds).toBe(0);
  });

  it('is bounded below by the age of the history when the replica is older than all of it, and says it is only a bound', () => {
    expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset: 10 }, master)).toEqual({ seconds: expect.closeTo(3.499, 3), lowerBound: true });
  });

  it('is "at least" the history\'s age for a replica cut off before the console started, however young the history', () => {
    // The console's first master reading, 10 ms before the replica's: the replica lost its link
    // long before, 143 bytes back. "10 ms" is all the history can say, and only as a lower bound.
    const young = history([[0, 2, 1143]]);
    expect(secondsBehind({ sentAt: 12, receivedAt: 13, offset: 1000 }, young)).toEqual({ seconds: 0.01, lowerBound: true });
  });

  it('is exact (not a bound) whenever the master passed the offset inside its history', () => {
    for (const offset of [150, 250, 290, 400]) {
      expect(secondsBehind({ sentAt: 3500, receivedAt: 3501, offset }, master)?.lowerBound).toBe(false);
    }
  });

  it('is unknown without master history', () => {
    expect(secondsBehind({ sentAt: 1, receivedAt: 2, offset: 10 }, new OffsetHistory(4))).toBeNull();
  });
});

describe('sameHistory', () => {
  const master = { replid: 'b', replid2: 'a', secondReplOffset: 1000 };

  it('compares nodes that share a replid', () => {
    expect(sameHistory({ replid: 'b', offset: 5000 }, master)).toBe(true);
  });

  it('compares a node on the previous history only up to second_repl_offset', () => {
    expect(sameHistory({ replid: 'a', offset: 900 }, master)).toBe(true);
    expect(sameHistory({ replid: 'a', offset: 1001 }, master)).toBe(false);
  });

  it('refuses unrelated histories and unknown replids', () => {
    expect(sameHistory({ replid: 'z', offset: 1 }, master)).toBe(false);
    expect(sameHistory({ replid: null, offset: 1 }, master)).toBe(false);
  });
});

describe('OffsetHistory', () => {
  it('keeps only its capacity', () => {
    const h = new OffsetHistory(3);
    for (let i = 0; i < 10; i++) h.push({ sentAt: i, receivedAt: i, offset: i });
    expect(h.length).toBe(3);
    expect(h.latest()?.offset).toBe(9);
    expect(h.readBefore(6.5)).toBeNull();
    expect(h.readBefore(8)?.offset).toBe(8);
  });
});
