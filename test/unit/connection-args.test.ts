import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askSecrets, ConnectionUsageError, parseConnection } from '../../electron/app/connection-args';
import { parseOptions } from '../../electron/app/options';
import { parseConsoleArgs, UsageError } from '../../electron/app/cli-options';
import { readSecret, SecretCancelled } from '../../electron/cli/read-secret';

const FINGERPRINT = 'SHA256:' + 'A'.repeat(43);

/** Parse a command line as the CLI's topology does: the one option table, then the mapping. */
function parse(args: string[], env: NodeJS.ProcessEnv = {}, requireEntry = true) {
  const { values } = parseOptions('topology', args);
  return parseConnection(values, { env, requireEntry });
}

function usageError(args: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(args, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectionUsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${args.join(' ')} to be refused`);
}

describe('parseConnection', () => {
  it('maps every flag into ConnectOptions as the contract says', () => {
    const parsed = parse([
      '--seed', '10.0.0.1:6379', '--seed', 'db2', '--user', 'ops', '--password', 'pw',
      '--tls', '--cacert', '/ca.pem', '--cert', '/c.pem', '--key', '/k.pem', '--sni', 'db.internal', '--insecure',
      '--ssh', 'jump@bastion.example:2222', '--ssh-key', '/id', '--ssh-known-hosts', '/kh', '--ssh-accept-host-key', FINGERPRINT,
      '--sentinel', '10.0.0.9', '--sentinel', '10.0.0.10:5000', '--master-name', 'mymaster', '--sentinel-user', 'sen', '--sentinel-password', 'spw',
      '--trust', '*.db.internal', '--trust', '10.0.0.0/8', '--read-only', '--map', '172.17.0.2=127.0.0.1', '--interval', '500', '--timeout', '3000',
    ]);
    expect(parsed.options).toEqual({
      seeds: ['10.0.0.1:6379', 'db2:6379'],
      user: 'ops',
      password: 'pw',
      tls: { enabled: true, caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem', sni: 'db.internal', insecure: true },
      ssh: { host: 'bastion.example', port: 2222, user: 'jump', keyFile: '/id', knownHostsFile: '/kh', acceptHostKey: FINGERPRINT },
      sentinel: { addresses: ['10.0.0.9:26379', '10.0.0.10:5000'], masterName: 'mymaster', user: 'sen', password: 'spw' },
      trustedHosts: ['*.db.internal', '10.0.0.0/8'],
      readOnly: true,
      addressMap: { '172.17.0.2': '127.0.0.1' },
      pollIntervalMs: 500,
    });
    expect(parsed.timeoutMs).toBe(3000);
    expect(parsed.ask).toEqual({ password: false, ssh: null });
    expect(parsed.notices).toHaveLength(1);
    expect(parsed.notices[0]).toMatch(/visible to other users/);
  });

  it('takes the user, the password and TLS out of redis:// and rediss:// seeds', () => {
    const parsed = parse(['--seed', 'rediss://mon:s3cret@db1.internal:6380/0', '--seed', '10.0.0.2:6380']);
    expect(parsed.options.seeds).toEqual(['db1.internal:6380', '10.0.0.2:6380']);
    expect(parsed.options.user).toBe('mon');
    expect(parsed.options.password).toBe('s3cret');
    expect(parsed.options.tls).toEqual({ enabled: true });
    expect(parsed.notices[0]).toMatch(/visible to other users/);
    // --user and --password win over the URL's.
    const explicit = parse(['--seed', 'redis://mon:s3cret@h:1', '--user', 'other', '--password', 'x']);
    expect(explicit.options).toMatchObject({ user: 'other', password: 'x' });
    expect(explicit.options.tls).toBeUndefined();
  });

  it('reads REDISCLI_AUTH without a notice, and defaults', () => {
    const parsed = parse(['--seed', 'h:1'], { REDISCLI_AUTH: 'envpw' });
    expect(parsed.options).toEqual({ seeds: ['h:1'], password: 'envpw', pollIntervalMs: 1000 });
    expect(parsed.timeoutMs).toBe(2000);
    expect(parsed.notices).toEqual([]);
  });

  it('asks for the password with --askpass, for the SSH passphrase or password with --ssh-askpass', () => {
    expect(parse(['--seed', 'h:1', '--askpass'], { REDISCLI_AUTH: 'ignored' }).ask).toEqual({ password: true, ssh: null });
    expect(parse(['--seed', 'h:1', '--askpass'], { REDISCLI_AUTH: 'ignored' }).options.password).toBeUndefined();
    expect(parse(['--seed', 'h:1', '--ssh', 'u@b', '--ssh-key', '/id', '--ssh-askpass']).ask.ssh).toBe('passphrase');
    expect(parse(['--seed', 'h:1', '--ssh', 'u@b', '--ssh-askpass']).ask.ssh).toBe('password');
    expect(parse(['--seed', 'h:1', '--ssh', 'u@[::1]:2200']).options.ssh).toEqual({ host: '::1', port: 2200, user: 'u' });
  });

  it('needs a seed or a Sentinel, unless the command finds its own', () => {
    expect(usageError([])).toMatch(/at least one --seed/);
    expect(parse(['--sentinel', 's:26379', '--master-name', 'm']).options.seeds).toEqual([]);
    expect(parse([], {}, false).options.seeds).toEqual([]);
  });

  it('refuses each bad combination with the flag named, and never shows a password', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--seed', 'h:0'], /--seed "h:0" has an invalid port/],
      [['--seed', 'redis://u:topsecret@h:99999'], /invalid port/],
      [['--seed', 'redis://u:topsecret@a:1', '--seed', 'redis://u:other@b:1'], /different users or passwords/],
      [['--seed', 'redis://a:1', '--seed', 'rediss://b:1'], /mix redis:\/\/ and rediss:\/\//],
      [['--seed', 'h:1', '--cacert', '/ca'], /--cacert needs --tls/],
      [['--seed', 'h:1', '--insecure'], /--insecure needs --tls/],
      [['--seed', 'h:1', '--tls', '--key', '/k'], /--key needs --cert/],
      [['--seed', 'h:1', '--tls', '--cert', '/c'], /--cert needs --key/],
      [['--seed', 'h:1', '--password', 'topsecret', '--askpass'], /--password or --askpass, not both/],
      [['--seed', 'h:1', '--ssh-key', '/id'], /--ssh-key needs --ssh/],
      [['--seed', 'h:1', '--ssh', 'bastion'], /--ssh must be USER@HOST/],
      [['--seed', 'h:1', '--ssh', 'u@b:99999'], /--ssh must be USER@HOST/],
      [['--seed', 'h:1', '--ssh', 'u@b', '--ssh-accept-host-key', 'MD5:aa'], /SHA256:… fingerprint/],
      [['--sentinel', 's:1'], /--sentinel needs --master-name/],
      [['--seed', 'h:1', '--master-name', 'm'], /--master-name needs --sentinel/],
      // A password-protected Sentinel given as a seed: how to give it as a Sentinel (following "give --password" used its password on the data nodes).
      [['--seed', 'h:26379', '--sentinel-password', 'x'], /--sentinel-password needs --sentinel HOST:PORT \(a Sentinel given with --seed is read with the data nodes' --user\/--password: give it as --sentinel HOST:PORT --master-name NAME/],
      [['--seed', 'h:1', '--sentinel', 's:0', '--master-name', 'm'], /--sentinel must be HOST:PORT/],
      [['--seed', 'h:1', '--trust', '10.0.0.0/99'], /trusted host "10.0.0.0\/99"/],
      [['--seed', 'h:1', '--map', 'nonsense'], /--map takes FROM=TO/],
      [['--seed', 'h:1', '--interval', '5'], /--interval must be 100–60000 ms/],
      [['--seed', 'h:1', '--timeout', 'x'], /--timeout must be/],
    ];
    for (const [args, message] of cases) {
      const text = usageError(args);
      expect(text, args.join(' ')).toMatch(message);
      expect(text, args.join(' ')).not.toContain('topsecret');
    }
  });
});

describe('askSecrets and readSecret', () => {
  it('fills the secrets with redis-cli and ssh prompts', async () => {
    const prompts: string[] = [];
    const options = await askSecrets(parse(['--seed', 'h:1', '--askpass', '--ssh', 'jump@bastion', '--ssh-key', '/id', '--ssh-askpass']), async (prompt) => {
      prompts.push(prompt);
      return `answer${prompts.length}`;
    });
    expect(prompts).toEqual(['Please input password: ', "Enter passphrase for key '/id': "]);
    expect(options.password).toBe('answer1');
    expect(options.ssh?.passphrase).toBe('answer2');
    const sshPassword = await askSecrets(parse(['--seed', 'h:1', '--ssh', 'jump@bastion', '--ssh-askpass']), async (prompt) => prompt);
    expect(sshPassword.ssh?.password).toBe("jump@bastion's password: ");
  });

  it('reads one line at a time from a pipe, and says so when stdin ends first', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    input.write('first secret\r\nsecond');
    expect(await readSecret('Please input password: ', input, output)).toBe('first secret');
    input.end('\n');
    expect(await readSecret('Again: ', input, output)).toBe('second');
    expect(shown).toBe('Please input password: \nAgain: \n');
    expect(shown).not.toContain('secret');
    const empty = new PassThrough();
    empty.end();
    // An empty pipe gave no password: a usage error, not an interrupt.
    await expect(readSecret('Please input password: ', empty, output)).rejects.toMatchObject({ name: 'SecretCancelled', interrupted: false });
  });
});

describe('readSecret on a terminal', () => {
  /** A stand-in terminal: raw mode is recorded, keys are written to it. */
  function terminal(): PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] } {
    const stream = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] };
    stream.isTTY = true;
    stream.raw = [];
    stream.setRawMode = (on) => void stream.raw.push(on);
    return stream;
  }

  it('reads keys in raw mode without echo, with backspace, until Enter', async () => {
    const input = terminal();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    const secret = readSecret('Please input password: ', input, output);
    input.write('ab');
    input.write('\u007fcd\r');
    expect(await secret).toBe('acd');
    expect(input.raw).toEqual([true, false]);
    expect(shown).toBe('Please input password: \n');
  });

  it('Ctrl-C cancels and leaves raw mode', async () => {
    const input = terminal();
    const secret = readSecret('Please input password: ', input, new PassThrough());
    input.write('ab\u0003');
    await expect(secret).rejects.toBeInstanceOf(SecretCancelled);
    await expect(secret).rejects.toMatchObject({ interrupted: true });
    expect(input.raw).toEqual([true, false]);
  });

  it('Ctrl-D gives no password: not an interrupt', async () => {
    const input = terminal();
    const secret = readSecret('Please input password: ', input, new PassThrough());
    input.write('\u0004');
    await expect(secret).rejects.toMatchObject({ name: 'SecretCancelled', interrupted: false });
    expect(input.raw).toEqual([true, false]);
  });
});

describe('parseConsoleArgs (web mode and the desktop app)', () => {
  it('takes the same connection options, plus --port, --lab and --no-open', () => {
    const args = parseConsoleArgs(['--port', '8080', '--seed', 'rediss://:pw@db:6390', '--trust', '10.0.0.0/8', '--read-only', '--no-open'], { env: {} });
    expect(args.port).toBe(8080);
    expect(args.open).toBe(false);
    expect(args.connect).toEqual({ seeds: ['db:6390'], password: 'pw', tls: { enabled: true }, trustedHosts: ['10.0.0.0/8'], readOnly: true, pollIntervalMs: 1000 });
    expect(args.notices[0]).toMatch(/visible to other users/);
    expect(parseConsoleArgs(['--lab'], { env: {} })).toMatchObject({ lab: true, connect: null });
  });

  it('refuses unknown options only when strict (Chromium adds its own switches)', () => {
    expect(() => parseConsoleArgs(['--bogus'], { env: {} })).toThrow(UsageError);
    expect(parseConsoleArgs(['--enable-logging', '--seed', 'h:1', 'positional'], { strict: false, env: {} }).connect?.seeds).toEqual(['h:1']);
  });

  it('refuses what these front ends cannot do, by name', () => {
    expect(() => parseConsoleArgs(['--seed', 'h:1', '--askpass'], { env: {} })).toThrow(/--askpass is for the command-line tool/);
    expect(() => parseConsoleArgs(['--lab', '--seed', 'h:1'], { env: {} })).toThrow(/cannot be combined/);
    expect(() => parseConsoleArgs(['--port', 'x'], { env: {} })).toThrow(/--port must be 0–65535/);
    expect(() => parseConsoleArgs(['--seed'], { strict: false, env: {} })).toThrow(/--seed needs a value/);
    expect(() => parseConsoleArgs(['--seed', 'h:1', '--cacert', 'x'], { env: {} })).toThrow(/--cacert needs --tls/);
  });
});
