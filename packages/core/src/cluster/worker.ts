/**
 * A cluster worker's side of `startCluster`: build the servers with the user's setup, put them on the
 * cluster bus, start them, tell the primary they listen; on the primary's `stop` message (or a signal to
 * the worker itself, e.g. Ctrl-C reaching the whole process group) drain every server and exit.
 */
import cluster from 'node:cluster';
import { InProcessBus } from '../pubsub/bus';
import type { MicroWebSrv } from '../server/micro-web-srv';
import { clusterBus, type ClusterBus } from './cluster-bus';
import type { ClusterSetup } from './context';
import { isMws, type ReadyMessage } from './messages';
import type { ResolvedClusterOptions } from './options';
import { serversOf } from './setup-result';

/** What `startCluster` resolves with in a worker. */
export interface ClusterWorker {
  readonly isPrimary: false;
  /** node:cluster's id of this worker. */
  readonly workerId: number;
  /** The servers setup returned, started. */
  readonly servers: readonly MicroWebSrv[];
  /** This process's ClusterBus. */
  readonly bus: ClusterBus;
}

/** How long a drained worker waits for its goodbye with the primary before it exits anyway. */
const LEAVE_GRACE_MS = 5000;

/**
 * Ends a drained worker. Not `process.exit()` at once: with round-robin the primary may have handed this
 * worker a connection just before it learnt that the worker's listener closed; the worker must live to
 * send it back (node:cluster answers `accepted: false` and the primary gives it to another worker), else
 * the primary keeps its copy of the socket and that client waits forever. `worker.disconnect()` says
 * goodbye in order: its last message is answered after every connection handed over before, then the
 * IPC channel closes and the process ends by itself. A timer (unref'd) bounds it.
 */
function leave(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), LEAVE_GRACE_MS).unref();
  if (cluster.worker !== undefined && cluster.worker.isConnected()) cluster.worker.disconnect();
  else process.exit(code);
}

/** Runs the worker's part; resolves once every server listens (a failure is printed and exits 1). */
export async function runWorker(setup: ClusterSetup, o: ResolvedClusterOptions): Promise<ClusterWorker> {
  const workerId = cluster.worker?.id ?? 0;
  const bus = clusterBus();
  let servers: MicroWebSrv[] = [];
  try {
    servers = serversOf(await setup({ workerId, validating: false, bus }));
    if (o.bus === 'cluster') for (const s of servers) if (s.topics.bus instanceof InProcessBus) s.topics.bus = bus;
    for (const s of servers) if (!s.isRunning) await s.startManaged();
  } catch (err) {
    // The primary sees an exit before `ready`: at the cluster's start it stops everything and says so.
    console.error(`worker ${workerId} (pid ${process.pid}) failed to start: ${err instanceof Error ? err.message : String(err)}`);
    await Promise.allSettled(servers.map((s) => s.stop()));
    process.exit(1);
  }
  let stopping = false;
  const drain = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled(servers.map((s) => s.stop())).then((results) => {
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      for (const f of failed) console.error(`worker ${workerId}: stop failed: ${String((f.reason as Error)?.message ?? f.reason)}`);
      leave(failed.length === 0 ? 0 : 1);
    });
  };
  process.on('message', (m) => { if (isMws(m, ['stop'] as const)) drain(); });
  for (const sig of o.signals) process.on(sig, drain);
  const ready: ReadyMessage = { mws: 'ready', addresses: servers.map((s) => s.address) };
  process.send?.(ready);
  return { isPrimary: false, workerId, servers, bus };
}
