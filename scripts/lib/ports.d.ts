// Types for ports.js, which test/support/redis-server.ts imports.
export function getFreePort(): Promise<number>;
