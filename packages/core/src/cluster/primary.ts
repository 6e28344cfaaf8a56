/**
 * The primary's side of `startCluster`: forks the workers, forwards the cluster bus, restarts dead
 * workers (back-off, crash-loop cap), replaces them one at a time on a rolling restart, and on a signal
 * drains them all and exits. The listening sockets stay in the primary (node:cluster's round-robin hands
 * each accepted connection to a worker), so while one worker is replaced the others keep accepting.
 */
import cluster, { type Worker } from 'node:cluster';
import { makeMessage, type PublishData, type PublishOptions, type TopicMessage } from '../pubsub/message';
import { BusRouter } from './bus-router';
import type { ClusterSetup } from './context';
import { isMws, type PubMessage, type ReadyMessage, type SubMessage } from './messages';
import type { ResolvedClusterOptions } from './options';
import { RestartPolicy } from './restart-policy';
import { serversOf } from './setup-result';
import { clusterBus } from './cluster-bus';

/** One worker as the primary tracks it. */
export interface WorkerInfo {
  readonly id: number;
  readonly pid: number;
  /** Its servers listen (it sent `ready`). */
  readonly ready: boolean;
}

/** What `startCluster` resolves with in the primary. */
export interface ClusterPrimary {
  readonly isPrimary: true;
  /** The workers running now. */
  readonly workers: WorkerInfo[];
  /** Where the servers listen (host, port) in setup's order, as the first worker reported. */
  readonly addresses: Array<[string, number]>;
  /**
   * Replaces every worker, one at a time: a new one is forked, and only once its servers listen is the
   * old one drained (graceful stop) and the next replaced. Connections keep being accepted throughout.
   * Rejects (the old worker keeps serving) if a new worker fails to start. A call during a rolling restart
   * returns the running one.
   */
  rollingRestart(): Promise<void>;
  /** Drains every worker and stops the cluster (as a signal does); resolves with the exit code. */
  stop(): Promise<number>;
  /**
   * Publishes from the primary (a scheduler, an admin hook): the message reaches the subscribers of
   * every worker whose servers subscribed a matching pattern, as a worker's publish does. Same
   * arguments and checks as `srv.publish`.
   */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage;
}

class Tracked implements WorkerInfo {
  ready = false;
  /** Being replaced or stopped on purpose: its exit is no death. */
  retiring = false;
  /**
   * Forked by a rolling restart: failing before ready rejects that restart (the old worker keeps
   * serving); it is not a death to replace, or a bad deploy would add workers and then crash-loop.
   */
  replacement = false;
  /** Forked at the cluster's start: failing before ready stops the cluster. */
  readonly initial: boolean;
  readonly worker: Worker;
  /** Publishes still in its channel (the bound of what the primary queues for a stalled worker). */
  pending = 0;
  readonly readyWaiters: Array<(err: Error | null) => void> = [];
  readonly exitWaiters: Array<() => void> = [];
  constructor(worker: Worker, initial: boolean) { this.worker = worker; this.initial = initial; }
  get id(): number { return this.worker.id; }
  get pid(): number { return this.worker.process.pid ?? 0; }
}

const MAX_PENDING_PER_WORKER = 10000;

class Primary implements ClusterPrimary {
  readonly isPrimary = true as const;
  addresses: Array<[string, number]> = [];
  private readonly _o: ResolvedClusterOptions;
  private readonly _tracked = new Map<number, Tracked>();
  private readonly _policy: RestartPolicy;
  private readonly _router: BusRouter;
  private readonly _timers = new Set<NodeJS.Timeout>();
  private _rolling: Promise<void> | null = null;
  private _stopping: Promise<number> | null = null;
  private _cleanup: unknown = null;
  private _exitCodeOk = true;

  constructor(o: ResolvedClusterOptions) {
    this._o = o;
    this._policy = new RestartPolicy(o.restart);
    this._router = new BusRouter((id, m) => this._forward(id, m));
  }

  get workers(): WorkerInfo[] { return [...this._tracked.values()].map((t) => ({ id: t.id, pid: t.pid, ready: t.ready })); }

  async start(): Promise<void> {
    cluster.on('message', (w, m) => this._onMessage(w, m));
    cluster.on('exit', (w, code, signal) => this._onExit(w, code, signal));
    for (const sig of this._o.signals) process.on(sig, (s: NodeJS.Signals) => this._onSignal(s));
    if (this._o.primary !== null) this._cleanup = await this._o.primary({ cluster, workers: this._o.workers, publish: (t, d, o) => this.publish(t, d, o) });
    const first = Array.from({ length: this._o.workers }, () => this._fork(true));
    const results = await Promise.allSettled(first.map((t) => this._whenReady(t)));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      const code = await this._stop(1, `${(failed.reason as Error).message}: stopping the cluster`);
      throw new Error(`the cluster did not start (exit code ${code})`);
    }
  }

  rollingRestart(): Promise<void> {
    if (this._stopping !== null) return Promise.reject(new Error('rollingRestart: the cluster is stopping'));
    return this._rolling ??= this._roll().finally(() => { this._rolling = null; });
  }

  stop(): Promise<number> { return this._stop(0, 'stop(): draining the workers'); }

  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage {
    const m = makeMessage(topic, data, options);
    // From no worker (id 0): every worker with a matching pattern gets it.
    this._router.route(0, { mws: 'pub', topic: m.topic, data: m.data, binary: m.binary, event: m.event });
    return m;
  }

  // ---- workers -------------------------------------------------------------------------------

  private _fork(initial: boolean): Tracked {
    const t = new Tracked(cluster.fork(), initial);
    this._tracked.set(t.id, t);
    // A worker that never says ready (setup hangs) is killed: its exit is then a failure to start.
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      if (!t.ready && !t.retiring) {
        this._o.log(`worker ${t.id} (pid ${t.pid}) not listening after ${this._o.readyTimeoutSec} s: killing it`);
        t.worker.process.kill('SIGKILL');
      }
    }, this._o.readyTimeoutSec * 1000);
    this._timers.add(timer);
    t.readyWaiters.push(() => { clearTimeout(timer); this._timers.delete(timer); });
    return t;
  }

  private _whenReady(t: Tracked): Promise<void> {
    if (t.ready) return Promise.resolve();
    return new Promise((resolve, reject) => t.readyWaiters.push((err) => (err ? reject(err) : resolve())));
  }

  private _whenExited(t: Tracked): Promise<void> {
    if (!this._tracked.has(t.id)) return Promise.resolve();
    return new Promise((resolve) => t.exitWaiters.push(resolve));
  }

  private _onMessage(w: Worker, m: unknown): void {
    const t = this._tracked.get(w.id);
    if (t === undefined || !isMws(m, ['ready', 'sub', 'unsub', 'pub'] as const)) return;
    switch (m.mws) {
      case 'pub': this._router.route(w.id, m as PubMessage); break;
      case 'sub': this._router.subscribe(w.id, (m as SubMessage).pattern); break;
      case 'unsub': this._router.unsubscribe(w.id, (m as SubMessage).pattern); break;
      case 'ready': {
        t.ready = true;
        if (this.addresses.length === 0) this.addresses = (m as ReadyMessage).addresses;
        for (const f of t.readyWaiters.splice(0)) f(null);
        break;
      }
    }
  }

  private _forward(id: number, m: PubMessage): boolean {
    const t = this._tracked.get(id);
    if (t === undefined || !t.worker.isConnected() || t.pending >= MAX_PENDING_PER_WORKER) return false;
    t.pending++;
    // false from send() only means "queued behind others": the pending count is the bound.
    t.worker.send(m, undefined, () => { t.pending--; });
    return true;
  }

  private _onExit(w: Worker, code: number | null, signal: string | null): void {
    const t = this._tracked.get(w.id);
    if (t === undefined) return;
    this._tracked.delete(w.id);
    this._router.removeWorker(w.id);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const planned = t.retiring || this._stopping !== null;
    if (planned && code !== 0) this._exitCodeOk = false;
    if (!t.ready) for (const f of t.readyWaiters.splice(0)) f(new Error(`worker ${t.id} (pid ${t.pid}) exited (${how}) before it was listening`));
    for (const f of t.exitWaiters.splice(0)) f();
    if (planned || (!t.ready && (t.initial || t.replacement))) return;
    const d = this._policy.onDeath(Date.now());
    if (!d.restart) {
      void this._stop(1, `worker ${t.id} (pid ${t.pid}) died (${how}); crash loop: ${d.deaths} worker deaths within ${this._o.restart.windowSec} s exceed restart.maxRestarts (${this._o.restart.maxRestarts}): stopping the cluster`);
      return;
    }
    this._o.log(`worker ${t.id} (pid ${t.pid}) died (${how}): restarting in ${d.delayMs} ms`);
    const timer = setTimeout(() => {
      this._timers.delete(timer);
      if (this._stopping === null) this._fork(false);
    }, d.delayMs);
    this._timers.add(timer);
  }

  private async _roll(): Promise<void> {
    for (const old of [...this._tracked.values()]) {
      if (this._stopping !== null) return;
      if (!this._tracked.has(old.id) || old.retiring) continue; // died meanwhile (and was restarted)
      const fresh = this._fork(false);
      fresh.replacement = true;
      try {
        await this._whenReady(fresh);
      } catch (err) {
        throw new Error(`rollingRestart: ${(err as Error).message}; worker ${old.id} keeps serving`);
      }
      this._o.log(`rolling restart: worker ${fresh.id} (pid ${fresh.pid}) listening, draining worker ${old.id} (pid ${old.pid})`);
      old.retiring = true;
      if (old.worker.isConnected()) old.worker.send({ mws: 'stop' });
      await this._whenExited(old);
    }
  }

  // ---- stopping ------------------------------------------------------------------------------

  private _onSignal(signal: NodeJS.Signals): void {
    if (this._stopping !== null) {
      this._o.log(`${signal} again while stopping: killing the workers and exiting now`);
      for (const t of this._tracked.values()) t.worker.process.kill('SIGKILL');
      process.exit(1);
    }
    void this._stop(0, `${signal}: draining ${this._tracked.size} worker(s)`);
  }

  private _stop(code: number, why: string): Promise<number> {
    return this._stopping ??= this._drain(code, why);
  }

  private async _drain(code: number, why: string): Promise<number> {
    this._o.log(why);
    for (const timer of this._timers) clearTimeout(timer);
    this._timers.clear();
    const all = [...this._tracked.values()];
    for (const t of all) { t.retiring = true; if (t.worker.isConnected()) t.worker.send({ mws: 'stop' }); }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), this._o.stopTimeoutSec * 1000); });
    const drained = await Promise.race([Promise.all(all.map((t) => this._whenExited(t))).then(() => true), deadline]);
    clearTimeout(timer);
    if (!drained) {
      this._o.log(`workers still running after stopTimeoutSec (${this._o.stopTimeoutSec} s): killing them`);
      for (const t of this._tracked.values()) t.worker.process.kill('SIGKILL');
      code = 1;
    }
    if (!this._exitCodeOk) code = 1;
    try { await runCleanup(this._cleanup); } catch (err) { this._o.log(`primary hook's cleanup failed: ${(err as Error).message}`); code = 1; }
    if (this._o.exit) process.exit(code);
    process.exitCode = code;
    return code;
  }
}

/** Calls what the primary hook returned: a function, or an object's stop() / close(). */
async function runCleanup(c: unknown): Promise<void> {
  if (typeof c === 'function') { await (c as () => unknown)(); return; }
  const o = c as { stop?: () => unknown; close?: () => unknown } | null;
  if (o !== null && typeof o === 'object') {
    if (typeof o.stop === 'function') await o.stop();
    else if (typeof o.close === 'function') await o.close();
  }
}

/** Runs the primary: validates setup once (no server started), installs the hook, forks, resolves when all listen. */
export async function runPrimary(setup: ClusterSetup, o: ResolvedClusterOptions): Promise<ClusterPrimary> {
  // Settings and presets are checked by their setters: building the servers once here makes a bad one
  // throw in the primary, with its usual error, before any worker is forked.
  if (o.validate) serversOf(await setup({ workerId: 0, validating: true, bus: clusterBus() }));
  // 'advanced' keeps a published message's bytes a Buffer across the channel (JSON would spell each byte).
  cluster.setupPrimary({ serialization: 'advanced' });
  const p = new Primary(o);
  await p.start();
  return p;
}
