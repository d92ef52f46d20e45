// Tests that wait on real processes wait for a condition, never for a fixed time: this is the
// one polling loop they share.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Resolves with the first value `read` gives that is not undefined (a throw counts as "not
 * yet"), reading every `everyMs`; after `timeoutMs` rejects, naming `what` and the last error.
 */
export async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await read();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}
