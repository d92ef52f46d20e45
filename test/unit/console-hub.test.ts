// The hub's bookkeeping, without Redis: topology ids checked like any argument, at most 16
// topologies, the app-level channels. (Polling two topologies against real servers:
// test/integration/console-hub.test.ts.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleHub, MAX_TOPOLOGIES, parseTopologyId } from '../../electron/app/console-hub';
import type { Envelope, WireError } from '../../electron/shared/api';

let dir: string;
let hub: ConsoleHub;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rc-hub-unit-'));
  hub = new ConsoleHub({ service: { interface: 'web', auditDir: dir } });
});

afterAll(async () => {
  await hub?.closeAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function error(envelope: Envelope<unknown>): WireError {
  if (envelope.ok) throw new Error(`expected a refusal, got ${JSON.stringify(envelope.value)}`);
  return envelope.error;
}

describe('topology ids', () => {
  it.each(['main', 't-1a2b3c4d', 'A_b-9', 'x'.repeat(36)])('accepts %s', (id) => {
    expect(parseTopologyId(id)).toEqual({ ok: true, id });
  });

  it('takes a missing id as main, for clients that know one topology only', () => {
    expect(parseTopologyId(undefined)).toEqual({ ok: true, id: 'main' });
  });

  it.each([
    ['', '""'],
    ['x'.repeat(37), `"${'x'.repeat(37)}"`],
    ['a b', '"a b"'],
    ['../etc', '"../etc"'],
    ['tab\n', '"tab\n"'],
    [42, 'number'],
    [null, 'object'],
    [['main'], 'object'],
  ])('refuses %j with a clear BAD_ARGUMENT', async (id, shown) => {
    const refused = error(await hub.invoke(id, 'topology:get', []));
    expect(refused.code).toBe('BAD_ARGUMENT');
    expect(refused.message).toBe(`Invalid topology id ${shown}: 1 to 36 letters, digits, "_" or "-"`);
  });

  it('shows no more than a short prefix of a long id', async () => {
    const refused = error(await hub.invoke('y'.repeat(5000), 'topology:get', []));
    expect(refused.message.length).toBeLessThan(120);
  });

  it('checks the channel and its arguments after the id, as for one topology', async () => {
    expect(error(await hub.invoke('main', 'topology:explode', []))).toEqual({ code: 'BAD_ARGUMENT', message: 'Unknown channel "topology:explode"', details: { nothingSent: true } });
    // The hub's own refusals say so too: no handler ran.
    expect(error(await hub.invoke('main', 'topology:close', ['extra'])).details).toEqual({ nothingSent: true });
    expect(error(await hub.invoke('main', 'topology:close', ['extra'])).message).toBe('topology:close: too many arguments');
    expect(error(await hub.invoke('main', 'topology:list', 'nope')).message).toBe('topology:list: arguments must be a list');
  });
});

describe('topology:info', () => {
  it("answers a window's own topology by default, and what serve says of one it keeps", async () => {
    expect(await hub.invoke('t-own', 'topology:info', [])).toEqual({ ok: true, value: { label: null, managed: false, status: 'idle', lastError: null } });
    hub.get('orders').describeWith(() => ({ label: 'orders', managed: true, status: 'connecting', lastError: 'UNREACHABLE: 127.0.0.1:1: connection refused' }));
    expect(await hub.invoke('orders', 'topology:info', [])).toEqual({
      ok: true,
      value: { label: 'orders', managed: true, status: 'connecting', lastError: 'UNREACHABLE: 127.0.0.1:1: connection refused' },
    });
    expect(error(await hub.invoke('orders', 'topology:info', ['extra'])).details).toEqual({ nothingSent: true });
    // The hub is shared by this file's tests: leave it with the topologies it had.
    await hub.close('t-own');
    await hub.close('orders');
  });
});

describe('at most 16 topologies', () => {
  it('makes each on first use, refuses the 17th, and takes one again once a tab is closed', async () => {
    // Nothing above made a topology: every call there was refused before one was made.
    expect(hub.ids).toEqual([]);
    expect(MAX_TOPOLOGIES).toBe(16);
    const ids = Array.from({ length: MAX_TOPOLOGIES }, (_, i) => `tab-${i}`);
    for (const id of ids) expect(await hub.invoke(id, 'topology:get', [])).toEqual({ ok: true, value: null });
    expect(await hub.invoke('main', 'topology:list', [])).toEqual({ ok: true, value: ids });

    const refused = error(await hub.invoke('tab-16', 'topology:get', []));
    expect(refused).toEqual({ code: 'BAD_ARGUMENT', message: 'At most 16 topologies can be open at once: close a tab first', details: { nothingSent: true } });
    // The refused one was not made, and the open ones still answer.
    expect(hub.has('tab-16')).toBe(false);
    expect(await hub.invoke('tab-15', 'lab:status', [])).toEqual({ ok: true, value: { running: false, seeds: [] } });

    expect(await hub.invoke('tab-3', 'topology:close', [])).toEqual({ ok: true, value: null });
    expect(hub.has('tab-3')).toBe(false);
    expect(await hub.invoke('tab-16', 'topology:get', [])).toEqual({ ok: true, value: null });
    // Closing one that is not open is no error (a tab closed twice, or in two windows).
    expect(await hub.invoke('never-opened', 'topology:close', [])).toEqual({ ok: true, value: null });
  });
});
