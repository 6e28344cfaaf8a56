/**
 * One scrape for a whole cluster: a worker's `/metrics` asks the primary over the cluster's IPC channel;
 * the primary (`clusterMetricsPrimary`, installed through `startCluster`'s `primary` hook) collects every
 * worker's registry with prom-client's `AggregatorRegistry` (counters and histograms summed, gauges
 * summed or per their aggregator) and answers the worker that asked.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type PrometheusContentType } from 'prom-client';

const ASK = 'mws-metrics:ask';
const ANSWER = 'mws-metrics:answer';

interface Ask { type: typeof ASK; id: number }
interface Answer { type: typeof ANSWER; id: number; text?: string; error?: string }

let nextId = 0;

/** In a worker: the aggregate of every worker, from the primary. */
export function askPrimary(timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (typeof process.send !== 'function') { reject(new Error('not a cluster worker (no IPC channel)')); return; }
    const id = ++nextId;
    const onMessage = (m: Answer): void => {
      if (m === null || typeof m !== 'object' || m.type !== ANSWER || m.id !== id) return;
      done();
      if (typeof m.text === 'string') resolve(m.text); else reject(new Error(`the primary could not aggregate: ${m.error ?? 'unknown'}`));
    };
    const timer = setTimeout(() => { done(); reject(new Error(`no answer from the primary within ${timeoutMs} ms (is clusterMetricsPrimary() installed in startCluster's primary hook?)`)); }, timeoutMs);
    const done = (): void => { clearTimeout(timer); process.off('message', onMessage); };
    process.on('message', onMessage);
    // With a callback a closed channel rejects this scrape instead of an 'error' on process.
    process.send({ type: ASK, id } satisfies Ask, undefined, undefined, (err) => { if (err) { done(); reject(err); } });
  });
}

/**
 * For the primary: answers workers' `/metrics` with every worker's metrics. Give it to `startCluster`'s
 * `primary` option (it returns the `stop()` the cluster calls). Also usable alone in a primary of your own.
 */
export function clusterMetricsPrimary(): () => { stop(): void; registry: AggregatorRegistry<PrometheusContentType> } {
  return () => {
    const registry = new AggregatorRegistry<PrometheusContentType>();
    const onMessage = (worker: Worker, m: Ask): void => {
      if (m === null || typeof m !== 'object' || m.type !== ASK) return;
      registry.clusterMetrics().then(
        (text) => { if (worker.isConnected()) worker.send({ type: ANSWER, id: m.id, text } satisfies Answer); },
        (err: Error) => { if (worker.isConnected()) worker.send({ type: ANSWER, id: m.id, error: err.message } satisfies Answer); },
      );
    };
    cluster.on('message', onMessage);
    return { registry, stop: () => { cluster.off('message', onMessage); } };
  };
}
