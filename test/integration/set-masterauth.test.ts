// --set-masterauth on real redis-server 7.0, as an ACL user: the replica is given the console's own
// user to replicate as, so its new master must let that user PSYNC, REPLCONF and PING (asked before
// anything is sent), and the way back from a move that never came up must give the replica back the
// credentials its old master accepts.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { planAndRun, replication, sleep } from '../helpers/actions';
import { ADMIN_PASSWORD, ADMIN_RULES, LAB_PASSWORD, adminHarness, on } from '../helpers/acl';
import { disposeAfterEach } from '../helpers/dispose';

const own = disposeAfterEach();
/** What a replica needs on top of the README's admin rules to replicate as that user. */
const REPLICATION_RULES = ['+psync', '+replconf', '+ping'];



/** Every file the service wrote under `dir` (audit log, journals, settled or not), by name relative to it. */
async function written(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(names.map(async (f) => [path.relative(dir, f), await readFile(f, 'utf8')] as const)));
}

async function linkUp(lab: Lab, name: string, ms: number): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  let status: string | undefined;
  while (Date.now() < deadline) {
    status = (await replication(lab, name, LAB_PASSWORD)).master_link_status;
    if (status === 'up') return status;
    await sleep(100);
  }
  return status;
}

describe('--set-masterauth as an ACL user', () => {
  it('a user with +psync +replconf +ping on the new master: asked, allowed, and the link comes up as that user', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: LAB_PASSWORD }));
    for (const name of lab.nodeNames) await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES, ...REPLICATION_RULES);
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masterauth', '');
    const h = own(await adminHarness(lab));
    const { plan, outcome } = await planAndRun(h, {
      kind: 'replicaof',
      node: lab.address('replica-2'),
      master: lab.address('replica-1'),
      options: { setMasterauth: true, stepTimeoutMs: 6000, skipWritePause: true },
    });
    const permission = plan.checks.find((c) => c.code === 'PERMISSION');
    expect(permission?.verdict).toBe('ok');
    expect(permission?.message).toMatch(new RegExp(`PING on ${lab.address('replica-1')}; REPLCONF on ${lab.address('replica-1')}; PSYNC on ${lab.address('replica-1')}`));
    expect(outcome.status, outcome.nextSteps.join('\n')).toBe('ok');
    const r2 = await replication(lab, 'replica-2', LAB_PASSWORD);
    expect([r2.master_port, r2.master_link_status]).toEqual([String(lab.port('replica-1')), 'up']);
    expect(((await on(lab, 'replica-2', 'CONFIG', 'GET', 'masteruser')) as string[])[1]).toBe('admin');
    // The probes left the new master as it was: no replica added, no full sync for the console's connection.
    const stats = (await on(lab, 'replica-1', 'INFO', 'stats')) as string;
    expect(/sync_full:(\d+)/.exec(stats)?.[1]).toBe('0');
  });

  it('REPLCONF allowed by its first arguments (+replconf|listening-port|capa|ack): asked with each, allowed, and the link comes up; without ack, refused', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: LAB_PASSWORD }));
    // What a replica sends (checked on Redis 7.0): without +replconf|ack its link comes up but the
    // master never gets an ACK (ACL LOG fills with replconf, its offset stays 0 in INFO).
    const replconf = ['+replconf|listening-port', '+replconf|capa', '+replconf|ack'];
    for (const name of lab.nodeNames) await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES, '+psync', '+ping', ...replconf);
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masterauth', '');
    const h = own(await adminHarness(lab));
    const request = {
      kind: 'replicaof',
      node: lab.address('replica-2'),
      master: lab.address('replica-1'),
      options: { setMasterauth: true, stepTimeoutMs: 6000, skipWritePause: true },
    } as const;
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '-replconf', ...replconf.slice(0, 2));
    const refused = await h.actions.plan(request);
    expect(refused.checks.filter((c) => c.code === 'PERMISSION' && c.verdict === 'refused').map((c) => c.message)).toEqual([
      expect.stringMatching(new RegExp(`^${lab.address('replica-1')}: ACL user admin may not send REPLCONF there`)),
    ]);
    await on(lab, 'replica-1', 'ACL', 'SETUSER', 'admin', '+replconf|ack');
    const { plan, outcome } = await planAndRun(h, request);
    expect(plan.checks.find((c) => c.code === 'PERMISSION')).toMatchObject({ verdict: 'ok', message: expect.stringContaining(`REPLCONF on ${lab.address('replica-1')}`) });
    expect(outcome.status, outcome.nextSteps.join('\n')).toBe('ok');
    expect(await linkUp(lab, 'replica-2', 8000)).toBe('up');
  });

  it('stopped after masterauth was set, before REPLICAOF: the old masterauth is put back, and neither it nor the console\'s password is in the audit log or the journal', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: LAB_PASSWORD }));
    for (const name of lab.nodeNames) await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES, ...REPLICATION_RULES);
    // replica-2 replicates with the lab's password (its masterauth): the plan replaces it with admin's.
    expect(((await on(lab, 'replica-2', 'CONFIG', 'GET', 'masterauth')) as string[])[1]).toBe(LAB_PASSWORD);
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({
      kind: 'replicaof',
      node: lab.address('replica-2'),
      master: lab.address('replica-1'),
      options: { setMasterauth: true, stepTimeoutMs: 4000, skipWritePause: true },
    });
    expect(plan.steps.map((s) => s.command)).toEqual(['CONFIG SET masterauth ***', 'CONFIG SET masteruser admin', `REPLICAOF 127.0.0.1 ${lab.port('replica-1')}`]);
    const masteruser = plan.steps[1]?.id;
    let stopped: Promise<unknown> | undefined;
    const outcome = await h.actions.execute(plan.id, {
      confirmAddress: plan.confirmAddress ?? undefined,
      overrides: plan.needsOverride,
      onProgress: (p) => {
        if (p.stepId === masteruser && p.status === 'running') stopped ??= h.actions.abort(plan.id);
      },
    });
    expect(await stopped).toMatchObject({ accepted: true });
    expect(outcome.status).not.toBe('ok');
    expect(outcome.nextSteps.join('\n')).toContain(`masterauth and masteruser on ${lab.address('replica-2')} put back as before the plan`);
    expect(((await on(lab, 'replica-2', 'CONFIG', 'GET', 'masterauth')) as string[])[1]).toBe(LAB_PASSWORD);
    const files = await written(h.auditDir);
    expect(Object.keys(files).sort()).toEqual(['audit.jsonl', expect.stringMatching(/^journal\/done\/.+\.jsonl$/)]);
    expect(files['audit.jsonl']).toContain('masterauth');
    for (const [name, text] of Object.entries(files)) expect([name, text.includes(LAB_PASSWORD), text.includes(ADMIN_PASSWORD)]).toEqual([name, false, false]);
  });

  it('a move that never came up: the way back sets its previous masterauth and masteruser first, and then its link to the old master is up again', async () => {
    const lab = own(await Lab.start({ nodes: masterWithReplicas(2), password: LAB_PASSWORD }));
    // The old master has the README's admin rules only: it does not let admin replicate.
    await on(lab, 'master', 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES);
    for (const name of ['replica-1', 'replica-2']) await on(lab, name, 'ACL', 'SETUSER', 'admin', ...ADMIN_RULES, ...REPLICATION_RULES);
    for (const name of ['replica-1', 'replica-2']) expect(await linkUp(lab, name, 8000)).toBe('up');
    // replica-1 cut off from its own master: it answers replica-2's PSYNC with NOMASTERLINK, so the move never comes up.
    await on(lab, 'replica-1', 'CONFIG', 'SET', 'masterauth', 'not-the-password');
    await on(lab, 'master', 'CLIENT', 'KILL', 'TYPE', 'replica');
    await sleep(500);
    expect((await replication(lab, 'replica-1', LAB_PASSWORD)).master_link_status).toBe('down');
    const h = own(await adminHarness(lab));
    const plan = await h.actions.plan({
      kind: 'replicaof',
      node: lab.address('replica-2'),
      master: lab.address('replica-1'),
      options: { setMasterauth: true, stepTimeoutMs: 3000, skipWritePause: true },
    });
    expect(plan.canRun, plan.checks.filter((c) => c.verdict === 'refused').map((c) => c.message).join('; ')).toBe(true);
    const outcome = await h.actions.execute(plan.id, { confirmAddress: plan.confirmAddress ?? undefined, overrides: plan.needsOverride });
    expect(outcome.status).toBe('failed');
    const back = outcome.nextSteps.find((l) => l.includes('To go back'));
    expect(back, outcome.nextSteps.join('\n')).toContain(
      `To go back: CONFIG SET masterauth <its previous masterauth (the one it had before the plan)> and CONFIG SET masteruser "" (the plan gave it the console's credentials, which its old master may refuse), then REPLICAOF 127.0.0.1 ${lab.port('master')} on ${lab.address('replica-2')}.`,
    );
    expect(outcome.nextSteps.join('\n')).not.toMatch(new RegExp(`${LAB_PASSWORD}|${ADMIN_PASSWORD}`));
    // Neither password (the old masterauth put back, the console's set) in the audit log or the journal.
    const files = await written(h.auditDir);
    expect(Object.keys(files).sort()).toEqual(['audit.jsonl', expect.stringMatching(/^journal\/done\/.+\.jsonl$/)]);
    for (const [name, text] of Object.entries(files)) expect([name, text.includes(LAB_PASSWORD), text.includes(ADMIN_PASSWORD)]).toEqual([name, false, false]);
    // The REPLICAOF alone (what the report used to say): the old master refuses admin's PSYNC.
    await on(lab, 'replica-2', 'REPLICAOF', '127.0.0.1', String(lab.port('master')));
    expect(await linkUp(lab, 'replica-2', 2000)).not.toBe('up');
    // Then the credentials as the report says, the previous masterauth being the lab's password: it reconnects by itself.
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masterauth', LAB_PASSWORD);
    await on(lab, 'replica-2', 'CONFIG', 'SET', 'masteruser', '');
    expect(await linkUp(lab, 'replica-2', 8000)).toBe('up');
  });
});
