// How bytes reach a node: straight over TCP, through TLS, through an SSH tunnel, or both, and
// which hosts may be sent the credentials. The client registry applies it to every connection.
import type { ConnectionOptions } from 'node:tls';

/** An SSH session's port forwards: one local endpoint per remote node, opened on first use. */
export interface Tunnel {
  /** A local host:port that reaches `host:port` as the bastion sees it. Rejects with an EngineError ('SSH', …). */
  endpoint(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Close every forward and the SSH session. */
  close(): void;
}

export interface Transport {
  /** Options for tls.connect (CA, certificate and key read, servername, rejectUnauthorized); absent: plain TCP. */
  tls?: ConnectionOptions;
  tunnel?: Tunnel;
  /** May `host` (as listed, before any tunnel) receive the credentials? Absent: every host may. */
  trusts?: (host: string) => boolean;
  /**
   * Trust these hosts too: the master and replicas the user's own Sentinels name for the asked
   * master, which a Sentinel client authenticates to as well.
   */
  trustAlso?: (hosts: readonly string[]) => void;
}
