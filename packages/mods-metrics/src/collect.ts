/**
 * The numbers of a set of servers as Prometheus metrics: read from each server's public counters
 * (`srv.stats`, `srv.traffic`, `srv.topics.stats`, its WebSockets / SSE modules' `count`, the bus's
 * `state` / `stats`) when scraped, never counted on the request path. Each metric is a small object the
 * prom-client `Registry` calls `get()` on (what its own metric classes offer), so a value computed
 * elsewhere (core's histogram buckets) is reported as is, and prom-client's `AggregatorRegistry` sums
 * them across cluster workers (`aggregator: 'sum'`).
 */
import type { MicroWebSrv } from '@microwebsrv/core';

type Labels = Record<string, string | number>;
interface Value { value: number; labels: Labels; metricName?: string }
export interface MetricJSON { name: string; help: string; type: string; aggregator: string; values: Value[] }

/** A metric as prom-client's Registry uses it (registerMetric / getMetricsAsString / getMetricsAsJSON). */
export interface PromMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  get(): Promise<MetricJSON>;
  reset(): void;
}

/** What one server contributes (its label and where to read). */
export interface Source { srv: MicroWebSrv; label(): string }

function metric(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: (sources: Source[]) => Value[], sources: Source[], aggregator = 'sum'): PromMetric {
  return {
    name, help, type, aggregator,
    async get() { return { name, help, type, aggregator, values: values(sources) }; },
    reset() { /* read from the servers: nothing kept here */ },
  };
}

/** The module of `srv` whose class is `className` and that has a numeric `count` (WebSockets, ServerSentEvents). */
function moduleCount(srv: MicroWebSrv, className: string): number {
  let n = 0;
  for (const m of srv.modules) {
    const c = (m as { count?: unknown }).count;
    if (m.constructor?.name === className && typeof c === 'number') n += c;
  }
  return n;
}

interface BusLike { state?: unknown; stats?: Record<string, unknown> }
const BUS_STATES = ['connecting', 'ready', 'down', 'closed'];

/** Every metric of the servers in `sources` (the array is read at each scrape: servers may be added later). */
export function serverMetrics(p: string, sources: Source[]): PromMetric[] {
  const per = (f: (s: MicroWebSrv) => number) => (ss: Source[]): Value[] => ss.map((s) => ({ value: f(s.srv), labels: { server: s.label() } }));
  const out: PromMetric[] = [
    metric(`${p}slots`, 'Buffer slots of the server\'s pool (its connection capacity).', 'gauge', per((s) => s.stats.slots?.count ?? 0), sources),
    metric(`${p}slots_in_use`, 'Buffer slots bound to a connection now.', 'gauge', per((s) => s.stats.slots?.inUse ?? 0), sources),
    metric(`${p}slots_free`, 'Buffer slots free now.', 'gauge', per((s) => s.stats.slots?.available ?? 0), sources),
    metric(`${p}connections_accepted_total`, 'Connections accepted (given a slot).', 'counter', per((s) => s.stats.accepted), sources),
    metric(`${p}connections_refused_total`, 'Connections refused for want of a free slot (503).', 'counter', per((s) => s.stats.refused), sources),
    metric(`${p}connections_open`, 'Connections open now (HTTP, WebSocket, SSE).', 'gauge', per((s) => s.stats.connections), sources),
    metric(`${p}http_requests_total`, 'Responses sent, by method and status class.', 'counter', (ss) => {
      const v: Value[] = [];
      for (const s of ss) {
        const by = s.srv.stats.byMethod;
        for (const [method, row] of Object.entries(by)) for (const [cls, n] of Object.entries(row)) if (n > 0) v.push({ value: n, labels: { server: s.label(), method, status_class: cls } });
      }
      return v;
    }, sources),
    metric(`${p}http_request_duration_seconds`, 'Time from a request\'s head to its response handed to the socket.', 'histogram', (ss) => {
      const v: Value[] = [];
      for (const s of ss) {
        const d = s.srv.stats.durations;
        const server = s.label();
        let cum = 0;
        for (let i = 0; i < d.bounds.length; i++) { cum += d.counts[i]!; v.push({ metricName: `${p}http_request_duration_seconds_bucket`, value: cum, labels: { server, le: d.bounds[i]! } }); }
        cum += d.counts[d.bounds.length]!;
        v.push({ metricName: `${p}http_request_duration_seconds_bucket`, value: cum, labels: { server, le: '+Inf' } });
        v.push({ metricName: `${p}http_request_duration_seconds_sum`, value: d.sum, labels: { server } });
        v.push({ metricName: `${p}http_request_duration_seconds_count`, value: d.count, labels: { server } });
      }
      return v;
    }, sources),
    metric(`${p}received_bytes_total`, 'Bytes received on the server\'s connections.', 'counter', per((s) => s.traffic.bytesIn), sources),
    metric(`${p}sent_bytes_total`, 'Bytes sent on the server\'s connections.', 'counter', per((s) => s.traffic.bytesOut), sources),
    metric(`${p}websocket_clients`, 'WebSocket connections open now.', 'gauge', per((s) => moduleCount(s, 'WebSockets')), sources),
    metric(`${p}sse_clients`, 'Server-sent event streams open now.', 'gauge', per((s) => moduleCount(s, 'ServerSentEvents')), sources),
    metric(`${p}pubsub_published_total`, 'Messages published through the server\'s topics.', 'counter', per((s) => s.topics.stats.published), sources),
    metric(`${p}pubsub_delivered_total`, 'Messages handed to the server\'s local subscribers (one per subscriber).', 'counter', per((s) => s.topics.stats.delivered), sources),
    metric(`${p}pubsub_dropped_total`, 'Messages a slow subscriber did not get (its queue full).', 'counter', per((s) => s.topics.stats.dropped), sources),
    // The bus: one per process usually, shared by its servers; reported once per distinct bus.
    metric(`${p}bus_state`, 'The pub/sub transport\'s state (1 for the current one): a cross-process bus (Redis) may be down.', 'gauge', (ss) => {
      const v: Value[] = [];
      for (const bus of distinctBuses(ss)) {
        const st = typeof bus.state === 'string' ? bus.state : 'ready'; // an in-process bus is always up
        for (const state of BUS_STATES) v.push({ value: state === st ? 1 : 0, labels: { state } });
      }
      return v;
    }, sources, 'max'),
    metric(`${p}bus_undelivered_total`, 'Publishes that reached this process only (the bus was down, or the broker refused them): other processes never got them.', 'counter', (ss) => {
      let n = 0;
      for (const bus of distinctBuses(ss)) n += num(bus.stats?.localOnly) + num(bus.stats?.failed);
      return [{ value: n, labels: {} }];
    }, sources),
    metric(`${p}bus_reconnects_total`, 'Times the cross-process bus came back after being down.', 'counter', (ss) => {
      let n = 0;
      for (const bus of distinctBuses(ss)) n += num(bus.stats?.reconnects);
      return [{ value: n, labels: {} }];
    }, sources),
  ];
  return out;
}

function num(v: unknown): number { return typeof v === 'number' ? v : 0; }

function distinctBuses(ss: Source[]): BusLike[] {
  return [...new Set(ss.map((s) => s.srv.topics.bus as BusLike))];
}
