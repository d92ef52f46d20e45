// `replication-console interrupted [--dismiss PLAN_ID]`: the plans a dead console (or a
// shutdown) left half-done, read from the plan journal, with where their nodes stand now and
// the commands that finish or roll them back; --dismiss stops reporting one.
import { parseArgs } from 'node:util';
import { dataDir } from '../engine/actions/audit';
import { InterruptedPlans } from '../engine/actions/interrupted';
import { clean } from './output';
import { askSecrets, CONNECTION_OPTIONS, parseConnection, startupCheckFor } from '../app/connection-args';
import { readSecret } from './read-secret';

export const INTERRUPTED_HELP = `Interrupted plans (a console killed mid-plan leaves them in the plan journal):
  interrupted [--user U] [--askpass] [--tls …] [--json]
                                                   report them: what ran, where each node stands, what to run
                                                   (the connection options below reach the plans' nodes)
  interrupted --dismiss PLAN_ID                    stop reporting one (you have dealt with it)
  Every command also prints this report on stderr when it starts. A plan is closed by itself
  once its nodes are seen in its end state or its original one, with no fence and no pause.`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  dismiss: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Returns the exit code: 0 when nothing is left to do (or the dismiss worked), 1 otherwise. */
export async function runInterrupted(args: string[], help: string): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(help);
    return 0;
  }
  const plans = new InterruptedPlans(dataDir());
  if (values.dismiss !== undefined) {
    const closed = await plans.dismiss(values.dismiss);
    if (closed) console.log(clean(`Dismissed ${values.dismiss}: it is no longer reported (kept in ${plans.store.dir}/done).`));
    else console.error(clean(`replication-console: no interrupted plan ${values.dismiss} in ${plans.store.dir}`));
    return closed ? 0 : 1;
  }
  // The plans name their own nodes: no --seed needed, only how to reach and authenticate to them.
  const parsed = parseConnection(values, { requireEntry: false });
  for (const notice of parsed.notices) console.error(notice);
  const options = await askSecrets(parsed, (prompt) => readSecret(prompt));
  const result = await plans.checkAtStart({ ...startupCheckFor(options), timeoutMs: parsed.timeoutMs });
  if (values.json) console.log(JSON.stringify(result));
  else if (result.reports.length === 0 && result.problems.length === 0) console.log('No interrupted plan.');
  else for (const line of InterruptedPlans.text(result)) console.log(clean(line));
  return result.problems.length > 0 || result.reports.some((r) => !r.settled) ? 1 : 0;
}
