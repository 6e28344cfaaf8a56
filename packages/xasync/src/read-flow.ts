import { RecvMode, type ClientState } from './client-state';
import { XClosedReason } from './closed-reason';
import { XAsyncError } from './errors';
import { dispatchReceive } from './recv-modes';

/**
 * TLS / fallback: the part of a chunk that did not fit in the slot yet. Made on the first such chunk and
 * kept (reused): a plain connection never has one, and keeps one null field instead of two (issue 19).
 */
class Leftover {
  chunk: Buffer | null = null;
  off = 0;
}

/**
 * The receive flow of a connection: bytes arriving (straight into the slot through `onread`, or as
 * chunks to copy on the TLS / fallback paths), handed to the pending receive, and reading paused while
 * the owner asks (`pauseReading`) or while the slot is full of unconsumed bytes (backpressure).
 */
export class ReadFlow {
  private readonly _s: ClientState;
  private _inRead = false;
  private _userPaused = false;
  private _fullPaused = false;
  /** TLS / fallback: a chunk's rest waiting for room (see Leftover), null until the first one. */
  private _left: Leftover | null = null;

  constructor(s: ClientState) {
    this._s = s;
  }

  /** The `onread` callback: `n` bytes landed in the target handed out last. Returning false stops reading. */
  onRead(n: number): boolean {
    const s = this._s;
    const r = s.reader;
    if (s.closing) {
      r.landed(n);
      r.consume(r.pending);
      return true;
    }
    if (!r.landed(n)) {
      s.fail(XClosedReason.Error, new XAsyncError('ERR_XAS_RECV_OVERFLOW', 'receive slot overflow'));
      return false;
    }
    this._inRead = true;
    try {
      this._arrival();
    } finally {
      this._inRead = false;
    }
    if (s.finished || s.closing) return !s.finished;
    this._fullPaused = r.full;
    return !(this._userPaused || this._fullPaused);
  }

  /** TLS / fallback path: a chunk to copy into the slot. */
  onChunk(chunk: Buffer): void {
    const s = this._s;
    if (s.closing) return;
    const n = s.reader.append(chunk);
    if (n < chunk.length) {
      // No room for all of it: keep the rest aside and stop the stream until the slot drains.
      const left = (this._left ??= new Leftover());
      left.chunk = chunk;
      left.off = n;
      this._fullPaused = true;
      this._apply();
    }
    this._arrival();
  }

  /** Delivers waiting bytes to a newly set receiver, and undoes a full-slot pause if room was made. */
  kick(): void {
    const s = this._s;
    if (s.dispatching || s.finished) return;
    dispatchReceive(s);
    this._refill();
    if (this._fullPaused && !this._hasLeftover && !s.reader.full) {
      this._fullPaused = false;
      if (!this._inRead) this._apply();
    }
  }

  /** The owner consumed bytes outside a receive callback. */
  roomMade(): void {
    if (this._fullPaused && !this._s.reader.full) {
      this._fullPaused = false;
      this._apply();
    }
  }

  setUserPaused(paused: boolean): void {
    this._userPaused = paused;
    if (!paused) this.kick();
    if (!this._inRead) this._apply();
  }

  /** A graceful close reads (and drops) until the peer's FIN. */
  unpauseForClose(): void {
    this._userPaused = false;
    this._fullPaused = false;
    this._apply();
  }

  dropLeftover(): void {
    if (this._left !== null) this._left.chunk = null;
  }

  private get _hasLeftover(): boolean { return this._left !== null && this._left.chunk !== null; }

  private _arrival(): void {
    const s = this._s;
    // Raw: recvParam is the receiver's idle timeout.
    if (s.recvMode === RecvMode.Raw && s.recvParam > 0) s.pool.timer.arm(s.recvTimer!, s.recvParam);
    dispatchReceive(s);
    this._refill();
  }

  /** Moves a kept-aside TLS chunk into freed room, and resumes the stream when it is all in. */
  private _refill(): void {
    const left = this._left;
    if (left === null) return;
    const s = this._s;
    while (left.chunk !== null && s.reader.room > 0 && !s.finished) {
      const chunk = left.chunk;
      left.off += s.reader.append(chunk, left.off);
      if (left.off === chunk.length) {
        left.chunk = null;
        this._fullPaused = false;
        this._apply();
      }
      dispatchReceive(s);
    }
  }

  private _apply(): void {
    const s = this._s;
    if (s.finished) return;
    const stream = s.out;
    if (!s.closing && (this._userPaused || this._fullPaused)) stream.pause();
    else stream.resume();
  }
}
