// The "done when" for plans cut off half-way: kill -9 of the CLI, SIGINT of the web
// server, and Disconnect from a second tab, each at every step of every switchover method and of
// a replicaof under a sibling (held inside a write pause on the master),
// leave a master that accepts writes within the pause timeout (for the fence, once the
// report's restore has run: the report names it) and an INTERRUPTED_PLAN report at the next
// start. Each cut is triggered by the journal gaining the record of step N starting, never by
// a sleep. One lab per plan, reset between cases; a temporary data directory per test.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConsoleService } from '../../electron/app/service';
import { InterruptedPlans } from '../../electron/engine/actions/interrupted';
import type { InterruptedReport } from '../../electron/engine/actions/recovery';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import type { ActionPlan, ActionRequest, SwitchoverMethod } from '../../electron/shared/actions';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { createWebSocketApi, webSocketUrlFor, type WebSocketApi } from '../../renderer/src/api/ws-client';
import { endedBeforeCut, nextStart, stepStarted, stepsStarted } from '../helpers/journal-wait';
import { until } from '../helpers/until';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAMES = ['master', 'replica-1', 'replica-2'] as const;
/** Step timeout of every plan: the write pause (CLIENT PAUSE, FAILOVER TIMEOUT) is this long. */
const STEP_TIMEOUT_MS = 2000;
const PAUSE_MS = STEP_TIMEOUT_MS;
/** Slack on top of the pause for "accepts writes within the pause timeout" (process start-up, a loaded machine). */
const WRITE_SLACK_MS = 1500;
const STEPS: Record<Exclude<SwitchoverMethod, 'auto'>, number> = { 'paused-failover': 5, failover: 2, pause: 6, fence: 6 };

/** A plan to cut off: as the web mode asks for it, as the CLI is told it, and how many steps it has. */
interface Cut {
  name: string;
  steps: number;
  request: (lab: Lab) => ActionRequest;
  cli: (lab: Lab) => string[];
}

const CUTS: Cut[] = [
  ...(Object.keys(STEPS) as (keyof typeof STEPS)[]).map((method) => ({
    name: `${method} switchover`,
    steps: STEPS[method],
    request: (lab: Lab): ActionRequest => ({ kind: 'switchover', to: lab.address('replica-1'), options: { switchoverMethod: method, stepTimeoutMs: STEP_TIMEOUT_MS } }),
    cli: (lab: Lab) => ['switchover', '--to', lab.address('replica-1'), '--method', method],
  })),
  {
    // CLIENT PAUSE WRITE on the master, wait for replica-1, REPLICAOF on replica-2, CLIENT UNPAUSE.
    name: 'replicaof under a sibling',
    steps: 4,
    request: (lab: Lab): ActionRequest => ({ kind: 'replicaof', node: lab.address('replica-2'), master: lab.address('replica-1'), options: { stepTimeoutMs: STEP_TIMEOUT_MS } }),
    cli: (lab: Lab) => ['replicaof', '--node', lab.address('replica-2'), '--master', lab.address('replica-1')],
  },
];

type Mode = 'kill -9 of the CLI' | 'SIGINT of the web server' | 'Disconnect from a second tab';

function client(lab: Lab, name: string, commandTimeout = 1000): Redis {
  return new Redis({ host: '127.0.0.1', port: lab.port(name), maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout });
}

async function withClient<T>(lab: Lab, name: string, work: (c: Redis) => Promise<T>, commandTimeout?: number): Promise<T> {
  const c = client(lab, name, commandTimeout);
  try {
    return await work(c);
  } finally {
    c.disconnect();
  }
}

async function info(lab: Lab, name: string): Promise<Record<string, string>> {
  const text = await withClient(lab, name, (c) => c.info('replication'));
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

/** Back to master ← replica-1, replica-2: no pause, no fence, no FAILOVER running, every link up and caught up. */
async function reset(lab: Lab): Promise<void> {
  await until('no FAILOVER running', async () => {
    const states = await Promise.all(NAMES.map(async (n) => (await info(lab, n)).master_failover_state));
    return states.every((s) => s === 'no-failover') ? true : undefined;
  });
  for (const name of NAMES) {
    await withClient(lab, name, async (c) => {
      await c.call('CLIENT', 'UNPAUSE');
      await c.config('SET', 'min-replicas-to-write', '0');
      await (name === 'master' ? c.call('REPLICAOF', 'NO', 'ONE') : c.call('REPLICAOF', '127.0.0.1', String(lab.port('master'))));
    });
  }
  await until('the lab back in shape', async () => {
    const [m, r1, r2] = await Promise.all(NAMES.map((n) => info(lab, n)));
    const linked = (r: Record<string, string> | undefined): boolean =>
      r?.role === 'slave' && r.master_port === String(lab.port('master')) && r.master_link_status === 'up' && r.master_sync_in_progress === '0' && Number(r.slave_repl_offset) >= Number(m?.master_repl_offset);
    return m?.role === 'master' && linked(r1) && linked(r2) ? true : undefined;
  });
}

type Probe = { writable: string } | { fenced: string[] };

/**
 * Started right after the cut: a master of the lab that accepts a write by `deadline` (a paused
 * one answers when its pause ends; a demoted one says READONLY and does not count), or, when
 * every master refuses with NOREPLICAS, the fenced ones: only the report's restore helps then.
 */
async function probeWrites(lab: Lab, deadline: number): Promise<Probe> {
  return until(
    'a master that accepts writes',
    async (): Promise<Probe | undefined> => {
      const fenced: string[] = [];
      let masters = 0;
      for (const name of NAMES) {
        if ((await info(lab, name)).role !== 'master') continue;
        masters++;
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        const error = await withClient(lab, name, (c) => c.set('interrupted-plans:probe', String(Date.now())), left).then(
          () => null,
          (e: Error) => e.message,
        );
        if (error === null) return { writable: name };
        if (error.startsWith('NOREPLICAS')) fenced.push(name);
      }
      return masters > 0 && fenced.length === masters ? { fenced } : undefined;
    },
    Math.max(0, deadline - Date.now()),
    20,
  );
}

/** The write probe of a cut at `cutAt`: writes must come back within the pause timeout. */
function afterCut(lab: Lab, cutAt: number): Promise<Probe> {
  const probe = probeWrites(lab, cutAt + PAUSE_MS + WRITE_SLACK_MS);
  // Awaited later; an early rejection must not count as unhandled meanwhile.
  probe.catch(() => undefined);
  return probe;
}

/** Run a report's commands in order, as an operator would paste them. */
async function runCommands(lab: Lab, report: InterruptedReport): Promise<void> {
  const byAddress = new Map(NAMES.map((n) => [lab.address(n), n]));
  for (const { node, command } of report.commands) {
    const name = byAddress.get(node);
    if (!name) throw new Error(`the report names a node outside the lab: ${node}`);
    await withClient(lab, name, (c) => c.call(...(command.split(' ') as [string, ...string[]])));
  }
}

/** What the console says of a plan that ended before the stop reached it (nothing kept for the next start). */
const ENDED_FIRST = /had ended \((ok|failed|aborted)\) before the stop reached it: nothing is left for the next start/;

/** The next start's check reports nothing for this plan: it ended before the stop. */
async function expectNoReport(dataDir: string, planId: string, where: string): Promise<void> {
  const { reports } = await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000 });
  expect(reports.map((r) => r.planId), where).not.toContain(planId);
}

/**
 * After the cut: a master took writes within the pause timeout, or every master is fenced, the
 * report names each one with the restore, and running the report's commands brings writes back.
 */
async function expectWritesBack(lab: Lab, report: InterruptedReport | null, probe: Promise<Probe>, where: string): Promise<void> {
  const result = await probe;
  if ('writable' in result) return;
  expect(report, `${where}: every master is fenced, yet no report`).not.toBeNull();
  if (!report) return;
  expect(report.fenced.map((f) => f.node).sort(), where).toEqual(result.fenced.map((n) => lab.address(n)).sort());
  const text = report.commands.map((c) => `${c.node}: ${c.command}`).join('\n');
  for (const f of report.fenced) {
    expect(f.original, where).toBe('0');
    expect(text, where).toContain(`${f.node}: CONFIG SET min-replicas-to-write 0`);
  }
  await runCommands(lab, report);
  expect(await probeWrites(lab, Date.now() + WRITE_SLACK_MS), where).toHaveProperty('writable');
}

function cli(args: string[], dataDir: string): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'bin/replication-console.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function output(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout: () => out, stderr: () => err };
}

function wsApi(url: string): WebSocketApi {
  const { protocol, host, search } = new URL(url);
  return createWebSocketApi(webSocketUrlFor({ protocol, host, search }), { WebSocketImpl: WebSocket, requestTimeoutMs: 30_000, minReconnectMs: 50, maxReconnectMs: 200 });
}

async function planOver(api: WebSocketApi, lab: Lab, cut: Cut): Promise<ActionPlan> {
  // The first snapshot may predate the reset's last effects on a loaded machine: plan again
  // until the console sees the lab runnable, and name what it refused if it never does.
  const plan = await until(
    `a runnable ${cut.name}`,
    async () => {
      const p = await api.planAction(cut.request(lab));
      if (p.canRun) return p;
      throw new Error(p.checks.filter((c) => c.verdict === 'refused').map((c) => `${c.code}: ${c.message}`).join(' | '));
    },
    10_000,
    250,
  );
  expect(plan.steps).toHaveLength(cut.steps);
  return plan;
}

function execute(api: WebSocketApi, plan: ActionPlan): Promise<unknown> {
  return api.executeAction({ planId: plan.id, ...(plan.confirmAddress ? { confirmAddress: plan.confirmAddress } : {}), overrides: plan.needsOverride }).catch((e: unknown) => e);
}

/**
 * Resolves once the journal records step `step` of the plan `planId` starting: `ended` true when
 * the plan had already ended by then (a quick last step can start and end between two reads of
 * the journal: the cut then comes after the end, and nothing may be reported). A plan that ends (or is refused) without ever starting that step fails the test at once,
 * with what it ended on, rather than after stepStarted's timeout.
 */
function whenStepStarts(dataDir: string, step: number, planId: string, running: Promise<unknown>): Promise<{ ended: boolean }> {
  const ended = running.then(async (result) => {
    if ((await stepsStarted(dataDir, planId)).includes(step)) return { ended: true };
    const said =
      result instanceof Error
        ? result.message
        : JSON.stringify((result as { status?: string; steps?: { command: string; status: string; message: string }[] }).steps?.map((s) => [s.command, s.status, s.message]) ?? result);
    throw new Error(`the plan ended before step ${step + 1} started: ${said}`);
  });
  // It always ends, after the cut too: only the race may take that as a failure.
  ended.catch(() => undefined);
  const started = stepStarted(dataDir, step).then(async (id) => {
    expect(id, 'the plan the journal records').toBe(planId);
    return { ended: await endedBeforeCut(dataDir, planId) };
  });
  return Promise.race([started, ended]);
}

for (const subject of CUTS) {
  describe(`${subject.name} cut off at every step`, () => {
    let lab: Lab;
    const steps = subject.steps;

    beforeAll(async () => {
      lab = await Lab.start({ nodes: masterWithReplicas(2) });
    });
    afterAll(async () => {
      await lab?.close();
    });

    /**
     * `cut` returns the plan it cut, when, the report a CLI printed at its next start (which
     * closes a settled plan), and whether the console said the plan had ended before the stop
     * reached it (a signal delivered late on a loaded machine).
     */
    async function eachStep(mode: Mode, cut: (step: number, dataDir: string) => Promise<{ planId: string; probe: Promise<Probe>; printed?: string; ended?: boolean }>): Promise<void> {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-interrupted-'));
      let connectedOnce = false;
      let dismissedByCli = false;
      let cutSteps = 0;
      try {
        for (let step = 0; step < steps; step++) {
          const where = `${mode}, ${subject.name}, step ${step + 1} of ${steps}`;
          await reset(lab);
          const { planId, probe, printed, ended } = await cut(step, dataDir);
          if (!ended) cutSteps++;
          if (printed?.includes('Nothing is left to do')) {
            // The CLI's start found it settled, reported it and closed it.
            await expectWritesBack(lab, null, probe, where);
            continue;
          }
          if (ended) {
            // Not cut at all: it finished first, and then nothing may be reported at the next start.
            await expectNoReport(dataDir, planId, where);
            await expectWritesBack(lab, null, probe, where);
            continue;
          }
          const report = await nextStart(dataDir, planId);
          expect(report.ran[step], where).toMatch(/started, no end recorded|: (ok|aborted|failed|skipped)/);
          if (report.fenced.length > 0 && !connectedOnce) {
            // Connecting to the topology shows the same report, and the fenced master with the value to restore.
            connectedOnce = true;
            const service = new ConsoleService({ interface: 'desktop', auditDir: dataDir });
            try {
              const snapshot = await service.connect({ seeds: [lab.address('replica-2')], pollIntervalMs: 500 });
              expect(snapshot.warnings.find((w) => w.code === 'INTERRUPTED_PLAN')?.message, where).toContain(planId);
              const fenced = snapshot.warnings.find((w) => w.code === 'FENCED_MASTER');
              expect(fenced?.nodes, where).toEqual([report.fenced[0]?.node]);
              expect(fenced?.message, where).toContain('CONFIG SET min-replicas-to-write 0');
              // Said once: the master's own WRITES_REFUSED for the fence gives way to the journal's, which knows the value before.
              expect(snapshot.warnings.filter((w) => w.code === 'WRITES_REFUSED' && w.nodes[0] === fenced?.nodes[0]).map((w) => w.message), where).toEqual([]);
            } finally {
              await service.close();
            }
          }
          await expectWritesBack(lab, report, probe, where);
          // Settled now (or dismissed): not reported again.
          if (!report.settled && mode === 'kill -9 of the CLI' && !dismissedByCli) {
            dismissedByCli = true;
            const dismiss = cli(['interrupted', '--dismiss', planId], dataDir);
            const text = output(dismiss);
            const [code] = (await once(dismiss, 'exit')) as [number | null];
            expect(code, text.stderr()).toBe(0);
            expect(text.stdout()).toContain(`Dismissed ${planId}`);
          } else if (!report.settled) {
            await new InterruptedPlans(dataDir).dismiss(planId);
          }
          expect((await new InterruptedPlans(dataDir).store.interrupted()).plans, where).toEqual([]);
        }
        // A plan may end before a cut aimed at its last steps reaches it, never before every cut.
        expect(cutSteps, `${mode}, ${subject.name}: steps cut`).toBeGreaterThan(0);
        // A kill at steps 2 to 4 of the fence method always leaves the fence on: that case was seen.
        if (subject.name === 'fence switchover' && mode === 'kill -9 of the CLI') expect(connectedOnce).toBe(true);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }

    it('kill -9 of the CLI', async () => {
      let printedOnce = false;
      await eachStep('kill -9 of the CLI', async (step, dataDir) => {
        const child = cli(
          [...subject.cli(lab), '--seed', lab.address('master'), '--step-timeout', String(STEP_TIMEOUT_MS), '--yes'],
          dataDir,
        );
        const exited = once(child, 'exit');
        const planId = await stepStarted(dataDir, step);
        child.kill('SIGKILL');
        const probe = afterCut(lab, Date.now());
        await exited;
        // The kill can land after the last step ended: the journal then records the end.
        if (await endedBeforeCut(dataDir, planId)) return { planId, probe, ended: true };
        let printed: string | undefined;
        if (!printedOnce) {
          // The CLI itself prints the report on stderr when it next starts, before its output.
          printedOnce = true;
          const next = cli(['topology', '--seed', lab.address('replica-2')], dataDir);
          const text = output(next);
          await once(next, 'exit');
          expect(text.stderr()).toContain(`INTERRUPTED_PLAN ${planId}`);
          expect(text.stderr()).toMatch(/What ran:\n {2}1\. /);
          expect(text.stdout()).toMatch(/^127\.0\.0\.1:\d+ {2}(master|replica)/);
          printed = text.stderr();
        }
        return { planId, probe, printed };
      });
    });

    it('SIGINT of the web server', async () => {
      await eachStep('SIGINT of the web server', async (step, dataDir) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'bin/web-server.js'), '--no-open', '--seed', lab.address('master')], {
          cwd: ROOT,
          env: { ...process.env, REPLICATION_CONSOLE_DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const text = output(child);
        const exited = once(child, 'exit');
        const url = await until('the web server URL', async () => /^Replication Console \(web mode\): (\S+)$/m.exec(text.stdout())?.[1], 30_000);
        const api = wsApi(url);
        try {
          const plan = await planOver(api, lab, subject);
          const running = execute(api, plan);
          const planId = plan.id;
          const { ended } = await whenStepStarts(dataDir, step, planId, running);
          child.kill('SIGINT');
          // The server exits once the plan reached its safe point: the cut is complete then.
          const [code] = (await exited) as [number | null];
          const probe = afterCut(lab, Date.now());
          await running;
          expect(code, text.stderr()).toBe(0);
          if (ended) return { planId, probe, ended };
          // The signal can land after the last step ended and the plan let go: no plan to stop, nothing
          // to say (seen once on a loaded machine); the journal records the end.
          if (!text.stderr().includes('SIGINT received') && (await endedBeforeCut(dataDir, planId))) return { planId, probe, ended: true };
          // It said what it did with the running plan.
          expect(text.stderr()).toMatch(/SIGINT received .*(stopping|cannot stop safely|had not sent|had already ended)/);
          return { planId, probe, ended: ENDED_FIRST.test(text.stderr()) };
        } finally {
          api.close();
          // A cut that failed before its SIGINT leaves no server polling the lab's ports for good.
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      });
    });

    it('Disconnect from a second tab', async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-interrupted-web-'));
      const service = new ConsoleService({ interface: 'web', auditDir: dataDir });
      let server: WebServer | null = null;
      const [tabA, tabB] = [0, 1].map(() => ({ api: null as WebSocketApi | null }));
      try {
        server = await startWebServer({ service });
        tabA!.api = wsApi(server.url);
        tabB!.api = wsApi(server.url);
        const a = tabA!.api;
        const b = tabB!.api;
        for (let step = 0; step < steps; step++) {
          const where = `Disconnect from a second tab, ${subject.name}, step ${step + 1} of ${steps}`;
          await reset(lab);
          await a.connect({ seeds: [lab.address('master')], pollIntervalMs: 500 });
          const plan = await planOver(a, lab, subject);
          const notices: string[] = [];
          const stopNotices: string[] = [];
          const stops = [
            a.onActionProgress((p) => {
              if (p.planId === plan.id) notices.push(p.message);
            }),
            service.onStopNotice((m) => stopNotices.push(m)),
          ];
          const running = execute(a, plan);
          const { ended } = await whenStepStarts(dataDir, step, plan.id, running);
          await b.disconnect();
          const probe = afterCut(lab, Date.now());
          const outcome = (await running) as { status?: string };
          for (const stop of stops) stop();
          expect(outcome.status, where).toMatch(/^(ok|aborted|failed)$/);
          if (ended) {
            // Not cut at all: it had ended before the step was seen starting; nothing is reported.
            await expectNoReport(dataDir, plan.id, where);
            await expectWritesBack(lab, null, probe, where);
            await b.disconnect();
            continue;
          }
          expect(notices.some((m) => /Disconnect was asked/.test(m)), `${where}: ${notices.join(' | ')}`).toBe(true);
          if (stopNotices.some((m) => ENDED_FIRST.test(m))) {
            // Not cut at all: it finished before the Disconnect reached it; nothing is reported.
            await expectNoReport(dataDir, plan.id, where);
            await expectWritesBack(lab, null, probe, where);
            await b.disconnect();
            continue;
          }
          // The next start: connecting to the topology again reports it.
          const snapshot = await b.connect({ seeds: [lab.address('replica-2')], pollIntervalMs: 500 });
          const warning = snapshot.warnings.find((w) => w.code === 'INTERRUPTED_PLAN' && w.message.includes(plan.id));
          expect(warning, where).toBeDefined();
          // Settled plans were closed by that check; one still open names what to run.
          const open = (await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000 })).reports.find((r) => r.planId === plan.id);
          await expectWritesBack(lab, open ?? null, probe, where);
          if (open) await new InterruptedPlans(dataDir).dismiss(plan.id);
          await b.disconnect();
        }
      } finally {
        tabA?.api?.close();
        tabB?.api?.close();
        await server?.close();
        await service.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}

describe('a console already watching the topology', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start({ nodes: masterWithReplicas(2) });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('reports a plan a CLI left half-done (kill -9) within seconds, without connecting again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'rc-interrupted-watching-'));
    // serve, or the desktop app, on the same data directory as the CLI an operator runs beside it.
    const service = new ConsoleService({ interface: 'desktop', auditDir: dataDir });
    try {
      await service.connect({ seeds: [lab.address('master')], pollIntervalMs: 200 });
      expect(service.snapshot()?.warnings.map((w) => w.code)).not.toContain('INTERRUPTED_PLAN');
      const child = cli(['switchover', '--to', lab.address('replica-1'), '--method', 'fence', '--seed', lab.address('master'), '--step-timeout', String(STEP_TIMEOUT_MS), '--yes'], dataDir);
      const exited = once(child, 'exit');
      // Cut after the fence went on (step 1 of 6): the plan is half-done whatever follows.
      const planId = await stepStarted(dataDir, 1);
      child.kill('SIGKILL');
      await exited;
      expect(await endedBeforeCut(dataDir, planId)).toBe(false);
      await until('INTERRUPTED_PLAN on the console that was already watching', async () =>
        service.snapshot()?.warnings.some((w) => w.code === 'INTERRUPTED_PLAN' && w.message.includes(planId)) ? true : undefined,
      );
      const report = (await new InterruptedPlans(dataDir).checkAtStart({ timeoutMs: 1000 })).reports.find((r) => r.planId === planId);
      if (report) {
        await runCommands(lab, report);
        await new InterruptedPlans(dataDir).dismiss(planId);
      }
    } finally {
      await service.close();
      await reset(lab);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
