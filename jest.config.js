'use strict';
// Two projects: `unit` (specs beside the code) and `e2e` (test/, against the Redis servers and
// the database that scripts/test.js provisions). Run them through `npm test`, which sets the
// TEST_* variables: `npm test -- --selectProjects unit`, `npm test -- test/rig.e2e-spec.ts`.
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j)s$': '<rootDir>/test/support/jest-transform.js' },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs)/)'],
  // The library's three entry points (tsconfig.json `paths`): no deep import into libs/cache/src.
  moduleNameMapper: { '^@app/cache(|/internals|/testing)$': '<rootDir>/libs/cache/src$1' },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};

module.exports = {
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // A 30 s test timeout: a project's `testTimeout` is ignored by Jest 30, see the file.
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
  ],
};
