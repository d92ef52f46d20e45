// `replication-console interrupted [--dismiss PLAN_ID]`: the plans a dead console (or a
// shutdown) left half-done, read from the plan journal, with where their nodes stand now and
// the commands that finish or roll them back; --dismiss stops reporting one.
import { dataDir } from '../engine/actions/audit';
import { InterruptedPlans } from '../engine/actions/interrupted';
import { clean } from './output';
import { askSecrets, parseConnection, startupCheckFor } from '../app/connection-args';
import { parseOptions } from '../app/options';
import { readSecret } from './read-secret';

/** Returns the exit code: 0 when nothing is left to do (or the dismiss worked), 1 otherwise. */
export async function runInterrupted(args: string[]): Promise<number> {
  const { values } = parseOptions('interrupted', args);
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
