import { CoarseTimer } from './coarse-timer';
import { XAsyncError } from './errors';
import { kDestroyNow, kJoin, kLeave, type MemberPool, type PoolMember } from './pool-member';

/** Counters of a pool. */
export interface XAsyncSocketsPoolStats {
  /** Members open now (servers, clients, datagrams). */
  open: number;
  /** Members ever registered. */
  opened: number;
  /** Members closed so far. */
  closed: number;
  /** Timeouts armed on the shared timer right now. */
  armedTimers: number;
}

export interface XAsyncSocketsPoolOptions {
  /** Tick of the shared timeout timer, in ms (10 to 5000, default 250). */
  timerResolutionMs?: number;
}

/**
 * Owns every socket it created — TCP servers, TCP clients, UDP datagrams — and one coarse timer for all
 * their timeouts. Node's event loop does the waiting that XAsyncSockets' `asyncWaitEvents` thread did;
 * `asyncWaitEvents()` remains, as a promise that resolves when the pool stops. Several servers may share
 * one pool.
 */
export class XAsyncSocketsPool implements MemberPool {
  readonly timer: CoarseTimer;
  /**
   * Receives exceptions thrown by user callbacks (`onClosed`, `onDataRecv`, …), which must not unwind
   * into Node's loop. Default: `console.error`.
   */
  onCallbackError: (err: unknown, socket: object) => void = (err) => {
    console.error('[xasync] callback threw:', err);
  };
  private readonly _members = new Set<PoolMember>();
  private _opened = 0;
  private _closed = 0;
  private _stopping: Promise<void> | null = null;
  private _emptyWaiters: Array<() => void> = [];
  private _resolveStopped!: () => void;
  private readonly _stopped = new Promise<void>((r) => { this._resolveStopped = r; });

  constructor(options: XAsyncSocketsPoolOptions = {}) {
    const tick = options.timerResolutionMs ?? 250;
    if (!Number.isInteger(tick) || tick < 10 || tick > 5000) {
      throw new XAsyncError('ERR_XAS_INVALID_ARG', `timerResolutionMs must be an integer from 10 to 5000, got ${String(tick)}`);
    }
    this.timer = new CoarseTimer(tick);
  }

  get isStopped(): boolean { return this._stopping !== null; }

  get stats(): XAsyncSocketsPoolStats {
    return { open: this._members.size, opened: this._opened, closed: this._closed, armedTimers: this.timer.armedCount };
  }

  /** The members open now. */
  get members(): ReadonlySet<PoolMember> { return this._members; }

  /** @internal A new member (XAsyncSocket's constructor). */
  [kJoin](s: PoolMember): void {
    if (this._stopping !== null) {
      throw new XAsyncError('ERR_XAS_POOL_STOPPED', 'the pool is stopped: it takes no new sockets');
    }
    this._members.add(s);
    this._opened++;
  }

  /** @internal A member closed (XAsyncSocket's single close path). */
  [kLeave](s: PoolMember): void {
    if (!this._members.delete(s)) return;
    this._closed++;
    if (this._members.size === 0) {
      const waiters = this._emptyWaiters;
      this._emptyWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Closes every member with ClosedByHost (servers stop listening, connections flush what they were
   * sending) and resolves when all are closed. Connections still open after `graceSec` are destroyed.
   */
  stop(options: { graceSec?: number } = {}): Promise<void> {
    if (this._stopping !== null) return this._stopping;
    const graceMs = Math.max(0, (options.graceSec ?? 2) * 1000);
    this._stopping = new Promise<void>((resolve) => {
      const done = () => { clearTimeout(force); this.timer.clear(); resolve(); this._resolveStopped(); };
      const force = setTimeout(() => { for (const m of [...this._members]) m[kDestroyNow](); }, graceMs);
      if (this._members.size === 0) { done(); return; }
      this._emptyWaiters.push(done);
      for (const m of [...this._members]) m.close();
    });
    return this._stopping;
  }

  /** XAsyncSockets' name: resolves when the pool has stopped (Node's loop does the waiting). */
  asyncWaitEvents(): Promise<void> {
    return this._stopped;
  }

  /** XAsyncSockets' name for {@link stop}. */
  stopWaitEvents(): Promise<void> { return this.stop(); }
}
