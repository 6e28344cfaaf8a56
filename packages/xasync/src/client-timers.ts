import type * as net from 'node:net';
import type { ClientState } from './client-state';
import { XClosedReason } from './closed-reason';
import { flushedBytes, queuedBytes } from './direct-write';
import { Timed, TimerEntry } from './coarse-timer';
import { XAsyncError } from './errors';
import { kDestroyNow } from './pool-member';

export type MiscKind = 'connect' | 'linger' | 'tls';

const RECV = 0;
const SEND = 1;
const MISC = 2;

/**
 * A connection's timeouts, all on the pool's one coarse timer: the receive timeout (the owner's, see
 * `setRecvTimeout` / `onRecvTimeout`), the send-progress guard, and one slot for the lifecycle timeouts
 * that never overlap (connect, TLS handshake, linger after a graceful close).
 */
export class ClientTimers extends Timed {
  private _sendEntry: TimerEntry | null = null;
  private _miscEntry: TimerEntry | null = null;
  private _miscKind: MiscKind | null = null;
  private _lastFlushed = 0;
  private readonly _s: ClientState;

  constructor(s: ClientState) {
    super();
    this._s = s;
    s.recvTimer = this;
  }

  /** The receive timeout: this object itself (no entry object per connection). */
  get recv(): Timed { return this; }

  /** @internal Timed: the receive timeout is due. */
  onTimeout(): void { this._onRecv(); }

  /** @internal TimerEntry target (the send and lifecycle timeouts). */
  onTimer(kind: number): void {
    if (kind === RECV) this._onRecv();
    else if (kind === SEND) this._onSend();
    else this._onMisc();
  }

  // Created on first use: most connections never arm these.
  private get _send(): TimerEntry { return (this._sendEntry ??= new TimerEntry(this, SEND)); }
  private get _misc(): TimerEntry { return (this._miscEntry ??= new TimerEntry(this, MISC)); }

  /** Bytes are queued: watch that they make progress (armed once; progress re-arms it). */
  armSend(out: net.Socket): void {
    const ms = this._s.opts.sendTimeoutMs;
    if (ms <= 0 || this._send.deadline !== 0) return;
    this._lastFlushed = flushedBytes(out, this._s);
    this._s.pool.timer.arm(this._send, ms);
  }

  /**
   * Since when queued bytes have been waiting (a `Date.now()` time), 0 when none wait: the send watch's
   * start, moved on when the watch saw progress ({@link sendWaitFlushed} is the count flushed then).
   * Free to read: the watch's deadline less its length (no clock read per write).
   */
  get sendWaitSince(): number {
    const e = this._sendEntry;
    if (e === null || e.deadline === 0) return 0;
    return this._s.pool.timer.toEpoch(e.deadline) - this._s.opts.sendTimeoutMs;
  }

  /** Bytes flushed to the kernel in all when the current send wait began ({@link sendWaitSince}). */
  get sendWaitFlushed(): number { return this._lastFlushed; }

  disarmSend(): void { if (this._sendEntry) this._s.pool.timer.disarm(this._sendEntry); }

  armMisc(kind: MiscKind, ms: number): void {
    if (ms <= 0) return;
    this._miscKind = kind;
    this._s.pool.timer.arm(this._misc, ms);
  }

  disarmMisc(): void {
    this._miscKind = null;
    if (this._miscEntry) this._s.pool.timer.disarm(this._miscEntry);
  }

  disarmAll(): void {
    const t = this._s.pool.timer;
    t.disarm(this.recv);
    if (this._sendEntry) t.disarm(this._sendEntry);
    if (this._miscEntry) t.disarm(this._miscEntry);
  }

  private _onRecv(): void {
    const s = this._s;
    if (s.closing) return;
    const hook = s.owner.onRecvTimeout;
    if (hook) {
      let handled = false;
      try { handled = hook(s.owner as never) === true; } catch (err) { s.pool.onCallbackError(err, s.owner); }
      if (handled) return;
    }
    s.fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', 'receive timeout'));
  }

  /** Slow-read defence (as nginx's send_timeout): close when queued bytes made no progress for a period. */
  private _onSend(): void {
    const s = this._s;
    if (s.finished) return;
    const out = s.out;
    const queued = queuedBytes(out, s);
    if (queued === 0) return;
    const flushed = out.bytesWritten - queued;
    const ms = s.opts.sendTimeoutMs;
    if (flushed > this._lastFlushed) {
      this._lastFlushed = flushed;
      s.pool.timer.arm(this._send, ms);
      return;
    }
    s.fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', `send timeout: ${queued} bytes made no progress for ${ms / 1000} s`));
  }

  private _onMisc(): void {
    const kind = this._miscKind;
    this._miscKind = null;
    if (kind === 'linger') { this._s.owner[kDestroyNow](); return; }
    const what = kind === 'connect' ? 'connect timeout' : 'TLS handshake timeout';
    this._s.fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', what));
  }
}
