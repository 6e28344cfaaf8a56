/** What `startCluster` hands to the user's code: the setup's context in each worker, the primary's hook context. */
import type { Cluster } from 'node:cluster';
import type { Bus } from '../pubsub/bus';
import type { PublishData, PublishOptions, TopicMessage } from '../pubsub/message';
import type { MicroWebSrv } from '../server/micro-web-srv';

/** Given to `setup` in each worker (and in the primary's validation run). */
export interface SetupContext {
  /** node:cluster's id of this worker (1, 2, …; a restarted worker gets a new one); 0 in the validation run. */
  readonly workerId: number;
  /**
   * True in the primary's validation run: build and configure the servers, start and open nothing (no
   * timers, connections or files to write); they are discarded. False in a worker.
   */
  readonly validating: boolean;
  /** This process's `ClusterBus` (a publish reaches every worker's subscribers). */
  readonly bus: Bus;
}

/** What `setup` returns: the servers to start (not started yet), or a promise of them. */
export type SetupResult = MicroWebSrv | readonly MicroWebSrv[];

/** Builds and configures the worker's servers with the same code in every worker; `startCluster` starts them. */
export type ClusterSetup = (ctx: SetupContext) => SetupResult | Promise<SetupResult>;

/** Given to the `primary` hook. */
export interface PrimaryContext {
  /** `node:cluster` (for prom-client's `AggregatorRegistry`, or listening to workers' messages). */
  readonly cluster: Cluster;
  /** How many workers the cluster keeps running. */
  readonly workers: number;
  /** Publishes to the workers' subscribers (see `ClusterPrimary.publish`); usable once workers subscribed. */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage;
}
