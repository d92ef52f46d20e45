// Entry point of `npm run web -- [--port N] [--seed H:P …] [--user U] [--password P] [--lab] [--no-open]`.
// Prints exactly one line with the URL (tests parse it); errors are one line on stderr.
import { ConsoleHub } from '../app/console-hub';
import { MAIN_TOPOLOGY } from '../shared/api';
import { parseConsoleArgs, USAGE, USAGE_HINT, UsageError, type ConsoleArgs } from '../app/cli-options';
import { applyStartupArgs, reportInterruptedPlans } from '../app/startup';
import { startupCheckFor } from '../app/connection-args';
import { toApiError } from '../engine/errors';
import { openBrowser } from './open-browser';
import { startWebServer, type WebServer } from './server';

function parseArgs(): ConsoleArgs {
  try {
    return parseConsoleArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`Replication Console: ${error.message}\n${USAGE_HINT}`);
    process.exit(2);
  }
}

const args = parseArgs();
for (const notice of args.notices) console.error(notice);
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

// One ConsoleService per open tab; --seed and --lab open the first tab's ('main').
const hub = new ConsoleHub({ service: { interface: 'web', timeoutMs: args.timeoutMs } });
let server: WebServer | null = null;
let stopping = false;
hub.onStopNotice((_topology, message) => console.error(`Replication Console: ${message}`));

async function shutdown(exitCode: number, reason: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    try {
      // A plan cut off half-way can leave a master refusing writes: let it reach a safe point first.
      if (hub.runningPlans.length > 0) console.error('Replication Console: press Ctrl-C again to quit at once (the plan journal keeps the plan for the next start).');
      await hub.stopRunningPlans(reason);
      await server?.close();
      await hub.closeAll();
    } catch (error) {
      console.error(`Replication Console: error while stopping: ${toApiError(error).message}`);
    }
  }
  process.exit(exitCode);
}

// SIGHUP (a dropped SSH session) as SIGTERM: plans stop at a safe point, the lab is removed.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C while a plan or the lab is still stopping means "now".
    if (stopping) {
      if (hub.runningPlans.length > 0) console.error('Replication Console: quitting now; the plan journal keeps the unfinished plan, reported at the next start.');
      process.exit(130);
    }
    void shutdown(0, `${signal} received`);
  });
}

await reportInterruptedPlans(hub.interruptedPlans, startupCheckFor(args.connect), (line) => console.error(line));

try {
  await applyStartupArgs(hub.get(MAIN_TOPOLOGY), args);
} catch (error) {
  const what = args.lab ? 'the lab failed' : 'cannot connect';
  console.error(`Replication Console: ${what}: ${toApiError(error).message}`);
  await shutdown(1, 'startup failed');
}

try {
  const started = await startWebServer({ hub, port: args.port });
  server = started;
  console.log(`Replication Console (web mode): ${started.url}`);
  if (args.open) openBrowser(started.url);
} catch (error) {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  console.error(`Replication Console: cannot listen on 127.0.0.1:${args.port}: ${reason}`);
  await shutdown(1, 'startup failed');
}
