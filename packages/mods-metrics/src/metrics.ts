/**
 * `Metrics`: the MicroWebSrv module that answers `GET /metrics` (path configurable) in the Prometheus
 * text format, on prom-client. Loading it is the opt-in; it runs behind the server's access check
 * (`requireBasicAuth`, `onAccessCheck`), as every module does. Several servers of one process (HTTP and
 * HTTPS) share one registry and are told apart by the `server` label.
 *
 * In a cluster (core's `startCluster`), `clusterAggregate: true` makes a worker's `/metrics` ask the
 * primary, which collects every worker's metrics with prom-client's `AggregatorRegistry` (install it
 * with `startCluster(setup, { primary: clusterMetricsPrimary() })`): one scrape covers every worker.
 */
import type { HttpRequest, MicroWebSrv, MwsModule } from '@microwebsrv/core';
import { invalidOption, type MwsError } from '@microwebsrv/core';
import cluster from 'node:cluster';
import { AggregatorRegistry, Registry, collectDefaultMetrics } from 'prom-client';
import { serverMetrics, type PromMetric, type Source } from './collect';
import { askPrimary } from './cluster-scrape';

export interface MetricsOptions {
  /** Where the metrics are served (default `/metrics`). */
  path?: string;
  /** The prom-client registry to fill (default: one shared by every server of this process using the default). Add your own metrics to it. */
  registry?: Registry;
  /** Prefix of the metric names (default `mws_`). */
  prefix?: string;
  /** prom-client's default metrics: event-loop lag, heap, CPU, GC… (default true). */
  defaultMetrics?: boolean;
  /** In a cluster worker: answer with every worker's metrics, summed by the primary (default false). */
  clusterAggregate?: boolean;
  /** How long a worker waits for the primary's aggregate, ms (default 5000); then 503. */
  clusterTimeoutMs?: number;
}

interface Shared { sources: Source[]; defaults: boolean }
const shared = new WeakMap<Registry, Shared>();
let defaultRegistry: Registry | null = null;
const workerRegistries: Registry[] = [];
let workerListener: AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'> | null = null;

/** core's misuse error, the option named as users write it (`Metrics options.path`). */
function invalid(name: string, allowed: string, got: unknown): MwsError {
  return invalidOption(name === '' ? 'Metrics options' : `Metrics options.${name}`, allowed, got);
}

export class Metrics implements MwsModule {
  readonly server: MicroWebSrv;
  /** The registry served (add your own metrics to it). */
  readonly registry: Registry;
  readonly path: string;
  private readonly _aggregate: boolean;
  private readonly _timeoutMs: number;

  constructor(server: MicroWebSrv, options: MetricsOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalid('', 'an object', options);
    const path = options.path ?? '/metrics';
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalid('path', 'a path starting with /', path);
    const prefix = options.prefix ?? 'mws_';
    if (typeof prefix !== 'string' || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(prefix)) throw invalid('prefix', 'a Prometheus name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)', prefix);
    if (options.registry !== undefined && !(options.registry instanceof Registry)) throw invalid('registry', "a prom-client Registry (of this package's prom-client)", options.registry);
    if (options.defaultMetrics !== undefined && typeof options.defaultMetrics !== 'boolean') throw invalid('defaultMetrics', 'true or false', options.defaultMetrics);
    if (options.clusterAggregate !== undefined && typeof options.clusterAggregate !== 'boolean') throw invalid('clusterAggregate', 'true or false', options.clusterAggregate);
    const timeout = options.clusterTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(timeout) || timeout < 1) throw invalid('clusterTimeoutMs', 'an integer >= 1', timeout);
    this.server = server;
    this.path = path;
    this._aggregate = options.clusterAggregate === true && cluster.isWorker;
    this._timeoutMs = timeout;
    const registry = options.registry ?? (defaultRegistry ??= new Registry());
    this.registry = registry;
    let sh = shared.get(registry);
    if (sh === undefined) {
      sh = { sources: [], defaults: false };
      shared.set(registry, sh);
      for (const m of serverMetrics(prefix, sh.sources)) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
      // A worker answers the primary's AggregatorRegistry with this registry's metrics.
      // (prom-client installs that answering listener when an AggregatorRegistry is made in the worker.)
      if (cluster.isWorker) { workerRegistries.push(registry); AggregatorRegistry.setRegistries(workerRegistries); workerListener ??= new AggregatorRegistry(); }
    }
    if (options.defaultMetrics !== false && !sh.defaults) { sh.defaults = true; collectDefaultMetrics({ register: registry }); }
    const srv = server;
    sh.sources.push({ srv, label: () => `${srv.isSSLEnabled ? 'https' : 'http'}:${srv.address[1]}` });
    server.measureDurations = true;
  }

  /** The metrics in the Prometheus text format (this process's). */
  text(): Promise<string> { return this.registry.metrics(); }

  onRequest(_server: MicroWebSrv, request: HttpRequest): void | Promise<void> {
    if (request.path !== this.path) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') { request.response.returnMethodNotAllowed(['GET', 'HEAD']); return; }
    return this._answer(request);
  }

  private async _answer(request: HttpRequest): Promise<void> {
    const r = request.response;
    let text: string;
    try {
      text = this._aggregate ? await askPrimary(this._timeoutMs) : await this.registry.metrics();
    } catch (err) {
      this.server.log(`metrics: ${err instanceof Error ? err.message : String(err)} >> [503]`, 'WARNING');
      r.return(503, 'metrics unavailable');
      return;
    }
    r.contentType = this.registry.contentType;
    r.setHeader('Cache-Control', 'no-store');
    r.returnOk(text);
  }
}

export type { PromMetric };
