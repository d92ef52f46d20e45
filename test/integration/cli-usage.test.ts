// Usage corners as a user meets them, no server needed: --version, help help, --override with a
// code no check has (refused before anything connects), and the web mode's one-line usage error.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli as cli } from '../helpers/cli';

const WEB = path.resolve(import.meta.dirname, '../../bin/web-server.js');
const VERSION = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

describe('CLI usage', () => {
  it('--version prints the version, exit 0', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('help help and help --help are answered, not "unknown command"', async () => {
    const helpHelp = await cli(['help', 'help']);
    expect(helpHelp).toMatchObject({ code: 0, stderr: '' });
    expect(helpHelp.stdout).toMatch(/^usage: replication-console help \[COMMAND\]/);
    const helpFlag = await cli(['help', '--help']);
    expect(helpFlag).toMatchObject({ code: 0, stderr: '' });
    expect(helpFlag.stdout).toMatch(/^replication-console: Redis and Valkey/);
  });

  it('--override with an unknown code: exit 2, the codes listed, the command\'s own help hinted, nothing connected', async () => {
    // Port 1: were anything dialled, the error would be "connection refused" (3), not this.
    const run = await cli(['switchover', '--seed', '127.0.0.1:1', '--to', '127.0.0.1:1', '--override', 'BOGUS_CODE', '--yes']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^replication-console: --override BOGUS_CODE is not a check code .*the codes: .*FULL_SYNC/);
    expect(run.stderr).toMatch(/\nRun `replication-console switchover --help` for usage\.\n$/);
  });
});

describe('web mode usage', () => {
  it('an unknown option is one line plus the hint, exit 2', async () => {
    const child = spawn(process.execPath, [WEB, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('Replication Console: unknown option --bogus\nRun `npm start -- --help` for the options.\n');
  });
});
