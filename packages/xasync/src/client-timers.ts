import type * as net from 'node:net';
import { XClosedReason } from './closed-reason';
import { TimerEntry } from './coarse-timer';
import { XAsyncError } from './errors';
import type { XAsyncTCPClient } from './tcp-client';

type MiscKind = 'connect' | 'linger' | 'tls';

/**
 * A connection's timeouts, all on the pool's one coarse timer: the receive timeout (the owner's, see
 * `setRecvTimeout` / `onRecvTimeout`), the send-progress guard, and one slot for the lifecycle timeouts
 * that never overlap (connect, TLS handshake, linger after a graceful close).
 */
const RECV = 0;
const SEND = 1;
const MISC = 2;

export class ClientTimers {
  readonly recv: TimerEntry;
  private _sendEntry: TimerEntry | null = null;
  private _miscEntry: TimerEntry | null = null;
  private _miscKind: MiscKind | null = null;
  private _lastFlushed = 0;
  private readonly _c: XAsyncTCPClient;

  constructor(c: XAsyncTCPClient) {
    this._c = c;
    this.recv = new TimerEntry(this, RECV);
  }

  /** @internal TimerEntry target. */
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
    const ms = this._c._opts.sendTimeoutMs;
    if (ms <= 0 || this._send.deadline !== 0) return;
    this._lastFlushed = out.bytesWritten - out.writableLength;
    this._c.pool.timer.arm(this._send, ms);
  }

  disarmSend(): void { if (this._sendEntry) this._c.pool.timer.disarm(this._sendEntry); }

  armMisc(kind: MiscKind, ms: number): void {
    if (ms <= 0) return;
    this._miscKind = kind;
    this._c.pool.timer.arm(this._misc, ms);
  }

  disarmMisc(): void {
    this._miscKind = null;
    if (this._miscEntry) this._c.pool.timer.disarm(this._miscEntry);
  }

  disarmAll(): void {
    const t = this._c.pool.timer;
    t.disarm(this.recv);
    if (this._sendEntry) t.disarm(this._sendEntry);
    if (this._miscEntry) t.disarm(this._miscEntry);
  }

  private _onRecv(): void {
    const c = this._c;
    if (c.isClosed || c.isClosing) return;
    const hook = c.onRecvTimeout;
    if (hook) {
      let handled = false;
      try { handled = hook(c) === true; } catch (err) { c.pool.onCallbackError(err, c); }
      if (handled) return;
    }
    c._fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', 'receive timeout'));
  }

  /** Slow-read defence (as nginx's send_timeout): close when queued bytes made no progress for a period. */
  private _onSend(): void {
    const c = this._c;
    if (c.isClosed) return;
    const out = c._out;
    if (out.writableLength === 0) return;
    const flushed = out.bytesWritten - out.writableLength;
    const ms = c._opts.sendTimeoutMs;
    if (flushed > this._lastFlushed) {
      this._lastFlushed = flushed;
      c.pool.timer.arm(this._send, ms);
      return;
    }
    c._fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', `send timeout: ${out.writableLength} bytes made no progress for ${ms / 1000} s`));
  }

  private _onMisc(): void {
    const kind = this._miscKind;
    this._miscKind = null;
    if (kind === 'linger') { this._c._destroyNow(); return; }
    const what = kind === 'connect' ? 'connect timeout' : 'TLS handshake timeout';
    this._c._fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', what));
  }
}
