// The deployment files as CI checks them (deploy/validate.js, also run by .ci/run): valid, and
// the validator really catches what it claims to, on broken copies.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { validateDeployFiles } from '../deploy/validate';

const ROOT = path.resolve(__dirname, '..');
const K8S = path.join(ROOT, 'deploy/kubernetes');
const COMPOSE = path.join(ROOT, 'docker-compose.yml');

let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'deploy-'));
  cpSync(K8S, path.join(scratch, 'kubernetes'), { recursive: true });
  cpSync(COMPOSE, path.join(scratch, 'docker-compose.yml'));
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
  validateDeployFiles({ k8sDir: path.join(scratch, 'kubernetes'), composeFile: path.join(scratch, 'docker-compose.yml') });

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
});
