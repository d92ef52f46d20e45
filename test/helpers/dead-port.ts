/**
 * A loopback port where nothing listens, for a replica pointed at a master that is not there, or
 * a seed that refuses the connection. Not a free port: integration files run two at a time, and
 * the other one's lab may bind a port that was free a moment ago, so a replica pointed there would
 * full-sync from a stranger, and a "closed" seed would answer. Nothing the tests start binds ports
 * 1 or 2 (labs and servers take ephemeral ports).
 */
export const DEAD_PORT = 1;

/** Two such ports, for a test that needs two different addresses that both refuse. */
export const DEAD_PORTS = [1, 2] as const;
