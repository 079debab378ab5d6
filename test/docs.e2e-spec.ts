// /docs serves Swagger UI from the app itself (no CDN) and /docs-json documents every route
// docs/api.md lists, with the operator and tenant routes behind bearer auth and the probes public.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createHarness, type Harness } from './api-harness';

/** Every route of docs/api.md ("Principals", "Domain", "Operators", "Probes and metrics"), in OpenAPI's path syntax. */
const API_ROUTES: readonly [method: string, path: string][] = [
  ['post', '/admin/orgs'],
  ['post', '/admin/orgs/{id}/keys'],
  ['delete', '/admin/keys/{keyId}'],
  ['get', '/api/v1/users'],
  ['get', '/api/v1/users/{id}'],
  ['post', '/api/v1/users'],
  ['patch', '/api/v1/users/{id}'],
  ['delete', '/api/v1/users/{id}'],
  ['get', '/api/v1/orders'],
  ['get', '/api/v1/orders/{id}'],
  ['post', '/api/v1/orders'],
  ['patch', '/api/v1/orders/{id}'],
  ['delete', '/api/v1/orders/{id}'],
  ['post', '/api/v1/staff'],
  ['get', '/api/v1/staff'],
  ['get', '/api/v1/staff/{id}'],
  ['patch', '/api/v1/staff/{id}'],
  ['get', '/api/v1/availability/slots'],
  ['get', '/api/v1/availability/check'],
  ['post', '/api/v1/appointments'],
  ['get', '/api/v1/appointments'],
  ['delete', '/api/v1/appointments/{id}'],
  ['get', '/api/v1/dashboard/metrics'],
  ['get', '/api/v1/dashboard/realtime'],
  ['get', '/cache/health'],
  ['get', '/cache/stats'],
  ['post', '/cache/stats/reset'],
  ['get', '/cache/keys'],
  ['get', '/cache/keys/{key}'],
  ['delete', '/cache/keys/{key}'],
  ['post', '/cache/invalidate'],
  ['post', '/cache/warm'],
  ['post', '/cache/maintenance'],
  ['delete', '/cache'],
  ['get', '/cache/report'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
  ['get', '/metrics'],
];

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: Record<string, string[]>[]; tags?: string[] }>>;
  components: { securitySchemes?: Record<string, unknown> };
}

/** `/admin/orgs/{orgId}/keys` and `/admin/orgs/{id}/keys` are the same route. */
const normalize = (path: string) => path.replace(/\{[^}]+\}/g, '{}');

let harness: Harness;
let app: NestExpressApplication;

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
});

afterAll(async () => {
  await harness?.close();
});

describe('/docs', () => {
  it('documents every route of the API contract in /docs-json', async () => {
    const response = await request(app.getHttpServer()).get('/docs-json').expect(200);
    const document = response.body as OpenApiDocument;
    expect(document.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${normalize(path)}`)),
    );
    const missing = API_ROUTES.filter(([method, path]) => !documented.has(`${method} ${normalize(path)}`));
    expect(missing).toEqual([]);
  });

  it('asks for the bearer token on tenant and operator routes, and for nothing on the probes', async () => {
    const document = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body as OpenApiDocument;
    expect(document.components.securitySchemes).toHaveProperty('bearer');
    expect(document.paths['/api/v1/users'].get.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/admin/orgs'].post.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/health/live'].get.security).toEqual([]);
    expect(document.paths['/metrics'].get.security).toEqual([]);
    expect(document.paths['/api/v1/users'].get.tags?.length).toBeGreaterThan(0);
    expect(document.paths['/metrics'].get.tags?.length).toBeGreaterThan(0);
  });

  it('serves the UI and its assets from the app, with no external URL in the page', async () => {
    const server = app.getHttpServer();
    const page = await request(server).get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const html = page.text;
    expect(html).toContain('swagger-ui');
    const references = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((match) => match[1]);
    expect(references.length).toBeGreaterThan(0);
    expect(references.filter((url) => /^(https?:)?\/\//.test(url))).toEqual([]);

    for (const asset of references.filter((url) => /\.(js|css)$/.test(url))) {
      const path = new URL(asset, 'http://127.0.0.1/docs').pathname;
      const served = await request(server).get(path);
      expect([path, served.status]).toEqual([path, 200]);
    }
    const init = await request(server).get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
    // No validator badge: Swagger UI would send the document to validator.swagger.io.
    expect(init.text).toMatch(/"validatorUrl":\s*null/);
  });
});
