// The CLI's connection options on real servers: --askpass from a pipe, a redis:// seed's password
// taken out and never shown, redis-cli's warning for a password on the command line, and
// --read-only refusing a topology change with exit code 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, masterWithReplicas } from '../../electron/lab/lab';
import { runCli } from '../helpers/cli';

const PASSWORD = 'cli-connection-secret';
let lab: Lab;

function nodesOf(stdout: string): Array<{ address: string; reachable: boolean }> {
  return (JSON.parse(stdout) as { nodes: Array<{ address: string; reachable: boolean }> }).nodes;
}

beforeAll(async () => {
  lab = await Lab.start({ nodes: masterWithReplicas(1), password: PASSWORD });
});
afterAll(async () => lab?.close());

describe('CLI connection options', () => {
  it('--askpass reads the password from a pipe, prompts as redis-cli does, and echoes nothing', async () => {
    const run = await runCli(['topology', '--seed', lab.address('master'), '--askpass', '--format', 'json'], { stdin: `${PASSWORD}\n` });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('Please input password: \n');
    expect(nodesOf(run.stdout).every((n) => n.reachable)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    // An empty pipe gives no password: a usage error (2), not an interrupt (130), and nothing is dialled.
    const empty = await runCli(['topology', '--seed', lab.address('master'), '--askpass'], { stdin: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/stdin ended before a password was given/);
  });

  it('a redis:// seed gives its password to every node, warns that it is visible, and never shows it', async () => {
    const run = await runCli(['topology', '--seed', `redis://:${PASSWORD}@${lab.address('replica-1')}`, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Warning: a password on the command line is visible to other users/);
    expect(nodesOf(run.stdout).map((n) => n.reachable)).toEqual([true, true]);
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    // A wrong one fails without showing it either.
    const wrong = await runCli(['topology', '--seed', `redis://:not-${PASSWORD}@${lab.address('master')}`]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/authentication failed/);
    expect(wrong.stdout + wrong.stderr).not.toContain(`not-${PASSWORD}`);
  });

  it('--read-only refuses a topology change with exit code 2 and changes nothing', async () => {
    const run = await runCli(['detach', '--node', lab.address('replica-1'), '--askpass', '--read-only', '--yes'], { stdin: `${PASSWORD}\n` });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/read-only/);
    const after = await runCli(['topology', '--seed', lab.address('replica-1'), '--askpass', '--format', 'json'], { stdin: `${PASSWORD}\n` });
    const replica = (JSON.parse(after.stdout) as { nodes: Array<{ address: string; role: string }> }).nodes.find((n) => n.address === lab.address('replica-1'));
    expect(replica?.role).toBe('replica');
  });
});
