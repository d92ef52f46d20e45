// The typed API the renderer sees, whatever carries it (Electron IPC or the web mode's
// WebSocket). Channel names read `domain:verb`.
import type {
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

/** Request/response methods: one channel each. */
export interface ApiMethods {
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

/** Pushed messages: one per poll tick. */
export interface ApiPushes {
  'topology:tick': TickUpdate;
}

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
  /** Returns a disposer. */
  onTick(listener: (update: TickUpdate) => void): () => void;
}
