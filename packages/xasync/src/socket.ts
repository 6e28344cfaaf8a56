import { XClosedReason } from './closed-reason';
import type { XAsyncSocketsPool } from './pool';
import { kDestroyNow, kJoin, kLeave, type PoolMember } from './pool-member';

/** What every pool member has: a pool, a close reason, and `onClosed` fired exactly once. */
export abstract class XAsyncSocket implements PoolMember {
  readonly pool: XAsyncSocketsPool;
  /**
   * Fires exactly once, whatever the path to the close. Subclasses narrow the socket's type; `never`
   * here lets every subclass's callback type fit.
   */
  onClosed: ((socket: never, reason: XClosedReason) => void) | null = null;
  private _closeReason: XClosedReason | null = null;
  private _error: Error | null = null;
  private _closed = false;
  private _closedWaiters: Array<(r: XClosedReason) => void> | null = null;

  protected constructor(pool: XAsyncSocketsPool) {
    this.pool = pool;
    pool[kJoin](this);
  }

  /** True once the socket is fully closed and its slot (if any) released. */
  get isClosed(): boolean { return this._closed; }
  /** The reason it closed (or is closing for), null while open. */
  get closedReason(): XClosedReason | null { return this._closeReason; }
  /** The error behind an `Error` close, if any. */
  get error(): Error | null { return this._error; }

  /** Resolves with the close reason once the socket is closed. */
  whenClosed(): Promise<XClosedReason> {
    if (this._closed) return Promise.resolve(this._closeReason as XClosedReason);
    return new Promise((resolve) => (this._closedWaiters ??= []).push(resolve));
  }

  /** Closes the socket gracefully; `onClosed` reports ClosedByHost unless another reason came first. */
  abstract close(): void;
  /** @internal Ends the socket now, without grace (pool stop after its grace period). */
  abstract [kDestroyNow](): void;

  /** Records the first reason given; later ones do not overwrite it. */
  protected _setReason(reason: XClosedReason, err?: Error | null): void {
    if (this._closeReason === null) {
      this._closeReason = reason;
      if (err) this._error = err;
    }
  }

  /** Subclasses call this from their single close path, after their resources are released. */
  protected _finishClose(): void {
    if (this._closed) return;
    this._closed = true;
    const reason = this._closeReason ?? XClosedReason.ClosedByHost;
    this._closeReason = reason;
    this.pool[kLeave](this);
    this._callback(this.onClosed, reason);
    const waiters = this._closedWaiters;
    this._closedWaiters = null;
    if (waiters) for (const w of waiters) w(reason);
  }

  /** Calls a user callback; an exception goes to the pool's `onCallbackError`, never into Node's loop. */
  protected _callback<A extends unknown[]>(fn: ((socket: never, ...args: A) => unknown) | null | undefined, ...args: A): void {
    if (fn == null) return;
    try {
      fn(this as never, ...args);
    } catch (err) {
      this.pool.onCallbackError(err, this);
    }
  }
}
