// What every front end does at start: report interrupted plans, then what --lab and --seed ask.
import { checkFailed, InterruptedPlans, type CheckResult, type StartupCheckOptions } from '../engine/actions/interrupted';
import type { TopologySnapshot } from '../shared/types';
import type { ConsoleArgs } from './cli-options';
import type { ConsoleService } from './service';

/**
 * Start the lab and/or connect as the options ask. Resolves with the first snapshot (null when
 * there was nothing to connect to); rejects with the engine's error when a seed can't be reached.
 */
export async function applyStartupArgs(service: ConsoleService, args: ConsoleArgs): Promise<TopologySnapshot | null> {
  // The lab runs without a password or TLS: the connection options only apply to the user's own seeds.
  if (args.lab) return service.connect({ seeds: (await service.startLab()).seeds });
  return args.connect ? service.connect(args.connect) : null;
}

/**
 * At the start of a front end: print every plan a dead console (or a shutdown) left half-done,
 * with where its nodes stand and the commands to finish or roll it back. Never throws: a
 * journal that cannot be read is reported as such.
 */
export async function reportInterruptedPlans(plans: InterruptedPlans, connection: StartupCheckOptions, write: (line: string) => void): Promise<CheckResult> {
  try {
    const result = await plans.checkAtStart(connection);
    for (const line of InterruptedPlans.text(result)) write(line);
    return result;
  } catch (error) {
    write(checkFailed(error));
    return { reports: [], problems: [] };
  }
}
