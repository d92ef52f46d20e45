// Saved connections as the connect screen shows them: the list the main process keeps, where
// secrets go, and the calls that change them. Secrets never come back from the bridge: a
// profile says which ones are stored, nothing more.
import type { ReplicationConsoleApi } from '../../../electron/shared/api';
import type { ConnectionProfile, ProfileInput, ProfileList, SecretStorage } from '../../../electron/shared/profiles';
import type { ApiError } from '../../../electron/shared/types';
import { toApiError } from '../lib/errors';

export type ProfileApi = Pick<
  ReplicationConsoleApi,
  'listProfiles' | 'saveProfile' | 'deleteProfile' | 'exportProfiles' | 'importProfiles' | 'setSecretStorage'
>;

/** One sentence: where a remembered secret goes, for each storage. */
export const SECRET_STORAGE_TEXT: Record<SecretStorage, string> = {
  encrypted: 'Remembered secrets are encrypted by the operating system (its keychain) and never shown again.',
  memory: 'Remembered secrets stay in this server’s memory only: they are gone when it stops.',
  file: 'Remembered secrets are kept in a file readable only by you, in the data directory.',
};

export class ProfilesState {
  profiles = $state.raw<ConnectionProfile[]>([]);
  secretStorage = $state<SecretStorage | null>(null);
  /** Whether the user may choose where secrets go (the web mode); the desktop app uses the keychain. */
  fileOptIn = $state(false);
  /** Files the main process could not read (kept aside), one line each. */
  problems = $state.raw<string[]>([]);
  /** The last failed call, shown above the list. */
  error = $state.raw<ApiError | null>(null);
  /** The last import's skipped entries, and how many came in. */
  importReport = $state.raw<{ imported: number; problems: string[] } | null>(null);
  loaded = $state(false);

  readonly #api: ProfileApi;

  constructor(api: ProfileApi) {
    this.#api = api;
  }

  /** Sorted by name, so the list does not reorder when one is saved. */
  readonly sorted: ConnectionProfile[] = $derived([...this.profiles].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)));

  byId(id: string): ConnectionProfile | null {
    return this.profiles.find((p) => p.id === id) ?? null;
  }

  async load(): Promise<void> {
    await this.#call(async () => this.#adopt(await this.#api.listProfiles()));
    this.loaded = true;
  }

  /** Saves (a new profile without id); returns it, or null with the error in `error`. */
  async save(input: ProfileInput): Promise<ConnectionProfile | null> {
    const saved = await this.#call(() => this.#api.saveProfile(input));
    if (saved) this.profiles = [...this.profiles.filter((p) => p.id !== saved.id), saved];
    return saved;
  }

  async remove(id: string): Promise<boolean> {
    const done = await this.#call(() => this.#api.deleteProfile(id));
    if (done !== null) this.profiles = this.profiles.filter((p) => p.id !== id);
    return done === true;
  }

  /** Exported JSON text (never a secret in it), or null. */
  async exportText(ids?: string[]): Promise<string | null> {
    return this.#call(() => (ids ? this.#api.exportProfiles(ids) : this.#api.exportProfiles()));
  }

  async importText(text: string): Promise<void> {
    const result = await this.#call(() => this.#api.importProfiles(text));
    if (!result) return;
    this.importReport = { imported: result.imported.length, problems: result.problems };
    await this.load();
  }

  /** Web mode: keep secrets in memory only, or opt in to a file readable only by this user. */
  async setSecretStorage(storage: 'memory' | 'file'): Promise<void> {
    const now = await this.#call(() => this.#api.setSecretStorage(storage));
    if (now) this.secretStorage = now;
  }

  #adopt(list: ProfileList): void {
    this.profiles = list.profiles;
    this.secretStorage = list.secretStorage;
    this.fileOptIn = list.fileOptIn;
    this.problems = list.problems;
  }

  async #call<T>(run: () => Promise<T>): Promise<T | null> {
    this.error = null;
    try {
      return await run();
    } catch (thrown) {
      this.error = toApiError(thrown);
      return null;
    }
  }
}
