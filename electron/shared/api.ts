// The typed API the renderer sees, whatever carries it (Electron IPC or the web mode's
// WebSocket). Channel names read `domain:verb`.
import type {
  AbortResult,
  ActionApiMethods,
  ActionApiPushes,
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AuditList,
  AuditScope,
  ExecuteRequest,
  MoveCandidate,
  StepProgress,
} from './actions';
import type { ConnectionProfile, ProfileApiMethods, ProfileImportResult, ProfileInput, ProfileList, SecretStorage } from './profiles';
import type {
  Address,
  ConnectOptions,
  EventQuery,
  HistoryPoint,
  HistoryQuery,
  ReplicationEvent,
  TickUpdate,
  TopologySnapshot,
} from './types';

export interface LabInfo {
  running: boolean;
  seeds: string[];
}

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
}

/** The interrupted plans touching the connected topology, as of the last check of the journal. */
export interface InterruptedPlanList {
  reports: InterruptedPlanReport[];
  /** Journal files that could not be read, one line each. */
  problems: string[];
  /** When the journal was last checked (0: not yet). */
  checkedAt: number;
}

/** Request/response methods: one channel each. The topology changes come from actions.ts. */
export interface ApiMethods extends ActionApiMethods, ProfileApiMethods {
  'topology:connect': (options: ConnectOptions) => TopologySnapshot;
  'topology:disconnect': () => void;
  'topology:get': () => TopologySnapshot | null;
  /** Drop a node the console no longer sees from the graph and the topology memory (the user's explicit act). */
  'topology:forget': (address: Address) => TopologySnapshot;
  'history:get': (query: HistoryQuery) => HistoryPoint[];
  'events:list': (query: EventQuery) => ReplicationEvent[];
  'lab:start': () => LabInfo;
  'lab:stop': () => LabInfo;
  'lab:status': () => LabInfo;
  'journal:interrupted': () => InterruptedPlanList;
  /** True when this call closed the record; false when it was already closed (settled, or dismissed elsewhere). */
  'journal:dismiss': (planId: string) => boolean;
}

export type ApiChannel = keyof ApiMethods;

/** Pushed messages: one tick per poll, one progress per step change of a running plan. */
export interface ApiPushes extends ActionApiPushes {
  'topology:tick': TickUpdate;
}

export type PushChannel = keyof ApiPushes;

/**
 * App-level calls, about the set of open topologies rather than one of them. They travel like
 * the others, with a topology id: 'topology:close' closes that one; 'topology:list' ignores it.
 */
export interface HubMethods {
  /** Stop this topology's polling (a running plan first reaches a safe point) and drop it: a closed tab. */
  'topology:close': () => void;
  /** The ids of the topologies open now, for a reloaded window to show their tabs again. */
  'topology:list': () => string[];
}

export type HubChannel = keyof HubMethods;

/** Every method the bridge carries: one topology's and the app's. */
export type BridgeMethods = ApiMethods & HubMethods;
export type BridgeChannel = keyof BridgeMethods;

/** A topology (tab) id: made by the renderer, checked by the main process like any argument. */
export const TOPOLOGY_ID_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;
/** Topologies open at once, at most: more is a leak or a runaway script, not a person watching them. */
export const MAX_TOPOLOGIES = 16;
/** The first tab's topology: the one --seed and --lab open, and the one a client naming none talks to. */
export const MAIN_TOPOLOGY = 'main';

export type Envelope<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string } };

/** The object the renderer calls (window.replicationConsole in Electron, a WebSocket client in web mode). */
export interface ReplicationConsoleApi {
  connect(options: ConnectOptions): Promise<TopologySnapshot>;
  disconnect(): Promise<void>;
  getTopology(): Promise<TopologySnapshot | null>;
  /** Forget a remembered node: it leaves the graph and the memory, and is dialled no more. */
  forgetNode(address: Address): Promise<TopologySnapshot>;
  getHistory(query: HistoryQuery): Promise<HistoryPoint[]>;
  listEvents(query: EventQuery): Promise<ReplicationEvent[]>;
  startLab(): Promise<LabInfo>;
  stopLab(): Promise<LabInfo>;
  labStatus(): Promise<LabInfo>;
  /** The interrupted plans touching the connected topology (INTERRUPTED_PLAN warnings), in full. */
  interruptedPlans(): Promise<InterruptedPlanList>;
  /** "I have dealt with it": the plan is no longer reported, in any window. */
  dismissInterruptedPlan(planId: string): Promise<boolean>;
  /** Reads the nodes involved fresh and returns the plan; changes nothing. */
  planAction(request: ActionRequest): Promise<ActionPlan>;
  /** Runs a plan made by planAction; progress arrives through onActionProgress meanwhile. */
  executeAction(request: ExecuteRequest): Promise<ActionOutcome>;
  abortAction(planId: string): Promise<AbortResult>;
  /** For drag-and-drop: every other node as a new master for `node`, from the last snapshot. */
  moveCandidates(node: Address): Promise<MoveCandidate[]>;
  /** The most recent audit entries, newest last: this topology's by default, or 'all'. */
  listAudit(limit?: number, scope?: AuditScope): Promise<AuditList>;
  /** Saved connections (secrets are never returned, only whether each is stored). */
  listProfiles(): Promise<ProfileList>;
  saveProfile(profile: ProfileInput): Promise<ConnectionProfile>;
  deleteProfile(id: string): Promise<boolean>;
  /** JSON text without secrets. */
  exportProfiles(ids?: string[]): Promise<string>;
  importProfiles(text: string): Promise<ProfileImportResult>;
  setSecretStorage(storage: 'memory' | 'file'): Promise<SecretStorage>;
  /** Returns a disposer. */
  onTick(listener: (update: TickUpdate) => void): () => void;
  /** Every step progress of every running plan; returns a disposer. */
  onActionProgress(listener: (progress: StepProgress) => void): () => void;
}

/**
 * What the preload exposes as window.replicationConsole (and the web mode's client): one
 * ReplicationConsoleApi per topology, each with its own engine and polling, plus the app's calls.
 */
export interface ReplicationConsoleBridge {
  /** The API of one topology (created in the main process on its first call). */
  topology(id: string): ReplicationConsoleApi;
  /** Stop the topology's polling and drop it (its tab closed). */
  closeTopology(id: string): Promise<void>;
  /** The topologies open in the main process. */
  openTopologies(): Promise<string[]>;
}
