import type { Readable } from 'node:stream';
import { statusHasNoBody } from './head-builder';
import type { ResponseSink } from './response-sink';

/**
 * What the stream writer needs of the response it writes: made by the response for one stream, so that
 * neither file reads the other's privates.
 */
export interface StreamTarget {
  readonly sink: ResponseSink;
  /** The request was HEAD (fields only, no body). */
  readonly isHead: boolean;
  /** The client speaks HTTP/1.0 (no chunked coding). */
  readonly http10: boolean;
  /** Content-Length given by the caller, -1 when unknown. */
  readonly declaredLength: number;
  /** Sets the Content-Type when none was set. */
  defaultContentType(type: string): void;
  /** Writes the head for this framing to the sink (see the response's head writer) and marks it sent. */
  head(code: number, framing: number, close: boolean): void;
  /** The body is complete (`sent` bytes): marks the response finished and tells the sink. */
  done(sent: number, close: boolean): void;
  /** The body broke: marks the response finished and aborts the connection. */
  failed(err: Error): void;
}

/**
 * A stream whose chunks are buffers it reuses (static/file-chunks.ts): told, in write order, when the
 * socket has written each chunk, so that it never overwrites one still queued.
 */
interface RecyclingStream { chunkWritten(): void }

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/**
 * Writes a stream as the body of a response (`t`): Content-Length when known, else chunked (HTTP/1.1, RFC 9112
 * §7.1), else close-delimited (HTTP/1.0 has no chunked coding, RFC 9112 §6.3 item 8). Backpressure: the
 * stream pauses while the connection's queue is above its high-water mark. A stream that fails, or
 * whose length differs from the declared one, aborts the connection: the framing cannot be repaired.
 */
export function streamBody(t: StreamTarget, code: number, stream: Readable): void {
  const sink = t.sink;
  const declared = t.declaredLength;
  const noBody = statusHasNoBody(code) || t.isHead;
  let mode: 'length' | 'chunked' | 'close';
  if (declared >= 0) mode = 'length';
  else if (!t.http10) mode = 'chunked';
  else mode = 'close';
  t.defaultContentType('application/octet-stream');
  const close = mode === 'close' || !sink.canKeepAlive();
  // HEAD gets the header fields GET would get (RFC 9110 §9.3.2): Content-Type, and Content-Length when
  // known. An unknown length sends no Transfer-Encoding (-4): §9.3.2 lets fields that only generating the
  // content determines be omitted, and a client that ignores HEAD's no-content rule would wait for chunks.
  const framing = statusHasNoBody(code) && declared < 0 ? -1 : mode === 'length' ? declared : noBody || mode === 'close' ? -4 : -3;
  t.head(code, framing, close);
  if (noBody) {
    stream.destroy();
    t.done(0, close);
    return;
  }
  let sent = 0;
  let done = false;
  const recycling = typeof (stream as unknown as Partial<RecyclingStream>).chunkWritten === 'function' ? stream as unknown as RecyclingStream : null;
  const onWritten = recycling === null ? null : () => recycling.chunkWritten();
  const fail = (err: Error) => {
    if (done) return;
    done = true;
    stream.destroy();
    t.failed(err);
  };
  sink.onAbort(() => { if (!done) { done = true; stream.destroy(); } });
  stream.on('data', (chunk: Buffer | string) => {
    if (done) return;
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buf.length === 0) return;
    // A stream longer than declared (a file that grew): send exactly the declared bytes and stop there.
    const over = mode === 'length' && sent + buf.length >= declared;
    if (over) buf = buf.subarray(0, declared - sent);
    sent += buf.length;
    let ok: boolean;
    if (mode === 'chunked') {
      sink.writeLatin1(buf.length.toString(16) + CRLF);
      ok = sink.writeBuffer(buf, onWritten);
      sink.writeLatin1(CRLF);
    } else {
      ok = sink.writeBuffer(buf, onWritten);
    }
    if (over) {
      done = true;
      stream.destroy();
      t.done(sent, close);
      return;
    }
    if (!ok) {
      stream.pause();
      sink.onceDrain(() => { if (!done) stream.resume(); });
    }
  });
  stream.once('end', () => {
    if (done) return;
    if (mode === 'length' && sent !== declared) {
      fail(new Error(`the stream ended after ${sent} of the declared ${declared} bytes`));
      return;
    }
    if (mode === 'chunked') sink.writeLatin1(LAST_CHUNK);
    done = true;
    t.done(sent, close);
  });
  stream.once('error', (err) => fail(err));
}

