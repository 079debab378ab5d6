import { Registry, collectDefaultMetrics } from 'prom-client';

/** Injection token of this application's Prometheus registry (one per app, so tests can run several). */
export const PROMETHEUS_REGISTRY = Symbol('PROMETHEUS_REGISTRY');

/** A registry with Node's default metrics (CPU, memory, event loop lag, GC, handles). */
export function createPrometheusRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
