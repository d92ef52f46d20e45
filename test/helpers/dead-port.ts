/**
 * A loopback port where nothing listens, for a replica pointed at a master that is not there.
 * Not a free port: integration files run two at a time, and the other one's lab may bind a port
 * that was free a moment ago, so a replica pointed there would full-sync from a stranger. Nothing
 * the tests start binds port 1 (labs and servers take ephemeral ports).
 */
export const DEAD_PORT = 1;
