// e2e suites start the app and real servers; a restart or a cluster round trip takes seconds,
// more when both cores are busy. Jest 30's circus runner ignores a project's `testTimeout` (it
// reads only the global one), so the e2e project sets it here (setupFilesAfterEnv).
jest.setTimeout(30_000);
