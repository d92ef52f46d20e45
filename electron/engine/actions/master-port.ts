// Which of a master's ports a replica can dial. A replica speaks TLS to whatever port it is given
// when it has tls-replication yes, plain TCP otherwise; and a node is listed by its master at the
// port its own link announced (its tls-port with tls-replication yes, else its port). So where
// servers have both ports and replicate some over TLS and some not, the address the topology has
// for a new master may be of the other transport than a replica's: sent there, the replica's link
// stays down and only its log says why. Pure.
import type { NodeFacts } from './facts';

export type Transport = 'TLS' | 'plain';

type PortFacts = Pick<NodeFacts, 'plainPort' | 'tlsPort' | 'tlsReplication'>;

/** A replica given a port of its master's other transport. */
export interface TransportMismatch {
  /** How the replica dials (its tls-replication). */
  wants: Transport;
  /** What the given port is: the master's port of the other transport. */
  given: Transport;
  /** The master's port of the transport the replica wants: 0 when it has none, null when it could not be read. */
  other: number | null;
}

/**
 * Whether `port`, given to `replica` to reach `master`, is the master's port of the other
 * transport. Null when it fits, and when too little is known to tell: the replica's
 * tls-replication unread, or a port that is neither of the master's own two (a NAT or announced
 * port, or its ports unread), which is kept as it is.
 */
export function transportMismatch(replica: PortFacts, master: PortFacts, port: number): TransportMismatch | null {
  if (replica.tlsReplication === null || port <= 0) return null;
  const wants: Transport = replica.tlsReplication ? 'TLS' : 'plain';
  const given: Transport | null = port === master.tlsPort ? 'TLS' : port === master.plainPort ? 'plain' : null;
  if (given === null || given === wants) return null;
  return { wants, given, other: wants === 'TLS' ? master.tlsPort : master.plainPort };
}

/** "A has tls-replication yes, so it dials its master over TLS": why a port of the other transport fails. */
export function dialsText(replica: string, mismatch: TransportMismatch): string {
  return `${replica} has tls-replication ${mismatch.wants === 'TLS' ? 'yes' : 'no'}, so it dials its master ${mismatch.wants === 'TLS' ? 'over TLS' : 'in the clear'}`;
}

/** The setting that names a master's port of `transport`. */
export function portSetting(transport: Transport): string {
  return transport === 'TLS' ? 'tls-port' : 'port';
}
