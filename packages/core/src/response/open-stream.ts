import type { StreamTarget } from './stream-body';

const LAST_CHUNK = '0\r\n\r\n';

/** Options of `response.openStream`. */
export interface OpenStreamOptions {
  /** Content-Type (default application/octet-stream; `text/event-stream` for server-sent events). */
  contentType?: string;
  /**
   * Called when the server's graceful `stop()` begins while the stream is open, just before the server
   * ends it: write a last message here (e.g. an SSE event telling the client to reconnect elsewhere).
   */
  onStop?: (stream: OpenStream) => void;
}

/**
 * An open-ended response body (server-sent events, a long poll, a log tail): written piece by piece
 * until `end()`. HTTP/1.1 clients get chunked coding, HTTP/1.0 clients a close-delimited body (RFC 9112
 * §6.3). A graceful `stop()` of the server calls `onStop`, then ends it; a client that leaves aborts
 * `signal` and makes `write` return false.
 */
export class OpenStream {
  private readonly _t: StreamTarget;
  private readonly _chunked: boolean;
  private readonly _close: boolean;
  private readonly _ac = new AbortController();
  private _ended = false;
  private _sent = 0;
  private _corked = false;
  /** Ends the cork of this turn of the event loop: the pieces written in it leave in one write. */
  private readonly _uncork = (): void => {
    if (!this._corked) return;
    this._corked = false;
    this._t.sink.flush();
    this._t.sink.uncork();
  };

  /** @param t the response's stream target; the head is written at once. */
  constructor(t: StreamTarget, code: number, options: OpenStreamOptions) {
    this._t = t;
    this._chunked = !t.http10;
    // HTTP/1.0 has no chunked coding: the end of the body is the end of the connection.
    this._close = !this._chunked || !t.sink.canKeepAlive();
    t.defaultContentType(options.contentType ?? 'application/octet-stream');
    t.head(code, t.isHead ? -4 : this._chunked ? -3 : -4, this._close);
    t.sink.onAbort(() => { this._ended = true; this._ac.abort(abortError()); });
    t.sink.onStop(() => {
      if (this._ended) return;
      try { options.onStop?.(this); } finally { this.end(); }
    });
    if (t.isHead) { this.end(); return; }
    t.sink.flush();
  }

  /** Aborted when the client leaves or the stream ends. */
  get signal(): AbortSignal { return this._ac.signal; }
  /** True once ended (by `end()`, the server's stop, or the client leaving). */
  get closed(): boolean { return this._ended; }
  /** Body bytes written so far. */
  get bytesWritten(): number { return this._sent; }

  /**
   * Writes a piece (a string is UTF-8). Returns false when the connection's queue is above its high-water
   * mark (wait with `onceDrain`) or the stream is closed.
   */
  write(chunk: string | Uint8Array): boolean {
    if (this._ended) return false;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buf.length === 0) return true;
    this._sent += buf.length;
    const sink = this._t.sink;
    // Corked until the end of this turn (process.nextTick): many events written to this stream in one
    // turn (a burst of publishes) leave in one write, not one syscall per piece.
    if (!this._corked) { this._corked = true; sink.cork(); process.nextTick(this._uncork); }
    if (!this._chunked) return sink.writeBuffer(buf);
    sink.writeLatin1(buf.length.toString(16) + '\r\n');
    const ok = sink.writeBuffer(buf);
    sink.writeLatin1('\r\n');
    sink.flush();
    return ok;
  }

  /** Calls `cb` once the queue has drained below its high-water mark. */
  onceDrain(cb: () => void): void {
    this._t.sink.onceDrain(cb);
  }

  /** Ends the body (the last chunk); the connection then serves its next request, or closes. */
  end(): void {
    if (this._ended) return;
    this._ended = true;
    if (this._chunked && !this._t.isHead) this._t.sink.writeLatin1(LAST_CHUNK);
    this._uncork();
    this._t.done(this._sent, this._close);
    this._ac.abort(new Error('the stream ended'));
  }
}

function abortError(): Error {
  const e = new Error('the client closed the connection');
  e.name = 'AbortError';
  return e;
}
