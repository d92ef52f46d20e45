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

/** Request/response methods: one channel each. The topology changes come from actions.ts. */
export interface ApiMethods extends ActionApiMethods {
  'topology:connect': (options: ConnectOptions) => TopologySnapshot;
  'topology:disconnect': () => void;
  'topology:get': () => TopologySnapshot | null;
  'history:get': (query: HistoryQuery) => HistoryPoint[];
  'events:list': (query: EventQuery) => ReplicationEvent[];
  'lab:start': () => LabInfo;
  'lab:stop': () => LabInfo;
  'lab:status': () => LabInfo;
}

export type ApiChannel = keyof ApiMethods;

/** Pushed messages: one tick per poll, one progress per step change of a running plan. */
export interface ApiPushes extends ActionApiPushes {
  'topology:tick': TickUpdate;
}

export type PushChannel = keyof ApiPushes;

export type Envelope<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string } };

/** The object the renderer calls (window.replicationConsole in Electron, a WebSocket client in web mode). */
export interface ReplicationConsoleApi {
  connect(options: ConnectOptions): Promise<TopologySnapshot>;
  disconnect(): Promise<void>;
  getTopology(): Promise<TopologySnapshot | null>;
  getHistory(query: HistoryQuery): Promise<HistoryPoint[]>;
  listEvents(query: EventQuery): Promise<ReplicationEvent[]>;
  startLab(): Promise<LabInfo>;
  stopLab(): Promise<LabInfo>;
  labStatus(): Promise<LabInfo>;
  /** Reads the nodes involved fresh and returns the plan; changes nothing. */
  planAction(request: ActionRequest): Promise<ActionPlan>;
  /** Runs a plan made by planAction; progress arrives through onActionProgress meanwhile. */
  executeAction(request: ExecuteRequest): Promise<ActionOutcome>;
  abortAction(planId: string): Promise<AbortResult>;
  /** For drag-and-drop: every other node as a new master for `node`, from the last snapshot. */
  moveCandidates(node: Address): Promise<MoveCandidate[]>;
  /** The most recent audit entries, newest last: this topology's by default, or 'all'. */
  listAudit(limit?: number, scope?: AuditScope): Promise<AuditList>;
  /** Returns a disposer. */
  onTick(listener: (update: TickUpdate) => void): () => void;
  /** Every step progress of every running plan; returns a disposer. */
  onActionProgress(listener: (progress: StepProgress) => void): () => void;
}
