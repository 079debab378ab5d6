// `@app/cache/testing`: helpers for tests of the library and of applications that use it.
export * from './cache-test-app';
export * from './store-contract';
