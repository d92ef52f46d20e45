// ACL users on lab nodes for the tests: the README's rules (read from its "ACL users" section, so
// a test fails when the README drifts), commands run as the lab's default user, and the console
// logged in as the README's admin user.
import { readFileSync } from 'node:fs';
import Redis from 'ioredis';
import type { Lab } from '../../electron/lab/lab';
import { harnessAs, type Harness } from './actions';

/** The lab's default user's password, in the tests that give the console an ACL user of its own. */
export const LAB_PASSWORD = 'lab-default-secret';
/** The admin user's password. */
export const ADMIN_PASSWORD = 'admin-user-secret';

/** The `ACL SETUSER NAME …` line of the README's ACL users section, as arguments after SETUSER, with `password` for PASSWORD. */
export function readmeRules(name: string, password: string): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## ACL users'), readme.indexOf('\n## ', readme.indexOf('## ACL users') + 1));
  const line = section.split('\n').find((l) => l.startsWith(`ACL SETUSER ${name} `));
  if (!line) throw new Error(`README's ACL users section has no "ACL SETUSER ${name}" line`);
  return line
    .trim()
    .split(/\s+/)
    .slice(3)
    .map((token) => (token === '>PASSWORD' ? `>${password}` : token));
}

/** The README's admin rules, with ADMIN_PASSWORD. */
export const ADMIN_RULES = readmeRules('admin', ADMIN_PASSWORD);

/** Runs one command on a lab node as its default user (LAB_PASSWORD). */
export async function on(lab: Lab, name: string, ...command: string[]): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port: lab.port(name), password: LAB_PASSWORD, maxRetriesPerRequest: 1 });
  try {
    return await client.call(command[0] ?? '', ...command.slice(1));
  } finally {
    client.disconnect();
  }
}

/** The engine and action service as the ACL user `admin`, seeded at the lab's master. */
export function adminHarness(lab: Lab, sentinelHelloMs = 500): Promise<Harness> {
  return harnessAs([lab.address('master')], { user: 'admin', password: ADMIN_PASSWORD }, sentinelHelloMs);
}
