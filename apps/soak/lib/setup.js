'use strict';
// What the soak's traffic needs: an organization made through the operator route, its API key,
// and users made through the tenant route, each named "soak <index> v0".
const { expectStatus } = require('../../bench/lib/http');

/** An organization (operator route), its API key, and `count` users named "soak <i> v0". */
async function setUp(api, adminToken, count) {
  const org = await expectStatus(201, `${api.baseUrl}/admin/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    body: { name: 'soak' },
  });
  const { apiKey } = org.json();
  const headers = { authorization: `Bearer ${apiKey}` };
  const users = new Array(count);
  const create = async (index) => {
    const response = await expectStatus(201, `${api.baseUrl}/api/v1/users`, {
      method: 'POST',
      headers,
      body: { email: `soak-${index}@example.com`, name: `soak ${index} v0` },
    });
    users[index] = { id: response.json().id, index, version: 0 };
  };
  for (let i = 0; i < count; i += 10) await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => create(i + j)));
  return { apiKey, users };
}

module.exports = { setUp };
