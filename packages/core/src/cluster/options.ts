/**
 * `startCluster`'s options: what they mean, their defaults, and the checks that run once, in the primary,
 * before any worker is forked (a bad option throws there with the option's name and what is allowed).
 */
import { availableParallelism } from 'node:os';
import { assertIntOption, assertNumberOption, invalidOption } from '../base/errors';
import type { PrimaryContext } from './context';

/** When a dead worker is started again, and when the cluster gives up. */
export interface RestartOptions {
  /**
   * At most this many worker deaths within `windowSec` are answered with a restart; one more is a crash
   * loop: the cluster stops (every worker drained), says why, and the primary exits with code 1.
   * Default 5.
   */
  maxRestarts?: number;
  /** The window, in seconds, over which deaths are counted (default 60). */
  windowSec?: number;
  /** Delay before the first restart, in ms; it doubles with each death still in the window (default 100). */
  initialDelayMs?: number;
  /** The back-off's ceiling, in ms (default 5000). */
  maxDelayMs?: number;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Worker processes (default `os.availableParallelism()`). Each owns its slot pool: memory = workers × preset. */
  workers?: number;
  /** Restart policy of dead workers (back-off and crash-loop cap). */
  restart?: RestartOptions;
  /**
   * Pub/sub across workers. `'cluster'` (default): every server whose bus is an `InProcessBus` (the
   * default bus) is moved to the worker's `ClusterBus`, so a publish in any worker reaches subscribers in
   * all workers; a server given another bus (a Redis one) keeps it. `'local'`: buses are left as `setup`
   * left them (each worker's topics are its own).
   */
  bus?: 'cluster' | 'local';
  /**
   * Run `setup` once in the primary before forking (default true), only to build and configure the
   * servers — never started — so that a bad setting or preset throws there, once, with its usual error,
   * instead of in every worker. Set false when `setup` must not run in the primary.
   */
  validate?: boolean;
  /**
   * Called once in the primary before the first fork, with `node:cluster` and the options: install
   * what belongs to the primary (prom-client's `AggregatorRegistry` and its scrape endpoint, a log
   * sink…). May return a promise, and a function or an object with `stop()`/`close()` that the
   * primary calls when the cluster stops.
   */
  primary?: (ctx: PrimaryContext) => unknown;
  /** Signals that drain every worker and end the primary (default `['SIGINT', 'SIGTERM']`). */
  signals?: NodeJS.Signals[];
  /**
   * Seconds the primary waits for the workers to drain on a stop before it kills the rest and exits
   * with code 1 (default 30; each server's own `stopTimeoutSec` bounds its drain first).
   */
  stopTimeoutSec?: number;
  /** Seconds a new worker has to be listening (setup done, servers started) before it counts as failed (default 30). */
  readyTimeoutSec?: number;
  /** Exit the primary when the cluster has stopped (default true): code 0, or 1 after a crash loop or a failed stop. */
  exit?: boolean;
  /** Where the primary's lines go (default console.error): worker deaths, restarts, the reason of a stop. */
  log?: (line: string) => void;
}

/** The options with their defaults, checked. */
export interface ResolvedClusterOptions {
  workers: number;
  restart: Required<RestartOptions>;
  bus: 'cluster' | 'local';
  validate: boolean;
  primary: ((ctx: PrimaryContext) => unknown) | null;
  signals: NodeJS.Signals[];
  stopTimeoutSec: number;
  readyTimeoutSec: number;
  exit: boolean;
  log: (line: string) => void;
}

const int = assertIntOption;
const num = assertNumberOption;

/** Checks `options` (throws ERR_MWS_INVALID_OPTION naming the option) and fills in the defaults. */
export function resolveClusterOptions(options: ClusterOptions | undefined): ResolvedClusterOptions {
  const o = options ?? {};
  if (o === null || typeof o !== 'object') throw invalidOption('startCluster options', 'an object', o);
  const r = o.restart ?? {};
  if (r === null || typeof r !== 'object') throw invalidOption('startCluster restart', 'an object { maxRestarts?, windowSec?, initialDelayMs?, maxDelayMs? }', r);
  const restart = {
    maxRestarts: int('startCluster restart.maxRestarts', r.maxRestarts ?? 5, 0, 1000),
    windowSec: num('startCluster restart.windowSec', r.windowSec ?? 60, 1, 86400),
    initialDelayMs: num('startCluster restart.initialDelayMs', r.initialDelayMs ?? 100, 0, 600000),
    maxDelayMs: num('startCluster restart.maxDelayMs', r.maxDelayMs ?? 5000, 0, 600000),
  };
  if (restart.maxDelayMs < restart.initialDelayMs) throw invalidOption('startCluster restart.maxDelayMs', `a number of ms at least restart.initialDelayMs (${restart.initialDelayMs})`, restart.maxDelayMs);
  const bus = o.bus ?? 'cluster';
  if (bus !== 'cluster' && bus !== 'local') throw invalidOption('startCluster bus', "'cluster' or 'local'", bus);
  const validate = o.validate ?? true;
  if (typeof validate !== 'boolean') throw invalidOption('startCluster validate', 'true or false', validate);
  if (o.primary !== undefined && typeof o.primary !== 'function') throw invalidOption('startCluster primary', 'a function (ctx) => void', o.primary);
  const signals = o.signals ?? ['SIGINT', 'SIGTERM'];
  if (!Array.isArray(signals) || signals.some((s) => typeof s !== 'string' || !/^SIG[A-Z0-9]+$/.test(s) || s === 'SIGKILL' || s === 'SIGSTOP')) {
    throw invalidOption('startCluster signals', 'an array of catchable signal names such as "SIGINT", "SIGTERM"', signals);
  }
  const exit = o.exit ?? true;
  if (typeof exit !== 'boolean') throw invalidOption('startCluster exit', 'true or false', exit);
  if (o.log !== undefined && typeof o.log !== 'function') throw invalidOption('startCluster log', 'a function (line) => void', o.log);
  return {
    workers: int('startCluster workers', o.workers ?? availableParallelism(), 1, 1024),
    restart, bus, validate, primary: o.primary ?? null, signals,
    stopTimeoutSec: num('startCluster stopTimeoutSec', o.stopTimeoutSec ?? 30, 0.1, 86400),
    readyTimeoutSec: num('startCluster readyTimeoutSec', o.readyTimeoutSec ?? 30, 0.1, 86400),
    exit,
    log: o.log ?? ((line) => console.error(line)),
  };
}
