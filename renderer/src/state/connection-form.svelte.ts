// The connect form: seeds text, user, password, and what they parse to. The password lives
// only here, in memory, until the connection is made.
import type { ConnectOptions } from '../../../electron/shared/types';
import { parseSeeds, type ParsedSeeds } from '../lib/seeds';

export class ConnectionForm {
  seedsText = $state('');
  user = $state('');
  password = $state('');

  readonly parsed: ParsedSeeds = $derived(parseSeeds(this.seedsText));

  /** The first problem with the seeds field, or null when it is usable. */
  readonly seedsProblem: string | null = $derived(
    this.parsed.errors[0] ?? (this.parsed.seeds.length === 0 ? 'Enter at least one host:port.' : null),
  );

  readonly canSubmit: boolean = $derived(this.seedsProblem === null);

  /** What api.connect() gets. Empty user and password are left out. */
  toOptions(): ConnectOptions {
    const options: ConnectOptions = { seeds: [...this.parsed.seeds] };
    const user = this.user.trim();
    if (user !== '') options.user = user;
    if (this.password !== '') options.password = this.password;
    return options;
  }

  /** Fills seeds and user (from a recent connection or the lab); the password is cleared. */
  fill(seeds: readonly string[], user: string | null): void {
    this.seedsText = seeds.join(', ');
    this.user = user ?? '';
    this.password = '';
  }

  clearPassword(): void {
    this.password = '';
  }
}
