// What --lab and --seed do at start, the same for the web mode and the Electron app.
import type { TopologySnapshot } from '../shared/types';
import type { ConsoleArgs } from './cli-options';
import type { ConsoleService } from './service';

/**
 * Start the lab and/or connect as the options ask. Resolves with the first snapshot (null when
 * there was nothing to connect to); rejects with the engine's error when a seed can't be reached.
 */
export async function applyStartupArgs(service: ConsoleService, args: ConsoleArgs): Promise<TopologySnapshot | null> {
  let seeds = args.seeds;
  if (args.lab) seeds = (await service.startLab()).seeds;
  if (seeds.length === 0) return null;
  // The lab runs without a password: credentials only apply to the user's own seeds.
  if (args.lab) return service.connect({ seeds });
  return service.connect({
    seeds,
    ...(args.user === undefined ? {} : { user: args.user }),
    ...(args.password === undefined ? {} : { password: args.password }),
  });
}
