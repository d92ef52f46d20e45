// What the page allocates while ticks arrive, from V8's sampling heap profiler (CDP
// HeapProfiler), garbage included: the allocation rate is what sets how often the collector
// pauses the page, and unlike a frame's duration it does not move with the machine's load.
// Sampling slows the page down, so it runs in a window of its own, after the frames are traced.
import type { CDPSession } from 'playwright-core';

/** A sample on average every this many bytes allocated (V8's default is 32 KiB: too coarse for a tick's few hundred KiB). */
const SAMPLING_INTERVAL_BYTES = 4096;

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

export interface Allocator {
  /** Function name and place in the bundle. */
  fn: string;
  kib: number;
}

export interface Allocation {
  /** Bytes allocated over the window, estimated from the samples. */
  bytes: number;
  /** The functions that allocated most (self), largest first. */
  top: Allocator[];
}

/** Starts sampling the page's allocations; the returned function stops and sums them up. */
export async function startAllocationSampling(cdp: CDPSession, topCount: number): Promise<() => Promise<Allocation>> {
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return async () => {
    const { profile } = (await cdp.send('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    await cdp.send('HeapProfiler.disable');
    const self = new Map<string, number>();
    let bytes = 0;
    const visit = (node: SamplingNode): void => {
      bytes += node.selfSize;
      if (node.selfSize > 0) {
        const { functionName, url, lineNumber } = node.callFrame;
        const file = url.split('/').pop() ?? '';
        const fn = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
        self.set(fn, (self.get(fn) ?? 0) + node.selfSize);
      }
      for (const child of node.children) visit(child);
    };
    visit(profile.head);
    const top = [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topCount)
      .map(([fn, size]) => ({ fn, kib: Math.round(size / 1024) }));
    return { bytes, top };
  };
}
