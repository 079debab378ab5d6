// The deployment files as CI checks them (deploy/validate.js, also run by .ci/run): valid, and
// the validator really catches what it claims to, on broken copies.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import YAML from 'yaml';
import { exportedMetricNames, metricNamesIn, validateDeployFiles } from '../deploy/validate';
import { ALERT_VARIABLES, DEFAULT_ALERT_THRESHOLDS } from '../src/config/observability.config';
import { createHarness } from './api-harness';

const ROOT = path.resolve(__dirname, '..');
const K8S = path.join(ROOT, 'deploy/kubernetes');
const COMPOSE = path.join(ROOT, 'docker-compose.yml');
const RULES = path.join(ROOT, 'deploy/prometheus/cache-alerts.rules.yml');

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'deploy-'));
  cpSync(K8S, path.join(scratch, 'kubernetes'), { recursive: true });
  cpSync(COMPOSE, path.join(scratch, 'docker-compose.yml'));
  cpSync(RULES, path.join(scratch, 'rules.yml'));
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** Edits one YAML file of the scratch copy. */
function edit(file: string, change: (doc: Record<string, any>) => void): void {
  const full = path.join(scratch, file);
  const doc = YAML.parse(readFileSync(full, 'utf8')) as Record<string, any>;
  change(doc);
  writeFileSync(full, YAML.stringify(doc));
}

const validateScratch = () =>
  validateDeployFiles({ k8sDir: path.join(scratch, 'kubernetes'), composeFile: path.join(scratch, 'docker-compose.yml'), rulesFile: path.join(scratch, 'rules.yml') });

/** Every series name a real GET /metrics announces (`# TYPE` lines; a histogram's _bucket, _sum and _count). */
function scrapedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { threshold_variable?: string; threshold_unit?: string };
}
const rules = (): Rule[] => (YAML.parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);

describe('deployment files', () => {
  it('are valid as committed', () => {
    expect(validateDeployFiles()).toEqual([]);
  });

  it('probe /health/live and /health/ready, set requests and limits, and take credentials from a Secret', () => {
    const deployment = YAML.parse(readFileSync(path.join(K8S, 'deployment.yaml'), 'utf8'));
    const [container] = deployment.spec.template.spec.containers;
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.resources).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { cpu: expect.any(String), memory: expect.any(String) } });
    expect(container.envFrom).toContainEqual({ secretRef: { name: 'nest-cache-api-secrets' } });
    const config = YAML.parse(readFileSync(path.join(K8S, 'configmap.yaml'), 'utf8'));
    expect(Object.keys(config.data)).not.toEqual(expect.arrayContaining(['ADMIN_TOKEN']));
  });

  it.each([
    ['a readiness probe on the wrong path', 'kubernetes/deployment.yaml', (d: any) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/'), /readinessProbe must GET \/health\/ready/],
    ['missing resource limits', 'kubernetes/deployment.yaml', (d: any) => delete d.spec.template.spec.containers[0].resources.limits, /must have required property 'limits'/],
    ['no Secret reference', 'kubernetes/deployment.yaml', (d: any) => (d.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'nest-cache-api-config' } }]), /from a Secret/],
    ['a Service selecting no pod', 'kubernetes/service.yaml', (d: any) => (d.spec.selector = { app: 'other' }), /selector matches no pod/],
    ['a grace period shorter than the drain', 'kubernetes/deployment.yaml', (d: any) => (d.spec.template.spec.terminationGracePeriodSeconds = 5), /terminationGracePeriodSeconds 5/],
    ['a non-string ConfigMap value', 'kubernetes/configmap.yaml', (d: any) => (d.data.PORT = 3000), /must be string/],
    ['an api without healthcheck', 'docker-compose.yml', (d: any) => delete d.services.api.healthcheck, /api has no healthcheck/],
  ])('catch %s', (_name, file, change, problem) => {
    edit(file, change);
    expect(validateScratch()).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it.each([
    ['a rule over a metric /metrics does not export', (d: any) => (d.groups[0].rules[0].expr = 'sum(rate(cache_hits_total[5m])) < 0.5'), /CacheHitRatioLow uses cache_hits_total, which GET \/metrics does not export/],
    ['a severity Alertmanager routes nowhere', (d: any) => (d.groups[0].rules[0].labels.severity = 'page'), /severity must be equal to one of the allowed values/],
    ['a rule without an expression', (d: any) => delete d.groups[0].rules[1].expr, /must have required property 'expr'/],
  ])('catch in the Prometheus rules %s', (_name, change, problem) => {
    edit('rules.yml', change);
    expect(validateScratch()).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });

  it('catch a Prometheus rules file that is not YAML', () => {
    writeFileSync(path.join(scratch, 'rules.yml'), 'groups:\n  - name: x\n    rules: [\n');
    expect(validateScratch()).toEqual([expect.stringMatching(/^prometheus\/|rules\.yml: /)]);
  });
});

describe('Prometheus alert rules', () => {
  it('read only metrics a real GET /metrics exports, and the validator knows exactly those names', async () => {
    const harness = await createHarness({ redis: true, env: { METRICS_ORG_LABELS: 'true' } });
    try {
      const app = await harness.start();
      const scraped = scrapedNames((await request(app.getHttpServer()).get('/metrics').expect(200)).text);
      for (const name of exportedMetricNames()) expect([name, scraped.has(name)]).toEqual([name, true]);
      expect(validateDeployFiles({ metricNames: scraped })).toEqual([]);
      const used = new Set(rules().flatMap((rule) => metricNamesIn(rule.expr)));
      expect([...used].sort()).toEqual(['cache_fallback_active', 'cache_operation_duration_seconds_bucket', 'cache_redis_memory_max_bytes', 'cache_redis_memory_used_bytes', 'cache_results_total']);
    } finally {
      await harness.close();
    }
  });

  it('alert at the same default thresholds as GET /cache/report, each naming its CACHE_ALERT_* variable', () => {
    const covered = new Set<string>();
    for (const rule of rules()) {
      const variable = rule.annotations.threshold_variable;
      if (variable === undefined) continue;
      expect(Object.keys(ALERT_VARIABLES)).toContain(variable);
      covered.add(variable);
      const expected = ALERT_VARIABLES[variable as keyof typeof ALERT_VARIABLES](DEFAULT_ALERT_THRESHOLDS);
      const threshold = Number(/(?:<|>)\s*([0-9.]+)\s*(?:and\b|$)/.exec(rule.expr.trim())?.[1]);
      expect([rule.alert, threshold]).toEqual([rule.alert, rule.annotations.threshold_unit === 'seconds' ? expected / 1000 : expected]);
      expect(variable.includes('CRITICAL') ? 'critical' : 'warning').toBe(rule.labels.severity);
      // The minimum of reads before a ratio is judged, where the rule has one.
      const minimum = /increase\([^)]*\)\)\s*>=\s*([0-9]+)/.exec(rule.expr)?.[1];
      if (minimum !== undefined) expect(Number(minimum)).toBe(DEFAULT_ALERT_THRESHOLDS.minReads);
    }
    expect([...covered].sort()).toEqual(Object.keys(ALERT_VARIABLES).filter((name) => name !== 'CACHE_ALERT_MIN_READS').sort());
    expect(rules().map((rule) => rule.alert)).toContain('CacheRedisConnectionLost');
  });
});
