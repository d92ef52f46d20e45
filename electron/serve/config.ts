// serve --config FILE: the topologies to watch, each with its connection (every ConnectOptions
// feature) and its alert thresholds. JSON checked with zod, each mistake named by its field.
// Secrets never sit in the file: passwordFile (a mounted secret) or passwordEnv (an environment
// variable); relative paths are relative to the config file.
import { access, constants, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TOPOLOGY_ID_PATTERN } from '../shared/api';
import { addressSchema } from '../shared/address-schema';
import { addressMapSchema, tlsOptionsSchema, trustedHostSchema } from '../shared/profile-schema';
import { alertThresholdsSchema } from '../shared/schema';
import { ALERT_ARG_NAMES, parseDuration, parseSize } from '../app/alert-args';
import type { AlertThresholds, ConnectOptions, SentinelOptions, SshOptions, TlsOptions } from '../shared/types';

/** Topologies one serve watches, at most (each is an engine polling its nodes). */
export const MAX_SERVED_TOPOLOGIES = 64;

/** One topology serve watches: its id (the config's name, or 'main' for --seed) and how to connect. */
export interface ServedTopology {
  id: string;
  connect: ConnectOptions;
  /** Thresholds of this topology's alerts, over the defaults. */
  thresholds: Partial<AlertThresholds>;
}

export interface ServeConfig {
  topologies: ServedTopology[];
  /** Connect and command timeout of every node (ms), when the file gives one. */
  timeoutMs?: number;
  /** Thresholds for every topology (a topology's own win). */
  thresholds: Partial<AlertThresholds>;
}

/** A config file that cannot be used: one line, naming the file and the field, never a secret. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const filePath = z.string().min(1).max(4096);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name');
const noInlineSecret = (file: string, env: string) =>
  z.never({ error: `put the secret in a file (${file}) or an environment variable (${env}), not in the config` }).optional();

const sentinelSchema = z.strictObject({
  addresses: z.array(addressSchema).min(1, 'needs at least one Sentinel').max(16, 'at most 16 Sentinels'),
  masterName: z.string().min(1).max(256).regex(/^[^\s]+$/, 'must not contain spaces'),
  user: z.string().min(1).max(512).optional(),
  password: noInlineSecret('passwordFile', 'passwordEnv'),
  passwordFile: filePath.optional(),
  passwordEnv: envName.optional(),
});

const sshSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).max(256),
  keyFile: filePath.optional(),
  knownHostsFile: filePath.optional(),
  acceptHostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:… fingerprint').optional(),
  password: noInlineSecret('passwordFile', 'passwordEnv'),
  passwordFile: filePath.optional(),
  passwordEnv: envName.optional(),
  passphrase: noInlineSecret('passphraseFile', 'passphraseEnv'),
  passphraseFile: filePath.optional(),
  passphraseEnv: envName.optional(),
});

/** A threshold in the file: a number (bytes, seconds), or with the units `--alert` takes ("10mb", "30s", "5min"). */
function withUnits(parse: (text: string) => number | null, what: string) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = typeof value === 'string' ? parse(value.trim()) : null;
    if (parsed !== null) return parsed;
    ctx.addIssue({ code: 'custom', message: typeof value === 'string' ? `"${value.slice(0, 40)}" is not ${what}` : `must be ${what}` });
    return z.NEVER;
  });
}

const size = withUnits(parseSize, 'a size: bytes, or with a unit (512kb, 10mb, 1gb)');
const duration = withUnits(parseDuration, 'a duration: seconds, or with a unit (500ms, 30s, 5min, 1h)');

/** The file's alert thresholds, by AlertThresholds' names (each with `--alert`'s unit), then checked as the API checks them (ranges). */
const fileThresholdsSchema = z
  .strictObject(Object.fromEntries(Object.values(ALERT_ARG_NAMES).map(({ field, kind }) => [field, (kind === 'bytes' ? size : duration).optional()])))
  .pipe(alertThresholdsSchema);

const topologySchema = z
  .strictObject({
    name: z.string().regex(TOPOLOGY_ID_PATTERN, 'must be 1 to 36 letters, digits, "_" or "-" (it names the topology in the URL and the metrics)'),
    seeds: z.array(addressSchema).max(64, 'at most 64 seeds').default([]),
    user: z.string().min(1).max(512).optional(),
    password: noInlineSecret('passwordFile', 'passwordEnv'),
    passwordFile: filePath.optional(),
    passwordEnv: envName.optional(),
    tls: tlsOptionsSchema.optional(),
    sentinel: sentinelSchema.optional(),
    ssh: sshSchema.optional(),
    trustedHosts: z.array(trustedHostSchema).max(64).optional(),
    addressMap: addressMapSchema.optional(),
    pollIntervalMs: z.number().int().min(100).max(60_000).optional(),
    readOnly: z.boolean().optional(),
    alerts: fileThresholdsSchema.optional(),
  })
  .refine((t) => t.seeds.length > 0 || t.sentinel !== undefined, { message: 'needs seeds or a sentinel', path: ['seeds'] });

const configSchema = z.strictObject({
  topologies: z.array(topologySchema).min(1, 'needs at least one topology').max(MAX_SERVED_TOPOLOGIES, `at most ${MAX_SERVED_TOPOLOGIES} topologies`),
  alerts: fileThresholdsSchema.optional(),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

type TopologyEntry = z.output<typeof topologySchema>;

/** Read, check and resolve a config file (secrets read from their files and variables). Throws ConfigError. */
export async function loadServeConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the config file ${file}: ${errnoText(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : 'invalid';
    const at = lineAndColumn(text, jsonErrorPosition(text, message));
    // V8 quotes the text around the mistake: said without it, since it could be anything.
    const reason = message
      .replace(/,?\s*(\.\.\.)?"[^]*"(\.\.\.)?\s*is not valid JSON/, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/"[^"]*"/g, '…');
    throw new ConfigError(`the config file ${file} is not valid JSON${at ? ` at line ${at.line}, column ${at.column}` : ''}: ${reason.slice(0, 200)}`);
  }
  return parseServeConfig(json, { file, env });
}

/** The characters V8 quotes on each side of an unexpected token (kMaxContextCharacters). */
const JSON_CONTEXT_CHARS = 10;

/**
 * Where JSON.parse stopped, from its message: "at position N", or for an unexpected token the
 * ten characters of context V8 quotes on each side of it (found in the text, never repeated).
 */
function jsonErrorPosition(text: string, message: string): number | null {
  const at = / at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const context = /^Unexpected token .*?, (\.\.\.)?"([^]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (!context) return null;
  const [, before, quoted = '', after] = context;
  if (before) {
    const start = text.indexOf(quoted);
    return start < 0 ? null : start + JSON_CONTEXT_CHARS;
  }
  // From the start of the text to ten characters past the token.
  return after ? quoted.length - JSON_CONTEXT_CHARS : null;
}


function lineAndColumn(text: string, position: number | null): { line: number; column: number } | null {
  if (position === null || position < 0 || position > text.length) return null;
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** Check a config's JSON and resolve it; `file` names it in messages and anchors relative paths. */
export async function parseServeConfig(json: unknown, { file, env = process.env }: { file: string; env?: NodeJS.ProcessEnv }): Promise<ServeConfig> {
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${file}: ${issue ? `${fieldName(issue.path, json)}: ${issueMessage(issue)}` : 'invalid'}`);
  }
  const names = new Set<string>();
  for (const [i, t] of parsed.data.topologies.entries()) {
    if (names.has(t.name)) throw new ConfigError(`${file}: topologies[${i}].name: "${t.name}" is the name of an earlier topology too`);
    names.add(t.name);
  }
  const base = path.dirname(path.resolve(file));
  const topologies: ServedTopology[] = [];
  for (const [i, entry] of parsed.data.topologies.entries()) {
    const where = `${file}: topologies[${i}] ("${entry.name}")`;
    topologies.push({ id: entry.name, connect: await connectOptionsOf(entry, { where, base, env }), thresholds: entry.alerts ?? {} });
  }
  return {
    topologies,
    thresholds: parsed.data.alerts ?? {},
    ...(parsed.data.timeoutMs === undefined ? {} : { timeoutMs: parsed.data.timeoutMs }),
  };
}

interface Context {
  where: string;
  base: string;
  env: NodeJS.ProcessEnv;
}

async function connectOptionsOf(t: TopologyEntry, context: Context): Promise<ConnectOptions> {
  const options: ConnectOptions = { seeds: [...new Set(t.seeds)] };
  if (t.user !== undefined) options.user = t.user;
  const password = await secret(context, 'password', t.passwordFile, t.passwordEnv);
  if (password !== undefined) options.password = password;
  if (t.tls) options.tls = await tlsOf(t.tls, context);
  if (t.sentinel) options.sentinel = await sentinelOf(t.sentinel, context);
  if (t.ssh) options.ssh = await sshOf(t.ssh, context);
  if (t.trustedHosts) options.trustedHosts = [...new Set(t.trustedHosts)];
  if (t.addressMap) options.addressMap = t.addressMap;
  if (t.pollIntervalMs !== undefined) options.pollIntervalMs = t.pollIntervalMs;
  if (t.readOnly) options.readOnly = true;
  return options;
}

async function tlsOf(tls: TlsOptions, context: Context): Promise<TlsOptions> {
  const out: TlsOptions = { ...tls };
  const where = { ...context, where: `${context.where}.tls` };
  if (tls.caFile) out.caFile = await readableFile(where, 'caFile', tls.caFile);
  if (tls.certFile) out.certFile = await readableFile(where, 'certFile', tls.certFile);
  if (tls.keyFile) out.keyFile = await readableFile(where, 'keyFile', tls.keyFile);
  return out;
}

/**
 * A file the connection reads when it connects, resolved and checked now: a CA file that is not
 * there was found only at connect time, then retried every second forever as a connect failure,
 * named by the CLI's flag (--cacert) rather than the config's field.
 */
async function readableFile({ where, base }: Context, field: string, file: string): Promise<string> {
  const full = path.resolve(base, file);
  try {
    await access(full, constants.R_OK);
  } catch (error) {
    throw new ConfigError(`${where}.${field}: cannot read ${full}: ${errnoText(error)}`);
  }
  return full;
}

async function sentinelOf(s: z.output<typeof sentinelSchema>, context: Context): Promise<SentinelOptions> {
  const sentinel: SentinelOptions = { addresses: [...new Set(s.addresses)], masterName: s.masterName };
  if (s.user !== undefined) sentinel.user = s.user;
  const password = await secret({ ...context, where: `${context.where}.sentinel` }, 'password', s.passwordFile, s.passwordEnv);
  if (password !== undefined) sentinel.password = password;
  return sentinel;
}

async function sshOf(s: z.output<typeof sshSchema>, context: Context): Promise<SshOptions> {
  const ssh: SshOptions = { host: s.host, user: s.user };
  if (s.port !== undefined) ssh.port = s.port;
  const where = { ...context, where: `${context.where}.ssh` };
  if (s.keyFile) ssh.keyFile = await readableFile(where, 'keyFile', s.keyFile);
  // Not checked: a known-hosts file accepting new keys may not exist yet.
  if (s.knownHostsFile) ssh.knownHostsFile = path.resolve(context.base, s.knownHostsFile);
  if (s.acceptHostKey) ssh.acceptHostKey = s.acceptHostKey;
  const password = await secret(where, 'password', s.passwordFile, s.passwordEnv);
  if (password !== undefined) ssh.password = password;
  const passphrase = await secret(where, 'passphrase', s.passphraseFile, s.passphraseEnv);
  if (passphrase !== undefined) ssh.passphrase = passphrase;
  return ssh;
}

/** A secret from its file (one trailing newline dropped) or its variable; the messages name where, never what. */
async function secret({ where, base, env }: Context, name: string, file: string | undefined, variable: string | undefined): Promise<string | undefined> {
  if (file !== undefined && variable !== undefined) throw new ConfigError(`${where}: give ${name}File or ${name}Env, not both`);
  let value: string | undefined;
  if (file !== undefined) {
    const full = path.resolve(base, file);
    try {
      value = (await readFile(full, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`${where}.${name}File: cannot read ${full}: ${errnoText(error)}`);
    }
    if (value.length === 0) throw new ConfigError(`${where}.${name}File: ${full} is empty`);
  } else if (variable !== undefined) {
    value = env[variable];
    if (value === undefined || value.length === 0) throw new ConfigError(`${where}.${name}Env: the environment variable ${variable} is not set`);
  }
  if (value !== undefined && (value.length > 512 || /[\r\n\0]/.test(value))) {
    throw new ConfigError(`${where}: the ${name} from ${file === undefined ? `$${variable ?? ''}` : `${name}File`} is over 512 characters or holds a line break`);
  }
  return value;
}

/** "topologies[1] ("orders").sentinel.masterName": the path, with the topology's name when it has one. */
function fieldName(issuePath: readonly PropertyKey[], json: unknown): string {
  let out = '';
  let node: unknown = json;
  for (const key of issuePath) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += `${out ? '.' : ''}${String(key)}`;
    node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number' && out === `topologies[${key}]` && node !== null && typeof node === 'object') {
      const name = (node as { name?: unknown }).name;
      if (typeof name === 'string' && TOPOLOGY_ID_PATTERN.test(name)) out += ` ("${name}")`;
    }
  }
  return out || '(the whole file)';
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`;
  return issue.message;
}

function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const known: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', EPERM: 'permission denied' };
  return code ? (known[code] ?? code) : 'unreadable';
}
