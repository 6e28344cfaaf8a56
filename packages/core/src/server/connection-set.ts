import type { Logger } from '../base/logger';
import type { HttpConnection } from '../engine/connection';
import { TrafficCounter, type TrafficStats } from './traffic';

/** What the set tells as connections come and go (the per-address counts of `ServerGuards`). */
export interface ConnectionWatcher {
  accepted(conn: HttpConnection): void;
  closed(conn: HttpConnection): void;
}

/**
 * A server's open connections: what `stop()` waits for, what eviction and the rate sweep walk, and the
 * byte counts of those that closed (`srv.traffic`). One per server, kept across restarts.
 */
export class ConnectionSet {
  /** The live connections (read-only to the guards, which walk them). */
  readonly live = new Set<HttpConnection>();
  private readonly _traffic = new TrafficCounter();
  private _emptyWaiters: Array<() => void> = [];
  private _watcher: ConnectionWatcher | null = null;

  constructor(private readonly _log: Logger) {}

  /** Told of every connection that joins or leaves (set once, by the server). */
  watch(w: ConnectionWatcher): void { this._watcher = w; }

  get size(): number { return this.live.size; }

  add(conn: HttpConnection): void {
    this.live.add(conn);
    this._watcher?.accepted(conn);
  }

  /** A connection closed (`err`: why, logged at DEBUG); the last one wakes `stop()`. */
  closed(conn: HttpConnection, err: Error | null): void {
    if (this.live.delete(conn)) { this._traffic.closed(conn); this._watcher?.closed(conn); }
    if (err) this._log.log('DEBUG', `From ${conn.remoteHost}:${conn.remotePort} connection error: ${err.message}`);
    if (this.live.size === 0 && this._emptyWaiters.length > 0) {
      const w = this._emptyWaiters;
      this._emptyWaiters = [];
      for (const f of w) f();
    }
  }

  /** Bytes in and out of every connection, closed and open. */
  traffic(): TrafficStats { return this._traffic.total(this.live); }

  /**
   * Graceful stop: every connection closes once idle (open-ended responses are ended by their owners);
   * resolves when none is left, destroying those still open after `timeoutSec`.
   */
  async drain(timeoutSec: number): Promise<void> {
    for (const c of [...this.live]) {
      try { c.closeWhenIdle(); } catch (err) { this._log.log('ERROR', `stop: closing a connection threw: ${String(err)}`); }
    }
    if (this.live.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { for (const c of [...this.live]) c.client.destroy(); }, timeoutSec * 1000);
      this._emptyWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }
}
