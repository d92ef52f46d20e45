// The one binder from the channel table (channels.ts) to named functions, shared by every
// transport: the Electron preload (IPC), the web mode's WebSocket client and the CLI (a direct
// call into the hub) differ only in how they carry one call. Calls resolve with envelopes, never
// throw across a boundary; unwrapBridge turns them into values and typed ApiCallErrors on the side
// that shows them.
import type { EnvelopeBridge, ReplicationConsoleApi, ReplicationConsoleBridge } from './api';
import { MAIN_TOPOLOGY } from './api';
import type { BridgeChannel, Envelope, EnvelopeApi, PushChannel, WireError } from './channels';
import { API_METHODS, HUB_METHODS, PUSHES } from './channels';
import { TickDecoder } from './tick-wire';
import type { ErrorCode, ErrorDetails } from './types';

/** Send one call on a channel for one topology; resolves with its envelope (a transport failure too). */
export type TopologyCall = (topology: string, channel: BridgeChannel, args: unknown[]) => Promise<Envelope<unknown>>;
/** Listen to one pushed channel's messages about one topology; returns the disposer. */
export type TopologySubscribe = (topology: string, channel: PushChannel, listener: (data: never) => void) => () => void;

/** A failed API call, rebuilt from its envelope: `code` is one ErrorCode, `details` what else is known. */
export class ApiCallError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'ApiCallError';
    this.code = code;
    this.details = details;
  }

  /** The error as it crosses (for transports that make their own envelopes). */
  toWire(): WireError {
    return Object.keys(this.details).length > 0 ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** An optional argument left out travels as absent, not as undefined (JSON would make it null). */
function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end -= 1;
  return args.slice(0, end);
}

/** One topology's EnvelopeApi over a transport. */
export function bindEnvelopeApi(topology: string, call: TopologyCall, subscribe: TopologySubscribe): EnvelopeApi {
  const api: Record<string, unknown> = {};
  for (const [name, { channel }] of Object.entries(API_METHODS)) {
    api[name] = (...args: unknown[]) => call(topology, channel, withoutTrailingUndefined(args));
  }
  for (const [name, { channel }] of Object.entries(PUSHES)) {
    api[name] = (listener: (data: never) => void) => subscribe(topology, channel, listener);
  }
  return api as EnvelopeApi;
}

/** The whole bridge (every topology's API and the app's calls) over a transport. */
export function bindEnvelopeBridge(call: TopologyCall, subscribe: TopologySubscribe): EnvelopeBridge {
  return {
    topology: (id) => bindEnvelopeApi(id, call, subscribe),
    closeTopology: (id) => call(id, HUB_METHODS.closeTopology.channel, []) as Promise<Envelope<void>>,
    // Any valid id will do: the list is the app's, not a topology's.
    openTopologies: () => call(MAIN_TOPOLOGY, HUB_METHODS.openTopologies.channel, []) as Promise<Envelope<string[]>>,
    resendTick: (id) => call(id, HUB_METHODS.resendTick.channel, []) as Promise<Envelope<void>>,
  };
}

/** An envelope's value, or its error as an ApiCallError. */
export function unwrapEnvelope<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  const { code, message, details } = envelope.error;
  throw new ApiCallError(code, message, details);
}

/** Whatever a transport threw instead of answering with an envelope, as an ApiCallError. */
export function toApiCallError(error: unknown): ApiCallError {
  if (error instanceof ApiCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiCallError('INTERNAL', `Internal error: ${message.split('\n')[0] ?? ''}`);
}

async function settle<T>(pending: Promise<Envelope<T>>): Promise<T> {
  let envelope: Envelope<T>;
  try {
    envelope = await pending;
  } catch (error) {
    throw toApiCallError(error);
  }
  return unwrapEnvelope(envelope);
}

/**
 * One topology's API with values and ApiCallErrors instead of envelopes, and ticks whole: each
 * listener decodes the differences it is sent (tick-wire.ts), and `askWholeTick` asks the
 * sender for a whole one when a difference does not fit.
 */
export function unwrapApi(api: EnvelopeApi, askWholeTick: () => void = () => undefined): ReplicationConsoleApi {
  const unwrapped: Record<string, unknown> = {};
  const calls = api as unknown as Record<string, (...args: unknown[]) => Promise<Envelope<unknown>>>;
  for (const name of Object.keys(API_METHODS)) {
    const callOne = calls[name];
    unwrapped[name] = (...args: unknown[]) => (callOne ? settle(callOne(...args)) : Promise.reject(new ApiCallError('INTERNAL', `Internal error: the bridge lacks ${name}`)));
  }
  for (const name of Object.keys(PUSHES)) unwrapped[name] = calls[name];
  const onTick: ReplicationConsoleApi['onTick'] = (listener) => {
    const decoder = new TickDecoder(askWholeTick);
    return api.onTick((wire) => {
      const update = decoder.decode(wire);
      if (update !== null) listener(update);
    });
  };
  unwrapped.onTick = onTick;
  return unwrapped as ReplicationConsoleApi;
}

/** The whole bridge with values and ApiCallErrors. */
export function unwrapBridge(bridge: EnvelopeBridge): ReplicationConsoleBridge {
  return {
    topology: (id) => unwrapApi(bridge.topology(id), () => void bridge.resendTick(id)),
    closeTopology: (id) => settle(bridge.closeTopology(id)),
    openTopologies: () => settle(bridge.openTopologies()),
  };
}
