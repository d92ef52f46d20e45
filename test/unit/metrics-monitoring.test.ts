// The monitoring files shipped in monitoring/: the Prometheus rules pass `promtool check rules`
// and their own `promtool test rules`, the Grafana dashboard has the shape Grafana imports and
// its queries parse as PromQL, and every query of both names only metrics serve exports (read
// from a scrape of the real metrics code).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeMetrics } from '../../electron/serve/metrics';
import { nodeState } from '../helpers/node-state';

const MONITORING = path.resolve(import.meta.dirname, '../../monitoring');
const RULES = path.join(MONITORING, 'prometheus-rules.yml');
const DASHBOARD = path.join(MONITORING, 'grafana-dashboard.json');

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
  uid: string;
  title: string;
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: unknown; multi?: boolean; includeAll?: boolean }[] };
  panels: Panel[];
};
const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
const ruleExprs = [...readFileSync(RULES, 'utf8').matchAll(/^\s*- alert: (\S+)\n\s*expr: (\|\n((?:\s{10,}.*\n)+)|(.*)\n)/gm)].map((m) => ({
  where: `rule ${m[1]}`,
  expr: (m[3] ?? m[4] ?? '').trim(),
}));

let work: string;
/** Every metric name a scrape of serve declares (# TYPE lines), process metrics included. */
let exported: Set<string>;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'rc-monitoring-'));
  const metrics = new ServeMetrics({
    version: '1.0.0',
    topologies: () => [{ id: 't', up: true, connectFailures: 0, snapshot: { seq: 1, takenAt: 1, pollIntervalMs: 1000, nodes: [nodeState('10.0.0.1:6379')], edges: [], warnings: [] }, alerts: null }],
  });
  const text = await metrics.render();
  exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ''));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROMQL_WORDS = new Set([
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'],
  // Aggregations, which may stand before their by (…) clause rather than their parenthesis.
  ...['sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values'],
]);

/** The metric names a PromQL expression reads: identifiers outside strings, label matchers and by/on lists, not called as functions. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\boffset\s+[0-9][0-9smhdwy]*/g, 'offset');
  return [...stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(stripped.slice((m.index ?? 0) + m[0].length)))
    .map((m) => m[0])
    .filter((word) => !PROMQL_WORDS.has(word.toLowerCase()));
}

describe('monitoring/prometheus-rules.yml', () => {
  it('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("fires each alert when its condition holds long enough, and not before (promtool's rule tests)", () => {
    const out = execFileSync('promtool', ['test', 'rules', 'prometheus-rules.test.yml'], { cwd: MONITORING, encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });

  it("mirrors every console alert rule that has a metric, by its console_rule label (STALE and UNREACHABLE as one alert, the one holding in its annotation)", () => {
    const text = readFileSync(RULES, 'utf8');
    const mirrored = [...text.matchAll(/console_rule: ([A-Z_]+)$/gm)].map((m) => m[1]);
    expect(mirrored.sort()).toEqual(['BACKLOG_EXCEEDED', 'BACKLOG_SHORT', 'INTERRUPTED_PLAN', 'LAG_BYTES', 'LAG_SECONDS', 'LINK_DOWN', 'MASTER_RESTARTED_EMPTY', 'MULTIPLE_MASTERS', 'STALE_OR_UNREACHABLE', 'SYNC_FAILING', 'WRITES_REFUSED']);
    expect(text).toContain('console_rule: "{{ if eq $value 0.0 }}UNREACHABLE{{ else }}STALE{{ end }}"');
  });
});

describe('monitoring/grafana-dashboard.json', () => {
  it('has the shape Grafana imports: a uid, a data source and a topology variable, panels on the 24-column grid', () => {
    expect(dashboard.uid).toBe('replication-console');
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const variables = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(variables.datasource?.type).toBe('datasource');
    expect(variables.topology).toMatchObject({ type: 'query', multi: true, includeAll: true });
    expect(JSON.stringify(variables.topology?.query)).toContain('label_values(replication_console_topology_up, topology)');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.expr, panel.title).toContain('topology=~"$topology"');
    }
  });

  it('shows what the issue asks for: lag per replica, link status, offsets, resync rate, backlog seconds, warnings', () => {
    const all = dashboardExprs.map((e) => e.expr).join('\n');
    for (const name of ['replica_lag_seconds', 'replica_lag_bytes', 'link_up', 'node_offset_bytes', 'full_resyncs_total', 'partial_resyncs_total', 'backlog_seconds', 'warnings']) {
      expect(all).toContain(`replication_console_${name}`);
    }
  });

  it('has queries that parse as PromQL (each checked by promtool as a recording rule)', () => {
    const file = path.join(work, 'dashboard-queries.yml');
    const rules = dashboardExprs.map((e, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(e.expr.replaceAll('$topology', '.*'))}`);
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(out).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
  });
});

describe('the queries of both files', () => {
  it('are all found (the extraction is not vacuous)', () => {
    expect(ruleExprs.length).toBe(13);
    expect(dashboardExprs.length).toBeGreaterThan(20);
    expect(metricNames('sum by (topology) (rate(replication_console_node_offset_bytes{a="b"}[1m])) and on (node) up')).toEqual(['replication_console_node_offset_bytes', 'up']);
  });

  it('name only metrics that a scrape of serve declares', () => {
    expect(exported.has('replication_console_replica_lag_seconds')).toBe(true);
    for (const { where, expr } of [...ruleExprs, ...dashboardExprs]) {
      const names = metricNames(expr);
      expect(names.length, `${where}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${where} reads ${name}, which serve does not export`).toBe(true);
    }
  });
});
