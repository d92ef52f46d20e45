// Saved connections: what a profile holds, what crosses the bridge, and the channels that
// manage them. A profile never carries a secret back to the renderer: `secrets` says which
// ones are stored, never their values.
import type { Address, SentinelOptions, SshOptions, TlsOptions } from './types';

/** The secrets a profile may store, by name. */
export type SecretName = 'password' | 'sentinelPassword' | 'sshPassword' | 'sshPassphrase';

export interface ConnectionProfile {
  id: string;
  name: string;
  seeds: Address[];
  sentinel?: Omit<SentinelOptions, 'password'>;
  user?: string;
  tls?: TlsOptions;
  ssh?: Omit<SshOptions, 'password' | 'passphrase' | 'acceptHostKey'>;
  addressMap?: Record<Address, Address>;
  trustedHosts?: string[];
  pollIntervalMs?: number;
  readOnly?: boolean;
  /** Which secrets are stored for this profile (never their values). */
  secrets: Record<SecretName, boolean>;
  /** ms since epoch. */
  savedAt: number;
}

/** What the connect form sends to save a profile: the profile, plus the secrets to store (if the user asked). */
export interface ProfileInput extends Omit<ConnectionProfile, 'id' | 'secrets' | 'savedAt'> {
  /** Absent: a new profile. */
  id?: string;
  /** Secrets to store; a name left out keeps what is stored, an empty string removes it. */
  secrets?: Partial<Record<SecretName, string>>;
}

/**
 * Where secrets are kept: 'encrypted' (Electron safeStorage), 'memory' (the web mode's default:
 * gone when the server stops), 'file' (web mode, opted in: a file readable only by the user).
 */
export type SecretStorage = 'encrypted' | 'memory' | 'file';

export interface ProfileList {
  profiles: ConnectionProfile[];
  secretStorage: SecretStorage;
  /** The web mode: the user may choose between memory and a file ('profile:secret-storage'). False in the desktop app. */
  fileOptIn: boolean;
  /** Files that could not be read (kept aside as *.corrupt-<time>), one line each: reported, never silently replaced. */
  problems: string[];
}

export interface ProfileImportResult {
  imported: ConnectionProfile[];
  /** Entries skipped, one line each. */
  problems: string[];
}

