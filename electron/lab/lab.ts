// A lab of real redis-server (and redis-sentinel) processes on free loopback ports, for the
// integration and e2e tests, the app's "start local lab" button and `replication-console lab`.
// Every process is tracked and killed on close(), on process exit and on SIGINT/SIGTERM/SIGHUP; on
// Linux each one also gets a parent-death signal, so even a SIGKILLed owner leaves nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from './free-port';

export interface LabNodeSpec {
  name: string;
  /** Name of another node of the lab. */
  replicaOf?: string;
}

export interface LabOptions {
  nodes: LabNodeSpec[];
  /** requirepass on every node, and masterauth too (so any node can be re-pointed under another). */
  password?: string;
  /** Binary path, default 'redis-server' from PATH. Sentinels run the same binary with --sentinel. */
  redisServer?: string;
  /** Appended to every node's command line (after the lab's own options, so they win). */
  extraArgs?: string[];
  /** Default true: start() resolves only once every replica reports master_link_status:up. */
  waitForLinks?: boolean;
  /** TLS only: the nodes listen on a TLS port (no plain port) and replicate over TLS. */
  tls?: LabTlsOptions;
  /**
   * Start each node from a redis.conf in its dir, as in production, instead of command-line options:
   * CONFIG REWRITE works (Sentinel's too), and a restart reads the file as it stands, rewritten or not.
   */
  configFile?: boolean;
}

/** PEM files for a TLS-only lab. The server certificate is also each replica's client certificate. */
export interface LabTlsOptions {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** tls-auth-clients: 'no' (default) lets clients connect without a certificate. */
  authClients?: 'yes' | 'no' | 'optional';
}

/** A Sentinel of the lab: what it monitors and how quickly it acts. */
export interface LabSentinelOptions {
  masterName: string;
  /** The lab node it monitors. */
  master: string;
  /** Sentinels that must agree the master is down (default 1). */
  quorum?: number;
  /** down-after-milliseconds (default 1000). */
  downAfterMs?: number;
  /** failover-timeout (default 5000). */
  failoverTimeoutMs?: number;
  /** requirepass of the Sentinel itself (its clients must AUTH), apart from the data nodes' password. */
  password?: string;
}

export class LabError extends Error {
  override name = 'LabError';
}

/** master + 2 replicas + 1 replica of the first replica: the layout from the Redis docs. */
export function docsLayout(): LabNodeSpec[] {
  return [
    { name: 'master' },
    { name: 'replica-1', replicaOf: 'master' },
    { name: 'replica-2', replicaOf: 'master' },
    { name: 'replica-1-1', replicaOf: 'replica-1' },
  ];
}

/** 'master' and 'replica-1'…'replica-n', all attached to the master. */
export function masterWithReplicas(n: number): LabNodeSpec[] {
  const nodes: LabNodeSpec[] = [{ name: 'master' }];
  for (let i = 1; i <= n; i++) nodes.push({ name: `replica-${i}`, replicaOf: 'master' });
  return nodes;
}

/** A chain 'level-0' (master) → 'level-1' → … → 'level-{depth-1}'. */
export function cascade(depth: number): LabNodeSpec[] {
  const nodes: LabNodeSpec[] = [];
  for (let i = 0; i < depth; i++) {
    nodes.push(i === 0 ? { name: 'level-0' } : { name: `level-${i}`, replicaOf: `level-${i - 1}` });
  }
  return nodes;
}

const HOST = '127.0.0.1';
const DIR_PREFIX = 'replication-console-lab-';
const READY_TIMEOUT_MS = 10_000;
const LINK_TIMEOUT_MS = 15_000;
// Redis 7 waits up to shutdown-timeout (10 s) for lagging replicas before a SIGTERM shutdown.
const STOP_TIMEOUT_MS = 15_000;
const PORT_ATTEMPTS = 5;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SETPRIV = '/usr/bin/setpriv';

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves once the process has exited (or could not be spawned at all). */
  readonly exit: Promise<void>;
  exitDescription: string | null;
  paused: boolean;
  output: string;
}

interface Proc {
  readonly name: string;
  readonly kind: 'redis' | 'sentinel';
  readonly dir: string;
  readonly logFile: string;
  readonly replicaOf: string | undefined;
  port: number;
  /** Restarted with asLoneMaster: runs without --replicaof. */
  loneMaster: boolean;
  /** The port its redis.conf was written for (configFile labs): a restart on that port reads the file as it stands. */
  configFilePort?: number;
  /** The command line for the current port (a sentinel writes its config file here). */
  args: () => Promise<string[]>;
  /** The password its own clients send (a Sentinel's requirepass; the lab password for data nodes). */
  auth: string | undefined;
  run: Running | null;
}

// SIGHUP too: a dropped SSH session must not leave the temp dir behind (a signal's death skips 'exit').
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// Every open lab, so that process exit and signals can clean up labs nobody closed.
const openLabs = new Map<Lab, { killNow: () => void; close: () => Promise<void> }>();
let hooksInstalled = false;

function onProcessExit(): void {
  for (const lab of openLabs.values()) lab.killNow();
}

function onSignal(signal: NodeJS.Signals): void {
  void Promise.allSettled([...openLabs.values()].map((lab) => lab.close())).then(() => {
    removeHooks();
    // Nobody else handles this signal: behave as if we had never listened (exit by the signal).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onProcessExit);
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}

function removeHooks(): void {
  if (!hooksInstalled || openLabs.size > 0) return;
  hooksInstalled = false;
  process.off('exit', onProcessExit);
  for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
}

export class Lab {
  readonly dir: string;
  readonly nodeNames: string[];
  private readonly procs = new Map<string, Proc>();
  private readonly binary: string;
  private readonly password: string | undefined;
  private readonly extraArgs: string[];
  private readonly tls: LabTlsOptions | undefined;
  private readonly configFile: boolean;
  /** How the lab itself connects to its TLS nodes (null: plain TCP). */
  private readonly tlsClient: tls.ConnectionOptions | null;
  private readonly usedPorts = new Set<number>();
  private sentinelCount = 0;
  private closing: Promise<void> | null = null;

  private constructor(dir: string, binary: string, options: LabOptions) {
    this.dir = dir;
    this.binary = binary;
    this.password = options.password || undefined;
    this.extraArgs = options.extraArgs ?? [];
    this.tls = options.tls;
    this.configFile = options.configFile ?? false;
    this.tlsClient = options.tls ? labTlsClient(options.tls) : null;
    this.nodeNames = options.nodes.map((node) => node.name);
    for (const spec of options.nodes) {
      const nodeDir = path.join(dir, spec.name);
      const proc: Proc = {
        name: spec.name,
        kind: 'redis',
        dir: nodeDir,
        logFile: path.join(nodeDir, 'redis.log'),
        replicaOf: spec.replicaOf,
        port: 0,
        loneMaster: false,
        args: async () => (this.configFile ? this.configFileArgs(proc) : this.redisArgs(proc)),
        auth: this.password,
        run: null,
      };
      this.procs.set(spec.name, proc);
    }
    openLabs.set(this, { killNow: () => this.killNow(), close: () => this.close() });
    installHooks();
  }

  /** Starts every node, masters before their replicas, and (by default) waits for the links. */
  static async start(options: LabOptions): Promise<Lab> {
    validateNodes(options.nodes);
    if (options.password !== undefined && /[\r\n\0]/.test(options.password)) {
      throw new LabError('the lab password must not contain CR, LF or NUL characters');
    }
    const binary = resolveBinary(options.redisServer ?? 'redis-server');
    const dir = await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX));
    const lab = new Lab(dir, binary, options);
    try {
      for (const level of levels(options.nodes)) {
        await Promise.all(level.map((name) => lab.launch(lab.proc(name), { newPort: true })));
      }
      if (options.waitForLinks ?? true) await lab.waitForLinks();
      return lab;
    } catch (error) {
      await lab.close();
      throw error;
    }
  }

  /** "127.0.0.1:PORT" of a node (or of a sentinel, by the name 'sentinel-N'). */
  address(name: string): string {
    return `${HOST}:${this.proc(name).port}`;
  }

  port(name: string): number {
    return this.proc(name).port;
  }

  /** The process id, or null while the node is stopped. */
  pid(name: string): number | null {
    return this.proc(name).run?.pid ?? null;
  }

  /** SIGTERM, then wait until the process has exited (SIGKILL if it takes over 15 s). */
  async stop(name: string): Promise<void> {
    await this.terminate(this.proc(name), 'SIGTERM');
  }

  /** SIGKILL, then wait until the process has exited. */
  async kill(name: string): Promise<void> {
    await this.terminate(this.proc(name), 'SIGKILL');
  }

  /**
   * Starts the node again on the same port and dir (stopping it first if it runs) and waits until
   * it answers. A replica keeps its original --replicaof unless asLoneMaster is set.
   */
  async restart(name: string, options: { asLoneMaster?: boolean } = {}): Promise<void> {
    this.assertOpen();
    const proc = this.proc(name);
    await this.terminate(proc, 'SIGTERM');
    proc.loneMaster = proc.kind === 'redis' && options.asLoneMaster === true;
    await this.launch(proc, { newPort: false });
  }

  /** SIGSTOP: the process keeps its port but answers nothing, the honest way to test timeouts. */
  pause(name: string): void {
    const run = this.running(name);
    run.child.kill('SIGSTOP');
    run.paused = true;
  }

  /** SIGCONT. */
  resume(name: string): void {
    const run = this.running(name);
    run.child.kill('SIGCONT');
    run.paused = false;
  }

  /** Waits until every running replica reports master_link_status:up. */
  async waitForLinks(timeoutMs = LINK_TIMEOUT_MS): Promise<void> {
    this.assertOpen();
    const replicas = [...this.procs.values()].filter(
      (proc) => proc.kind === 'redis' && proc.replicaOf !== undefined && !proc.loneMaster && proc.run !== null,
    );
    const deadline = Date.now() + timeoutMs;
    const pending = await Promise.all(replicas.map((proc) => this.waitForLink(proc, deadline)));
    const failures = pending.filter((problem): problem is string => problem !== null);
    if (failures.length > 0) {
      throw new LabError(
        `replication links not up after ${timeoutMs / 1000} s: ${failures.join('; ')}`,
      );
    }
  }

  /**
   * Starts a redis-sentinel monitoring `master` (a node name) and resolves with its address once it
   * answers. Its name for stop/kill/pause/pid is 'sentinel-1', 'sentinel-2', ….
   */
  async startSentinel(options: LabSentinelOptions): Promise<string> {
    this.assertOpen();
    if (!NAME_PATTERN.test(options.masterName)) {
      throw new LabError(`invalid sentinel master name "${options.masterName}": use letters, digits, '.', '_' or '-'`);
    }
    if (options.password !== undefined && /[\r\n\0]/.test(options.password)) {
      throw new LabError('the sentinel password must not contain CR, LF or NUL characters');
    }
    const master = this.proc(options.master);
    if (master.kind !== 'redis') throw new LabError(`"${options.master}" is not a redis node of the lab`);
    let name: string;
    do name = `sentinel-${++this.sentinelCount}`;
    while (this.procs.has(name));
    const dir = path.join(this.dir, name);
    const configFile = path.join(dir, 'sentinel.conf');
    let configured = false;
    const proc: Proc = {
      name,
      kind: 'sentinel',
      dir,
      logFile: path.join(dir, 'sentinel.log'),
      replicaOf: undefined,
      port: 0,
      loneMaster: false,
      args: async () => {
        // Sentinel rewrites its config file (ids, known replicas): a restart reuses it as it is.
        if (!configured) await writeFile(configFile, this.sentinelConfig(proc, options), { mode: 0o600 });
        return [configFile, '--sentinel'];
      },
      auth: options.password,
      run: null,
    };
    this.procs.set(name, proc);
    await this.launch(proc, { newPort: true });
    configured = true;
    return this.address(name);
  }

  /** SIGCONT then SIGKILL every process, wait for them, remove the temp dir. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const exits: Promise<void>[] = [];
      for (const proc of this.procs.values()) {
        const run = proc.run;
        if (!run) continue;
        signal(run.pid, 'SIGCONT');
        signal(run.pid, 'SIGKILL');
        exits.push(run.exit);
      }
      await Promise.all(exits);
      await rm(this.dir, { recursive: true, force: true });
      openLabs.delete(this);
      removeHooks();
    })();
    return this.closing;
  }

  /** Synchronous last resort, for process exit: kill everything, remove the dir. */
  private killNow(): void {
    for (const proc of this.procs.values()) {
      if (proc.run) signal(proc.run.pid, 'SIGKILL');
    }
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // Best effort: the process is exiting.
    }
  }

  private proc(name: string): Proc {
    const proc = this.procs.get(name);
    if (!proc) {
      throw new LabError(`unknown lab node "${name}" (the lab has: ${[...this.procs.keys()].join(', ')})`);
    }
    return proc;
  }

  private running(name: string): Running {
    this.assertOpen();
    const run = this.proc(name).run;
    if (!run) throw new LabError(`lab node "${name}" is not running`);
    return run;
  }

  private assertOpen(): void {
    if (this.closing) throw new LabError('the lab is closed');
  }

  private redisArgs(proc: Proc): string[] {
    const args = [
      // A TLS lab has no plain port at all: its port is the TLS one.
      '--port', this.tls ? '0' : String(proc.port),
      '--bind', HOST,
      '--dir', proc.dir,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--logfile', proc.logFile,
      '--protected-mode', 'no',
      // Diskless sync without its default 5 s wait for more replicas: measured ~100 ms faster per
      // cascade hop than disk-based sync on small datasets (docsLayout up in ~170 ms, not ~270).
      '--repl-diskless-sync', 'yes',
      '--repl-diskless-sync-delay', '0',
    ];
    if (proc.replicaOf !== undefined && !proc.loneMaster) {
      args.push('--replicaof', HOST, String(this.proc(proc.replicaOf).port));
    }
    if (this.password !== undefined) args.push('--requirepass', this.password, '--masterauth', this.password);
    if (this.tls) {
      args.push(
        '--tls-port', String(proc.port),
        '--tls-cert-file', this.tls.certFile,
        '--tls-key-file', this.tls.keyFile,
        '--tls-ca-cert-file', this.tls.caFile,
        '--tls-replication', 'yes',
        '--tls-auth-clients', this.tls.authClients ?? 'no',
      );
    }
    return [...args, ...this.extraArgs];
  }

  /**
   * redis.conf in the node's dir, written from its command-line options on a port it was not written
   * for (the first start, a port race), read as it stands on a restart. A lone master's restart adds
   * `replicaof no one` after the file, as the command line does for the file's own lines.
   */
  private async configFileArgs(proc: Proc): Promise<string[]> {
    const file = path.join(proc.dir, 'redis.conf');
    if (proc.configFilePort !== proc.port) {
      const lines: string[] = [];
      for (const arg of this.redisArgs(proc)) {
        if (arg.startsWith('--')) lines.push(arg.slice(2));
        else lines[lines.length - 1] += ` ${quote(arg)}`;
      }
      await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
      proc.configFilePort = proc.port;
    }
    return [file, ...(proc.loneMaster ? ['--replicaof', 'no', 'one'] : [])];
  }

  private sentinelConfig(proc: Proc, options: LabSentinelOptions): string {
    const name = options.masterName;
    const lines = [
      `port ${proc.port}`,
      `bind ${HOST}`,
      'protected-mode no',
      'daemonize no',
      `dir ${quote(proc.dir)}`,
      `logfile ${quote(proc.logFile)}`,
      `sentinel monitor ${name} ${HOST} ${this.proc(options.master).port} ${options.quorum ?? 1}`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
    ];
    if (this.password !== undefined) lines.push(`sentinel auth-pass ${name} ${quote(this.password)}`);
    if (options.password !== undefined) lines.push(`requirepass ${quote(options.password)}`);
    return `${lines.join('\n')}\n`;
  }

  /** Spawns the process and waits until it answers INFO as itself; retries on a port race. */
  private async launch(proc: Proc, { newPort }: { newPort: boolean }): Promise<void> {
    await mkdir(proc.dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      if (newPort) proc.port = await this.freshPort();
      const run = this.spawn(proc, await proc.args());
      const failure = await this.waitReady(proc, run);
      if (failure === null) return;
      const log = await tail(proc.logFile);
      const portTaken = /address already in use/i.test(`${log.split('\n').slice(-3).join('\n')}${run.output}`);
      if (portTaken && newPort && attempt < PORT_ATTEMPTS) continue;
      const details = [
        log && `Last lines of ${proc.logFile}:\n${indent(log)}`,
        run.output.trim() && `Output:\n${indent(run.output.trim())}`,
      ].filter(Boolean);
      throw new LabError(this.redact([`${failure}.`, ...details].join('\n')));
    }
  }

  private spawn(proc: Proc, args: string[]): Running {
    // setpriv makes the kernel kill redis when its owner dies, even by SIGKILL; it then execs
    // redis-server in place, so the pid is redis's own.
    const useSetpriv = process.platform === 'linux' && isExecutable(SETPRIV);
    const command = useSetpriv ? SETPRIV : this.binary;
    const commandArgs = useSetpriv ? ['--pdeathsig', 'KILL', '--', this.binary, ...args] : args;
    const child = spawn(command, commandArgs, { cwd: proc.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let resolveExit!: () => void;
    const exit = new Promise<void>((resolve) => (resolveExit = resolve));
    const run: Running = { child, pid: child.pid ?? -1, exit, exitDescription: null, paused: false, output: '' };
    const collect = (chunk: Buffer): void => {
      run.output = (run.output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const finished = (description: string): void => {
      if (run.exitDescription !== null) return;
      run.exitDescription = description;
      if (proc.run === run) proc.run = null;
      resolveExit();
    };
    child.once('error', (error) => finished(`could not be started (${error.message})`));
    child.once('exit', (code, sig) => finished(sig ? `was killed by ${sig}` : `exited with code ${code}`));
    if (run.pid > 0) {
      proc.run = run;
      // Read by nobody but a human debugging a leftover lab.
      fs.writeFile(path.join(proc.dir, 'process.pid'), `${run.pid}\n`, () => {});
    }
    return run;
  }

  /** null once the process answers INFO with its own pid, else why it never became ready. */
  private async waitReady(proc: Proc, run: Running): Promise<string | null> {
    const what = `${proc.kind === 'sentinel' ? 'redis-sentinel' : 'redis-server'} for "${proc.name}" on ${HOST}:${proc.port}`;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const commands: string[][] = [['INFO', 'server']];
    if (proc.auth !== undefined) commands.unshift(['AUTH', proc.auth]);
    while (run.exitDescription === null) {
      try {
        const replies = await query(proc.port, commands, 500, this.clientTls(proc));
        // Another process may own the port (a lost race): only our own pid counts.
        const info = replies[replies.length - 1];
        if (typeof info === 'string' && infoField(info, 'process_id') === String(run.pid)) return null;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        signal(run.pid, 'SIGKILL');
        await run.exit;
        return `${what} did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      }
      await sleep(50);
    }
    return `${what} ${run.exitDescription} during start-up`;
  }

  /** null once the replica's link is up, else a description naming the node. */
  private async waitForLink(proc: Proc, deadline: number): Promise<string | null> {
    const commands: string[][] = [['INFO', 'replication']];
    if (this.password !== undefined) commands.unshift(['AUTH', this.password]);
    let state = 'no answer';
    for (;;) {
      const run = proc.run;
      if (!run) return `${proc.name} (${HOST}:${proc.port}) stopped`;
      try {
        const replies = await query(proc.port, commands, 1000, this.clientTls(proc));
        const info = replies[replies.length - 1];
        const status = typeof info === 'string' ? infoField(info, 'master_link_status') : undefined;
        // The replica says up a moment before its master lists it online (wait_bgsave, send_bulk):
        // a plan made in between is refused, so the master's view must agree too.
        const listed = status === 'up' ? await this.listedState(proc) : null;
        if (status === 'up' && (listed === null || listed === 'online')) return null;
        state =
          status === 'up'
            ? `master_link_status:up, but its master lists it as ${listed ?? '?'}`
            : typeof info === 'string'
              ? `master_link_status:${status ?? 'none'}`
              : String(info);
      } catch (error) {
        state = `no answer (${(error as Error).message})`;
      }
      if (Date.now() > deadline) {
        const master = this.proc(proc.replicaOf ?? '');
        return this.redact(
          `${proc.name} (${HOST}:${proc.port}${run.paused ? ', paused' : ''}) → ${master.name} ` +
            `(${HOST}:${master.port}${master.run ? '' : ', stopped'}): ${state}`,
        );
      }
      await sleep(100);
    }
  }

  /**
   * The state its master lists this replica in (`online`, `wait_bgsave`, …), found by its port;
   * null when the master lists no line with that port (an announced address) or cannot be read.
   */
  private async listedState(proc: Proc): Promise<string | null> {
    const master = proc.replicaOf === undefined ? undefined : this.procs.get(proc.replicaOf);
    if (!master?.run || master.run.paused) return null;
    const commands: string[][] = [['INFO', 'replication']];
    if (this.password !== undefined) commands.unshift(['AUTH', this.password]);
    try {
      const replies = await query(master.port, commands, 1000, this.clientTls(master));
      const info = replies[replies.length - 1];
      if (typeof info !== 'string') return null;
      const line = info.split(/\r?\n/).find((l) => /^slave\d+:/.test(l) && l.includes(`,port=${proc.port},`));
      return line ? (/state=([^,]+)/.exec(line)?.[1] ?? null) : null;
    } catch {
      return null;
    }
  }

  private async terminate(proc: Proc, sig: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const run = proc.run;
    if (!run) return;
    signal(run.pid, sig);
    // A stopped process only acts on the signal once it continues.
    if (run.paused) signal(run.pid, 'SIGCONT');
    if (sig === 'SIGTERM') {
      const timer = setTimeout(() => signal(run.pid, 'SIGKILL'), STOP_TIMEOUT_MS);
      await run.exit;
      clearTimeout(timer);
    } else {
      await run.exit;
    }
  }

  private async freshPort(): Promise<number> {
    for (;;) {
      const port = await freePort(HOST);
      if (!this.usedPorts.has(port)) {
        this.usedPorts.add(port);
        return port;
      }
    }
  }

  /** TLS for the lab's own connections to a data node of a TLS lab (Sentinels stay plain). */
  private clientTls(proc: Proc): tls.ConnectionOptions | null {
    return proc.kind === 'redis' ? this.tlsClient : null;
  }

  private redact(text: string): string {
    return this.password ? text.split(this.password).join('***') : text;
  }
}

/** The lab's client side of TLS: its CA, and the server certificate as client certificate (tls-auth-clients yes). */
function labTlsClient(options: LabTlsOptions): tls.ConnectionOptions {
  const read = (file: string): string => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new LabError(`the lab's TLS file ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  return { ca: read(options.caFile), cert: read(options.certFile), key: read(options.keyFile) };
}

function validateNodes(nodes: LabNodeSpec[]): void {
  if (nodes.length === 0) throw new LabError('a lab needs at least one node');
  const names = new Set<string>();
  for (const node of nodes) {
    if (!NAME_PATTERN.test(node.name)) {
      throw new LabError(`invalid lab node name "${node.name}": use letters, digits, '.', '_' or '-'`);
    }
    if (names.has(node.name)) throw new LabError(`duplicate lab node name "${node.name}"`);
    names.add(node.name);
  }
  for (const node of nodes) {
    if (node.replicaOf !== undefined && !names.has(node.replicaOf)) {
      throw new LabError(`lab node "${node.name}" is a replica of "${node.replicaOf}", which is not in the lab`);
    }
  }
}

/** Node names grouped by depth (masters first); throws on a replication cycle. */
function levels(nodes: LabNodeSpec[]): string[][] {
  const parent = new Map(nodes.map((node) => [node.name, node.replicaOf]));
  const result: string[][] = [];
  for (const node of nodes) {
    let depth = 0;
    const seen = new Set([node.name]);
    for (let up = parent.get(node.name); up !== undefined; up = parent.get(up)) {
      if (seen.has(up)) throw new LabError(`lab nodes form a replication cycle through "${node.name}"`);
      seen.add(up);
      depth++;
    }
    (result[depth] ??= []).push(node.name);
  }
  return result.filter((level) => level !== undefined);
}

function resolveBinary(binary: string): string {
  if (binary.includes(path.sep) || binary.includes('/')) {
    if (isExecutable(binary)) return path.resolve(binary);
    throw new LabError(`redis-server binary not found or not executable: ${binary}`);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir || '.', binary);
    if (isExecutable(candidate)) return candidate;
  }
  throw new LabError(`${binary} was not found on PATH: the lab needs Redis installed (apt-get install redis-server, or brew install redis on macOS)`);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** A value for a redis config file line, quoted the way its parser (sdssplitargs) reads it. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function infoField(info: string, key: string): string | undefined {
  const match = new RegExp(`^${key}:(.*?)\\r?$`, 'm').exec(info);
  return match?.[1];
}

class ReplyError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

type Reply = unknown;

/**
 * Sends commands on one short-lived connection and resolves with one reply per command (an error
 * reply as a ReplyError). ioredis, not a RESP parser of our own: the lab asks little, but a parser
 * is one more thing to get right and it already has to speak TLS.
 */
async function query(port: number, commands: string[][], timeoutMs: number, secure: tls.ConnectionOptions | null = null): Promise<Reply[]> {
  const client = new Redis({
    host: HOST,
    port,
    ...(secure ? { tls: secure } : {}),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    // One try: the callers poll, and a node that is not up yet is an answer too.
    retryStrategy: () => null,
    // No CLIENT SETINFO round trips: nobody reads the lab's own connections in CLIENT LIST.
    disableClientInfo: true,
  });
  // Failures reach the caller through connect() and the replies; ioredis also emits them.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const pipeline = client.pipeline();
    for (const [name, ...args] of commands) pipeline.call(name ?? '', ...args);
    const replies = await pipeline.exec();
    if (!replies) throw new Error('connection closed');
    return replies.map(([error, value]) => (error ? new ReplyError(error.message) : value));
  } finally {
    client.disconnect();
  }
}
