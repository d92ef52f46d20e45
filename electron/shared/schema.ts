// Runtime schemas for the arguments that cross the bridge (Electron IPC or the web mode's
// WebSocket), used by the channel table (channels.ts): they say what the main process accepts,
// because a compromised or buggy renderer can send anything.
import { z } from 'zod';
import type { ApiPushes, Envelope } from './channels';
import { addressSchema } from './address-schema';
import { HISTORY_SERIES } from './history-decimate';
import { addressMapSchema, profileIdSchema, sentinelOptionsSchema, sshOptionsSchema, tlsOptionsSchema, trustedHostSchema } from './profile-schema';

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

export const historiesQuerySchema = z.strictObject({
  nodes: z.array(addressSchema).max(5000).optional(),
  since: z.number().finite().optional(),
  maxPoints: z.number().int().min(10).max(100_000).optional(),
  series: z.array(z.enum(HISTORY_SERIES)).max(HISTORY_SERIES.length).optional(),
});

export const alertMuteSchema = z.strictObject({
  /** null: the whole topology. */
  node: addressSchema.nullable(),
  /** From one minute to a week. */
  minutes: z.number().int().min(1).max(7 * 24 * 60),
  reason: z.string().max(200).optional(),
});

export const alertThresholdsSchema = z.strictObject({
  lagBytes: z.number().int().min(0).optional(),
  lagSeconds: z.number().min(0).optional(),
  linkDownSeconds: z.number().min(0).optional(),
  unreachableSeconds: z.number().min(0).optional(),
  staleSeconds: z.number().min(0).optional(),
  backlogShortSeconds: z.number().min(0).optional(),
  forSeconds: z.number().min(0).max(3600).optional(),
});

export const eventQuerySchema = z.strictObject({
  node: addressSchema.optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});

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
