import { readerError, abortError } from './body-errors';
import type { BodyReadable } from './body-readable';
import { PIPE_BATCH, type BodyPipe, type PipeSource } from './body-pipe';
import type { BodyReceiver } from './body-receiver';

/*
 * The feeding side of a request's body, the base of RequestBody (body-stream.ts, the reader's API:
 * read, readInto, request.body, pipeTo, signal, bodyLimit): the connection's BodyReceiver — pieces
 * copied out of the slot into the turn's batch, the queue, and from there to whoever reads (the pending
 * read, the Readable, the pipe), the wire pulled only while a reader wants more; an abort; the rest of
 * the body dropped after the response. Apart so that the per-piece path reads as one piece of code, and
 * the reader's API as another; it imports nothing above it.
 */

/** What a streamed body needs of its connection (the engine's connection implements it). */
export interface BodyFlow {
  /** Sends `100 Continue` now: the handler started reading a body its client holds back (RFC 9110 §10.1.1). */
  sendContinue(): void;
  /** The declared Content-Length is above the request's `bodyLimit`: 413 before any body byte is read, then close. */
  refuseBody(): void;
  /** Calls `cb` if the connection closes before the response is finished. */
  onAbort(cb: () => void): void;
}

/**
 * Pieces arriving in one turn of the event loop (one per kernel read: a slot at most) are gathered into
 * one Buffer of up to this size before a reader gets them: one write to a file instead of one per slot,
 * one promise per read instead of one per piece.
 */
const BATCH = PIPE_BATCH;
/** A piece of at least this size (one kernel read) goes to the reader at once, not batched with the turn's others. */
const BIG_READ = 16 * 1024;
/**
 * A response sent before its streamed body was read whole: a rest of at most this many declared bytes is
 * read and dropped (the connection stays open); a longer or chunked rest closes it (RFC 9112 §9.6).
 */
export const DRAIN_MAX = 64 * 1024;
/** No limit: a buffered body, a rest dropped after the response, read() without n. */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/** The feeding side of {@link RequestBody} (use that class through HttpRequest; this one is not exported from the package). */
export abstract class BodyFeed implements BodyReceiver, PipeSource {
  readonly streamed: boolean;
  protected _limit: number;
  /** The route's maxBodyBytes (the parser enforces it): `bodyLimit` cannot pass it. */
  protected readonly _cap: number;
  /** Content-Length as declared, -1 for a chunked body. */
  protected readonly _declared: number;
  protected readonly _flow: BodyFlow | null;
  /** The client waits for 100 Continue before sending; sent at the first read. */
  protected _expect: boolean;
  protected _resume: (() => void) | null = null;
  protected _started = false;
  protected _received = 0;
  protected _queue: Buffer[] = [];
  protected _queued = 0;
  protected _ended = false;
  protected _error: Error | null = null;
  /** After the response: the rest is read and dropped. */
  protected _discard = false;
  protected _trailers: string[] | null = null;
  // The one pending read() / readInto().
  protected _resolve: ((v: Buffer | number | null) => void) | null = null;
  protected _reject: ((e: Error) => void) | null = null;
  protected _into: Uint8Array | null = null;
  /** Bytes already copied into `_into` (straight from the slot). */
  protected _intoFill = 0;
  protected _max = 0;
  protected _readable: BodyReadable | null = null;
  protected _readableWants = false;
  protected _pipe: BodyPipe | null = null;
  protected _ctrl: AbortController | null = null;
  /** Pieces of this turn of the event loop, copied out of the slot (see BATCH). */
  protected _batch: Buffer | null = null;
  protected _batchLen = 0;
  protected _commitLater: (() => void) | null = null;
  protected _commitPending = false;
  /** The size of the last piece received (one kernel read's worth of body). */
  protected _lastIn = 0;
  /** pipeTo a file: batch Buffers back from finished writes, used again (no garbage per 64 KiB). */
  protected _free: Buffer[] | null = null;

  protected constructor(streamed: boolean, limit: number, declared: number, expect: boolean, flow: BodyFlow | null) {
    this.streamed = streamed;
    this._limit = limit;
    this._cap = limit;
    this._declared = declared;
    this._expect = expect;
    this._flow = flow;
  }

  // ---- BodyReceiver (the connection's side) -----------------------------------------------------

  /** The limit the connection checks as bytes arrive (none while a rest is dropped after the response). */
  get maxBytes(): number { return this._discard ? NO_LIMIT : this._limit; }

  onStart(resume: () => void): void { this._resume = resume; }

  onData(chunk: Buffer): boolean {
    if (this._discard) return true;
    this._received += chunk.length;
    this._lastIn = chunk.length;
    let from = 0;
    const into = this._into;
    if (into !== null && this._queued === 0 && this._batchLen === 0) {
      // readInto: straight from the slot into the caller's buffer (no copy of our own, no garbage).
      from = Math.min(chunk.length, into.length - this._intoFill);
      chunk.copy(into, this._intoFill, 0, from);
      this._intoFill += from;
      if (this._intoFill === into.length) this._settle(this._intoFill);
    }
    while (from < chunk.length) {
      let b = this._batch;
      if (b === null) b = this._batch = this._free?.pop() ?? Buffer.allocUnsafe(BATCH);
      const n = Math.min(chunk.length - from, b.length - this._batchLen);
      chunk.copy(b, this._batchLen, from, from + n);
      this._batchLen += n;
      from += n;
      if (this._batchLen === b.length) this._commit();
    }
    if (chunk.length >= BIG_READ && (this._batchLen > 0 || this._intoFill > 0)) {
      // A big read (through a lent read buffer): worth a reader's turn by itself, go now (no wait for a
      // later turn of the event loop, which the reader's next read would wait for too).
      this._commit();
    } else if ((this._batchLen > 0 || this._intoFill > 0) && !this._commitPending) {
      // The rest of this turn's pieces join the batch; it goes to the reader after them.
      this._commitPending = true;
      setImmediate(this._commitLater ??= () => { this._commitPending = false; if (this._error === null && !this._discard) this._commit(); });
    }
    return this._wants();
  }

  /** The batch goes to the queue, and from there to whoever reads. */
  protected _commit(): void {
    if (this._batchLen > 0) {
      const b = this._batch!;
      const piece = b.subarray(0, this._batchLen);
      // A part-filled batch leaves its room to the next one (no new allocation while it is worth it: the
      // next read's bytes fit in it; a big read through a lent read buffer would be split in two pieces);
      // into a file, batches are whole Buffers that come back when written.
      this._batch = this._free === null && b.length - this._batchLen >= Math.max(4096, this._lastIn) ? b.subarray(this._batchLen) : null;
      this._batchLen = 0;
      this._queue.push(piece);
      this._queued += piece.length;
    }
    if (this._pipe !== null) this._pipe.flush(this, this._free);
    else if (this._resolve !== null) {
      if (this._intoFill > 0) this._settle(this._intoFill);
      else if (this._queued > 0) this._settle(this._into !== null ? this._takeInto(this._into) : this._take(this._max));
    }
    else if (this._readableWants) this._feedReadable();
    if (this._ended) this._endReaders();
    // Served: if someone still wants more and the wire was paused meanwhile, read on.
    else if (this._wants()) this._pull();
  }

  onEnd(trailers: string[] | null): void {
    this._commit();
    this._ended = true;
    this._trailers = trailers;
    if (this._discard) return;
    this._endReaders();
  }

  protected _endReaders(): void {
    if (this._resolve !== null && this._queued === 0) this._settle(this._into !== null ? this._intoFill : null);
    if (this._readable !== null && this._readableWants) this._feedReadable();
    if (this._pipe !== null && this._queued === 0) this._pipe.finish();
  }

  onAbort(err: Error): void {
    if (this._error !== null || (this._ended && !this._discard)) return;
    const e = (this._error = readerError(err, this._limit));
    this._queue = [];
    this._queued = 0;
    this._batch = null;
    this._batchLen = 0;
    this._ctrl?.abort(e);
    const reject = this._reject;
    this._resolve = this._reject = null;
    this._into = null;
    this._intoFill = 0;
    if (reject !== null) reject(e);
    const r = this._readable;
    // An 'error' nobody listens to would crash the process: then end the stream without one.
    if (r !== null && !r.destroyed) r.destroy(r.listenerCount('error') > 0 ? e : undefined);
    if (this._pipe !== null) this._pipe.fail(e);
  }

  // ---- after the response (the engine) ----------------------------------------------------------

  /**
   * The response went out before the body was read whole: true when the rest is short enough to read and
   * drop (keep-alive kept): a declared length, at most {@link DRAIN_MAX} bytes left, and a client that is
   * not waiting for a 100 Continue it never got. Otherwise the connection closes (RFC 9112 §9.6).
   */
  canDrain(): boolean {
    return this._error === null && !this._expect && this._declared >= 0 && this._declared - this._received <= DRAIN_MAX;
  }

  /** Drops the rest as it arrives (see {@link canDrain}); a reader still waiting gets an AbortError. */
  drain(): void {
    if (this._discard) return;
    const reject = this._reject;
    this._discard = true;
    this._started = true;
    this._queue = [];
    this._queued = 0;
    this._batch = null;
    this._batchLen = 0;
    this._resolve = this._reject = null;
    this._into = null;
    this._intoFill = 0;
    this._readableWants = false;
    if (reject !== null) reject(abortError());
    this._resume?.();
  }

  // ---- serving readers ---------------------------------------------------------------------------

  /** A reader wants bytes: the first time, check the declared length and send 100 Continue; then read on. */
  protected _pull(): void {
    if (this._ended || this._error !== null || this._discard) return;
    if (!this._started) {
      this._started = true;
      if (this._declared > this._limit) { this._flow!.refuseBody(); return; }
      if (this._expect) { this._expect = false; this._flow!.sendContinue(); }
    }
    this._resume!();
  }

  protected _wants(): boolean {
    return this._resolve !== null || this._readableWants || (this._pipe !== null && !this._pipe.blocked);
  }

  /** At most `max` bytes of the first queued piece. */
  protected _take(max: number): Buffer {
    const q = this._queue;
    const first = q[0];
    if (first.length <= max) {
      q.shift();
      this._queued -= first.length;
      return first;
    }
    q[0] = first.subarray(max);
    this._queued -= max;
    return first.subarray(0, max);
  }

  /** Queued bytes copied into `buf`, as many as fit. */
  protected _takeInto(buf: Uint8Array): number {
    let n = 0;
    while (n < buf.length && this._queued > 0) {
      const piece = this._take(buf.length - n);
      buf.set(piece, n);
      n += piece.length;
    }
    return n;
  }

  protected _settle(v: Buffer | number | null): void {
    const resolve = this._resolve!;
    this._resolve = this._reject = null;
    this._into = null;
    this._intoFill = 0;
    resolve(v);
  }

  protected _feedReadable(): void {
    const r = this._readable!;
    while (this._queued > 0 && this._readableWants) this._readableWants = r.push(this._take(NO_LIMIT));
    if (this._ended && this._queued === 0 && this._readableWants) { this._readableWants = false; r.push(null); }
  }

  // ---- PipeSource (request.pipeTo's BodyPipe) -----------------------------------------------------

  /** Bytes queued, ready for a reader. */
  get queued(): number { return this._queued; }

  /** At most `max` bytes of the first queued piece. */
  take(max: number): Buffer { return this._take(max); }
}
