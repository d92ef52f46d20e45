// `replication-console serve`: the engine and the web console as a long-lived service, with
// Prometheus metrics (see the README's "Fleets" section).
import { parseOptions } from '../app/options';

/** Runs until SIGINT/SIGTERM/SIGHUP; resolves with the exit code. */
export async function runServe(args: string[]): Promise<number> {
  parseOptions('serve', args);
  console.error('replication-console: serve is not built yet');
  return 1;
}
