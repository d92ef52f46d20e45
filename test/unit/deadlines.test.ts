import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../electron/engine/deadlines';
import { FakeClock } from '../helpers/fake-clock';

/** A promise the test settles by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Outcome = { state: 'pending' } | { state: 'resolved'; value: unknown } | { state: 'rejected'; error: unknown };

function watch(promise: Promise<unknown>): { outcome: Outcome } {
  const box: { outcome: Outcome } = { outcome: { state: 'pending' } };
  promise.then(
    (value) => (box.outcome = { state: 'resolved', value }),
    (error: unknown) => (box.outcome = { state: 'rejected', error }),
  );
  return box;
}

describe('Deadlines: one timer for every call under way', () => {
  it('expires a call that never settles at its own deadline, while the others settle on time', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(1500, clock);
    const hung = deferred<string>();
    const hungCall = watch(deadlines.bound(hung.promise, () => new Error('timed out')));
    // Calls that keep coming in after the hung one, each answered 5 ms after it is sent.
    const answered: { outcome: Outcome }[] = [];
    for (let i = 0; i < 10; i++) {
      await clock.advance(250);
      const call = deferred<string>();
      answered.push(watch(deadlines.bound(call.promise, () => new Error('timed out'))));
      await clock.advance(5);
      call.resolve(`reply ${i}`);
    }
    await clock.advance(0);
    // 10 × 255 ms went by: the hung call expired at 1500 ms, not sooner or later.
    expect(hungCall.outcome).toEqual({ state: 'rejected', error: new Error('timed out') });
    expect(answered.map((a) => a.outcome)).toEqual(Array.from({ length: 10 }, (_, i) => ({ state: 'resolved', value: `reply ${i}` })));
    expect(deadlines.size).toBe(0);
    expect(deadlines.armed).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('times a call out exactly at start + timeout', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(1000, clock);
    await clock.advance(100);
    const first = watch(deadlines.bound(deferred().promise, () => 'first'));
    await clock.advance(300);
    const second = watch(deadlines.bound(deferred().promise, () => 'second'));
    expect(clock.pending).toBe(1);
    await clock.advance(699);
    expect(first.outcome.state).toBe('pending');
    await clock.advance(1);
    expect(first.outcome).toEqual({ state: 'rejected', error: 'first' });
    expect(second.outcome.state).toBe('pending');
    await clock.advance(299);
    expect(second.outcome.state).toBe('pending');
    await clock.advance(1);
    expect(second.outcome).toEqual({ state: 'rejected', error: 'second' });
    expect(deadlines.armed).toBe(false);
  });

  it('passes rejections through and leaves no timer once nothing is under way', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(1000, clock);
    const call = deferred<number>();
    const bounded = watch(deadlines.bound(call.promise, () => 'timeout'));
    expect(deadlines.armed).toBe(true);
    call.reject(new Error('ECONNRESET'));
    await clock.advance(0);
    expect(bounded.outcome).toEqual({ state: 'rejected', error: new Error('ECONNRESET') });
    expect(deadlines.size).toBe(0);
    expect(deadlines.armed).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('keeps one timer for many calls, and a late reply after the timeout changes nothing', async () => {
    const clock = new FakeClock();
    const deadlines = new Deadlines(1500, clock);
    const calls = Array.from({ length: 200 }, () => deferred<number>());
    const bounded = calls.map((c) => watch(deadlines.bound(c.promise, () => 'timeout')));
    expect(clock.pending).toBe(1);
    calls.slice(0, 199).forEach((c, i) => c.resolve(i));
    await clock.advance(10);
    expect(deadlines.size).toBe(1);
    expect(clock.pending).toBe(1);
    await clock.advance(1490);
    expect(bounded[199]!.outcome).toEqual({ state: 'rejected', error: 'timeout' });
    calls[199]!.resolve(199);
    await clock.advance(0);
    expect(bounded[199]!.outcome).toEqual({ state: 'rejected', error: 'timeout' });
    expect(bounded.slice(0, 199).every((b, i) => b.outcome.state === 'resolved' && b.outcome.value === i)).toBe(true);
    expect(deadlines.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
