// Tenant and operator authentication: who reaches /api/v1 and /admin, and key revocation that
// takes effect at once on every instance sharing Redis.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer, createHarness, createOrg, type Harness, OPERATOR_TOKEN } from './api-harness';

let harness: Harness;
let first: NestExpressApplication;
let second: NestExpressApplication;

beforeAll(async () => {
  harness = await createHarness({ redis: true });
  first = await harness.start();
  second = await harness.start();
});

afterAll(async () => {
  await harness?.close();
});

describe('operator routes (/admin)', () => {
  it('creates an organization with a first key shown once', async () => {
    const response = await request(first.getHttpServer())
      .post('/admin/orgs')
      .set(...bearer(OPERATOR_TOKEN))
      .send({ name: 'Barbers Inc' })
      .expect(201);

    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Barbers Inc',
      apiKey: expect.stringMatching(/^ck_/),
      keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('is 401 without credentials or with an unknown token, 403 with a tenant key', async () => {
    const org = await createOrg(first);
    const server = first.getHttpServer();

    const none = await request(server).post('/admin/orgs').send({ name: 'x' }).expect(401);
    await request(server).post('/admin/orgs').set(...bearer('not-a-token')).send({ name: 'x' }).expect(401);
    await request(server).post('/admin/orgs').set('authorization', `Basic ${OPERATOR_TOKEN}`).send({ name: 'x' }).expect(401);
    const tenant = await request(server).post('/admin/orgs').set(...bearer(org.apiKey)).send({ name: 'x' }).expect(403);
    await request(server).delete(`/admin/keys/${org.keyId}`).set(...bearer(org.apiKey)).expect(403);

    expect(none.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(tenant.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('validates the body and ids, naming the field', async () => {
    const server = first.getHttpServer();

    const noName = await request(server).post('/admin/orgs').set(...bearer(OPERATOR_TOKEN)).send({}).expect(400);
    const badId = await request(server).post('/admin/orgs/nope/keys').set(...bearer(OPERATOR_TOKEN)).expect(400);
    await request(server).post('/admin/orgs/00000000-0000-4000-8000-000000000000/keys').set(...bearer(OPERATOR_TOKEN)).expect(404);
    const badKey = await request(server).delete('/admin/keys/123').set(...bearer(OPERATOR_TOKEN)).expect(400);
    await request(server).delete('/admin/keys/00000000-0000-4000-8000-000000000000').set(...bearer(OPERATOR_TOKEN)).expect(404);

    expect(noName.body.message).toEqual(expect.arrayContaining([expect.stringContaining('name')]));
    expect(badId.body.message).toEqual(['id must be a UUID']);
    expect(badKey.body.message).toEqual(['keyId must be a UUID']);
  });
});

describe('tenant routes (/api/v1)', () => {
  it('is 401 without credentials or with an unknown key, 403 with the operator token', async () => {
    const server = first.getHttpServer();

    await request(server).get('/api/v1/users').expect(401);
    await request(server).get('/api/v1/users').set(...bearer('ck_unknown')).expect(401);
    const operator = await request(server).get('/api/v1/users').set(...bearer(OPERATOR_TOKEN)).expect(403);

    expect(operator.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('admits a key issued later, and a revoked key is 401 at once on every instance', async () => {
    const org = await createOrg(first);
    const issued = await request(first.getHttpServer())
      .post(`/admin/orgs/${org.id}/keys`)
      .set(...bearer(OPERATOR_TOKEN))
      .expect(201);
    const { apiKey, keyId } = issued.body as { apiKey: string; keyId: string };

    // Both instances have the lookup cached (L1 and Redis) before the revoke.
    await request(first.getHttpServer()).get('/api/v1/users').set(...bearer(apiKey)).expect(200);
    await request(second.getHttpServer()).get('/api/v1/users').set(...bearer(apiKey)).expect(200);
    await request(first.getHttpServer()).delete(`/admin/keys/${keyId}`).set(...bearer(OPERATOR_TOKEN)).expect(204);

    await request(second.getHttpServer()).get('/api/v1/users').set(...bearer(apiKey)).expect(401);
    await request(first.getHttpServer()).get('/api/v1/users').set(...bearer(apiKey)).expect(401);
    // The organization's other key still works, and revoking twice is harmless.
    await request(second.getHttpServer()).get('/api/v1/users').set(...bearer(org.apiKey)).expect(200);
    await request(second.getHttpServer()).delete(`/admin/keys/${keyId}`).set(...bearer(OPERATOR_TOKEN)).expect(204);
  });
});
