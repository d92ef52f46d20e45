// The plan dialog's REPLICAOF target (behind NAT the replicas may need another address for
// their master): read from the plan's steps, changed by re-planning with options.masterAddress,
// and a malformed address refused before anything is sent.
import { describe, expect, it } from 'vitest';
import type { ActionPlan, ActionRequest } from '../../../electron/shared/actions';
import { Clock } from '../../../renderer/src/state/clock.svelte';
import { parseMasterAddress, replicaofTargetOf, replicaofTargetsOf } from '../../../renderer/src/state/plan-dialog.svelte';
import { Session } from '../../../renderer/src/state/session.svelte';
import { makePlan, makePromotePlan, makeStep } from './action-fixtures';
import { ScriptedApi } from './scripted-api';

/** Answers each request with a plan whose REPLICAOF step dials options.masterAddress (if any). */
function planFor(request: ActionRequest): ActionPlan {
  const target = request.options?.masterAddress ?? '127.0.0.1:7001';
  const colon = target.lastIndexOf(':');
  const host = target.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return makePlan({ request, steps: [makeStep('s1', '127.0.0.1:7002', `REPLICAOF ${host} ${target.slice(colon + 1)}`)] });
}

async function reviewing(api: ScriptedApi): Promise<Session> {
  const session = new Session(api, new Clock(1000), () => 1000);
  session.start();
  await session.connect({ seeds: ['127.0.0.1:7000'] });
  await session.openPlan(makePlan().request);
  expect(session.planDialog.phase).toBe('review');
  return session;
}

describe('replicaofTargetOf', () => {
  it('reads the address from the first REPLICAOF host port, past REPLICAOF NO ONE', () => {
    expect(replicaofTargetOf(makePromotePlan().steps)).toBe('127.0.0.1:7001');
    expect(replicaofTargetOf([makeStep('s1', '[::1]:7002', 'REPLICAOF ::1 7001')])).toBe('[::1]:7001');
    expect(replicaofTargetOf([makeStep('s1', '127.0.0.1:7001', 'REPLICAOF NO ONE')])).toBeNull();
    expect(replicaofTargetOf([])).toBeNull();
  });

  it('lists each address once where replicas dial the new master over different transports', () => {
    const steps = [
      makeStep('s1', '127.0.0.1:7002', 'REPLICAOF 127.0.0.1 7001'),
      makeStep('s2', '127.0.0.1:7003', 'REPLICAOF 127.0.0.1 7101'),
      makeStep('s3', '127.0.0.1:7004', 'REPLICAOF 127.0.0.1 7001'),
    ];
    expect(replicaofTargetsOf(steps)).toEqual(['127.0.0.1:7001', '127.0.0.1:7101']);
    expect(replicaofTargetsOf(makePromotePlan().steps)).toEqual(['127.0.0.1:7001']);
  });
});

describe('parseMasterAddress', () => {
  it('accepts host:port, hostnames and [IPv6]:port; empty means the default', () => {
    expect(parseMasterAddress(' redis-a.internal:6380 ')).toEqual({ address: 'redis-a.internal:6380' });
    expect(parseMasterAddress('[::1]:7001')).toEqual({ address: '[::1]:7001' });
    expect(parseMasterAddress('  ')).toEqual({ address: null });
  });

  it('refuses a missing port, a bad port and a bad host with a specific message', () => {
    expect(parseMasterAddress('10.0.0.5')).toEqual({ error: '"10.0.0.5": give the port too, as host:port' });
    expect(parseMasterAddress('[::1]')).toEqual({ error: '"[::1]": give the port too, as host:port' });
    expect(parseMasterAddress('10.0.0.5:70000')).toEqual({ error: '"10.0.0.5:70000": port must be a number from 1 to 65535' });
    expect(parseMasterAddress('bad host:6379')).toEqual({ error: '"bad host:6379": not a valid host name or IP address' });
  });
});

describe('Session.setMasterAddress', () => {
  it('re-plans with options.masterAddress and shows the new target; empty goes back to the default', async () => {
    const api = new ScriptedApi();
    api.plans = planFor;
    const session = await reviewing(api);
    expect(session.planDialog.replicaofTarget).toBe('127.0.0.1:7001');
    session.planDialog.setConfirmText('kept');

    expect(await session.setMasterAddress(' 10.0.0.5:6379 ')).toBeNull();
    expect(api.planRequests.at(-1)).toEqual({ ...makePlan().request, options: { masterAddress: '10.0.0.5:6379' } });
    expect(session.planDialog.phase).toBe('review');
    expect(session.planDialog.replicaofTarget).toBe('10.0.0.5:6379');
    expect(session.planDialog.options.masterAddress).toBe('10.0.0.5:6379');
    expect(session.planDialog.confirmText).toBe('kept');

    expect(await session.setMasterAddress('')).toBeNull();
    expect(api.planRequests.at(-1)).toEqual({ ...makePlan().request, options: {} });
    expect(session.planDialog.replicaofTarget).toBe('127.0.0.1:7001');
  });

  it('refuses an invalid address before sending anything and keeps the plan under review', async () => {
    const api = new ScriptedApi();
    api.plans = planFor;
    const session = await reviewing(api);
    const sent = api.planRequests.length;
    const plan = session.planDialog.plan;

    expect(await session.setMasterAddress('10.0.0.5')).toBe('"10.0.0.5": give the port too, as host:port');
    expect(await session.setMasterAddress('10.0.0.5:0')).toMatch(/port must be a number from 1 to 65535/);
    expect(api.planRequests).toHaveLength(sent);
    expect(session.planDialog.plan).toBe(plan);
    expect(session.planDialog.options.masterAddress).toBeUndefined();
  });
});
