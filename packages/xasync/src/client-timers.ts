import type { ConnSocket } from './conn-socket';
import type { ClientState } from './client-state';
import { XClosedReason } from './closed-reason';
import { flushedBytes, queuedBytes } from './direct-write';
import { Timed, TimerEntry } from './coarse-timer';
import { XAsyncError } from './errors';
import { kDestroyNow } from './pool-member';

export type MiscKind = 'connect' | 'linger' | 'tls';

const RECV = 0;
const SEND = 1;
// The lifecycle timeouts: the entry's kind says which one is armed (no field of its own for it).
const CONNECT = 2;
const LINGER = 3;
const TLS = 4;
const MISC_CODES: Readonly<Record<MiscKind, number>> = { connect: CONNECT, linger: LINGER, tls: TLS };

/** The send watch's entry, with the bytes flushed in all when the watched wait began (made with the watch). */
class SendWatch extends TimerEntry {
  flushed = 0;
  constructor(target: { onTimer(kind: number): void }) { super(target, SEND); }
}

/**
 * A connection's timeouts, all on the pool's one coarse timer: the receive timeout (the owner's, see
 * `setRecvTimeout` / `onRecvTimeout`), the send-progress guard, and one slot for the lifecycle timeouts
 * that never overlap (connect, TLS handshake, linger after a graceful close).
 */
export class ClientTimers extends Timed {
  // Made on first use, and what only they need lives on them: most connections never arm these, and an
  // idle connection keeps two null fields for them (issue 19).
  private _sendEntry: SendWatch | null = null;
  /** The lifecycle timeout's entry; its kind is the one armed last (they never overlap). */
  private _miscEntry: TimerEntry | null = null;
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
    else this._onMisc(kind);
  }

  private get _send(): SendWatch { return (this._sendEntry ??= new SendWatch(this)); }

  /** Bytes are queued: watch that they make progress (armed once; progress re-arms it). */
  armSend(out: ConnSocket): void {
    const ms = this._s.opts.sendTimeoutMs;
    if (ms <= 0 || this._send.deadline !== 0) return;
    const e = this._send;
    e.flushed = flushedBytes(out, this._s);
    this._s.pool.timer.arm(e, ms);
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
  get sendWaitFlushed(): number { const e = this._sendEntry; return e === null ? 0 : e.flushed; }

  disarmSend(): void { if (this._sendEntry) this._s.pool.timer.disarm(this._sendEntry); }

  armMisc(kind: MiscKind, ms: number): void {
    if (ms <= 0) return;
    const code = MISC_CODES[kind];
    let e = this._miscEntry;
    if (e === null || e.kind !== code) {
      // Another lifecycle step (connect, then TLS, then linger): its own entry, the previous one disarmed.
      if (e !== null) this._s.pool.timer.disarm(e);
      e = this._miscEntry = new TimerEntry(this, code);
    }
    this._s.pool.timer.arm(e, ms);
  }

  disarmMisc(): void {
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
    const e = this._send;
    if (flushed > e.flushed) {
      e.flushed = flushed;
      s.pool.timer.arm(e, ms);
      return;
    }
    s.fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', `send timeout: ${queued} bytes made no progress for ${ms / 1000} s`));
  }

  private _onMisc(kind: number): void {
    if (kind === LINGER) { this._s.owner[kDestroyNow](); return; }
    const what = kind === CONNECT ? 'connect timeout' : 'TLS handshake timeout';
    this._s.fail(XClosedReason.Timeout, new XAsyncError('ERR_XAS_TIMEOUT', what));
  }
}
