// The full-sync bar on a card and in the details: what it says before, during and after the transfer.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import SyncBar from '../../../renderer/src/components/SyncBar.svelte';
import type { SyncProgress } from '../../../electron/shared/types';

const text = (sync: SyncProgress, compact = true): string =>
  render(SyncBar, { props: { sync, compact } })
    .body.replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('SyncBar', () => {
  it('shows the percentage while the snapshot arrives', () => {
    expect(text({ totalBytes: 1000, readBytes: 420, percent: 42, lastIoSecondsAgo: 0 })).toBe('Full sync 42% 420 B of 1000 B');
  });

  it('says the replica is loading once every byte is in, not a bar stuck near full', () => {
    const loading = text({ totalBytes: 1000, readBytes: 1000, percent: 100, lastIoSecondsAgo: 9 });
    expect(loading).toBe('Full sync: loading 1000 B of 1000 B');
  });

  it('says a transfer has stopped, on a card too', () => {
    expect(text({ totalBytes: 1000, readBytes: 420, percent: 42, lastIoSecondsAgo: 12 })).toContain('nothing for 12 s');
    expect(text({ totalBytes: 1000, readBytes: 420, percent: 42, lastIoSecondsAgo: 1 })).not.toContain('nothing for');
  });

  it('before the first byte says it waits for the snapshot: no bar, no "0 B received", no stopped transfer', () => {
    const waiting = { totalBytes: null, readBytes: 0, percent: null, lastIoSecondsAgo: 40 };
    expect(text(waiting)).toBe('Full sync: waiting for the snapshot');
    expect(render(SyncBar, { props: { sync: waiting, compact: true } }).body).not.toContain('progressbar');
    expect(text(waiting, false)).toMatch(/^Full sync: waiting for the snapshot The master is writing it .*nothing received yet\.$/);
    // Bytes arriving on a diskless sync (no total): the transfer, with its bar.
    expect(text({ totalBytes: null, readBytes: 2048, percent: null, lastIoSecondsAgo: 0 })).toBe('Full sync 2.0 KiB received');
  });
});
