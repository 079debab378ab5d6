#!/usr/bin/env node
'use strict';
// Checks the deployment files without a cluster or a Docker daemon (CI has neither):
// every YAML document parses; each Kubernetes object matches a hand-written minimal JSON schema
// (ajv) for the fields this project relies on; and the cross-references hold (selectors match
// the pod labels, envFrom names an existing ConfigMap/Secret, probes hit /health/live and
// /health/ready on a declared port, the HPA and PDB point at the Deployment, the grace period
// outlasts SHUTDOWN_TIMEOUT_MS). docker-compose.yml: the api, postgres and redis services have
// healthchecks and the api waits for the other two to be healthy. prometheus/cache-alerts.rules.yml:
// a Prometheus rule file (groups of alerts with a warning|critical severity and a summary) whose
// expressions name only metrics that GET /metrics exports: by default the names declared in
// src/metrics/*.ts (test/deploy.e2e-spec.ts checks those against a real scrape and passes the
// scraped names in too).
// Not checked here: the full Kubernetes API schemas (kubeconform's are not installable from
// npm or Debian), admission policies, and `docker compose config` (no daemon/CLI).
// Usage: node deploy/validate.js   → prints each problem, exits 1 if any.
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const Ajv = require('ajv');

const ROOT = path.resolve(__dirname, '..');
const K8S_DIR = path.join(__dirname, 'kubernetes');
const RULES_FILE = path.join(__dirname, 'prometheus', 'cache-alerts.rules.yml');
const METRICS_SOURCES = path.join(ROOT, 'src', 'metrics');

const str = { type: 'string', minLength: 1 };
const labels = { type: 'object', minProperties: 1, additionalProperties: str };
const metadata = { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' } } };
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|Ki|Mi|Gi)?$' }, { type: 'number' }] };
const resources = {
  type: 'object',
  required: ['requests', 'limits'],
  properties: {
    requests: { type: 'object', required: ['cpu', 'memory'], properties: { cpu: quantity, memory: quantity } },
    limits: { type: 'object', required: ['cpu', 'memory'], properties: { cpu: quantity, memory: quantity } },
  },
};
const probe = {
  type: 'object',
  required: ['httpGet'],
  properties: {
    httpGet: { type: 'object', required: ['path', 'port'], properties: { path: { type: 'string', pattern: '^/' }, port: { type: ['string', 'integer'] } } },
    periodSeconds: { type: 'integer', minimum: 1 },
    timeoutSeconds: { type: 'integer', minimum: 1 },
    failureThreshold: { type: 'integer', minimum: 1 },
  },
};
const container = {
  type: 'object',
  required: ['name', 'image', 'ports', 'resources', 'livenessProbe', 'readinessProbe', 'envFrom'],
  properties: {
    name: str,
    image: str,
    ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['containerPort'], properties: { name: str, containerPort: { type: 'integer', minimum: 1, maximum: 65535 } } } },
    envFrom: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          configMapRef: { type: 'object', required: ['name'], properties: { name: str } },
          secretRef: { type: 'object', required: ['name'], properties: { name: str } },
        },
        minProperties: 1,
      },
    },
    resources,
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
  },
};
const SCHEMAS = {
  'apps/v1/Deployment': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        required: ['selector', 'template'],
        properties: {
          replicas: { type: 'integer', minimum: 1 },
          selector: { type: 'object', required: ['matchLabels'], properties: { matchLabels: labels } },
          template: {
            type: 'object',
            required: ['metadata', 'spec'],
            properties: {
              metadata: { type: 'object', required: ['labels'], properties: { labels } },
              spec: {
                type: 'object',
                required: ['containers', 'terminationGracePeriodSeconds'],
                properties: { terminationGracePeriodSeconds: { type: 'integer', minimum: 1 }, containers: { type: 'array', minItems: 1, items: container } },
              },
            },
          },
        },
      },
    },
  },
  'v1/Service': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        required: ['selector', 'ports'],
        properties: {
          selector: labels,
          ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['port', 'targetPort'], properties: { port: { type: 'integer' }, targetPort: { type: ['string', 'integer'] } } } },
        },
      },
    },
  },
  'v1/ConfigMap': { type: 'object', required: ['metadata', 'data'], properties: { metadata, data: { type: 'object', additionalProperties: { type: 'string' } } } },
  'v1/Secret': { type: 'object', required: ['metadata', 'stringData'], properties: { metadata, stringData: { type: 'object', additionalProperties: { type: 'string' } } } },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata,
      spec: {
        type: 'object',
        required: ['scaleTargetRef', 'minReplicas', 'maxReplicas'],
        properties: {
          scaleTargetRef: { type: 'object', required: ['apiVersion', 'kind', 'name'] },
          minReplicas: { type: 'integer', minimum: 1 },
          maxReplicas: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
  'policy/v1/PodDisruptionBudget': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: { metadata, spec: { type: 'object', required: ['selector'], properties: { selector: { type: 'object', required: ['matchLabels'], properties: { matchLabels: labels } } } } },
  },
  'kustomize.config.k8s.io/v1beta1/Kustomization': {
    type: 'object',
    required: ['resources'],
    properties: { resources: { type: 'array', minItems: 1, items: str } },
  },
};

const RULES_SCHEMA = {
  type: 'object',
  required: ['groups'],
  properties: {
    groups: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'rules'],
        properties: {
          name: str,
          rules: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['alert', 'expr', 'labels', 'annotations'],
              properties: {
                alert: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
                expr: str,
                for: { type: 'string', pattern: '^[0-9]+(ms|s|m|h|d)$' },
                labels: { type: 'object', required: ['severity'], properties: { severity: { enum: ['warning', 'critical'] } }, additionalProperties: { type: 'string' } },
                annotations: { type: 'object', required: ['summary'], properties: { summary: str }, additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
};

/** PromQL words that are not metric names. */
const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions or aggregations
 * (followed by `(`), keywords, label names (inside `{}` or `by (...)`), strings, durations or numbers.
 */
function metricNamesIn(expr) {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const match of text.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const before = text[match.index - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue; // the exponent of a number (1e3)
    if (PROMQL_KEYWORDS.has(match[0])) continue;
    if (text.slice(match.index + match[0].length).trimStart().startsWith('(')) continue;
    names.add(match[0]);
  }
  return [...names];
}

/**
 * The metric names GET /metrics exports, as declared in src/metrics/*.ts (every quoted
 * `cache_*` / `http_*` name; a `new Histogram` adds its `_bucket`, `_sum` and `_count` series). Node's
 * default metrics are not listed: the rules do not use them.
 */
function exportedMetricNames(sourcesDir = METRICS_SOURCES) {
  const names = new Set();
  for (const file of fs.readdirSync(sourcesDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const text = fs.readFileSync(path.join(sourcesDir, file), 'utf8');
    for (const match of text.matchAll(/['"]((?:cache|http)_[a-z0-9_]+)['"]/g)) names.add(match[1]);
    for (const match of text.matchAll(/new Histogram\(\{\s*name:\s*['"]([a-z0-9_]+)['"]/g)) {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(match[1] + suffix);
    }
  }
  return names;
}

/** Problems of the Prometheus rule file: YAML, shape, and metric names /metrics does not export. */
function checkPrometheusRules(rulesFile, metricNames, ajv) {
  const name = path.relative(__dirname, rulesFile);
  if (!fs.existsSync(rulesFile)) return [`${name}: missing`];
  const doc = YAML.parseDocument(fs.readFileSync(rulesFile, 'utf8'));
  if (doc.errors.length > 0) return [`${name}: ${doc.errors.map((e) => e.message).join('; ')}`];
  const rules = doc.toJS();
  const validate = ajv.compile(RULES_SCHEMA);
  if (!validate(rules)) return validate.errors.map((error) => `${name}: ${error.instancePath || '/'} ${error.message}`);
  const problems = [];
  const alerts = new Set();
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      if (alerts.has(`${rule.alert}/${rule.labels.severity}`)) problems.push(`${name}: ${rule.alert} (${rule.labels.severity}) is defined twice`);
      alerts.add(`${rule.alert}/${rule.labels.severity}`);
      const used = metricNamesIn(rule.expr);
      if (used.length === 0) problems.push(`${name}: ${rule.alert} reads no metric`);
      for (const metric of used) if (!metricNames.has(metric)) problems.push(`${name}: ${rule.alert} uses ${metric}, which GET /metrics does not export`);
    }
  }
  return problems;
}

/**
 * Every problem found in the deployment files; empty when they are valid.
 * `k8sDir`, `composeFile` and `rulesFile` default to this repository's; tests point them at
 * broken copies. `metricNames`: the names /metrics exports (default: declared in src/metrics).
 */
function validateDeployFiles({ k8sDir = K8S_DIR, composeFile = path.join(ROOT, 'docker-compose.yml'), rulesFile = RULES_FILE, metricNames = exportedMetricNames() } = {}) {
  const problems = [];
  const ajv = new Ajv({ allErrors: true, strict: false });
  const objects = [];
  for (const file of fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const text = fs.readFileSync(path.join(k8sDir, file), 'utf8');
    for (const doc of YAML.parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        problems.push(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
        continue;
      }
      const object = doc.toJS();
      if (object === null) continue;
      const kind = `${object.apiVersion}/${object.kind}`;
      const schema = SCHEMAS[kind];
      if (schema === undefined) {
        problems.push(`${file}: no schema for ${kind}`);
        continue;
      }
      const validate = ajv.compile(schema);
      if (!validate(object)) {
        for (const error of validate.errors) problems.push(`${file}: ${kind}${error.instancePath} ${error.message}`);
      }
      objects.push({ file, kind: object.kind, object });
    }
  }
  if (problems.length === 0) problems.push(...crossCheck(objects, k8sDir));
  problems.push(...checkCompose(composeFile));
  problems.push(...checkPrometheusRules(rulesFile, new Set(metricNames), ajv));
  return problems;
}

function crossCheck(objects, k8sDir) {
  const problems = [];
  const ofKind = (kind) => objects.filter((o) => o.kind === kind).map((o) => o.object);
  const matches = (selector, podLabels) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  const [kustomization] = ofKind('Kustomization');
  if (kustomization) {
    for (const resource of kustomization.resources) {
      if (!fs.existsSync(path.join(k8sDir, resource))) problems.push(`kustomization.yaml: resource ${resource} does not exist`);
    }
  }
  const deployments = ofKind('Deployment');
  if (deployments.length !== 1) problems.push(`expected one Deployment, found ${deployments.length}`);
  const deployment = deployments[0];
  if (deployment === undefined) return problems;
  const podLabels = deployment.spec.template.metadata.labels;
  if (!matches(deployment.spec.selector.matchLabels, podLabels)) problems.push('Deployment: selector does not match the pod template labels');
  const container = deployment.spec.template.spec.containers[0];
  const portNames = new Set(container.ports.map((p) => p.name));
  const portNumbers = new Set(container.ports.map((p) => p.containerPort));
  const portExists = (port) => (typeof port === 'string' ? portNames.has(port) : portNumbers.has(port));
  for (const [name, wanted] of [['livenessProbe', '/health/live'], ['readinessProbe', '/health/ready']]) {
    const get = container[name].httpGet;
    if (get.path !== wanted) problems.push(`Deployment: ${name} must GET ${wanted}, not ${get.path}`);
    if (!portExists(get.port)) problems.push(`Deployment: ${name} port ${get.port} is not a container port`);
  }
  const configMaps = new Map(ofKind('ConfigMap').map((c) => [c.metadata.name, c]));
  const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name, s]));
  let secretRefs = 0;
  for (const source of container.envFrom) {
    if (source.configMapRef && !configMaps.has(source.configMapRef.name)) problems.push(`Deployment: envFrom ConfigMap ${source.configMapRef.name} is not defined`);
    if (source.secretRef) {
      secretRefs++;
      const secret = secrets.get(source.secretRef.name);
      if (secret === undefined) problems.push(`Deployment: envFrom Secret ${source.secretRef.name} is not defined (secret.example.yaml documents it)`);
      else for (const key of ['ADMIN_TOKEN', 'DATABASE_URL']) if (!(key in secret.stringData)) problems.push(`Secret ${secret.metadata.name}: no ${key}`);
    }
  }
  if (secretRefs === 0) problems.push('Deployment: credentials must come from a Secret (envFrom secretRef)');
  const env = Object.assign({}, ...[...configMaps.values()].map((c) => c.data));
  for (const secret of secrets.values()) {
    for (const key of Object.keys(secret.stringData)) if (key in env) problems.push(`ConfigMap and Secret both set ${key}`);
  }
  if (env.NODE_ENV !== 'production') problems.push('ConfigMap: NODE_ENV must be production');
  const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
  const preStop = Number(container.lifecycle?.preStop?.exec?.command?.find((part) => /^\d+$/.test(part)) ?? 0);
  const drain = Number(env.SHUTDOWN_TIMEOUT_MS ?? 10000) / 1000;
  if (grace < preStop + drain + 5) problems.push(`Deployment: terminationGracePeriodSeconds ${grace} < preStop ${preStop} s + SHUTDOWN_TIMEOUT_MS ${drain} s + 5 s to close`);
  for (const service of ofKind('Service')) {
    if (!matches(service.spec.selector, podLabels)) problems.push(`Service ${service.metadata.name}: selector matches no pod of the Deployment`);
    for (const port of service.spec.ports) if (!portExists(port.targetPort)) problems.push(`Service ${service.metadata.name}: targetPort ${port.targetPort} is not a container port`);
  }
  for (const hpa of ofKind('HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef;
    if (ref.kind !== 'Deployment' || ref.name !== deployment.metadata.name) problems.push(`HPA ${hpa.metadata.name}: scaleTargetRef is not the Deployment`);
    if (hpa.spec.minReplicas > hpa.spec.maxReplicas) problems.push(`HPA ${hpa.metadata.name}: minReplicas > maxReplicas`);
  }
  for (const pdb of ofKind('PodDisruptionBudget')) {
    if (!matches(pdb.spec.selector.matchLabels, podLabels)) problems.push(`PDB ${pdb.metadata.name}: selector matches no pod of the Deployment`);
  }
  return problems;
}

function checkCompose(composeFile) {
  const problems = [];
  const doc = YAML.parseDocument(fs.readFileSync(composeFile, 'utf8'));
  if (doc.errors.length > 0) return [`docker-compose.yml: ${doc.errors.map((e) => e.message).join('; ')}`];
  const services = doc.toJS().services ?? {};
  for (const name of ['api', 'postgres', 'redis']) {
    const service = services[name];
    if (service === undefined) problems.push(`docker-compose.yml: no ${name} service`);
    else if (!Array.isArray(service.healthcheck?.test) && typeof service.healthcheck?.test !== 'string') problems.push(`docker-compose.yml: ${name} has no healthcheck`);
  }
  const api = services.api;
  if (api !== undefined) {
    for (const dependency of ['postgres', 'redis']) {
      if (api.depends_on?.[dependency]?.condition !== 'service_healthy') problems.push(`docker-compose.yml: api must wait for ${dependency} to be healthy`);
    }
    const healthcheck = [].concat(api.healthcheck?.test ?? []).join(' ');
    if (!healthcheck.includes('/health/')) problems.push('docker-compose.yml: the api healthcheck must call a /health probe');
  }
  return problems;
}

module.exports = { validateDeployFiles, metricNamesIn, exportedMetricNames };

if (require.main === module) {
  const problems = validateDeployFiles();
  for (const problem of problems) console.error(`deploy: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log('deploy: Kubernetes manifests, docker-compose.yml and the Prometheus rules are valid');
}
