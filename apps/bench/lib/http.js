'use strict';
// Small HTTP helpers for the harness's own requests (set-up, probes, the stampede burst).
const http = require('node:http');

/** @returns {Promise<{ status: number, body: string, json(): any }>} */
function request(url, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: payload ? { ...headers, 'content-type': 'application/json', 'content-length': payload.length } : headers,
        timeout: 15_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, body: text, bytes: Buffer.concat(chunks).length, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like `request`, but fails unless the status is `expected`. */
async function expectStatus(expected, url, options) {
  const response = await request(url, options);
  if (response.status !== expected) {
    throw new Error(`${options?.method ?? 'GET'} ${url}: expected ${expected}, got ${response.status}: ${response.body.slice(0, 300)}`);
  }
  return response;
}

module.exports = { request, expectStatus };
