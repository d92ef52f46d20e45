// The pieces every plan is assembled from: checks, steps, resync predictions and the node
// checks shared by all actions (reachable data node, auth, versions, Sentinel, persistence).
// Pure: everything comes from the PreflightFacts handed in.
import type {
  ActionOptions,
  ActionPlan,
  ActionRequest,
  CheckCode,
  CheckVerdict,
  LostBytes,
  PlanCheck,
  PlanStep,
  ResyncPrediction,
} from '../../shared/actions';
import { factsFor, type NodeFacts, type PreflightFacts, type SentinelFacts } from './facts';
import { compareVersions, findNode, serverAddressOf, tryNormalize } from './graph';
import { commandText, type StepOp } from './operations';
import { predictResync, type ReplState } from './resync';
import { sentinelFigures } from './sentinel-facts';
import { cannotFailOver } from '../sentinel-warnings';
import { formatAddress, parseAddress } from '../address';
import { dialsText, portSetting, transportMismatch } from './master-port';
import { formatBytes, formatOffset } from '../../shared/format';

/** "900 bytes", "138 MiB (144,409,652 bytes)": readable, with the exact count an operator may compare. */
export function bytesText(n: number | null): string {
  if (n === null) return '? bytes';
  return n < 1024 ? `${n} bytes` : `${formatBytes(n)} (${formatOffset(n)} bytes)`;
}

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
/** Longest write pause a switchover asks for (FAILOVER TIMEOUT, CLIENT PAUSE). */
export const MAX_WRITE_PAUSE_MS = 10_000;
/**
 * A paused master must still be paused when the hand-over command reaches it: the pause is
 * timed from before it was sent, and this much is kept in hand for the last commands (the wait
 * for a replica to catch up has the rest).
 */
export const PAUSE_MARGIN_MS = 1000;

/** The node state a plan aims for, to compare with what is there afterwards. */
export interface ExpectedNode {
  address: string;
  role: 'master' | 'replica';
  /** Console address of its master. */
  master: string | null;
}

/** A plan with what the executor needs next to it (never sent over the bridge). */
export interface PlannedAction {
  plan: ActionPlan;
  ops: StepOp[];
  /** The state the plan aims for, node by node. */
  expected: ExpectedNode[];
  /** The same nodes as they were when planned (for "to go back" advice). */
  before: ExpectedNode[];
  /** What planning learnt about Sentinel, reused when the plan is re-checked before it runs. */
  sentinel: SentinelFacts | null;
}

interface StepDraft {
  op: StepOp;
  purpose: string;
  destructive: boolean;
  verify: string;
}

export class PlanBuilder {
  readonly checks: PlanCheck[] = [];
  readonly steps: StepDraft[] = [];
  readonly predictions: ResyncPrediction[] = [];
  readonly lostBytes: LostBytes[] = [];
  readonly expected = new Map<string, ExpectedNode>();
  readonly involved = new Set<string>();
  readonly options: Required<Pick<ActionOptions, 'persist' | 'setMasterauth' | 'stepTimeoutMs' | 'skipWritePause'>> & Pick<ActionOptions, 'switchoverMethod' | 'masterAddress'>;
  /** Nodes whose role or master the plan changes (for persistence). */
  private readonly changed = new Set<string>();
  private readonly masterauthPlanned = new Set<string>();

  constructor(
    readonly facts: PreflightFacts,
    readonly request: ActionRequest,
  ) {
    const o = request.options ?? {};
    this.options = {
      persist: o.persist ?? false,
      setMasterauth: o.setMasterauth ?? false,
      stepTimeoutMs: o.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
      switchoverMethod: o.switchoverMethod,
      masterAddress: o.masterAddress,
      skipWritePause: o.skipWritePause ?? false,
    };
  }

  get snapshot(): PreflightFacts['snapshot'] {
    return this.facts.snapshot;
  }

  /** The console's canonical address for a node (snapshot address when known). */
  canon(address: string): string {
    return findNode(this.snapshot, address)?.address ?? tryNormalize(address);
  }

  fact(address: string): NodeFacts | undefined {
    return factsFor(this.facts, address);
  }

  /** True when both addresses reach one process (same address, alias, or run_id). */
  same(a: string, b: string): boolean {
    if (this.canon(a) === this.canon(b)) return true;
    const fa = this.fact(a)?.runId;
    return fa !== null && fa !== undefined && fa === this.fact(b)?.runId;
  }

  check(code: CheckCode, verdict: CheckVerdict, message: string, nodes: string[], overridable = false): void {
    this.checks.push({ code, verdict, message, overridable: overridable && verdict !== 'ok', nodes: nodes.map((n) => this.canon(n)) });
  }

  has(code: CheckCode, verdict?: CheckVerdict): boolean {
    return this.checks.some((c) => c.code === code && (verdict === undefined || c.verdict === verdict));
  }

  get refused(): boolean {
    return refusedBy(this.checks);
  }

  step(op: StepOp, purpose: string, verify: string, destructive = false): void {
    this.involved.add(this.canon(op.node));
    this.steps.push({ op, purpose, destructive, verify });
  }

  expect(address: string, role: 'master' | 'replica', master: string | null): void {
    const a = this.canon(address);
    this.involved.add(a);
    this.expected.set(a, { address: a, role, master: master === null ? null : this.canon(master) });
  }

  /** Show the node in the plan and in the outcome's final states. */
  involve(...addresses: string[]): void {
    for (const address of addresses) this.involved.add(this.canon(address));
  }

  markChanged(address: string): void {
    this.changed.add(this.canon(address));
  }

  /**
   * Refuse unless `address` is a reachable data node outside cluster mode. `what` names its
   * part in the plan ("the new master"). Returns the facts when usable.
   */
  requireDataNode(address: string, what: string): NodeFacts | null {
    const a = this.canon(address);
    const f = this.fact(a);
    const node = findNode(this.snapshot, a);
    if (node?.role === 'sentinel' || f?.mode === 'sentinel') {
      const watched = f?.sentinelMasters.map((m) => `"${m.name}" at ${m.address ?? '?'}`).join(', ') || node?.sentinelMasters.map((m) => `"${m.name}"`).join(', ');
      this.check('SENTINEL_NODE', 'refused', `${a} (${what}) is a Redis Sentinel, not a data node${watched ? `: it monitors ${watched}` : ''}`, [a]);
      return null;
    }
    if (!f || !f.reachable) {
      this.check('UNREACHABLE_TARGET', 'refused', `${a} (${what}) cannot be reached: ${f?.error ?? 'not read'}`, [a]);
      return null;
    }
    if (f.clusterEnabled || f.mode === 'cluster') {
      this.check('CLUSTER_MODE', 'refused', `${a} (${what}) runs in cluster mode: use CLUSTER REPLICATE / CLUSTER FAILOVER there`, [a]);
      return null;
    }
    return f;
  }

  /** Refuse while any reachable node of the plan is in the middle of a FAILOVER. */
  failoverRunning(addresses: string[]): void {
    const busy = addresses
      .map((a) => this.fact(a))
      .filter((f): f is NodeFacts => f !== undefined && f.reachable && f.failoverState !== null && f.failoverState !== 'no-failover');
    if (busy.length > 0) {
      this.check(
        'FAILOVER_RUNNING',
        'refused',
        `a FAILOVER is in progress on ${busy.map((f) => `${f.address} (${f.failoverState})`).join(', ')}: wait for it to finish or abort it (FAILOVER ABORT) first`,
        busy.map((f) => f.address),
      );
    } else {
      this.check('FAILOVER_RUNNING', 'ok', 'no FAILOVER in progress', []);
    }
  }

  /**
   * Sentinel watches the group: it reconfigures replicas to the master it knows and fails over on
   * its own, so a manual change is undone or raced (the issue's report: a console switchover undone
   * by Sentinel's own failover 25 s later). Changing who is master (switchover, promote, failover)
   * is refused unless overridden; re-pointing or detaching one replica is an overridable warning.
   * Either way the check names the figures and the Sentinel action to use instead.
   */
  sentinel(): void {
    const s = this.facts.sentinel;
    if (!s) return;
    const kind = this.request.kind;
    const { count, quorum, answered } = sentinelFigures(s);
    const name = s.masterName ?? '<name>';
    const asked = s.replies !== undefined && s.replies.length > 0;
    const silent = (s.replies ?? []).filter((r) => r.error !== null).map((r) => r.sentinel);
    const answering = asked && answered.length < count ? `, ${answered.length} answer${answered.length === 1 ? 's' : ''}` : '';
    const figures = s.masterName
      ? `${count} Sentinel${count === 1 ? '' : 's'}${answering}${quorum !== null ? `, quorum ${quorum}` : ''}, master name "${s.masterName}"`
      : 'its master name could not be read: SENTINEL MASTERS on a Sentinel lists it';
    const seen = s.evidence && s.evidence.length > 0 ? s.evidence.join('; ') : `Sentinel connections on ${s.managedNodes.join(', ')}`;
    const timeout = answered.find((r) => r.failoverTimeoutMs !== null)?.failoverTimeoutMs ?? null;
    // Whether the group fails over on its own now is CKQUORUM's to say, asked of the Sentinels that
    // answer: with too few of them left it cannot, whatever the others did while they ran.
    const stuck = cannotFailOver(answered.map((r) => r.ckquorum));
    const ckquorum = `CKQUORUM on ${answered.map((r) => `${r.sentinel}: ${r.ckquorum?.message ?? '?'}`).join('; ')}`;
    const undo =
      kind === 'replicaof'
        ? `it re-points a replica it knows back to the master it knows${timeout !== null ? ` once failover-timeout (${timeout} ms) has passed` : ''}, and fails over on its own when that master is down`
        : kind === 'detach'
          ? 'it turns a replica that made itself a master back into a replica within seconds (measured on Redis 7.0: 14 s after the detach, whatever failover-timeout), and it resyncs in full, dropping what was written to it meanwhile'
          : kind === 'failover'
            ? stuck
              ? `the Sentinels that answer cannot fail it over on their own now (${ckquorum}), but once enough of them are back they do, to a replica of their choosing, and turn a master promoted behind their back back into a replica`
              : asked && answered.length === 0
                ? 'none of its Sentinels answers the console, so whether they can fail it over on their own now cannot be told: the ones still running do once enough of them agree, to a replica of their choosing, and turn a master promoted behind their back back into a replica'
                : 'it fails a master that is down over on its own, to a replica of its choosing, and turns a master promoted behind its back back into a replica'
            : 'it reconfigures the replicas to the master it knows and turns a replica promoted behind its back back into a replica, or fails over on its own to another node';
    const notNow = stuck && kind !== 'failover' && kind !== 'detach' ? ` (the Sentinels that answer cannot fail over on their own now, ${ckquorum}, until enough of them are back)` : '';
    // SENTINEL FAILOVER goes to one that answers: a dead one is never offered.
    const where = !asked
      ? s.sentinels.length > 0
        ? ` on a Sentinel (${s.sentinels.join(', ')})`
        : ''
      : answered.length > 0
        ? ` on a Sentinel that answers (${answered.map((r) => r.sentinel).join(', ')})`
        : ` on a Sentinel, once one answers (none does now: ${silent.join(', ')})`;
    const instead =
      `Use the Sentinel action instead: sentinel-failover${s.masterName ? ` --master-name ${s.masterName}` : ''} [--prefer HOST:PORT], which runs SENTINEL FAILOVER ${name}${where}. ` +
      `Sentinel picks the new master itself (SENTINEL FAILOVER takes no target); the plan steers it with replica-priority`;
    const changesMaster = kind === 'switchover' || kind === 'promote' || kind === 'failover';
    this.check(
      'SENTINEL_MANAGED',
      changesMaster ? 'refused' : 'warning',
      `Sentinel manages this group (${figures}; seen from ${seen}): ${undo}${notNow}. ${instead}`,
      s.managedNodes.length > 0 ? s.managedNodes : [...this.involved],
      true,
    );
  }

  /** Versions: a replica older than its new master may not load its RDB or understand its stream. */
  version(replica: NodeFacts, master: NodeFacts): void {
    if (compareVersions(replica.version, master.version) < 0) {
      this.check(
        'VERSION_OLDER',
        'warning',
        `${replica.address} runs ${replica.version}, older than its new master ${master.address} (${master.version}): an older replica may fail to load the newer RDB format`,
        [replica.address, master.address],
        true,
      );
    }
  }

  /**
   * Auth: a replica without masterauth for a master that needs one never gets its link up,
   * and only the replica's log says why. Plans CONFIG SET masterauth when asked to.
   */
  auth(replica: NodeFacts, master: NodeFacts): void {
    const r = replica.address;
    const m = master.address;
    if (master.requiresAuth === false) return;
    if (master.requiresAuth === null) {
      this.check('AUTH_UNKNOWN', 'warning', `could not tell whether ${m} requires a password (${master.authBasis}); if it does, ${r} needs masterauth`, [r, m]);
      return;
    }
    const consoleHasPassword = this.facts.console.hasPassword;
    const aclUser = this.facts.console.user && this.facts.console.user !== 'default' ? this.facts.console.user : null;
    const userPart = aclUser ? ` and masteruser ${aclUser}` : '';
    // The console's password with another user name (or none) is not the console's credentials.
    const wrongUser = replica.masterauth === 'same' && aclUser !== null && replica.masteruser !== aclUser;
    if (replica.masterauth === 'unset' || ((replica.masterauth === 'different' || wrongUser) && this.options.setMasterauth)) {
      if (this.options.setMasterauth && consoleHasPassword) {
        this.planMasterauth(r, m);
        this.check('MASTERAUTH_MISSING', 'ok', `${m} requires a password: masterauth${userPart} will be set on ${r} from the console's credentials`, [r, m]);
        return;
      }
      if (replica.masterauth === 'unset') {
        this.check(
          'MASTERAUTH_MISSING',
          'refused',
          `${m} requires a password and ${r} has no masterauth: its link would stay down without any error the console can see. ` +
            (consoleHasPassword ? `Plan again with "set masterauth" (--set-masterauth) to set it from the console's credentials` : `Set masterauth on ${r} first`),
          [r, m],
        );
        return;
      }
    }
    if (replica.masterauth === 'unknown') {
      this.check('AUTH_UNKNOWN', 'warning', `${m} requires a password and ${r}'s masterauth could not be read (CONFIG GET denied): make sure it is set`, [r, m]);
      return;
    }
    if (replica.masterauth === 'different' || wrongUser) {
      this.check(
        'MASTERAUTH_DIFFERS',
        'warning',
        wrongUser
          ? `${r} authenticates as ${replica.masteruser ?? 'the default user'}, not as the console's user ${aclUser}: if ${m} does not accept that, the link stays down (plan with "set masterauth" to set masteruser too)`
          : `${r} has a masterauth other than the console's password: if ${m} does not accept it, the link stays down (plan with "set masterauth" to replace it)`,
        [r, m],
      );
      return;
    }
    this.check('MASTERAUTH_MISSING', 'ok', `${m} requires a password and ${r} has masterauth set`, [r, m]);
  }

  private planMasterauth(address: string, master: string): void {
    if (this.masterauthPlanned.has(address)) return;
    this.masterauthPlanned.add(address);
    // The master is kept so that the permission probes ask it whether the console's user may replicate.
    this.step({ kind: 'set-masterauth', node: address, master: this.canon(master) }, 'give the replica the password of its new master', 'CONFIG GET masterauth is set');
    const user = this.facts.console.user;
    if (user && user !== 'default') {
      this.step({ kind: 'set-masteruser', node: address, user }, 'authenticate to the new master as the console\'s ACL user', `CONFIG GET masteruser is ${user}`);
    }
  }

  /** Nodes this plan re-points away from the master they follow now (a switchover's siblings): not left below it. */
  private readonly movedAway = new Set<string>();

  /** Say which nodes the plan moves away from their master, before the predictions that count who stays. */
  willMove(...addresses: string[]): void {
    for (const address of addresses) this.movedAway.add(this.canon(address));
  }

  /** Record the sync `replica` is expected to get from a master whose state will be `master`. */
  predict(replica: NodeFacts, masterAddress: string, master: ReplState): ResyncPrediction {
    const r = replica.address;
    const m = this.canon(masterAddress);
    const sync = predictResync(replica, master, { replica: r, master: m });
    const flushesData = sync.expected !== 'partial';
    const prediction: ResyncPrediction = { node: r, master: m, expected: sync.expected, why: sync.why, flushesData };
    this.predictions.push(prediction);
    if (flushesData) {
      const keys = replica.keys === null ? 'Its data' : `Its ${replica.keys} key${replica.keys === 1 ? '' : 's'}`;
      // The replicas that stay below it after this plan (not its new master, not those the plan moves elsewhere) resync from its new data.
      const staying = replica.replicas.map((l) => this.canon(l.address)).filter((a) => a !== m && !this.movedAway.has(a));
      const children = staying.length > 0 ? ` Then ${staying.length === 1 ? 'its replica' : `its ${staying.length} replicas`} ${staying.join(', ')} must full-sync too.` : '';
      this.check(
        'FULL_SYNC',
        'warning',
        `${r} will ${sync.expected === 'full' ? 'need a full sync' : 'probably need a full sync'} from ${m}: ${sync.why}. ${keys} will be flushed and replaced with ${m}'s data.${children}`,
        [r, m],
      );
    }
    return prediction;
  }

  /**
   * Re-point `replica` to `master` (whose future replication state is `masterState`): auth,
   * version, prediction and the REPLICAOF step with its verification. With `hold`, the REPLICAOF
   * is sent while writes wait on the root of the stream both take, once `master` has every byte
   * of it (see planReplicaof): the replica cannot be ahead of its new master when it asks.
   */
  repoint(replica: NodeFacts, master: NodeFacts, masterState: ReplState, purpose: string, hold?: { root: string; ms: number }): void {
    this.auth(replica, master);
    this.version(replica, master);
    const prediction = this.predict(replica, master.address, masterState);
    // The address the replicas use for their master, not necessarily the console's way in (NAT); the user may name it.
    const named = this.options.masterAddress;
    const { host, port } = this.dialAddress(replica, master, named ?? serverAddressOf(this.snapshot, master.address), named !== undefined);
    const flushes = prediction.flushesData && replica.keys !== 0;
    const demotes = replica.role === 'master';
    if (hold) {
      // Claimed and reported with the plan: a plan elsewhere on the root must wait, and a cut-off report shows its pause.
      this.involve(hold.root);
      this.step(
        { kind: 'pause-writes', node: hold.root, ms: hold.ms },
        `hold writes for the moment of the move (they wait; reads and replication go on); the pause ends by itself if the console goes away`,
        'CLIENT PAUSE answers OK',
      );
      this.step(
        { kind: 'wait-caught-up', node: master.address, master: hold.root },
        `wait until ${master.address} has every byte ${hold.root} accepted: ${replica.address} cannot be past that`,
        `${master.address}'s offset reaches ${hold.root}'s offset after the pause`,
      );
    }
    this.step(
      { kind: 'replicaof', node: replica.address, host, port, master: master.address },
      purpose,
      `${replica.address} reports role replica of ${host}:${port}, link up, and reaches ${master.address}'s offset`,
      flushes || demotes,
    );
    if (hold) this.step({ kind: 'unpause-writes', node: hold.root }, 'release the held writes', 'CLIENT UNPAUSE answers OK');
    this.expect(replica.address, 'replica', master.address);
    this.markChanged(replica.address);
  }

  /**
   * The host and port to give `replica` for `master`: `address` (the one the servers know it by,
   * or the one the user `named`), but with the master's port of the replica's transport when
   * `address` is its port of the other one (see master-port.ts). A named port of the wrong
   * transport, and a master with no port the replica can dial, refuse the plan (TLS_REPLICATION;
   * the address is still returned, for the step the refused plan shows); a master whose port of
   * the replica's transport cannot be read keeps the address, and the plan needs an override.
   */
  dialAddress(replica: NodeFacts, master: NodeFacts, address: string, named: boolean): { host: string; port: number } {
    const { host, port } = parseAddress(address);
    const mismatch = transportMismatch(replica, master, port);
    if (!mismatch) return { host, port };
    const r = replica.address;
    const m = master.address;
    const { wants, other } = mismatch;
    const dials = dialsText(r, mismatch);
    const given = `${formatAddress(host, port)} is ${m}'s ${mismatch.given} port`;
    if (other !== null && other > 0 && !named) {
      this.check('TLS_REPLICATION', 'ok', `${dials}: it is sent ${formatAddress(host, other)}, ${m}'s ${wants} port (${given}, where its link would stay down)`, [r, m]);
      return { host, port: other };
    }
    if (other === null) {
      // Which port to send instead cannot be told: the address is kept, and running needs an override.
      this.check(
        'TLS_REPLICATION',
        'warning',
        `${dials}, but ${given}, and its ${wants} port could not be read (CONFIG GET ${portSetting(wants)} refused): ${r}'s link would stay down there. ` +
          `Name ${m}'s ${wants} port as the address replicas dial (--master-address HOST:PORT), or let the console's user read its config (+config|get), and plan again`,
        [r, m],
        true,
      );
      return { host, port };
    }
    const refusal =
      other === 0
        ? `${dials}, but ${m} has no ${wants} port (${portSetting(wants)} 0: ${given}, its only one): ${r}'s link would stay down. ` +
          (wants === 'TLS' ? `Give ${m} a tls-port, or set tls-replication no on ${r}` : `Set tls-replication yes on ${r}, or give ${m} a plain port`) +
          ', and plan again'
        : `${dials}, but ${given} (the address given for replicas to dial): ${r}'s link would stay down there. ` +
          `Give ${formatAddress(host, other)}, ${m}'s ${wants} port, or leave the address out and the console picks it`;
    this.check('TLS_REPLICATION', 'refused', refusal, [r, m]);
    return { host, port };
  }

  /** CONFIG REWRITE on every changed node, when asked; warns ahead about nodes without a config file. */
  persist(): void {
    if (!this.options.persist) return;
    for (const address of this.changed) {
      const f = this.fact(address);
      if (f?.reachable && f.configFile === null) {
        this.check(
          'NO_CONFIG_FILE',
          'warning',
          `${address} runs without a config file: CONFIG REWRITE will fail there and the change will not survive a restart`,
          [address],
        );
      }
      this.step({ kind: 'config-rewrite', node: address }, 'persist the new role in the config file', 'CONFIG REWRITE answers OK');
    }
  }

  lost(node: string, bytes: number, note: string): void {
    this.lostBytes.push({ node: this.canon(node), bytes, note });
  }

  /** The finished plan. */
  build(id: string, now: number, ttlMs: number, summary: string, confirmAddress: string): PlannedAction {
    const steps: PlanStep[] = this.steps.map((s, i) => ({
      id: `s${i + 1}`,
      node: this.canon(s.op.node),
      command: commandText(s.op),
      purpose: s.purpose,
      destructive: s.destructive,
      verify: s.verify,
    }));
    const needsOverride = overridesOf(this.checks);
    const refused = this.refused;
    const plan: ActionPlan = {
      id,
      request: this.request,
      createdAt: now,
      expiresAt: now + ttlMs,
      summary,
      // Shown even when refused: the operator sees what would have been sent.
      steps,
      checks: this.checks,
      predictions: this.predictions,
      lostBytes: this.lostBytes,
      canRun: !refused && steps.length > 0,
      needsOverride,
      confirmAddress: !refused && steps.some((s) => s.destructive) ? this.canon(confirmAddress) : null,
      nodes: [...this.involved],
    };
    const before: ExpectedNode[] = [];
    for (const address of plan.nodes) {
      const f = this.fact(address);
      if (!f?.reachable || f.role === 'unknown') continue;
      before.push({ address, role: f.role, master: f.masterAddress === null ? null : this.canon(f.masterAddress) });
    }
    return { plan, ops: this.steps.map((s) => s.op), expected: [...this.expected.values()], before, sentinel: this.facts.sentinel };
  }
}

/** True when a check refuses the plan outright (no override can run it). */
function refusedBy(checks: readonly PlanCheck[]): boolean {
  return checks.some((c) => c.verdict === 'refused' && !c.overridable);
}

/** The codes the operator must override to run the plan. */
function overridesOf(checks: readonly PlanCheck[]): CheckCode[] {
  return [...new Set(checks.filter((c) => c.overridable && c.verdict !== 'ok').map((c) => c.code))];
}

/**
 * The plan with checks made after it was built, from what only its steps tell (the permission
 * probe asks about the commands they send): its verdict follows them the way build() decides it.
 */
export function withChecks(planned: PlannedAction, extra: readonly PlanCheck[]): PlannedAction {
  if (extra.length === 0) return planned;
  const checks = [...planned.plan.checks, ...extra];
  const refused = refusedBy(checks);
  return {
    ...planned,
    plan: {
      ...planned.plan,
      checks,
      canRun: planned.plan.canRun && !refused,
      needsOverride: overridesOf(checks),
      confirmAddress: refused ? null : planned.plan.confirmAddress,
    },
  };
}
