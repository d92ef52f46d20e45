// The app's own settings (settings.json in the data directory): for now only where the web
// mode keeps stored secrets, which the user chose once and which must hold across restarts.
// Written atomically; an unreadable file is kept aside and reported, and the defaults apply.
import path from 'node:path';
import { z } from 'zod';
import { fsMessage, moveAside, readIfExists, writeFileAtomic } from './atomic-file';

export const SETTINGS_FILE = 'settings.json';

const settingsSchema = z.strictObject({
  version: z.literal(1),
  /** Web mode: 'file' when the user opted in to a secrets file readable only by them. */
  secretStorage: z.enum(['memory', 'file']),
});

export type Settings = Omit<z.infer<typeof settingsSchema>, 'version'>;

const DEFAULTS: Settings = { secretStorage: 'memory' };

export class SettingsFile {
  /** Why the file could not be read or written (one line each); the defaults applied meanwhile. */
  readonly problems: string[] = [];

  constructor(readonly dir: string) {}

  get file(): string {
    return path.join(this.dir, SETTINGS_FILE);
  }

  /** The settings on disk (defaults when there is no file, or it was unreadable and set aside). */
  read(now = Date.now()): Settings {
    let text: string | null;
    try {
      text = readIfExists(this.file);
    } catch (error) {
      this.#report(`Settings ${this.file} cannot be read (${fsMessage(error)}): the defaults apply`);
      return { ...DEFAULTS };
    }
    if (text === null) return { ...DEFAULTS };
    const parsed = settingsSchema.safeParse(safeJson(text));
    if (parsed.success) return { secretStorage: parsed.data.secretStorage };
    try {
      const aside = moveAside(this.file, now);
      this.#report(`Settings ${this.file} were unreadable: kept aside as ${aside}; the defaults apply`);
    } catch (error) {
      this.#report(`Settings ${this.file} are unreadable and could not be moved aside (${fsMessage(error)}): the defaults apply`);
    }
    return { ...DEFAULTS };
  }

  /** Change some settings and write the file atomically; throws (with the file named) when it cannot. */
  update(change: Partial<Settings>): Settings {
    const next: Settings = { ...this.read(), ...change };
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, ...next }, null, 1)}\n`);
    return next;
  }

  #report(line: string): void {
    if (!this.problems.includes(line)) this.problems.push(line);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
