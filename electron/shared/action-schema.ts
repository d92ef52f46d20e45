// Runtime schemas for the action calls, for the bridge (the channel table in channels.ts) and
// for the action service itself, so the CLI, IPC and the web mode accept exactly the same input.
import { z } from 'zod';
import { addressSchema } from './address-schema';
import type { ActionRequest, ExecuteRequest } from './actions';

const checkCode = z.string().regex(/^[A-Z_]{2,40}$/, 'must be a check code such as REPLICA_BEHIND');

export const actionOptionsSchema = z.strictObject({
  persist: z.boolean().optional(),
  setMasterauth: z.boolean().optional(),
  switchoverMethod: z.enum(['auto', 'paused-failover', 'failover', 'pause', 'fence']).optional(),
  stepTimeoutMs: z.number().int().min(500).max(600_000).optional(),
  masterAddress: addressSchema.optional(),
  skipWritePause: z.boolean().optional(),
});

export const actionRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('replicaof'), node: addressSchema, master: addressSchema, options: actionOptionsSchema.optional() }),
  z.strictObject({ kind: z.literal('promote'), node: addressSchema, repointSiblings: z.boolean(), options: actionOptionsSchema.optional() }),
  z.strictObject({ kind: z.literal('switchover'), to: addressSchema, options: actionOptionsSchema.optional() }),
  z.strictObject({ kind: z.literal('failover'), to: addressSchema.optional(), options: actionOptionsSchema.optional() }),
  z.strictObject({ kind: z.literal('detach'), node: addressSchema, options: actionOptionsSchema.optional() }),
  z.strictObject({
    kind: z.literal('sentinel-failover'),
    masterName: z.string().regex(/^[^\s]{1,200}$/, 'must be a Sentinel master name (no spaces)').optional(),
    master: addressSchema.optional(),
    prefer: addressSchema.optional(),
    options: actionOptionsSchema.optional(),
  }),
]) satisfies z.ZodType<ActionRequest>;

export const executeRequestSchema = z.strictObject({
  planId: z.uuid(),
  confirmAddress: z.string().max(300).optional(),
  overrides: z.array(checkCode).max(32).optional(),
}) satisfies z.ZodType<ExecuteRequest>;
