// Runtime schemas for every argument that crosses the bridge (Electron IPC or the web mode's
// WebSocket). The types in api.ts say what callers should send; these say what the main
// process accepts, because a compromised or buggy renderer can send anything.
import { z } from 'zod';
import type { ApiChannel, ApiPushes, Envelope } from './api';
import { actionChannelArguments } from './action-schema';
import { addressSchema } from './address-schema';
import { addressMapSchema, profileChannelArguments, profileIdSchema, sentinelOptionsSchema, sshOptionsSchema, tlsOptionsSchema, trustedHostSchema } from './profile-schema';

export { addressSchema, isAddress } from './address-schema';

const MAX_STRING = 512;

export const connectOptionsSchema = z
  .strictObject({
    seeds: z.array(addressSchema).max(64, 'at most 64 seeds'),
    user: z.string().max(MAX_STRING).optional(),
    password: z.string().max(MAX_STRING).optional(),
    pollIntervalMs: z.number().int().min(100).max(60_000).optional(),
    addressMap: addressMapSchema.optional(),
    tls: tlsOptionsSchema.optional(),
    ssh: sshOptionsSchema.optional(),
    sentinel: sentinelOptionsSchema.optional(),
    trustedHosts: z.array(trustedHostSchema).max(64).optional(),
    readOnly: z.boolean().optional(),
    profileId: profileIdSchema.optional(),
  })
  // A profile brings its own seeds; otherwise a data node or a Sentinel is needed to start from.
  .refine((o) => o.seeds.length > 0 || o.sentinel !== undefined || o.profileId !== undefined, {
    message: 'needs at least one seed',
    path: ['seeds'],
  });

export const historyQuerySchema = z.strictObject({
  node: addressSchema,
  since: z.number().finite().optional(),
  maxPoints: z.number().int().min(10).max(100_000).optional(),
});

export const eventQuerySchema = z.strictObject({
  node: addressSchema.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});

const noArguments = z.tuple([]);

/** The argument list each channel accepts, as a tuple. */
export const channelArguments = {
  'topology:connect': z.tuple([connectOptionsSchema]),
  'topology:disconnect': noArguments,
  'topology:get': noArguments,
  'topology:forget': z.tuple([addressSchema]),
  'history:get': z.tuple([historyQuerySchema]),
  // The query may be omitted: "all recent events".
  'events:list': z.union([z.tuple([eventQuerySchema]), noArguments]),
  'lab:start': noArguments,
  'lab:stop': noArguments,
  'lab:status': noArguments,
  'journal:interrupted': noArguments,
  // Plan ids are the UUIDs planAction gave.
  'journal:dismiss': z.tuple([z.uuid()]),
  ...actionChannelArguments,
  ...profileChannelArguments,
} satisfies Record<ApiChannel, z.ZodType>;

export const API_CHANNELS = Object.keys(channelArguments) as ApiChannel[];

export function isApiChannel(channel: unknown): channel is ApiChannel {
  return typeof channel === 'string' && Object.hasOwn(channelArguments, channel);
}

export type ParsedCall =
  | { ok: true; channel: ApiChannel; args: unknown[] }
  | { ok: false; error: { code: 'BAD_ARGUMENT'; message: string } };

/**
 * Checks a channel name and its raw argument list. The error message names the channel and
 * the offending field but never echoes a value (it could be a password).
 */
export function parseCall(channel: unknown, rawArgs: unknown): ParsedCall {
  if (!isApiChannel(channel)) {
    const shown = typeof channel === 'string' ? `"${channel.slice(0, 64)}"` : typeof channel;
    return { ok: false, error: { code: 'BAD_ARGUMENT', message: `Unknown channel ${shown}` } };
  }
  if (!Array.isArray(rawArgs)) {
    return { ok: false, error: { code: 'BAD_ARGUMENT', message: `${channel}: arguments must be a list` } };
  }
  const result = channelArguments[channel].safeParse(rawArgs);
  if (result.success) return { ok: true, channel, args: result.data };
  return { ok: false, error: { code: 'BAD_ARGUMENT', message: `${channel}: ${describeIssues(result.error.issues)}` } };
}

function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => describeIssue(issue))
    .join('; ');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // A union of "one query" and "no arguments": report the branch that got furthest.
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const deepest = issue.errors.reduce((best, branch) => (depth(branch) > depth(best) ? branch : best));
    return describeIssues(deepest);
  }
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    const key = String(issue.path.at(-1)).slice(0, 64);
    return `${fieldName(issue.path.slice(0, -1))}: key "${key}" ${issue.issues[0]?.message ?? 'is invalid'}`;
  }
  const field = fieldName(issue.path);
  if (issue.code === 'too_big' && issue.origin === 'array' && issue.path.length === 0) {
    return 'too many arguments';
  }
  if (issue.code === 'too_small' && issue.origin === 'array' && issue.path.length === 0) {
    return 'missing argument';
  }
  return field ? `${field}: ${issue.message}` : issue.message;
}

function depth(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length));
}

/** ["0", "seeds", 2] → "seeds[2]"; the leading tuple index is the argument position, not a field. */
function fieldName(path: PropertyKey[]): string {
  const rest = path.slice(1);
  if (path.length > 0 && rest.length === 0) return 'argument';
  return rest
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

// The web mode's wire protocol (one JSON object per WebSocket text message).

/** Client → server: one call, on one topology ('main' when absent, for clients that know one only). */
export interface WireRequest {
  id: number;
  channel: string;
  args: unknown[];
  topology?: string;
}

/** Server → client: the answer to the request with the same id (null when the id was unreadable). */
export interface WireResponse {
  id: number | null;
  result: Envelope<unknown>;
}

/** Server → every client: one message per poll tick, or one per step progress of a running plan, with the topology it is about. */
export type WirePush = { [P in keyof ApiPushes]: { push: P; topology: string; data: ApiPushes[P] } }[keyof ApiPushes];

export const wireRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(100),
  args: z.array(z.unknown()).max(16),
  // Checked by the hub like any argument, with its own message.
  topology: z.unknown().optional(),
});
