import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** Where the UI is served; the document itself is at `/docs-json` (and `/docs-yaml`). */
export const DOCS_PATH = 'docs';

/** Routes anyone may call (docs/api.md "Principals"): no credentials in their documentation. */
const PUBLIC_ROUTE = /^\/(health|metrics)(\/|$)/;

/**
 * Builds the OpenAPI document from the controllers and DTOs and serves it with Swagger UI at
 * /docs. The UI's assets come from swagger-ui-dist inside the app (no CDN), so the page works
 * offline and under a strict CSP.
 */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('nest-cache-platform')
    .setDescription(
      'Multi-tenant API with a two-tier cache. Tenants use `Authorization: Bearer <api key>` on /api/v1; ' +
        'operators use `Bearer <ADMIN_TOKEN>` on /cache and /admin; /health, /metrics and /docs are public. ' +
        'Every limited route answers RateLimit-Limit/Remaining/Reset, and 429 with Retry-After past the limit.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A tenant API key or the operator token' }, 'bearer')
    .build();
  const document = withDefaults(SwaggerModule.createDocument(app, config));
  SwaggerModule.setup(DOCS_PATH, app, document, {
    customSiteTitle: 'nest-cache-platform API',
    // Swagger UI would otherwise send the document to validator.swagger.io for its badge.
    swaggerOptions: { validatorUrl: null },
  });
  return document;
}

/**
 * Fills what the controllers do not say themselves: a tag per first path segment, and the
 * bearer requirement on every route but the public probes.
 */
function withDefaults(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation === undefined) continue;
      if (operation.tags === undefined || operation.tags.length === 0) operation.tags = [tagOf(path)];
      if (operation.security === undefined) operation.security = PUBLIC_ROUTE.test(path) ? [] : [{ bearer: [] }];
    }
  }
  return document;
}

function tagOf(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  return segments[0] === 'api' ? (segments[2] ?? 'api') : (segments[0] ?? 'root');
}
