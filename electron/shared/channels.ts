// The one table of the console's API: every method the renderer (and the CLI) calls, with the
// channel that carries it, the zod schema of its arguments and the schema of its result. The
// TypeScript types (api.ts), the binder every transport uses (bind-api.ts), the service's handler
// map (app/service.ts), the main process's IPC handlers and the renderer's wrapper all derive
// from it: a new method is added here, once.
import { z } from 'zod';
import type { ActionOutcome, ActionPlan, AuditList, MoveCandidate, PlanRun, StepProgress } from './actions';
import { actionRequestSchema, executeRequestSchema } from './action-schema';
import { addressSchema } from './address-schema';
import type { ConnectionProfile, ProfileImportResult, ProfileList } from './profiles';
import { profileIdSchema, profileInputSchema } from './profile-schema';
import { alertMuteSchema, alertThresholdsSchema, connectOptionsSchema, eventQuerySchema, historiesQuerySchema, historyQuerySchema } from './schema';
import type { AlertsView, HistoryColumns, HistoryPoint, RawReplication, ReplicationEvent, TickUpdate, TopologySnapshot } from './types';
import type { TickWire } from './tick-wire';
import type { InterruptedPlanList } from './api';

/** An argument list: a tuple, or a union of tuples for optional trailing arguments. */
type ArgumentList = z.ZodType<readonly unknown[]>;

interface Method<C extends string, A extends ArgumentList, R extends z.ZodType> {
  channel: C;
  args: A;
  result: R;
}

function method<const C extends string, A extends ArgumentList, R extends z.ZodType>(channel: C, args: A, result: R): Method<C, A, R> {
  return { channel, args, result };
}

/**
 * A value the engine builds (a snapshot, a plan, an outcome): typed by its interface in types.ts
 * or actions.ts, and checked only for its outer shape when it crosses, because the main process
 * made it and a per-tick deep check would cost more than it could catch.
 */
function built<T>(shape: 'object' | 'array') {
  return z.custom<T>((value) => (shape === 'array' ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value)));
}

/** A call that returns nothing: undefined in process, null once it has crossed JSON. */
const nothing = z.custom<void>((value) => value === undefined || value === null);
const noArguments = z.tuple([]);
const planId = z.uuid();
const auditLimit = z.number().int().min(1).max(10_000);

const abortResultSchema = z.strictObject({ accepted: z.boolean(), message: z.string() });
export const labInfoSchema = z.strictObject({ running: z.boolean(), seeds: z.array(addressSchema) });
/**
 * Who keeps a topology connected: the window (managed false: its connect screen is for a person)
 * or the service (serve's configured topologies: a label, and while it retries its first
 * connect, 'connecting' with the last failure's reason).
 */
export const topologyInfoSchema = z.strictObject({
  label: z.string().nullable(),
  managed: z.boolean(),
  status: z.enum(['connected', 'connecting', 'idle']),
  lastError: z.string().nullable(),
});
export type TopologyInfo = z.output<typeof topologyInfoSchema>;

/** One topology's methods (each call names its topology; see HUB_METHODS for the app's own). */
export const API_METHODS = {
  connect: method('topology:connect', z.tuple([connectOptionsSchema]), built<TopologySnapshot>('object')),
  disconnect: method('topology:disconnect', noArguments, nothing),
  getTopology: method('topology:get', noArguments, built<TopologySnapshot>('object').nullable()),
  /** Who keeps this topology connected (serve's configured ones: their label and retry state). */
  getInfo: method('topology:info', noArguments, topologyInfoSchema),
  /** Drop a node the console no longer sees from the graph and the topology memory (the user's explicit act). */
  forgetNode: method('topology:forget', z.tuple([addressSchema]), built<TopologySnapshot>('object')),
  /** A node's INFO replication as last read, every field verbatim (ticks leave it out). */
  getRawReplication: method('node:raw-replication', z.tuple([addressSchema]), built<RawReplication>('object')),
  getHistory: method('history:get', z.tuple([historyQuerySchema]), built<HistoryPoint[]>('array')),
  /** Every node's history (or the listed nodes') in one call: address → points. */
  getHistories: method('history:all', z.tuple([historiesQuerySchema]), built<Record<string, HistoryColumns>>('object')),
  /** The alerts as last evaluated (the same view every tick carries). */
  getAlerts: method('alerts:get', noArguments, built<AlertsView>('object')),
  /** "I have seen it": no more notifications for this incident; it stays listed until it resolves. */
  acknowledgeAlert: method('alerts:acknowledge', z.tuple([z.string().min(1).max(100)]), built<AlertsView>('object')),
  /** Maintenance: mute a node (or the whole topology) for a while; alerts are still shown, not notified. */
  muteAlerts: method('alerts:mute', z.tuple([alertMuteSchema]), built<AlertsView>('object')),
  /** End a mute early: a node's, or the topology's (null). */
  unmuteAlerts: method('alerts:unmute', z.tuple([addressSchema.nullable()]), built<AlertsView>('object')),
  /** Change some thresholds; the others keep their values. */
  setAlertThresholds: method('alerts:thresholds', z.tuple([alertThresholdsSchema]), built<AlertsView>('object')),
  // The query may be omitted: "all recent events".
  listEvents: method('events:list', z.union([z.tuple([eventQuerySchema]), noArguments]), built<ReplicationEvent[]>('array')),
  startLab: method('lab:start', noArguments, labInfoSchema),
  stopLab: method('lab:stop', noArguments, labInfoSchema),
  labStatus: method('lab:status', noArguments, labInfoSchema),
  /** The interrupted plans touching the connected topology (INTERRUPTED_PLAN warnings), in full. */
  interruptedPlans: method('journal:interrupted', noArguments, built<InterruptedPlanList>('object')),
  /** "I have dealt with it": true when this call closed the record, false when it was already closed. */
  dismissInterruptedPlan: method('journal:dismiss', z.tuple([planId]), z.boolean()),
  /** Reads the nodes involved fresh and returns the plan; changes nothing. */
  planAction: method('action:plan', z.tuple([actionRequestSchema]), built<ActionPlan>('object')),
  /** Runs a plan made by planAction; progress arrives through onActionProgress meanwhile. */
  executeAction: method('action:execute', z.tuple([executeRequestSchema]), built<ActionOutcome>('object')),
  abortAction: method('action:abort', z.tuple([planId]), abortResultSchema),
  /**
   * The plan this topology runs now, or ran last, with its progress and outcome: for a window that
   * did not start it (reloaded, or refused BUSY). With a plan id: that plan's run while the console
   * still keeps it (a later plan may have started since), else the newest.
   */
  runningAction: method('action:running', z.union([z.tuple([planId]), noArguments]), built<PlanRun>('object').nullable()),
  /** For drag-and-drop: every other node as a new master for `node`, from the last snapshot. */
  moveCandidates: method('action:candidates', z.tuple([addressSchema]), built<MoveCandidate[]>('array')),
  /** The most recent audit entries, newest last: this topology's by default, or 'all'. */
  listAudit: method(
    'audit:list',
    z.union([z.tuple([auditLimit, z.enum(['topology', 'all'])]), z.tuple([auditLimit]), noArguments]),
    built<AuditList>('object'),
  ),
  /** Saved connections (secrets are never returned, only whether each is stored). */
  listProfiles: method('profile:list', noArguments, built<ProfileList>('object')),
  saveProfile: method('profile:save', z.tuple([profileInputSchema]), built<ConnectionProfile>('object')),
  deleteProfile: method('profile:delete', z.tuple([profileIdSchema]), z.boolean()),
  /** JSON text of the given profiles (all when omitted), without secrets. */
  exportProfiles: method('profile:export', z.union([z.tuple([z.array(profileIdSchema).max(1000)]), noArguments]), z.string()),
  /** Profiles from exported JSON text, added as new ones (secrets are never imported). */
  importProfiles: method('profile:import', z.tuple([z.string().max(1_000_000)]), built<ProfileImportResult>('object')),
  /** Web mode: keep secrets in memory only, or opt in to a file readable only by this user. */
  setSecretStorage: method('profile:secret-storage', z.tuple([z.enum(['memory', 'file'])]), z.enum(['encrypted', 'memory', 'file'])),
} as const;

/** The app's methods, about the set of open topologies rather than one of them (they still carry a topology id). */
export const HUB_METHODS = {
  /** Stop this topology's polling (a running plan first reaches a safe point) and drop it: a closed tab. */
  closeTopology: method('topology:close', noArguments, nothing),
  /** The ids of the topologies open now, for a reloaded window to show their tabs again. */
  openTopologies: method('topology:list', noArguments, z.array(z.string())),
  /**
   * The page holds another tick than the one a difference changes (tick-wire.ts): send this
   * topology's next tick whole. Answered by the transport that sends differences; the hub's own
   * listeners get every tick whole.
   */
  resendTick: method('tick:resend', noArguments, nothing),
} as const;

/**
 * Pushed messages: one tick per poll, one progress per step change of a running plan. `wire` is
 * what crosses (a tick as a difference from the one before, tick-wire.ts), `data` what a
 * listener of the unwrapped API gets.
 */
export const PUSHES = {
  onTick: { channel: 'topology:tick', data: built<TickUpdate>('object'), wire: built<TickWire>('object') },
  onActionProgress: { channel: 'action:progress', data: built<StepProgress>('object'), wire: built<StepProgress>('object') },
} as const;

type ApiTable = typeof API_METHODS;
type HubTable = typeof HUB_METHODS;
type PushTable = typeof PUSHES;

export type ApiMethodName = keyof ApiTable;
export type HubMethodName = keyof HubTable;
export type PushName = keyof PushTable;

/** Arguments as a caller passes them, and the result as it arrives. */
export type ArgsOf<M extends { args: ArgumentList }> = z.input<M['args']>;
export type ResultOf<M extends { result: z.ZodType }> = z.output<M['result']>;

/** Channel → (…args) => result, for each topology's channels. */
export type ApiMethods = { [K in ApiMethodName as ApiTable[K]['channel']]: (...args: ArgsOf<ApiTable[K]>) => ResultOf<ApiTable[K]> };
export type ApiChannel = keyof ApiMethods;
export type HubMethods = { [K in HubMethodName as HubTable[K]['channel']]: (...args: ArgsOf<HubTable[K]>) => ResultOf<HubTable[K]> };
export type HubChannel = keyof HubMethods;
/** Every method the bridge carries: one topology's and the app's. */
export type BridgeMethods = ApiMethods & HubMethods;
export type BridgeChannel = keyof BridgeMethods;
/** Channel → what crosses it. */
export type ApiPushes = { [K in PushName as PushTable[K]['channel']]: z.output<PushTable[K]['wire']> };
export type PushChannel = keyof ApiPushes;

/** The object the renderer (and the CLI) calls: one topology's API, whatever carries it. */
export type ReplicationConsoleApi = { [K in ApiMethodName]: (...args: ArgsOf<ApiTable[K]>) => Promise<ResultOf<ApiTable[K]>> } & {
  [K in PushName]: (listener: (data: z.output<PushTable[K]['data']>) => void) => () => void;
};

/** The same API with each call's envelope instead of its value, and pushes as they cross: what the preload exposes (see bind-api.ts). */
export type EnvelopeApi = { [K in ApiMethodName]: (...args: ArgsOf<ApiTable[K]>) => Promise<Envelope<ResultOf<ApiTable[K]>>> } & {
  [K in PushName]: (listener: (data: z.output<PushTable[K]['wire']>) => void) => () => void;
};

/** What crosses the bridge for every call: the value, or the error as fields (never an exception). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };

/** An error as it crosses: its code (one meaning each, see ErrorCode), a message fit to show, and what else is known. */
export interface WireError {
  code: import('./types').ErrorCode;
  message: string;
  details?: import('./types').ErrorDetails;
}

const CHANNEL_METHODS = new Map<string, { args: ArgumentList }>(
  [...Object.values(API_METHODS), ...Object.values(HUB_METHODS)].map((m) => [m.channel, m]),
);

/** Every topology channel, in table order. */
export const API_CHANNELS = Object.values(API_METHODS).map((m) => m.channel) as ApiChannel[];
export const HUB_CHANNELS = Object.values(HUB_METHODS).map((m) => m.channel) as HubChannel[];
/** Every channel the preload may invoke: each topology's and the app's. */
export const BRIDGE_CHANNELS: readonly BridgeChannel[] = [...API_CHANNELS, ...HUB_CHANNELS];

export function isApiChannel(channel: unknown): channel is ApiChannel {
  return typeof channel === 'string' && (API_CHANNELS as readonly string[]).includes(channel);
}

export function isHubChannel(channel: unknown): channel is HubChannel {
  return typeof channel === 'string' && (HUB_CHANNELS as readonly string[]).includes(channel);
}

/** A call refused before it reached a handler: nothing was sent to any node. */
export interface CallRefusal {
  code: 'BAD_ARGUMENT';
  message: string;
  details: { nothingSent: true };
}

export type ParsedCall<C extends string = BridgeChannel> = { ok: true; channel: C; args: unknown[] } | { ok: false; error: CallRefusal };

export function refuseCall(message: string): CallRefusal {
  return { code: 'BAD_ARGUMENT', message, details: { nothingSent: true } };
}

/**
 * Checks a channel name and its raw argument list. The error message names the channel and
 * the offending field but never echoes a value (it could be a password).
 */
export function parseCall(channel: unknown, rawArgs: unknown): ParsedCall {
  const known = typeof channel === 'string' ? CHANNEL_METHODS.get(channel) : undefined;
  if (!known) {
    const shown = typeof channel === 'string' ? `"${channel.slice(0, 64)}"` : typeof channel;
    return { ok: false, error: refuseCall(`Unknown channel ${shown}`) };
  }
  const name = channel as BridgeChannel;
  if (!Array.isArray(rawArgs)) {
    return { ok: false, error: refuseCall(`${name}: arguments must be a list`) };
  }
  const result = known.args.safeParse(rawArgs);
  if (result.success) return { ok: true, channel: name, args: [...result.data] };
  return { ok: false, error: refuseCall(`${name}: ${describeIssues(result.error.issues)}`) };
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
