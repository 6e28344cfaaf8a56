import { WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { MwsError } from '../base/errors';
import { readerError, tooLarge, abortError } from './body-errors';
import { BodyReadable } from './body-readable';
import { BodyPipe, PIPE_BATCH, type PipeHooks, type PipeSource } from './body-pipe';
import type { BodyReceiver } from './body-receiver';

/** What a streamed body needs of its connection (the engine's connection implements it). */
export interface BodyFlow {
  /** Sends `100 Continue` now: the handler started reading a body its client holds back (RFC 9110 §10.1.1). */
  sendContinue(): void;
  /** The declared Content-Length is above the request's `bodyLimit`: 413 before any body byte is read, then close. */
  refuseBody(): void;
  /** Calls `cb` if the connection closes before the response is finished. */
  onAbort(cb: () => void): void;
}

/** Options of `request.pipeTo`. */
export interface PipeToOptions {
  /** End the writable after the last byte and wait for its `'finish'` (default true). */
  end?: boolean;
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
const NO_LIMIT = Number.MAX_SAFE_INTEGER;



/**
 * One request's body as a stream: uhttpd's `read(n)` / `readinto(buf)`, a Node `Readable`, `pipeTo(writable)`
 * and an `AbortSignal`. Streamed (a route's `body: 'stream'`, a module's `'stream'`), it is the connection's
 * {@link BodyReceiver}: nothing is read from the wire before a reader asks (the rest waits in the slot, then
 * the kernel), each piece is copied out of the slot once, and reading pauses again as soon as no reader
 * wants more: memory per upload stays at the slot plus one piece, whatever the body size. Buffered, it
 * serves the request's content, so the same code works either way. Made only when asked (a WeakMap
 * entry, not a field of the request: the buffered path carries nothing).
 */
export class RequestBody implements BodyReceiver, PipeSource, PipeHooks {
  readonly streamed: boolean;
  private _limit: number;
  /** The route's maxBodyBytes (the parser enforces it): `bodyLimit` cannot pass it. */
  private readonly _cap: number;
  /** Content-Length as declared, -1 for a chunked body. */
  private readonly _declared: number;
  private readonly _flow: BodyFlow | null;
  /** The client waits for 100 Continue before sending; sent at the first read. */
  private _expect: boolean;
  private _resume: (() => void) | null = null;
  private _started = false;
  private _received = 0;
  private _queue: Buffer[] = [];
  private _queued = 0;
  private _ended = false;
  private _error: Error | null = null;
  /** After the response: the rest is read and dropped. */
  private _discard = false;
  private _trailers: string[] | null = null;
  // The one pending read() / readInto().
  private _resolve: ((v: Buffer | number | null) => void) | null = null;
  private _reject: ((e: Error) => void) | null = null;
  private _into: Uint8Array | null = null;
  /** Bytes already copied into `_into` (straight from the slot). */
  private _intoFill = 0;
  private _max = 0;
  private _readable: BodyReadable | null = null;
  private _readableWants = false;
  private _pipe: BodyPipe | null = null;
  private _ctrl: AbortController | null = null;
  /** Pieces of this turn of the event loop, copied out of the slot (see BATCH). */
  private _batch: Buffer | null = null;
  private _batchLen = 0;
  private _commitLater: (() => void) | null = null;
  private _commitPending = false;
  /** The size of the last piece received (one kernel read's worth of body). */
  private _lastIn = 0;
  /** pipeTo a file: batch Buffers back from finished writes, used again (no garbage per 64 KiB). */
  private _free: Buffer[] | null = null;

  private constructor(streamed: boolean, limit: number, declared: number, expect: boolean, flow: BodyFlow | null) {
    this.streamed = streamed;
    this._limit = limit;
    this._cap = limit;
    this._declared = declared;
    this._expect = expect;
    this._flow = flow;
  }

  /** A body the connection streams: `limit` is the route's (the parser refused a declared length above it). */
  static streamed(limit: number | undefined, declared: number, expectContinue: boolean, flow: BodyFlow): RequestBody {
    return new RequestBody(true, limit ?? NO_LIMIT, declared, expectContinue, flow);
  }

  /** A buffered body (read whole before the handler ran), served through the same API. */
  static buffered(content: Buffer): RequestBody {
    const b = new RequestBody(false, NO_LIMIT, content.length, false, null);
    if (content.length > 0) { b._queue.push(content); b._queued = content.length; }
    b._ended = true;
    return b;
  }

  // ---- the reader's API (through HttpRequest) ---------------------------------------------------

  get limit(): number { return this._limit; }
  set limit(v: number) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > this._cap) {
      throw new MwsError('ERR_MWS_INVALID_OPTION', `request.bodyLimit must be an integer from 0 to ${this._cap}${this._cap !== NO_LIMIT ? " (the route's maxBodyBytes)" : ''}, got ${String(v)}`);
    }
    if (this._started) throw new MwsError('ERR_MWS_STATE', 'request.bodyLimit must be set before the body is read');
    this._limit = v;
  }

  get trailers(): string[] | null { return this._trailers; }

  read(n?: number): Promise<Buffer | null> {
    if (n !== undefined && (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1)) {
      return Promise.reject(new MwsError('ERR_MWS_INVALID_OPTION', `request.read(n): n must be a positive integer, got ${String(n)}`));
    }
    const used = this._used('read');
    if (used !== null) return Promise.reject(used);
    const max = n ?? NO_LIMIT;
    if (this._queued > 0) return Promise.resolve(this._take(max));
    if (this._error !== null) return Promise.reject(this._error);
    if (this._ended) return Promise.resolve(null);
    return new Promise<Buffer | null>((resolve, reject) => {
      this._resolve = resolve as (v: Buffer | number | null) => void;
      this._reject = reject;
      this._max = max;
      this._pull();
    });
  }

  readInto(buf: Uint8Array): Promise<number> {
    if (!(buf instanceof Uint8Array) || buf.length === 0) {
      return Promise.reject(new MwsError('ERR_MWS_INVALID_OPTION', 'request.readInto(buf): buf must be a non-empty Uint8Array'));
    }
    const used = this._used('readInto');
    if (used !== null) return Promise.reject(used);
    if (this._queued > 0) return Promise.resolve(this._takeInto(buf));
    if (this._error !== null) return Promise.reject(this._error);
    if (this._ended) return Promise.resolve(0);
    return new Promise<number>((resolve, reject) => {
      this._resolve = resolve as (v: Buffer | number | null) => void;
      this._reject = reject;
      this._into = buf;
      this._pull();
    });
  }

  /** `request.body`: made on first use; from then on the body is read through it only. */
  get readable(): Readable {
    if (this._readable === null) {
      if (this._resolve !== null || this._pipe !== null) throw new MwsError('ERR_MWS_BODY_USED', 'request.body: a read or pipeTo is in progress');
      const r = (this._readable = new BodyReadable(this));
      if (this._error !== null) r.destroy(this._error);
    }
    return this._readable;
  }

  pipeTo(w: Writable, options?: PipeToOptions): Promise<number> {
    if (w === null || typeof w !== 'object' || typeof w.write !== 'function') {
      return Promise.reject(new MwsError('ERR_MWS_INVALID_OPTION', 'request.pipeTo(writable): writable must be a node:stream Writable'));
    }
    const used = this._used('pipeTo');
    if (used !== null) return Promise.reject(used);
    if (this._error !== null) return Promise.reject(this._error);
    return new Promise<number>((resolve, reject) => {
      const p = (this._pipe = new BodyPipe(w, options?.end !== false, resolve, reject, this));
      // A file write is done with its Buffer when its callback runs: batches can be used again. Not for
      // any writable: a Transform's callback may come while its output still holds the chunk.
      if (w instanceof WriteStream && this.streamed) this._free = [];
      p.flush(this, this._free);
      if (this._pipe !== p) return;
      if (this._ended && this._queued === 0) p.finish();
      else if (!p.blocked) this._pull();
    });
  }

  /** `request.signal`: aborts when the client leaves before the response is done, the body times out or passes its limit. */
  signal(): AbortSignal {
    if (this._ctrl === null) {
      const ctrl = (this._ctrl = new AbortController());
      if (this._error !== null) ctrl.abort(this._error);
      // The client may also leave after the body, while the handler works on its answer.
      else this._flow?.onAbort(() => ctrl.abort(abortError()));
    }
    return this._ctrl.signal;
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
  private _commit(): void {
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

  private _endReaders(): void {
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

  // ---- internals --------------------------------------------------------------------------------

  /** Why a new reader may not start (a Readable was made, another read or pipe is pending), or null. */
  private _used(what: string): Error | null {
    if (this._readable !== null) return new MwsError('ERR_MWS_BODY_USED', `request.${what}: the body is read through request.body`);
    if (this._resolve !== null || this._pipe !== null) return new MwsError('ERR_MWS_BODY_USED', `request.${what}: another read or pipeTo of the body is in progress`);
    if (this._discard) return new MwsError('ERR_MWS_BODY_USED', `request.${what}: the response was sent, the rest of the body is dropped`);
    if (!this.streamed && !this._started) {
      this._started = true;
      // Buffered: bodyLimit applies to the content already read.
      if (this._queued > this._limit) { this._error = tooLarge(this._limit); this._queue = []; this._queued = 0; return this._error; }
    }
    return null;
  }

  /** A reader wants bytes: the first time, check the declared length and send 100 Continue; then read on. */
  private _pull(): void {
    if (this._ended || this._error !== null || this._discard) return;
    if (!this._started) {
      this._started = true;
      if (this._declared > this._limit) { this._flow!.refuseBody(); return; }
      if (this._expect) { this._expect = false; this._flow!.sendContinue(); }
    }
    this._resume!();
  }

  private _wants(): boolean {
    return this._resolve !== null || this._readableWants || (this._pipe !== null && !this._pipe.blocked);
  }

  /** At most `max` bytes of the first queued piece. */
  private _take(max: number): Buffer {
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
  private _takeInto(buf: Uint8Array): number {
    let n = 0;
    while (n < buf.length && this._queued > 0) {
      const piece = this._take(buf.length - n);
      buf.set(piece, n);
      n += piece.length;
    }
    return n;
  }

  private _settle(v: Buffer | number | null): void {
    const resolve = this._resolve!;
    this._resolve = this._reject = null;
    this._into = null;
    this._intoFill = 0;
    resolve(v);
  }

  /** Called by the Readable when it wants data. */
  readableWants(): void {
    this._readableWants = true;
    this._feedReadable();
    if (this._readableWants && !this._ended) this._pull();
  }

  private _feedReadable(): void {
    const r = this._readable!;
    while (this._queued > 0 && this._readableWants) this._readableWants = r.push(this._take(NO_LIMIT));
    if (this._ended && this._queued === 0 && this._readableWants) { this._readableWants = false; r.push(null); }
  }

  // ---- PipeSource and PipeHooks (request.pipeTo's BodyPipe) ---------------------------------------

  /** Bytes queued, ready for a reader. */
  get queued(): number { return this._queued; }

  /** At most `max` bytes of the first queued piece. */
  take(max: number): Buffer { return this._take(max); }

  drained(): void { this._commit(); }

  settled(): void { this._pipe = null; }
}
