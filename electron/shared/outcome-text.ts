// Why a plan stopped, when it stopped for something other than its own failure, in words the CLI
// and the page both print.
import type { SentinelOnItsOwn } from './actions';

/**
 * The headline of a sentinel-failover stopped because the Sentinels failed the master over on
 * their own before the console sent SENTINEL FAILOVER: whom they promoted, whether that is the
 * replica the plan preferred, and that the console sent nothing.
 */
export function onItsOwnHeadline(own: SentinelOnItsOwn): string {
  const which =
    own.prefer === null
      ? ' (Sentinel\'s own pick: this plan preferred none)'
      : own.toPreferred
        ? ' (the replica this plan preferred)'
        : ` (not ${own.prefer}, the replica this plan preferred)`;
  return `Sentinel failed "${own.masterName}" over on its own to ${own.master}${which}; the console sent no SENTINEL FAILOVER.`;
}
