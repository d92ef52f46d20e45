// What an interrupted plan's report waits for, in words the CLI and the page both print.

interface Waits {
  /** Nodes the plan has work on that cannot be read now. */
  waitingFor: readonly string[];
  /** Replicas where the plan wants them whose link is not up yet. */
  linking: readonly { node: string; master: string | null; syncing: boolean }[];
}

/** "wait until …": what must happen before the report can close or advise more; null when it waits for nothing. */
export function waitsFor(r: Waits): string | null {
  const parts: string[] = [];
  if (r.waitingFor.length > 0) parts.push(`${r.waitingFor.join(', ')} ${r.waitingFor.length === 1 ? 'answers' : 'answer'}`);
  for (const l of r.linking) {
    parts.push(`${l.node}'s link to ${l.master ?? 'its master'} is up (${l.syncing ? 'a full sync from it is under way' : 'it reads down: reconnecting, or refused; see its log'})`);
  }
  return parts.length > 0 ? `wait until ${parts.join(', and ')}` : null;
}

/** Why an open report has no command to run: what it waits for, or only what it will not advise (a cycle, a pause held on purpose). */
export function nothingToSend(r: Waits): string {
  const waits = waitsFor(r);
  return waits !== null ? `nothing to send yet: ${waits}, then check again` : 'nothing the console can advise safely now: see the notes above, then check again';
}
