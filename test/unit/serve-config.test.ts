// serve's config file: every connection feature maps to ConnectOptions, secrets come from
// files and variables (never the file itself), and each mistake is one line naming the field.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServeConfig, parseServeConfig } from '../../electron/serve/config';

let dir: string;
let configFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rc-serve-config-'));
  configFile = path.join(dir, 'serve.json');
  writeFileSync(path.join(dir, 'orders.pass'), 's3cret-orders\n');
  writeFileSync(path.join(dir, 'bastion.pass'), 'ssh-pass');
  for (const file of ['ca.pem', 'client.pem', 'client.key', 'id_ed25519']) writeFileSync(path.join(dir, file), 'stand-in\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (json: unknown, env: NodeJS.ProcessEnv = {}) => parseServeConfig(json, { file: configFile, env });

async function refusal(json: unknown, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    await parse(json, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('serve config', () => {
  it('maps every connection feature, reads secrets from files and variables, anchors relative paths at the file', async () => {
    const config = await parse(
      {
        timeoutMs: 3000,
        alerts: { lagSeconds: 30 },
        topologies: [
          {
            name: 'orders',
            seeds: ['10.0.0.1:6379', '10.0.0.1:6379', 'redis-b.internal:6380'],
            user: 'console',
            passwordFile: 'orders.pass',
            tls: { enabled: true, caFile: 'ca.pem', certFile: path.join(dir, 'client.pem'), keyFile: 'client.key', sni: 'redis.internal' },
            trustedHosts: ['*.internal', '10.0.0.0/8'],
            addressMap: { '172.17.0.2:6379': '10.0.0.1:6379' },
            pollIntervalMs: 2000,
            readOnly: true,
            alerts: { lagBytes: '1mb', linkDownSeconds: '1min', forSeconds: 30 },
          },
          {
            name: 'sessions',
            sentinel: { addresses: ['10.0.1.1:26379', '10.0.1.2:26379'], masterName: 'sessions', user: 'sentinel-user', passwordEnv: 'SENTINEL_PW' },
            passwordEnv: 'SESSIONS_PW',
            ssh: { host: 'bastion.internal', user: 'ops', keyFile: 'id_ed25519', passphraseEnv: 'KEY_PASSPHRASE', knownHostsFile: 'known_hosts' },
          },
          { name: 'tunnel', seeds: ['10.9.0.1:6379'], ssh: { host: 'b2', port: 2222, user: 'ops', passwordFile: 'bastion.pass' } },
        ],
      },
      { SENTINEL_PW: 'sentinel-secret', SESSIONS_PW: 'sessions-secret', KEY_PASSPHRASE: 'phrase' },
    );
    expect(config.timeoutMs).toBe(3000);
    expect(config.thresholds).toEqual({ lagSeconds: 30 });
    const [orders, sessions, tunnel] = config.topologies;
    expect(orders).toEqual({
      id: 'orders',
      thresholds: { lagBytes: 1048576, linkDownSeconds: 60, forSeconds: 30 },
      connect: {
        seeds: ['10.0.0.1:6379', 'redis-b.internal:6380'],
        user: 'console',
        password: 's3cret-orders',
        tls: { enabled: true, caFile: path.join(dir, 'ca.pem'), certFile: path.join(dir, 'client.pem'), keyFile: path.join(dir, 'client.key'), sni: 'redis.internal' },
        trustedHosts: ['*.internal', '10.0.0.0/8'],
        addressMap: { '172.17.0.2:6379': '10.0.0.1:6379' },
        pollIntervalMs: 2000,
        readOnly: true,
      },
    });
    expect(sessions?.connect).toEqual({
      seeds: [],
      password: 'sessions-secret',
      sentinel: { addresses: ['10.0.1.1:26379', '10.0.1.2:26379'], masterName: 'sessions', user: 'sentinel-user', password: 'sentinel-secret' },
      ssh: { host: 'bastion.internal', user: 'ops', keyFile: path.join(dir, 'id_ed25519'), knownHostsFile: path.join(dir, 'known_hosts'), passphrase: 'phrase' },
    });
    expect(tunnel?.connect.ssh).toEqual({ host: 'b2', port: 2222, user: 'ops', password: 'ssh-pass' });
  });

  it('names the field of each mistake, with the topology it is in', async () => {
    expect(await refusal({})).toBe(`${configFile}: topologies: Invalid input: expected array, received undefined`);
    expect(await refusal({ topologies: [] })).toBe(`${configFile}: topologies: needs at least one topology`);
    expect(await refusal({ topologies: [{ name: 'has space', seeds: ['a:1'] }] })).toMatch(/topologies\[0\]\.name: must be 1 to 36 letters/);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['nope'] }] })).toBe(`${configFile}: topologies[0] ("orders").seeds[0]: must be host:port (hostname, IPv4 or [IPv6], port 1–65535)`);
    expect(await refusal({ topologies: [{ name: 'orders' }] })).toMatch(/topologies\[0\] \("orders"\)\.seeds: needs seeds or a sentinel/);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], pollIntervalMs: 5 }] })).toMatch(/topologies\[0\] \("orders"\)\.pollIntervalMs: .*100/);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], sentinel: { addresses: ['s:26379'], masterName: 'a b' } }] })).toMatch(/\.sentinel\.masterName: must not contain spaces/);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], colour: 'red' }] })).toBe(`${configFile}: topologies[0] ("orders"): unknown field "colour"`);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], alerts: { lagBytez: 1 } }] })).toMatch(/\.alerts: unknown field "lagBytez"/);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], alerts: { lagBytes: 'ten' } }] })).toBe(
      `${configFile}: topologies[0] ("orders").alerts.lagBytes: "ten" is not a size: bytes, or with a unit (512kb, 10mb, 1gb)`,
    );
    expect(await refusal({ alerts: { forSeconds: '2h' }, topologies: [{ name: 'orders', seeds: ['a:1'] }] })).toMatch(/^.*: alerts\.forSeconds: .*3600/);
    expect(await refusal({ topologies: [{ name: 'a', seeds: ['a:1'] }, { name: 'a', seeds: ['b:1'] }] })).toBe(`${configFile}: topologies[1].name: "a" is the name of an earlier topology too`);
  });

  it('checks at start the files a connection reads when it connects (TLS certificates, an SSH key), naming the field', async () => {
    const tls = (over: object) => ({ topologies: [{ name: 'orders', seeds: ['a:1'], tls: { enabled: true, ...over } }] });
    expect(await refusal(tls({ caFile: 'nope.pem' }))).toMatch(new RegExp(`^${configFile.replaceAll('.', '\\.')}: topologies\\[0\\] \\("orders"\\)\\.tls\\.caFile: cannot read ${path.join(dir, 'nope.pem').replaceAll('.', '\\.')}: `));
    expect(await refusal(tls({ certFile: 'client.pem', keyFile: 'missing.key' }))).toMatch(/\.tls\.keyFile: cannot read .*missing\.key/);
    expect(await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], ssh: { host: 'b', user: 'u', keyFile: 'no_key' } }] })).toMatch(/topologies\[0\] \("o"\)\.ssh\.keyFile: cannot read .*no_key/);
  });

  it('refuses a secret written in the file, and says where else it goes', async () => {
    const message = await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], password: 'hunter2-in-the-file' }] });
    expect(message).toBe(`${configFile}: topologies[0] ("orders").password: put the secret in a file (passwordFile) or an environment variable (passwordEnv), not in the config`);
    expect(message).not.toContain('hunter2');
    expect(await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], ssh: { host: 'b', user: 'u', passphrase: 'x' } }] })).toMatch(/\.ssh\.passphrase: put the secret in a file \(passphraseFile\)/);
  });

  it('says which secret file cannot be read or which variable is not set, never a secret', async () => {
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], passwordFile: 'missing.pass' }] })).toBe(
      `${configFile}: topologies[0] ("orders").passwordFile: cannot read ${path.join(dir, 'missing.pass')}: no such file`,
    );
    // (A directory rather than a file without read permission: the tests may run as root.)
    expect(await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], passwordFile: '.' }] })).toBe(`${configFile}: topologies[0] ("o").passwordFile: cannot read ${dir}: it is a directory`);
    expect(await refusal({ topologies: [{ name: 'orders', seeds: ['a:1'], passwordEnv: 'ORDERS_PW' }] })).toBe(
      `${configFile}: topologies[0] ("orders").passwordEnv: the environment variable ORDERS_PW is not set`,
    );
    expect(await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], passwordFile: 'orders.pass', passwordEnv: 'X' }] }, { X: 'y' })).toMatch(/give passwordFile or passwordEnv, not both/);
    writeFileSync(path.join(dir, 'empty.pass'), '\n');
    expect(await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], passwordFile: 'empty.pass' }] })).toMatch(/passwordFile: .*empty\.pass is empty/);
    const twoLines = await refusal({ topologies: [{ name: 'o', seeds: ['a:1'], passwordEnv: 'X' }] }, { X: 'line-one\nline-two' });
    expect(twoLines).toMatch(/holds a line break/);
    expect(twoLines).not.toContain('line-one');
  });

  it('reads the file: unreadable and invalid JSON in one line, without quoting its text', async () => {
    await expect(loadServeConfig(path.join(dir, 'nope.json'))).rejects.toThrow(`cannot read the config file ${path.join(dir, 'nope.json')}: no such file`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"topologies": [ {"name": "x", "password": secret-value } ] }');
    const error = (await loadServeConfig(broken).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^the config file ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON at line \\d+, column \\d+: `));
    expect(error.message).not.toContain('secret-value');
    // Where, as an editor counts: line and column of the token JSON stopped at.
    expect(error.message).toMatch(/ is not valid JSON at line 1, column 44: Unexpected token/);
    const trailing = path.join(dir, 'trailing.json');
    writeFileSync(trailing, '{\n  "topologies": [\n    { "name": "a", "seeds": ["10.0.0.1:6379"] },\n  ]\n}\n');
    expect(((await loadServeConfig(trailing).catch((e: unknown) => e)) as Error).message).toMatch(/ is not valid JSON at line 4, column 3: Unexpected token/);
    const missingComma = path.join(dir, 'comma.json');
    writeFileSync(missingComma, '{\n  "timeoutMs": 2000\n  "topologies": []\n}\n');
    expect(((await loadServeConfig(missingComma).catch((e: unknown) => e)) as Error).message).toBe(
      `the config file ${missingComma} is not valid JSON at line 3, column 3: Expected ',' or '}' after property value`,
    );
    writeFileSync(configFile, JSON.stringify({ topologies: [{ name: 'main', seeds: ['127.0.0.1:6379'] }] }));
    expect((await loadServeConfig(configFile)).topologies[0]?.connect).toEqual({ seeds: ['127.0.0.1:6379'] });
  });
});
