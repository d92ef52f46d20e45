// The web mode's client says "nothing was sent" only for a call that never left the page: one
// still queued when the server cannot be reached or the bridge is closed. A call already on the
// wire when the socket drops may have run, so its error claims nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../electron/shared/bind-api';
import { LINK_PING } from '../../electron/shared/api';
import { LINK_PROBE_MS, createWebSocketBridge, type SocketLike } from '../../renderer/src/api/ws-client';

const PLAN_ID = '11111111-1111-4111-8111-111111111111';

/** A socket the test opens and drops by hand; it records what was sent. */
class HandSocket implements SocketLike {
  static made: HandSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  constructor(readonly url: string) {
    HandSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  /** What was sent but the round-trip probes. */
  get calls(): string[] {
    return this.sent.filter((data) => (JSON.parse(data) as { channel: string }).channel !== LINK_PING);
  }
  /** The server's answer to the message sent `index`-th. */
  answer(index: number): void {
    const { id } = JSON.parse(this.sent[index] ?? 'null') as { id: number };
    (this.onmessage as ((event: unknown) => void) | null)?.({ data: JSON.stringify({ id, result: { ok: true, value: null } }) });
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    (this.onopen as ((event: unknown) => void) | null)?.({});
  }
  drop(): void {
    this.readyState = 3;
    (this.onclose as ((event: unknown) => void) | null)?.({});
  }
}

function bridge(requestTimeoutMs = 1000) {
  HandSocket.made = [];
  return createWebSocketBridge('ws://127.0.0.1:1/api?token=t', { WebSocketImpl: HandSocket, requestTimeoutMs, minReconnectMs: 60_000, maxReconnectMs: 60_000 });
}

/** The socket the first call made, opened. */
function opened(): HandSocket {
  const socket = HandSocket.made[0];
  if (!socket) throw new Error('no socket was made');
  socket.open();
  return socket;
}

async function failure(pending: Promise<unknown>): Promise<ApiCallError> {
  const error = await pending.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiCallError)) throw new Error(`expected an ApiCallError, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ws-client: what a failed call says about what was sent', () => {
  it('a call never handed to a socket (server unreachable): UNREACHABLE, nothing sent', async () => {
    vi.useFakeTimers();
    const web = bridge();
    const pending = failure(web.topology('main').executeAction({ planId: PLAN_ID }));
    HandSocket.made[0]?.drop();
    await vi.advanceTimersByTimeAsync(1000);
    const error = await pending;
    expect(error).toMatchObject({ code: 'UNREACHABLE', details: { nothingSent: true } });
    expect(HandSocket.made[0]?.sent).toEqual([]);
    web.close();
  });

  it('an execute on the wire when the socket drops: UNREACHABLE, outcome unknown, check the topology and the audit log', async () => {
    const web = bridge();
    const pending = failure(web.topology('main').executeAction({ planId: PLAN_ID }));
    const socket = opened();
    expect(socket.calls).toHaveLength(1);
    socket.drop();
    const error = await pending;
    expect(error.code).toBe('UNREACHABLE');
    expect(error.details.nothingSent).toBeUndefined();
    expect(error.message).toMatch(/may have finished or still be running\. Check the topology and the audit log/);
    web.close();
  });

  it('close(): a call still queued (socket down, waiting to reconnect) was not sent', async () => {
    const web = bridge();
    const api = web.topology('main');
    const onWire = failure(api.labStatus());
    const socket = opened();
    socket.drop();
    expect((await onWire).details.nothingSent).toBeUndefined();
    // Down, and the next try is a minute away: this call waits in the page.
    const queued = failure(api.executeAction({ planId: PLAN_ID }));
    web.close();
    expect(await queued).toMatchObject({ code: 'UNREACHABLE', message: 'The console connection was closed', details: { nothingSent: true } });
    expect(socket.calls).toHaveLength(1);
    expect(HandSocket.made).toHaveLength(1);
  });

  it('a call after close(): nothing sent', async () => {
    const web = bridge();
    web.close();
    const error = await failure(web.topology('main').labStatus());
    expect(error).toMatchObject({ code: 'UNREACHABLE', details: { nothingSent: true } });
  });
});

describe('ws-client: the page is told when it loses the console server and when it is back', () => {
  it('reached on the first open; lost once when an open socket drops (not on every failed retry); back when one opens again', async () => {
    vi.useFakeTimers();
    HandSocket.made = [];
    const web = createWebSocketBridge('ws://127.0.0.1:1/api?token=t', { WebSocketImpl: HandSocket, minReconnectMs: 100, maxReconnectMs: 100 });
    const links: { reachable: boolean; host: string }[] = [];
    web.onServerLink?.((link) => links.push({ reachable: link.reachable, host: link.host }));
    const stopTicks = web.topology('main').onTick(() => undefined);
    expect(links).toEqual([]);
    opened().drop();
    expect(links).toEqual([
      { reachable: true, host: '127.0.0.1:1' },
      { reachable: false, host: '127.0.0.1:1' },
    ]);
    // Retries that fail say nothing new.
    await vi.advanceTimersByTimeAsync(100);
    HandSocket.made[1]?.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(links).toHaveLength(2);
    HandSocket.made[2]?.open();
    expect(links.map((l) => l.reachable)).toEqual([true, false, true]);
    stopTicks();
    // Closed by the page itself: not a lost server.
    web.close();
    expect(links).toHaveLength(3);
  });
});

describe('ws-client: how long the console server takes to answer (a link slow from the first tick on)', () => {
  function probing() {
    vi.useFakeTimers();
    HandSocket.made = [];
    let now = 1000;
    const web = createWebSocketBridge('ws://127.0.0.1:1/api?token=t', {
      WebSocketImpl: HandSocket,
      minReconnectMs: 60_000,
      maxReconnectMs: 60_000,
      monotonicNow: () => now,
    });
    const trips: (number | null | undefined)[] = [];
    web.onServerLink?.((link) => trips.push(link.reachable ? link.roundTripMs : undefined));
    web.topology('main').onTick(() => undefined);
    const socket = opened();
    const probes = (): number[] => socket.sent.flatMap((data, i) => ((JSON.parse(data) as { channel: string }).channel === LINK_PING ? [i] : []));
    const pass = async (ms: number): Promise<void> => {
      now += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    return { web, socket, trips, probes, pass, later: (ms: number) => (now += ms) };
  }

  it('probes on open and every LINK_PROBE_MS; each answer gives the round trip', async () => {
    const { web, socket, trips, probes, pass, later } = probing();
    expect(probes()).toEqual([0]);
    expect(trips).toEqual([null]);
    later(40);
    socket.answer(0);
    expect(trips.at(-1)).toBe(40);
    await pass(LINK_PROBE_MS);
    expect(probes()).toEqual([0, 1]);
    later(15);
    socket.answer(1);
    expect(trips.at(-1)).toBe(15);
    web.close();
    await pass(5 * LINK_PROBE_MS);
    expect(probes()).toEqual([0, 1]);
  });

  it('unanswered probes make it grow; answers to probes older than one already answered are left out', async () => {
    const { web, socket, trips, probes, pass, later } = probing();
    later(10);
    socket.answer(0);
    // The link holds everything from here: the probes go out, no answer comes.
    await pass(LINK_PROBE_MS);
    await pass(LINK_PROBE_MS);
    await pass(LINK_PROBE_MS);
    expect(probes()).toEqual([0, 1, 2, 3]);
    expect(trips.at(-1)).toBe(2 * LINK_PROBE_MS);
    // It lets go: the newest probe is answered at once, then the held ones arrive.
    socket.answer(3);
    expect(trips.at(-1)).toBe(0);
    socket.answer(1);
    socket.answer(2);
    expect(trips.at(-1)).toBe(0);
    web.close();
  });

  it('starts again on a new socket', async () => {
    const { web, socket, trips, pass } = probing();
    await pass(LINK_PROBE_MS);
    expect(trips.at(-1)).toBe(LINK_PROBE_MS);
    socket.drop();
    await pass(60_000);
    const next = HandSocket.made[1];
    if (!next) throw new Error('no new socket');
    next.open();
    expect(trips.at(-1)).toBeNull();
    web.close();
  });
});
