import { WriteStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { MwsError } from '../base/errors';
import { abortError, tooLarge } from './body-errors';
import { BodyFeed, NO_LIMIT, type BodyFlow } from './body-feed';
import { BodyReadable } from './body-readable';
import { BodyPipe, type PipeHooks } from './body-pipe';

/** Options of `request.pipeTo`. */
export interface PipeToOptions {
  /** End the writable after the last byte and wait for its `'finish'` (default true). */
  end?: boolean;
}

/**
 * One request's body as a stream: uhttpd's `read(n)` / `readinto(buf)`, a Node `Readable`, `pipeTo(writable)`
 * and an `AbortSignal`. Streamed (a route's `body: 'stream'`, a module's `'stream'`), it is the connection's
 * {@link BodyReceiver}: nothing is read from the wire before a reader asks (the rest waits in the slot, then
 * the kernel), each piece is copied out of the slot once, and reading pauses again as soon as no reader
 * wants more: memory per upload stays at the slot plus one piece, whatever the body size. Buffered, it
 * serves the request's content, so the same code works either way. Made only when asked (a WeakMap
 * entry, not a field of the request: the buffered path carries nothing). This class is the reader's API;
 * its base, BodyFeed (body-feed.ts), the feeding side: the connection's BodyReceiver, the batch and queue.
 */
export class RequestBody extends BodyFeed implements PipeHooks {
  /** `content`: a buffered body's bytes, all there is (null for a streamed body). */
  private constructor(streamed: boolean, limit: number, declared: number, expect: boolean, flow: BodyFlow | null, content: Buffer | null) {
    super(streamed, limit, declared, expect, flow);
    if (content !== null) {
      if (content.length > 0) { this._queue.push(content); this._queued = content.length; }
      this._ended = true;
    }
  }

  /** A body the connection streams: `limit` is the route's (the parser refused a declared length above it). */
  static streamed(limit: number | undefined, declared: number, expectContinue: boolean, flow: BodyFlow): RequestBody {
    return new RequestBody(true, limit ?? NO_LIMIT, declared, expectContinue, flow, null);
  }

  /** A buffered body (read whole before the handler ran), served through the same API. */
  static buffered(content: Buffer): RequestBody {
    return new RequestBody(false, NO_LIMIT, content.length, false, null, content);
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

  /** Called by the Readable when it wants data. */
  readableWants(): void {
    this._readableWants = true;
    this._feedReadable();
    if (this._readableWants && !this._ended) this._pull();
  }

  // ---- PipeHooks (request.pipeTo's BodyPipe; its PipeSource is the base) -------------------------

  drained(): void { this._commit(); }

  settled(): void { this._pipe = null; }
}
