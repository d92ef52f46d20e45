// Runtime schemas for saved connections (the profile channels) and the connection options they
// hold, so a profile file, an import and a bridge call are checked by the same rules.
import { z } from 'zod';
import { addressSchema, hostSchema, isAddress } from './address-schema';
import type { ProfileInput } from './profiles';
import type { SentinelOptions, SshOptions, TlsOptions } from './types';

const MAX_STRING = 512;
const text = z.string().max(MAX_STRING);
/** A file path as the user typed it (read where the engine runs). */
const filePath = z.string().min(1).max(4096);

export const tlsOptionsSchema = z.strictObject({
  enabled: z.boolean(),
  caFile: filePath.optional(),
  certFile: filePath.optional(),
  keyFile: filePath.optional(),
  sni: z.string().min(1).max(253).optional(),
  insecure: z.boolean().optional(),
}) satisfies z.ZodType<TlsOptions>;

export const sshOptionsSchema = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1).max(256),
  keyFile: filePath.optional(),
  passphrase: text.optional(),
  password: text.optional(),
  acceptHostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'must be a SHA256:… fingerprint').optional(),
  knownHostsFile: filePath.optional(),
}) satisfies z.ZodType<SshOptions>;

export const sentinelOptionsSchema = z.strictObject({
  addresses: z.array(addressSchema).min(1, 'needs at least one Sentinel').max(16, 'at most 16 Sentinels'),
  masterName: z.string().min(1).max(256).regex(/^[^\s]+$/, 'must not contain spaces'),
  user: text.optional(),
  password: text.optional(),
}) satisfies z.ZodType<SentinelOptions>;

/** One trusted-host pattern: a host name, an IP, a wildcard (*.db.internal) or a CIDR (10.0.0.0/8). */
export const trustedHostSchema = z.string().min(1).max(300).regex(/^[A-Za-z0-9*._:\-[\]/]+$/, 'must be a host, a wildcard or a CIDR');

const mapSide = z.union([addressSchema, hostSchema], { error: 'must be host:port or a host (hostname, IPv4 or [IPv6])' });

/** --map: HOST:PORT=HOST:PORT maps one address, HOST=HOST a host on every port; never one form to the other. */
export const addressMapSchema = z
  .record(mapSide, mapSide)
  .refine((map) => Object.keys(map).length <= 256, { message: 'at most 256 entries' })
  .refine((map) => Object.entries(map).every(([from, to]) => isAddress(from) === isAddress(to)), {
    message: 'each entry maps HOST:PORT to HOST:PORT or HOST to HOST, not one form to the other',
  });

const secretsSchema = z.strictObject({
  password: text.optional(),
  sentinelPassword: text.optional(),
  sshPassword: text.optional(),
  sshPassphrase: text.optional(),
});

export const profileIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a profile id');

export const profileInputSchema = z.strictObject({
  id: profileIdSchema.optional(),
  name: z.string().trim().min(1, 'needs a name').max(100),
  seeds: z.array(addressSchema).max(64, 'at most 64 seeds'),
  sentinel: sentinelOptionsSchema.omit({ password: true }).optional(),
  user: text.optional(),
  tls: tlsOptionsSchema.optional(),
  ssh: sshOptionsSchema.omit({ password: true, passphrase: true, acceptHostKey: true }).optional(),
  addressMap: addressMapSchema.optional(),
  trustedHosts: z.array(trustedHostSchema).max(64).optional(),
  pollIntervalMs: z.number().int().min(100).max(60_000).optional(),
  readOnly: z.boolean().optional(),
  secrets: secretsSchema.optional(),
}) satisfies z.ZodType<ProfileInput>;
