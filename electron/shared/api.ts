// The typed API the renderer and the CLI see, whatever carries it (Electron IPC, the web mode's
// WebSocket, or a direct call in the CLI). Every method's types come from the channel table in
// channels.ts; this module adds the values the bridge shares and the bridge's own shape.
import type { z } from 'zod';
import type { Address } from './types';
import type { EnvelopeApi, Envelope, ReplicationConsoleApi, ResultOf } from './channels';
import type { HUB_METHODS, labInfoSchema } from './channels';

export type {
  ApiChannel,
  ApiMethodName,
  ApiMethods,
  ApiPushes,
  BridgeChannel,
  BridgeMethods,
  Envelope,
  EnvelopeApi,
  HubChannel,
  HubMethods,
  PushChannel,
  ReplicationConsoleApi,
  WireError,
} from './channels';

/** Whether the documentation lab runs, and its nodes. */
export type LabInfo = z.output<typeof labInfoSchema>;

/**
 * A plan the console left half-done (its journal has no end), as the renderer shows it: the
 * engine's InterruptedReport (electron/engine/actions/recovery.ts) field for field. No
 * credentials: `who` is the operating-system user and host that ran it.
 */
export interface InterruptedPlanReport {
  planId: string;
  summary: string;
  startedAt: number;
  /** user@host via interface. */
  who: string;
  /** Every node the plan touched or aimed to. */
  nodes: Address[];
  /** Why the plan did not end. */
  cause: string;
  /** One line per step: what ran and how it ended. */
  ran: string[];
  /** One line per node, as read at the last check. */
  now: string[];
  /** 'finish' when the new master took over, 'roll back' when it did not. */
  direction: 'finish' | 'roll back';
  /** The commands to run, in order (empty when the nodes are settled). */
  commands: { node: Address; command: string; why: string }[];
  /** Masters still refusing writes with the fence, and the value to restore. */
  fenced: { node: Address; value: string; original: string }[];
  /** Write pauses still running, and when each ends by itself. */
  pausedUntil: { node: Address; until: number }[];
  /** Seen settled at the last check: the record is already closed. */
  settled: boolean;
  /** Nodes the plan has work on that could not be read: the report waits for them. */
  waitingFor: Address[];
  /** Replicas where the plan wants them whose link is not up yet (a full sync under way, or reconnecting): the report waits for them too. */
  linking: { node: Address; master: Address | null; syncing: boolean }[];
  /** What the report says beside its commands: nodes changed since by something else, moves not advised (a cycle), writes held on purpose, nodes not waited for. */
  notes: string[];
}

/** The interrupted plans touching the connected topology, as of the last check of the journal. */
export interface InterruptedPlanList {
  reports: InterruptedPlanReport[];
  /** Journal files that could not be read, one line each. */
  problems: string[];
  /** When the journal was last checked (0: not yet). */
  checkedAt: number;
}

/** A topology (tab) id: made by the renderer, checked by the main process like any argument. */
export const TOPOLOGY_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;
/** Topologies open at once, at most: more is a leak or a runaway script, not a person watching them. */
export const MAX_TOPOLOGIES = 16;
/** The first tab's topology: the one --seed and --lab open, and the one a client naming none talks to. */
export const MAIN_TOPOLOGY = 'main';

/** The web mode's round-trip probe: the console server answers it at once, outside any topology. */
export const LINK_PING = 'link:ping';

type HubTable = typeof HUB_METHODS;

/**
 * What the renderer holds (window.replicationConsole in Electron, a WebSocket client in web mode,
 * after renderer/src/api unwraps the envelopes): one ReplicationConsoleApi per topology, each with
 * its own engine and polling, plus the app's calls.
 */
/** Whether the page reaches the console server (web mode), since when, and where it is. */
export interface ServerLink {
  reachable: boolean;
  since: number;
  host: string;
  /**
   * How long a request to the console server takes to be answered, ms: the latest probe's round
   * trip, or longer while the probes sent since go unanswered (null before the first answer). A
   * link that holds what the server sends (a buffering proxy, a VPN) shows here from the first
   * second, where the ticks' own lateness cannot tell it from the two clocks' difference.
   */
  roundTripMs?: number | null;
  /**
   * Lost, and the server answers over HTTP but refuses the socket again and again: it was
   * restarted with a new access token (the web mode makes one per run) or new credentials, and
   * this page will never get back in. Without it the page said "trying again" for ever.
   */
  refused?: boolean;
}

export type ReplicationConsoleBridge = {
  /**
   * Web mode only (in Electron the main process is the window's own): called whenever the socket
   * to the console server is lost or comes back. Returns a disposer.
   */
  onServerLink?(listener: (link: ServerLink) => void): () => void;
  /** The API of one topology (created in the main process on its first call). */
  topology(id: string): ReplicationConsoleApi;
  /** Stop the topology's polling and drop it (its tab closed). */
  closeTopology(id: string): Promise<ResultOf<HubTable['closeTopology']>>;
  /** The topologies open in the main process. */
  openTopologies(): Promise<ResultOf<HubTable['openTopologies']>>;
};

/**
 * The same bridge with envelopes instead of values and thrown errors: what the preload exposes and
 * the WebSocket client makes, because an error's fields (code, details) do not survive being thrown
 * across Electron's context bridge.
 */
export type EnvelopeBridge = {
  topology(id: string): EnvelopeApi;
  closeTopology(id: string): Promise<Envelope<ResultOf<HubTable['closeTopology']>>>;
  openTopologies(): Promise<Envelope<ResultOf<HubTable['openTopologies']>>>;
  /** Ask for the topology's next tick whole (the page's TickDecoder holds another than a difference changes). */
  resendTick(id: string): Promise<Envelope<ResultOf<HubTable['resendTick']>>>;
};
