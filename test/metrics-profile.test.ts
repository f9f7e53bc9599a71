import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@statbus/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startCli, type CliProcess } from './support/cli-process.js';
import { REPO_ROOT, readComposeServices, type ComposeService } from './support/compose-file.js';
import { freePort, scratchDir } from './support/hub-bus.js';
import { declaredNames, metricNamesOf, metricNamesOfVariable } from './support/promql-names.js';

const services = readComposeServices();
const metrics = services.filter((service) => service.profiles.includes('metrics'));
const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');

interface PrometheusConfig {
  readonly rule_files?: readonly string[];
  readonly scrape_configs: readonly {
    readonly job_name: string;
    readonly metrics_path?: string;
    readonly static_configs?: readonly { readonly targets: readonly string[] }[];
    readonly dns_sd_configs?: readonly { readonly names: readonly string[]; readonly port: number }[];
  }[];
}
interface GrafanaTarget {
  readonly expr?: string;
  readonly datasource?: { readonly uid?: string };
}
interface GrafanaPanel {
  readonly title: string;
  readonly datasource?: { readonly uid?: string };
  readonly targets?: readonly GrafanaTarget[];
  readonly panels?: readonly GrafanaPanel[];
}
interface GrafanaDashboard {
  readonly uid: string;
  readonly panels: readonly GrafanaPanel[];
  readonly templating?: { readonly list: readonly { readonly name: string; readonly datasource?: { readonly uid?: string }; readonly query?: string | { readonly query?: string } }[] };
}
interface AlertRules {
  readonly groups: readonly { readonly rules: readonly { readonly alert?: string; readonly record?: string; readonly expr: string }[] }[];
}

const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as PrometheusConfig;
const alerts = parse(read('deploy/prometheus/alerts.yml')) as AlertRules;
const dashboard = JSON.parse(read('deploy/grafana/dashboards/statbus.json')) as GrafanaDashboard;
const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: readonly { uid: string; type: string; url: string }[] };
const providers = parse(read('deploy/grafana/provisioning/dashboards/statbus.yml')) as { providers: readonly { type: string; options: { path: string } }[] };

const panelsOf = (panels: readonly GrafanaPanel[]): GrafanaPanel[] => panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);
const targets = panelsOf(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
const variables = dashboard.templating?.list ?? [];

/** Every PromQL the stack evaluates, with where it is and the Prometheus jobs it selects (by its `job` matchers). */
const jobs = prometheus.scrape_configs.map((job) => job.job_name);
function jobsOf(expression: string): string[] {
  const matchers = [...expression.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/gu)].map(([, operator, value]) => (job: string) => (operator === '=' ? job === value : new RegExp(`^(?:${value ?? ''})$`, 'u').test(job)));
  return jobs.filter((job) => matchers.every((matches) => matches(job)));
}
const queries: { where: string; names: string[]; jobs: string[] }[] = [
  ...targets.map(({ panel, target }) => ({ where: `dashboard panel "${panel.title}"`, names: metricNamesOf(target.expr ?? ''), jobs: jobsOf(target.expr ?? '') })),
  ...variables.map((variable) => {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    return { where: `dashboard variable $${variable.name}`, names: metricNamesOfVariable(query), jobs: jobsOf(query) };
  }),
  ...alerts.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert ?? rule.record ?? ''}`, names: metricNamesOf(rule.expr), jobs: jobsOf(rule.expr) }))),
];

/** Prometheus' own checker (Debian's `prometheus` package), when installed. */
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((path) => existsSync(path));

/** Series Prometheus makes itself for every target, which no `/metrics` exports. */
const PROMETHEUS_OWN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The flag giving the port of a statbus service's `/metrics`: the query API's own, or the health port. */
function scrapeFlag(service: ComposeService): string | undefined {
  const role = service.command[0];
  return role === 'serve' ? '--port' : role === 'nom' || role === 'relay' || role === 'hub' ? '--health-port' : undefined;
}

/** `host:port` of each statbus service Prometheus must scrape, from its command in docker-compose.yml. */
function scrapeTarget(service: ComposeService): string | undefined {
  const flag = scrapeFlag(service);
  const port = flag === undefined ? undefined : service.command[service.command.indexOf(flag) + 1];
  return flag !== undefined && service.command.includes(flag) && port !== undefined ? `${service.name}:${port}` : undefined;
}

describe('docker-compose --profile metrics', () => {
  it('should run Prometheus and Grafana from pinned images, with the repository’s configuration mounted', () => {
    expect(metrics.map((service) => service.name).sort()).toEqual(['grafana', 'prometheus']);
    for (const service of metrics) {
      expect(service.image, service.name).toMatch(/^[\w./-]+:v?\d+\.\d+\.\d+$/u);
      expect(service.build, service.name).toBeUndefined();
      for (const volume of service.volumes.filter((entry) => entry.startsWith('./'))) {
        expect(existsSync(join(REPO_ROOT, volume.split(':')[0] as string)), `${service.name}: ${volume}`).toBe(true);
      }
    }
    const mounted = (service: string, inside: string): boolean => metrics.find((candidate) => candidate.name === service)?.volumes.some((volume) => volume.split(':')[1] === inside) === true;
    expect(mounted('prometheus', '/etc/prometheus/prometheus.yml')).toBe(true);
    // Rule files are named relative to the configuration, which the container reads from /etc/prometheus.
    for (const file of prometheus.rule_files ?? []) expect(mounted('prometheus', join('/etc/prometheus', file)), file).toBe(true);
    expect(mounted('grafana', '/etc/grafana/provisioning')).toBe(true);
    expect(mounted('grafana', providers.providers[0]?.options.path ?? '')).toBe(true);
  });

  it('should have Prometheus scrape /metrics of every statbus query API, relay and archiver', () => {
    const scraped = new Set(
      prometheus.scrape_configs.flatMap((job) => [
        ...(job.static_configs ?? []).flatMap((config) => config.targets),
        ...(job.dns_sd_configs ?? []).flatMap((config) => config.names.map((name) => `${name}:${config.port}`)),
      ]),
    );
    const wanted = services.map(scrapeTarget).filter((target) => target !== undefined);
    expect(wanted.length).toBeGreaterThanOrEqual(5);
    for (const target of wanted) expect([...scraped], target).toContain(target);
    for (const job of prometheus.scrape_configs) expect(job.metrics_path ?? '/metrics', job.job_name).toBe('/metrics');
  });

  it('should provision Grafana with the profile’s Prometheus and a dashboard that uses it', () => {
    const [source] = datasources.datasources;
    expect(source?.type).toBe('prometheus');
    const prometheusService = metrics.find((service) => service.name === 'prometheus');
    expect(source?.url).toBe(`http://${prometheusService?.name ?? ''}:9090`);
    expect(providers.providers[0]?.type).toBe('file');
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const { panel, target } of targets) {
      expect(panel.datasource?.uid ?? target.datasource?.uid, panel.title).toBe(source?.uid);
      expect(target.expr, panel.title).toMatch(/\S/u);
    }
    for (const variable of variables) expect(variable.datasource?.uid, variable.name).toBe(source?.uid);
  });

  it('should read archive-wide statbus figures from the query APIs only (the archivers export the same archive’s figures)', () => {
    const expressions = [...targets.map(({ panel, target }) => ({ where: panel.title, expr: target.expr ?? '' })), ...alerts.groups.flatMap((group) => group.rules.map((rule) => ({ where: rule.alert ?? '', expr: rule.expr })))];
    for (const { where, expr } of expressions) {
      for (const selector of expr.match(/statbus_\w+(\{[^}]*\})?/gu) ?? []) expect(selector, where).toContain('job="statbus-query"');
    }
  });

});

/** What one statbus service answered at `/metrics`, and the Prometheus job that scrapes it. */
interface Scraped {
  readonly job: string;
  readonly service: string;
  readonly exposition: string;
}

describe('docker-compose --profile metrics, against the statbus services of the zeromq profile run here as processes', () => {
  const scraped: Scraped[] = [];
  const processes: CliProcess[] = [];
  const scratch = scratchDir();

  // Each Prometheus job's target in the zeromq profile, run with the file's command (ports made free,
  // MongoDB made an SQLite file, the relay's tcp:// endpoints ipc:// paths), then its /metrics read once.
  beforeAll(async () => {
    const env: Record<string, string> = {
      STATBUS_STORE: `sqlite:${join(scratch.dir, 'archive.db')}`,
      STATBUS_LOG__LEVEL: 'warn',
      STATBUS_ZEROMQ__RELAY_INBOUND: `ipc://${join(scratch.dir, 'relay-in')}`,
      STATBUS_ZEROMQ__RELAY_OUTBOUND: `ipc://${join(scratch.dir, 'relay-out')}`,
    };
    for (const job of prometheus.scrape_configs) {
      const target = (job.static_configs ?? []).flatMap((config) => config.targets).find((candidate) => candidate.startsWith('zeromq-'));
      const service = services.find((candidate) => target === scrapeTarget(candidate));
      if (service === undefined) throw new Error(`job ${job.job_name}: no zeromq service behind ${target ?? '(no target)'}`);
      const args = [...service.command];
      const port = String(await freePort());
      args[args.indexOf(scrapeFlag(service) as string) + 1] = port;
      const running = startCli(args, { ...service.environment, ...env }, undefined, { cwd: scratch.dir });
      processes.push(running);
      const url = `http://127.0.0.1:${port}${job.metrics_path ?? '/metrics'}`;
      const exposition = await waitFor(
        async () => {
          if (running.child.exitCode !== null) throw new Error(`${service.name} exited: ${running.stderr()}`);
          const response = await fetch(url).catch(() => undefined);
          return response?.ok === true ? response.text() : undefined;
        },
        { timeoutMs: 20_000, message: `${service.name} answering ${url}` },
      );
      scraped.push({ job: job.job_name, service: service.name, exposition });
    }
  }, 90_000);
  afterAll(async () => {
    await Promise.all(processes.map((running) => running.stop('SIGTERM')));
    scratch.remove();
  });

  it('should query, in the dashboard and the alert rules, only metrics that the /metrics of every job selected really exports', () => {
    expect(scraped.map((target) => target.job).sort()).toEqual([...jobs].sort());
    const named = new Set(queries.flatMap((query) => query.names));
    expect([...named]).toEqual(expect.arrayContaining(['statbus_messages_archived_total', 'statbus_publish_to_archive_delay_seconds_bucket', 'statbus_dead_lettered_total', 'process_resident_memory_bytes']));
    for (const { where, names, jobs: selected } of queries) {
      expect(names.length, `${where} reads a metric`).toBeGreaterThan(0);
      expect(selected.length, `${where} selects a job Prometheus scrapes`).toBeGreaterThan(0);
      for (const target of scraped.filter((candidate) => selected.includes(candidate.job))) {
        const exported = declaredNames(target.exposition);
        for (const name of names) expect(exported.has(name) || PROMETHEUS_OWN.has(name), `${where}: ${name} in /metrics of ${target.service} (job ${target.job})`).toBe(true);
      }
    }
  });

  it.skipIf(PROMTOOL === undefined)(`should serve expositions promtool reads${PROMTOOL === undefined ? ' (skipped: no promtool here; Debian package prometheus)' : ''}`, () => {
    for (const target of scraped) {
      const result = spawnSync(PROMTOOL as string, ['check', 'metrics'], { input: target.exposition, encoding: 'utf8' });
      // Its only complaint may be prom-client's own default gauges named *_total (nodejs_active_handles_total…).
      const problems = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '' && !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/u.test(line.trim()));
      expect(problems, target.service).toEqual([]);
    }
  });
});

describe('deploy/prometheus, checked by promtool', () => {
  it.skipIf(PROMTOOL === undefined)(`should be a valid configuration with valid alert rules${PROMTOOL === undefined ? ' (skipped: no promtool here; Debian package prometheus)' : ''}`, () => {
    for (const args of [['check', 'config', 'deploy/prometheus/prometheus.yml'], ['check', 'rules', 'deploy/prometheus/alerts.yml']]) {
      const result = spawnSync(PROMTOOL as string, args, { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(result.status, `promtool ${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});

describe(metricNamesOf, () => {
  it('should find the metrics of an expression, not its functions, labels, ranges or keywords', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (topology, le) (rate(a_seconds_bucket{job=~"x-.*", topology=~"$topology"}[$__rate_interval])))')).toEqual(['a_seconds_bucket']);
    expect(metricNamesOf('sum(up{job="q"}) / count(up{job="q"}) > bool 0.5 or on (instance) other_total offset 5m')).toEqual(['other_total', 'up']);
    expect(metricNamesOfVariable('label_values(up{job=~"statbus-.*"}, topology)')).toEqual(['up']);
    expect(declaredNames('# HELP x_total X\n# TYPE x_total counter\nx_total{a="b"} 3\ny 1e3\n# TYPE h_seconds histogram\n# TYPE e_total counter\n')).toEqual(
      new Set(['x_total', 'y', 'h_seconds_bucket', 'h_seconds_sum', 'h_seconds_count', 'e_total']),
    );
  });
});
