// A short reading of a V8 CPU profile taken in the page (CDP Profiler): the functions with the
// most self time, and the most total time (self + callees), by name and place in the bundle.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileLine {
  fn: string;
  ms: number;
}

export function topFunctions(profile: CpuProfile, count: number): { self: ProfileLine[]; total: ProfileLine[]; busyMs: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return '?';
    const file = frame.url.split('/').pop() ?? '';
    return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  const samples = profile.samples ?? [];
  samples.forEach((id, i) => {
    const us = profile.timeDeltas?.[i] ?? 0;
    const name = label(id);
    if (name.startsWith('(idle)') || name.startsWith('(program)')) return;
    busy += us;
    self.set(name, (self.get(name) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const outer = label(at);
      if (seen.has(outer)) continue;
      seen.add(outer);
      total.set(outer, (total.get(outer) ?? 0) + us);
    }
  });
  const top = (map: Map<string, number>): ProfileLine[] =>
    [...map.entries()]
      .filter(([fn]) => fn !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([fn, us]) => ({ fn, ms: Math.round(us / 100) / 10 }));
  return { self: top(self), total: top(total), busyMs: Math.round(busy / 1000) };
}
