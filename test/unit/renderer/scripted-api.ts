// A scripted stand-in for the bridge: records calls, answers from fields. No Redis here.
import type { ConnectionProfile, ProfileImportResult, ProfileInput, ProfileList, SecretStorage } from '../../../electron/shared/profiles';
import type { InterruptedPlanList, LabInfo, ReplicationConsoleApi } from '../../../electron/shared/api';
import type { TopologyInfo } from '../../../electron/shared/channels';
import type {
  AbortResult,
  ActionOutcome,
  ActionPlan,
  ActionRequest,
  AuditEntry,
  AuditList,
  AuditScope,
  ExecuteRequest,
  MoveCandidate,
  PlanRun,
  StepProgress,
} from '../../../electron/shared/actions';
import type {
  AlertsView,
  ConnectOptions,
  ErrorDetails,
  HistoryColumns, HistoryPoint,
  RawReplication,
  ReplicationEvent,
  TickUpdate,
  TopologySnapshot,
} from '../../../electron/shared/types';
import { labSnapshot, makeEvent } from './fixtures';

export class CodedError extends Error {
  code: string;
  details: ErrorDetails | undefined;
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** An answer, or an error to throw, or a function that gives either. */
type Scripted<A, R> = R | Error | ((arg: A) => R | Promise<R>);

async function answer<A, R>(script: Scripted<A, R>, arg: A): Promise<R> {
  if (script instanceof Error) throw script;
  if (typeof script === 'function') return (script as (arg: A) => R | Promise<R>)(arg);
  return script;
}

export class ScriptedApi implements ReplicationConsoleApi {
  calls: string[] = [];
  connectOptions: ConnectOptions[] = [];
  connectResult: TopologySnapshot | Error = labSnapshot(1, 1000);
  topology: TopologySnapshot | null = null;
  lab: LabInfo = { running: false, seeds: [] };
  events: ReplicationEvent[] = [makeEvent(1, 900, '127.0.0.1:7001')];
  listeners = new Set<(u: TickUpdate) => void>();
  progressListeners = new Set<(p: StepProgress) => void>();

  candidates: Scripted<string, MoveCandidate[]> = [];
  plans: Scripted<ActionRequest, ActionPlan> = new Error('no plan scripted');
  outcome: Scripted<ExecuteRequest, ActionOutcome> = new Error('no outcome scripted');
  abortResult: Scripted<string, AbortResult> = { accepted: true, message: 'stopping before the next step' };
  /** What 'action:running' answers: the console's running (or last) plan. */
  run: Scripted<string | undefined, PlanRun | null> = null;
  audit: Scripted<number | undefined, AuditEntry[]> = [];
  interrupted: Scripted<void, InterruptedPlanList> = { reports: [], problems: [], checkedAt: 0 };
  dismissResult: Scripted<string, boolean> = true;
  dismissed: string[] = [];
  planRequests: ActionRequest[] = [];
  executeRequests: ExecuteRequest[] = [];

  async connect(options: ConnectOptions): Promise<TopologySnapshot> {
    this.calls.push('connect');
    this.connectOptions.push(options);
    if (this.connectResult instanceof Error) throw this.connectResult;
    return this.connectResult;
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect');
  }
  async getTopology(): Promise<TopologySnapshot | null> {
    this.calls.push('getTopology');
    return this.topology;
  }
  /** What 'topology:info' answers: a window's own topology unless a test makes it serve's. */
  info: Scripted<void, TopologyInfo> = { label: null, managed: false, status: 'idle', lastError: null };
  async getInfo(): Promise<TopologyInfo> {
    this.calls.push('getInfo');
    return answer(this.info, undefined);
  }
  /** Addresses forgetNode was called with; set forgetError to make it fail. */
  forgotten: string[] = [];
  forgetError: CodedError | null = null;
  async forgetNode(address: string): Promise<TopologySnapshot> {
    this.calls.push('forgetNode');
    this.forgotten.push(address);
    if (this.forgetError) throw this.forgetError;
    const snapshot = this.topology ?? { seq: 1, takenAt: 1, pollIntervalMs: 1000, nodes: [], edges: [], warnings: [] };
    return { ...snapshot, nodes: snapshot.nodes.filter((n) => n.address !== address) };
  }
  /** What 'node:raw-replication' answers for an address; an Error makes it fail. */
  raw: Scripted<string, RawReplication> = (address) => ({ address, readAt: 1, fields: { role: 'master' } });
  async getRawReplication(address: string): Promise<RawReplication> {
    this.calls.push('getRawReplication');
    return answer(this.raw, address);
  }
  async getHistory(): Promise<HistoryPoint[]> {
    this.calls.push('getHistory');
    return [];
  }
  async getHistories(): Promise<Record<string, HistoryColumns>> {
    this.calls.push('getHistories');
    return {};
  }
  alertsView: AlertsView = {
    alerts: [],
    mutes: [],
    thresholds: { lagBytes: 1, lagSeconds: 1, linkDownSeconds: 1, unreachableSeconds: 1, staleSeconds: 1, backlogShortSeconds: 1, forSeconds: 0 },
  };
  async getAlerts(): Promise<AlertsView> {
    this.calls.push('getAlerts');
    return this.alertsView;
  }
  async acknowledgeAlert(): Promise<AlertsView> {
    this.calls.push('acknowledgeAlert');
    return this.alertsView;
  }
  async muteAlerts(): Promise<AlertsView> {
    this.calls.push('muteAlerts');
    return this.alertsView;
  }
  async unmuteAlerts(): Promise<AlertsView> {
    this.calls.push('unmuteAlerts');
    return this.alertsView;
  }
  async setAlertThresholds(): Promise<AlertsView> {
    this.calls.push('setAlertThresholds');
    return this.alertsView;
  }
  async listEvents(): Promise<ReplicationEvent[]> {
    this.calls.push('listEvents');
    return this.events;
  }
  async startLab(): Promise<LabInfo> {
    this.calls.push('startLab');
    this.lab = { running: true, seeds: ['127.0.0.1:7000', '127.0.0.1:7001'] };
    return this.lab;
  }
  async stopLab(): Promise<LabInfo> {
    return { running: false, seeds: [] };
  }
  async labStatus(): Promise<LabInfo> {
    this.calls.push('labStatus');
    return this.lab;
  }
  async interruptedPlans(): Promise<InterruptedPlanList> {
    this.calls.push('interruptedPlans');
    return answer(this.interrupted, undefined);
  }
  async dismissInterruptedPlan(planId: string): Promise<boolean> {
    this.calls.push('dismissInterruptedPlan');
    this.dismissed.push(planId);
    return answer(this.dismissResult, planId);
  }
  async planAction(request: ActionRequest): Promise<ActionPlan> {
    this.calls.push('planAction');
    this.planRequests.push(request);
    return answer(this.plans, request);
  }
  async executeAction(request: ExecuteRequest): Promise<ActionOutcome> {
    this.calls.push('executeAction');
    this.executeRequests.push(request);
    return answer(this.outcome, request);
  }
  async abortAction(planId: string): Promise<AbortResult> {
    this.calls.push('abortAction');
    return answer(this.abortResult, planId);
  }
  async runningAction(planId?: string): Promise<PlanRun | null> {
    this.calls.push('runningAction');
    return answer(this.run, planId);
  }
  async moveCandidates(node: string): Promise<MoveCandidate[]> {
    this.calls.push('moveCandidates');
    return answer(this.candidates, node);
  }
  async listAudit(limit?: number, scope?: AuditScope): Promise<AuditList> {
    this.calls.push('listAudit');
    return { entries: await answer(this.audit, limit), scope: scope ?? 'topology', otherTopologies: 0, unreadable: [] };
  }
  profiles: ProfileList = { profiles: [], secretStorage: 'memory', fileOptIn: true, problems: [] };
  async listProfiles(): Promise<ProfileList> {
    this.calls.push('listProfiles');
    return this.profiles;
  }
  async saveProfile(input: ProfileInput): Promise<ConnectionProfile> {
    this.calls.push('saveProfile');
    const { secrets, ...rest } = input;
    const profile: ConnectionProfile = {
      ...rest,
      id: input.id ?? `p${this.profiles.profiles.length + 1}`,
      savedAt: 1,
      secrets: { password: Boolean(secrets?.password), sentinelPassword: Boolean(secrets?.sentinelPassword), sshPassword: Boolean(secrets?.sshPassword), sshPassphrase: Boolean(secrets?.sshPassphrase) },
    };
    this.profiles = { ...this.profiles, profiles: [...this.profiles.profiles.filter((p) => p.id !== profile.id), profile] };
    return profile;
  }
  async deleteProfile(id: string): Promise<boolean> {
    this.calls.push('deleteProfile');
    const before = this.profiles.profiles.length;
    this.profiles = { ...this.profiles, profiles: this.profiles.profiles.filter((p) => p.id !== id) };
    return this.profiles.profiles.length < before;
  }
  async exportProfiles(): Promise<string> {
    this.calls.push('exportProfiles');
    return JSON.stringify({ profiles: this.profiles.profiles });
  }
  async importProfiles(): Promise<ProfileImportResult> {
    this.calls.push('importProfiles');
    return { imported: [], problems: [] };
  }
  async setSecretStorage(storage: 'memory' | 'file'): Promise<SecretStorage> {
    this.calls.push('setSecretStorage');
    return storage;
  }
  onTick(listener: (u: TickUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onActionProgress(listener: (p: StepProgress) => void): () => void {
    this.progressListeners.add(listener);
    return () => this.progressListeners.delete(listener);
  }
  push(update: TickUpdate): void {
    for (const l of this.listeners) l(update);
  }
  progress(progress: StepProgress): void {
    for (const l of this.progressListeners) l(progress);
  }
}
