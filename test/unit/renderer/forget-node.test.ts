// Forget in the node menu: the Session asks the engine over the bridge and closes the menu,
// or keeps it open with the engine's reason.
import { describe, expect, it } from 'vitest';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { CodedError, ScriptedApi } from './scripted-api';

async function connected(api: ScriptedApi): Promise<Session> {
  const session = new Session(api, new Clock(1000), () => 1000);
  session.start();
  await session.connect({ seeds: ['127.0.0.1:7000'] });
  return session;
}

const ANCHOR = { top: 0, bottom: 10, left: 0, right: 10 };

describe('Session.forgetNode', () => {
  it('forgets through the bridge and closes the menu', async () => {
    const api = new ScriptedApi();
    const session = await connected(api);
    void session.openMenu('127.0.0.1:7002', ANCHOR);
    expect(session.menu.open).toBe(true);
    expect(await session.forgetNode('127.0.0.1:7002')).toBeNull();
    expect(api.forgotten).toEqual(['127.0.0.1:7002']);
    expect(session.menu.open).toBe(false);
  });

  it('keeps the menu open and returns the reason when the engine refuses', async () => {
    const api = new ScriptedApi();
    api.forgetError = new CodedError('BAD_ARGUMENT', '127.0.0.1:7002 answers now: only a node the console no longer sees can be forgotten');
    const session = await connected(api);
    void session.openMenu('127.0.0.1:7002', ANCHOR);
    const error = await session.forgetNode('127.0.0.1:7002');
    expect(error).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/answers now/) });
    expect(session.menu.open).toBe(true);
  });
});
