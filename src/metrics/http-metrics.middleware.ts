import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import { PROMETHEUS_REGISTRY } from './prometheus.registry';

/** What Express leaves on a request once a route matched it. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/** Label of requests no route matched (404s for unknown paths), so raw URLs never become labels. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The two series one (method, route, status) combination feeds, resolved once. */
interface Series {
  requests: { inc(): void };
  duration: { observe(seconds: number): void };
}

/** Combinations kept resolved at most; beyond it a request resolves its labels as it goes (bounded by routes × methods × statuses anyway). */
const MAX_SERIES = 2_000;

/**
 * Counts HTTP requests and their durations by method, route template (`/api/v1/users/:id`,
 * never the raw URL: one series per id would be unbounded) and status code. Measures from the
 * middleware to the response's end, so guard rejections (401, 429) count too.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly requests: Counter<'method' | 'route' | 'status_code'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;
  /**
   * `method route status` → its series: prom-client hashes a label object on every inc/observe;
   * a series resolved once (`labels(...)`) is a plain increment per request.
   */
  private readonly series = new Map<string, Series>();

  constructor(@Inject(PROMETHEUS_REGISTRY) registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request durations by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  }

  use(request: RoutedRequest, response: ServerResponse, next: () => void): void {
    const started = performance.now();
    // A response finishes once: `on`, no once-wrapper to allocate and remove per request.
    response.on('finish', () => {
      const path = request.route?.path;
      const route = typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
      const series = this.seriesOf(request.method ?? 'UNKNOWN', route, response.statusCode);
      series.requests.inc();
      series.duration.observe((performance.now() - started) / 1000);
    });
    next();
  }

  private seriesOf(method: string, route: string, status: number): Series {
    const id = `${method} ${route} ${status}`;
    let series = this.series.get(id);
    if (series === undefined) {
      const labels = { method, route, status_code: String(status) };
      series = { requests: this.requests.labels(labels), duration: this.duration.labels(labels) };
      // A reset registry (none here) would orphan them; bounded so odd statuses cannot grow it forever.
      if (this.series.size < MAX_SERIES) this.series.set(id, series);
    }
    return series;
  }
}
