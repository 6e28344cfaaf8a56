import type { Readable } from 'node:stream';
import { statusHasNoBody } from './head-builder';
import type { HttpResponse } from './http-response';

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/**
 * Writes a stream as the body of `resp`: Content-Length when known, else chunked (HTTP/1.1, RFC 9112
 * §7.1), else close-delimited (HTTP/1.0 has no chunked coding, RFC 9112 §6.3 item 8). Backpressure: the
 * stream pauses while the connection's queue is above its high-water mark. A stream that fails, or
 * whose length differs from the declared one, aborts the connection: the framing cannot be repaired.
 */
export function streamBody(resp: HttpResponse, code: number, stream: Readable): void {
  const sink = resp._sink;
  const req = resp._req;
  const declared = resp.contentLength;
  const noBody = statusHasNoBody(code) || req.method === 'HEAD';
  let mode: 'length' | 'chunked' | 'close';
  if (declared >= 0) mode = 'length';
  else if (req._head.versionMinor === 1) mode = 'chunked';
  else mode = 'close';
  resp.contentType ??= 'application/octet-stream';
  const close = mode === 'close' || !sink.canKeepAlive();
  // HEAD gets the header fields GET would get (RFC 9110 §9.3.2): Content-Type, and Content-Length when
  // known. An unknown length sends no Transfer-Encoding (-4): §9.3.2 lets fields that only generating the
  // content determines be omitted, and a client that ignores HEAD's no-content rule would wait for chunks.
  const framing = statusHasNoBody(code) && declared < 0 ? -1 : mode === 'length' ? declared : noBody || mode === 'close' ? -4 : -3;
  const head = resp._buildHead(code, framing, close);
  sink.writeLatin1(head);
  resp._markHeadSent();
  if (noBody) {
    stream.destroy();
    resp._markFinished();
    sink.finish(resp, close);
    return;
  }
  let sent = 0;
  let done = false;
  const fail = (err: Error) => {
    if (done) return;
    done = true;
    stream.destroy();
    resp._markFinished();
    sink.abort(resp, err);
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
      ok = sink.writeBuffer(buf);
      sink.writeLatin1(CRLF);
    } else {
      ok = sink.writeBuffer(buf);
    }
    if (over) {
      done = true;
      stream.destroy();
      resp._bodyBytes = sent;
      resp._markFinished();
      sink.finish(resp, close);
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
    resp._bodyBytes = sent;
    resp._markFinished();
    sink.finish(resp, close);
  });
  stream.once('error', (err) => fail(err));
}

