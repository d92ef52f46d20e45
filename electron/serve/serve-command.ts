// `replication-console serve`: the engine and the web console as a long-lived service (a VM, a
// container), for many topologies (--config) or one (--seed), with Prometheus metrics at
// /metrics. Off loopback it needs a bearer token or basic users; on loopback it works like the
// web mode (a per-run token in the printed URL) and /metrics is open to a local scraper.
// One line on stdout says where it serves; the log (connects, retries, shutdown) is stderr.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import packageJson from '../../package.json';
import { parseAlertThresholdArgs } from '../app/alert-args';
import { ConsoleHub, MAX_TOPOLOGIES } from '../app/console-hub';
import { askSecrets, parseConnection, startupCheckFor, type ConnectionValues } from '../app/connection-args';
import { CONNECTION_OPTION_NAMES, parseOptions, UsageError } from '../app/options';
import { reportInterruptedPlans } from '../app/startup';
import { toApiError } from '../engine/errors';
import { MAIN_TOPOLOGY } from '../shared/api';
import type { AlertThresholds, AlertsView } from '../shared/types';
import { startWebServer, type WebServer } from '../web/server';
import { ConfigError, loadServeConfig, type ServedTopology } from './config';
import { AuthFileError, HttpAuth, readBasicAuthFile, readTokenFile } from './http-auth';
import { TopologyKeeper } from './keeper';
import { DEFAULT_LISTEN, parseListen } from './listen';
import { formatAddress } from '../engine/address';
import { ServeMetrics } from './metrics';

export interface ServeHooks {
  /** Stops the service as SIGTERM does (tests running it in process). */
  signal?: AbortSignal;
  /** Called once it listens (tests read the port). */
  onListening?: (server: WebServer) => void;
  /** Where log lines go; default stderr. */
  log?: (line: string) => void;
  /** Retry timing of topologies that cannot connect (tests). */
  retry?: { minDelayMs: number; maxDelayMs: number };
  /** Directory of the built renderer (tests); default the checkout's. */
  rendererDir?: string;
}

const PREFIX = 'replication-console';
/** Calls that would stop serve watching one of its topologies, or start processes on its host. */
const PINNED_CHANNELS = new Set(['topology:connect', 'topology:disconnect', 'topology:close']);

/** Runs until SIGINT/SIGTERM/SIGHUP (or hooks.signal); resolves with the exit code. */
export async function runServe(args: string[], hooks: ServeHooks = {}): Promise<number> {
  const log = hooks.log ?? ((line: string) => console.error(`${PREFIX}: ${line}`));
  const { values } = parseOptions('serve', args);
  const listen = parseListen(values.listen ?? DEFAULT_LISTEN);
  const given = CONNECTION_OPTION_NAMES.filter((name) => values[name] !== undefined && name !== 'timeout');
  if (values.config !== undefined && given.length > 0) {
    throw new UsageError(`with --config the connections are the config file's: --${given[0]} is not taken (put it in the file)`);
  }
  if (values.config === undefined && !values.seed?.length && !values.sentinel?.length) {
    throw new UsageError('give --config FILE, or --seed HOST:PORT (or --sentinel HOST:PORT --master-name NAME) for one topology');
  }
  if ((values['listen-cert'] === undefined) !== (values['listen-key'] === undefined)) {
    throw new UsageError(values['listen-cert'] === undefined ? '--listen-key needs --listen-cert' : '--listen-cert needs --listen-key');
  }
  const thresholds = alertThresholds(values.alert ?? []);

  const notices: string[] = [];
  let auth: HttpAuth | null;
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    const tokens = values['auth-token-file'] === undefined ? [] : await readTokenFile(values['auth-token-file'], notices);
    const users = values['basic-auth-file'] === undefined ? [] : await readBasicAuthFile(values['basic-auth-file'], notices);
    auth = tokens.length + users.length > 0 ? new HttpAuth({ tokens, users }) : null;
    tls = values['listen-cert'] === undefined ? undefined : { cert: await pem(values['listen-cert'], '--listen-cert'), key: await pem(values['listen-key'] ?? '', '--listen-key') };
    if (tls) checkKeyPair(tls);
  } catch (error) {
    if (!(error instanceof AuthFileError)) throw error;
    console.error(`${PREFIX}: ${error.message}`);
    return 2;
  }
  if (!listen.loopback && !auth) {
    // Anyone who reaches the port could watch and re-point the servers: refused, in one line.
    console.error(`${PREFIX}: refusing to serve on ${listen.host} (not loopback) without authentication: give --auth-token-file FILE or --basic-auth-file FILE`);
    return 2;
  }

  let topologies: ServedTopology[];
  let timeoutMs: number | undefined;
  if (values.config !== undefined) {
    try {
      const config = await loadServeConfig(values.config);
      timeoutMs = values.timeout === undefined ? config.timeoutMs : undefined;
      // Defaults, then the file's, then --alert, then each topology's own.
      topologies = config.topologies.map((t) => ({ ...t, thresholds: { ...config.thresholds, ...thresholds, ...t.thresholds } }));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`${PREFIX}: ${error.message}`);
      return 2;
    }
  } else {
    topologies = [];
  }
  const parsed = parseConnection(values as ConnectionValues, { requireEntry: values.config === undefined });
  timeoutMs ??= parsed.timeoutMs;
  for (const notice of [...notices, ...parsed.notices]) console.error(notice);
  if (values.config === undefined) {
    const { readSecret } = await import('../cli/read-secret');
    topologies = [{ id: MAIN_TOPOLOGY, connect: await askSecrets(parsed, (prompt) => readSecret(prompt)), thresholds }];
  }

  const hub = new ConsoleHub({ service: { interface: 'web', timeoutMs }, maxTopologies: topologies.length + MAX_TOPOLOGIES });
  const served = new Set(topologies.map((t) => t.id));
  const alerts = new Map<string, AlertsView>();
  const keeper = new TopologyKeeper({ service: (id) => hub.get(id), log, ...hooks.retry });
  const metrics = new ServeMetrics({
    version: packageJson.version,
    // The served topologies only: a tab a browser opens beside them is not part of the fleet.
    topologies: () =>
      topologies.map(({ id }) => {
        const status = keeper.status(id);
        const service = hub.has(id) ? hub.get(id) : null;
        return { id, up: status?.up ?? false, connectFailures: status?.connectFailures ?? 0, snapshot: service?.snapshot() ?? null, alerts: alerts.get(id) ?? null };
      }),
  });
  hub.onTick((id, update) => {
    if (!served.has(id)) return;
    metrics.observe(id, update);
    if (update.alerts) alerts.set(id, update.alerts);
  });
  hub.onStopNotice((id, message) => log(`${id}: ${message}`));
  // Each configured tab is named by its config name (--seed's 'main' by what it dials until
  // connected, then by its master as in the web mode) and, while the keeper retries its first
  // connect, says so instead of offering a connect form.
  for (const { id, connect } of topologies) {
    const dialled = connect.sentinel?.masterName ?? connect.seeds[0] ?? null;
    hub.get(id).describeWith(() => {
      const status = keeper.status(id);
      const up = status?.up ?? false;
      const label = values.config !== undefined ? id : up ? null : dialled;
      return { label, managed: true, status: up ? 'connected' : 'connecting', lastError: up ? null : (status?.lastError ?? null) };
    });
  }

  let server: WebServer | null = null;
  const stop = new AbortController();
  const onSignal = (signal: string) => () => {
    if (stop.signal.aborted) {
      // A second signal while a plan stops: now (the journal keeps the plan).
      log('quitting now; the plan journal keeps an unfinished plan, reported at the next start.');
      process.exit(130);
    }
    log(`${signal} received: stopping`);
    stop.abort();
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
    const handler = onSignal(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const stopped = new Promise<void>((resolve) => {
    stop.signal.addEventListener('abort', () => resolve(), { once: true });
    hooks.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    if (hooks.signal?.aborted) stop.abort();
  });

  let code = 0;
  try {
    if (values.config === undefined) await reportInterruptedPlans(hub.interruptedPlans, startupCheckFor(topologies[0]?.connect ?? null), log);
    try {
      server = await startWebServer({
        hub,
        host: listen.host,
        port: listen.port,
        ...(auth ? { auth } : {}),
        ...(tls ? { tls } : {}),
        ...(hooks.rendererDir ? { rendererDir: hooks.rendererDir } : {}),
        metrics: { open: listen.loopback, contentType: metrics.contentType, render: () => metrics.render() },
        refuse: (id, channel) => {
          if (channel === 'lab:start') return 'serve does not start labs on its host: run `replication-console lab` on a machine of your own';
          if (served.has(id) && PINNED_CHANNELS.has(channel)) {
            return `"${id}" is watched by serve (${values.config === undefined ? 'from --seed' : 'from its config file'}): it stays connected; change it there and restart serve`;
          }
          return null;
        },
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      console.error(`${PREFIX}: cannot listen on ${formatAddress(listen.host, listen.port)}: ${reason}`);
      code = 1;
      return code;
    }
    const base = server.url.replace(/\?.*$/, '');
    console.log(`Replication Console (serve): ${server.url}`);
    log(
      `serving ${topologies.length} topolog${topologies.length === 1 ? 'y' : 'ies'} (${topologies.map((t) => t.id).join(', ')}); metrics at ${base}metrics${listen.loopback ? '' : ' (authenticated)'}`,
    );
    hooks.onListening?.(server);
    void keeper.start(topologies);
    await stopped;
    return code;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    // Retries stop first; a running plan reaches a safe point before the sockets close.
    const retries = keeper.stop();
    try {
      await hub.stopRunningPlans('serve is stopping');
      await server?.close();
      await hub.closeAll();
    } catch (error) {
      log(`error while stopping: ${toApiError(error).message}`);
    }
    await retries;
  }
}

/** --alert NAME=VALUE, through the shared parser (watch --alerts reads them the same way). */
function alertThresholds(values: string[]): Partial<AlertThresholds> {
  return values.length === 0 ? {} : parseAlertThresholdArgs(values);
}

/** A certificate and key that node:tls cannot use together are a mistake in the options (exit 2), not a failure to listen. */
function checkKeyPair(pair: { cert: Buffer; key: Buffer }): void {
  try {
    createSecureContext(pair);
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const said = /mismatch/i.test(reason) ? '--listen-key is not the key of --listen-cert' : `--listen-cert and --listen-key cannot be used: ${reason}`;
    throw new AuthFileError(said);
  }
}

async function pem(file: string, option: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AuthFileError(`${option}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}
