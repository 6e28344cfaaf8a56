/**
 * @microwebsrv/mods-metrics — `GET /metrics` in the Prometheus text format (prom-client): slots,
 * connections, requests by method and status class, durations, bytes, WebSocket and SSE clients, pub/sub,
 * the bus's state, event-loop lag; one scrape for a whole cluster through the primary.
 */
export { Metrics, type MetricsOptions } from './metrics';
export { clusterMetricsPrimary } from './cluster-scrape';
