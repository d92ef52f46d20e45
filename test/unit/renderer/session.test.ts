import { describe, expect, it } from 'vitest';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { labSnapshot, makeEvent } from './fixtures';
import { CodedError, ScriptedApi } from './scripted-api';

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function makeSession(api: ScriptedApi): { session: Session; clock: Clock; time: { now: number } } {
  const time = { now: 1000 };
  const clock = new Clock(1000);
  return { session: new Session(api, clock, () => time.now), clock, time };
}

describe('Session', () => {
  it('connects, then feeds ticks to topology, history and events', async () => {
    const api = new ScriptedApi();
    const { session, time } = makeSession(api);
    const stop = session.start();
    expect(await session.connect({ seeds: ['127.0.0.1:7000'], password: 'pw' })).toBe(true);
    await flush();
    expect(session.console.status).toBe('connected');
    expect(session.console.target).toEqual({ seeds: ['127.0.0.1:7000'], user: null });
    // One batched history call for every node, not one per node.
    expect(api.calls.filter((c) => c === 'getHistories')).toHaveLength(1);
    expect(api.calls).not.toContain('getHistory');
    expect(session.events.items).toHaveLength(1);

    time.now = 2000;
    api.push({ snapshot: labSnapshot(2, 2000), events: [makeEvent(2, 2000, '127.0.0.1:7002', 'link-up')] });
    expect(session.console.snapshot?.seq).toBe(2);
    expect(session.console.receivedAt).toBe(2000);
    expect(session.history.series('127.0.0.1:7002')).toHaveLength(2);
    expect(session.events.items.map((e) => e.id)).toEqual([2, 1]);
    stop();
    expect(api.listeners.size).toBe(0);
  });

  it('takes the ticks of a restarted server (a new engine session, its count from 1 again) as a fresh connection, not as old ticks to drop', async () => {
    const api = new ScriptedApi();
    const { session, time } = makeSession(api);
    const stop = session.start();
    api.connectResult = { ...labSnapshot(1, 1000), session: 'before' };
    expect(await session.connect({ seeds: ['127.0.0.1:7000'] })).toBe(true);
    await flush();
    for (let seq = 2; seq <= 40; seq++) api.push({ snapshot: { ...labSnapshot(seq, 1000 * seq), session: 'before' }, events: [makeEvent(seq, 1000 * seq, '127.0.0.1:7002', 'link-up')] });
    expect(session.console.snapshot?.seq).toBe(40);
    // The server restarts: its first tick is seq 1 of another session.
    time.now = 60_000;
    api.push({ snapshot: { ...labSnapshot(1, 60_000), session: 'after' }, events: [makeEvent(1, 60_000, '127.0.0.1:7001', 'reachable')] });
    expect(session.console.snapshot).toMatchObject({ seq: 1, session: 'after', takenAt: 60_000 });
    expect(session.console.receivedAt).toBe(60_000);
    // Whose seeds it was connected with is not known: the nodes that answered stand in.
    expect(session.console.target).toEqual({ seeds: labSnapshot(1, 60_000).nodes.map((n) => n.address), user: null });
    // Its events are the new engine's, numbered from 1 again: none is hidden as seen before.
    expect(session.events.items.map((e) => [e.id, e.at])).toEqual([[1, 60_000]]);
    api.push({ snapshot: { ...labSnapshot(2, 61_000), session: 'after' }, events: [] });
    expect(session.console.snapshot?.seq).toBe(2);
    // A late tick of the old session is not shown over the new one.
    api.push({ snapshot: { ...labSnapshot(41, 41_000), session: 'before' }, events: [] });
    expect(session.console.snapshot).toMatchObject({ seq: 2, session: 'after' });
    stop();
  });

  it('on the server coming back: a restarted web mode without this topology says so (connect again); a new session of it is adopted; the same one is left as is', async () => {
    const api = new ScriptedApi();
    const { session } = makeSession(api);
    const stop = session.start();
    api.connectResult = { ...labSnapshot(5, 1000), session: 'one' };
    expect(await session.connect({ seeds: ['127.0.0.1:7000'] })).toBe(true);
    await flush();
    api.topology = { ...labSnapshot(9, 2000), session: 'one' };
    await session.resync();
    expect(session.console.snapshot).toMatchObject({ seq: 5, session: 'one' });
    api.topology = { ...labSnapshot(1, 3000), session: 'two' };
    await session.resync();
    expect(session.console.snapshot).toMatchObject({ seq: 1, session: 'two' });
    api.topology = null;
    await session.resync();
    expect(session.console.status).toBe('disconnected');
    expect(session.console.error).toEqual({ code: 'NOT_CONNECTED', message: 'The console server restarted and is not connected to this topology any more: connect again' });
    stop();
  });

  it('asks for a node\'s raw INFO on its own (ticks leave it out), and gives the error that kept it away', async () => {
    const api = new ScriptedApi();
    const { session } = makeSession(api);
    api.raw = (address) => ({ address, readAt: 5, fields: { role: 'slave', master_link_status: 'up' } });
    await expect(session.rawReplication('127.0.0.1:7001')).resolves.toEqual({ address: '127.0.0.1:7001', readAt: 5, fields: { role: 'slave', master_link_status: 'up' } });
    api.raw = new CodedError('BAD_ARGUMENT', '127.0.0.1:7009 is not a node of this topology');
    await expect(session.rawReplication('127.0.0.1:7009')).resolves.toEqual({
      address: '127.0.0.1:7009',
      error: { code: 'BAD_ARGUMENT', message: '127.0.0.1:7009 is not a node of this topology' },
    });
  });

  it('shows the error code and message of a failed connect', async () => {
    const api = new ScriptedApi();
    api.connectResult = new CodedError('AUTH_FAILED', 'WRONGPASS invalid username-password pair or user is disabled.');
    const { session } = makeSession(api);
    expect(await session.connect({ seeds: ['127.0.0.1:7000'], password: 'wrong' })).toBe(false);
    expect(session.console.status).toBe('disconnected');
    expect(session.console.error).toEqual({
      code: 'AUTH_FAILED',
      message: 'WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(session.busy).toBeNull();
  });

  it('ignores ticks before connecting and after disconnecting', async () => {
    const api = new ScriptedApi();
    const { session } = makeSession(api);
    session.start();
    await flush();
    api.push({ snapshot: labSnapshot(7), events: [] });
    expect(session.console.snapshot).toBeNull();
    await session.connect({ seeds: ['127.0.0.1:7000'] });
    await session.disconnect();
    api.push({ snapshot: labSnapshot(8), events: [] });
    expect(session.console.snapshot).toBeNull();
    expect(session.history.addresses).toEqual([]);
    expect(api.calls).toContain('disconnect');
  });

  it('starts the lab and connects to its seeds with the typed credentials', async () => {
    const api = new ScriptedApi();
    const { session } = makeSession(api);
    expect(await session.startLabAndConnect({ user: 'ops', password: 'pw' })).toBe(true);
    expect(api.connectOptions[0]).toEqual({ seeds: ['127.0.0.1:7000', '127.0.0.1:7001'], user: 'ops', password: 'pw' });
    expect(session.lab?.running).toBe(true);
  });

  it('picks up a session the engine already has', async () => {
    const api = new ScriptedApi();
    api.topology = labSnapshot(40, 5000);
    const { session } = makeSession(api);
    session.start();
    await flush();
    await flush();
    expect(session.console.status).toBe('connected');
    expect(session.console.snapshot?.seq).toBe(40);
  });

  it('lets the newest connect attempt win', async () => {
    const api = new ScriptedApi();
    const { session } = makeSession(api);
    const first = session.connect({ seeds: ['a:1'] });
    const second = session.connect({ seeds: ['b:1'] });
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(session.console.target?.seeds).toEqual(['b:1']);
  });
});
