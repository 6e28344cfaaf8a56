/**
 * `startCluster(setup, options)`: one call runs the same server code on several cores (node:cluster).
 * The same script runs in the primary and in each worker; this function does the right part in each.
 */
import cluster from 'node:cluster';
import type { ClusterSetup } from './context';
import { resolveClusterOptions, type ClusterOptions } from './options';
import { runPrimary, type ClusterPrimary } from './primary';
import { checkSetup } from './setup-result';
import { runWorker, type ClusterWorker } from './worker';

/**
 * Runs `setup`'s servers on `options.workers` processes (default `os.availableParallelism()`).
 *
 * - In the primary: checks the options, runs `setup` once without starting anything (so a bad setting or
 *   preset throws here, once, with its usual error), calls the `primary` hook, forks the workers and
 *   resolves once all listen. It restarts a dead worker after a back-off, and stops the cluster (exit
 *   code 1, saying why) on a crash loop; SIGINT/SIGTERM drain every worker (graceful `stop()` of each
 *   server), then the primary exits 0. `rollingRestart()` replaces the workers one at a time.
 * - In a worker: runs `setup` (build and configure, do not start), moves servers left on the default bus
 *   to the worker's `ClusterBus`, starts each with `startManaged()` (own pool, own slots: the memory
 *   budget is per worker, total = workers × preset), and resolves once they listen.
 *
 * ```js
 * const { MicroWebSrv, startCluster } = require('@microwebsrv/core');
 * startCluster(() => {
 *   const srv = new MicroWebSrv();
 *   srv.registerRoute(() => `hello from ${process.pid}`, 'GET', '/');
 *   return srv;
 * }, { workers: 2 });
 * ```
 *
 * Misuse (setup not a function, a bad option) throws ERR_MWS_INVALID_OPTION naming the option, in the
 * primary, before any fork.
 */
export function startCluster(setup: ClusterSetup, options?: ClusterOptions): Promise<ClusterPrimary | ClusterWorker> {
  checkSetup(setup);
  const o = resolveClusterOptions(options);
  return cluster.isPrimary ? runPrimary(setup, o) : runWorker(setup, o);
}
