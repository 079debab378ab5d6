// Runs before each test file (jest.config.js setupFiles). With PGlite the rig starts one
// instance per Jest worker, since one PGlite serves one connection at a time; point this
// worker's TEST_DATABASE_URL at its own instance so parallel suites never wait on each other.
const pgliteUrls = (process.env.TEST_PGLITE_URLS ?? '').split(',').filter(Boolean);

if (process.env.TEST_DATABASE_KIND === 'pglite' && pgliteUrls.length > 0) {
  const workerId = Number(process.env.JEST_WORKER_ID ?? '1') || 1;
  process.env.TEST_DATABASE_URL = pgliteUrls[(workerId - 1) % pgliteUrls.length];
}

export {};
