// Prometheus metrics: request duration by route and status, tokens issued by grant,
// logins by result. One registry per server (tests start several servers in one process).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  tokensIssued: Counter<'grant_type'>;
  logins: Counter<'result'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'idaas_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    tokensIssued: new Counter({
      name: 'idaas_tokens_issued_total',
      help: 'Tokens issued by the token endpoint, by grant type',
      labelNames: ['grant_type'],
      registers: [registry],
    }),
    logins: new Counter({
      name: 'idaas_logins_total',
      help: 'Sign-in attempts on hosted pages, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

const ID_LIKE =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_-]{20,})$/;

/** A low-cardinality route label: instance slugs and ids replaced by placeholders. */
export function routeLabel(path: string): string {
  const parts = path.split('/');
  if (parts[1] === 'i' && parts.length > 2) parts[2] = ':slug';
  if (parts[1] === 'api' && parts[3] === 'instances' && parts.length > 4) parts[4] = ':slug';
  return parts.map((p) => (ID_LIKE.test(p) ? ':id' : p)).join('/') || '/';
}
