import { MAX_MEMO_BODY, memoHead, withBody } from './head-memo';
import { httpDateLine } from '../http/date';
import { contentLengthLine, contentTypeLine, statusLine } from './head-builder';
import type { RequestView } from './request-view';
import type { ResponseSink } from './response-sink';

const NO_STORE = 'Cache-Control: no-store\r\n';
const CLOSE_TAIL = 'Connection: close\r\n\r\n';
const NO_STORE_CLOSE_TAIL = NO_STORE + CLOSE_TAIL;
let lastType: string | null = null;
let lastCharset: string | null = null;
let lastTypeLine = '';
/**
 * The Content-Type line of `ct` (the charset appended to text/* types that name none): the last one
 * again without a lookup when the type and charset are those of last time (a route answers the same type
 * every time).
 */
function typeLine(ct: string, cs: string | null): string {
  if (ct === lastType && cs === lastCharset) return lastTypeLine;
  lastType = ct;
  lastCharset = cs;
  return (lastTypeLine = contentTypeLine(ct, cs !== null && ct.startsWith('text/') && ct.indexOf('charset') === -1 ? cs : null));
}
let lastKeepAlive = '';
let lastNoStoreKeepAlive = '';
/** `Cache-Control: no-store` + the keep-alive lines, made once per keep-alive setting in use. */
function noStoreTail(keepAlive: string): string {
  if (keepAlive !== lastKeepAlive) { lastKeepAlive = keepAlive; lastNoStoreKeepAlive = NO_STORE + keepAlive; }
  return lastNoStoreKeepAlive;
}

/**
 * What the head writer reads of a response's state (`ResponseState`, response-state.ts, is one), and the
 * status it records: a plain interface, so that this file needs no import of the response.
 */
export interface HeadState {
  statusCode: number;
  readonly sink: ResponseSink | null;
  readonly headers: string[] | null;
  readonly acao: string | null;
  readonly contentType: string | null;
  readonly charset: string | null;
  readonly allowCaching: boolean;
}

/**
 * Writes the head of the response whose state is `st` (its owner checked by the caller) to request `req`: status line,
 * Date, Server, Content-Type, framing, caching, CORS, user fields, connection. `length`: ≥ 0
 * Content-Length, -1 none (no body), -2 none (101), -3 chunked, -4 close-delimited. The common shape is
 * one memoized head (head-memo.ts), handed to the sink with its bytes; otherwise the field lines (most of
 * them cached strings) are joined into one string, written once. `asciiBody`: the body that follows, when
 * it is an ASCII string to be sent whole; returns true when it was written here, with a memoized head.
 */
export function writeHead(st: HeadState, req: RequestView, code: number, length: number, close: boolean, asciiBody: string | null = null): boolean {
  const sink = st.sink!;
  const server = sink.defaults;
  st.statusCode = code;
  // The common shape (a length, no CORS, no fields of its own): one memoized string (head-memo.ts).
  if (length >= 0 && st.headers === null && st.acao === null && !server.allowAllOrigins && !server.corsAllowAll) {
    const ct = st.contentType;
    const m = memoHead(code + length, statusLine(code), httpDateLine(), server.serverLine,
      ct === null ? '' : typeLine(ct, st.charset),
      contentLengthLine(length),
      close ? (st.allowCaching ? CLOSE_TAIL : NO_STORE_CLOSE_TAIL)
        : st.allowCaching ? (req.httpVer === '1.0' ? server.keepAliveLine10 : server.keepAliveLine)
          : noStoreTail(req.httpVer === '1.0' ? server.keepAliveLine10 : server.keepAliveLine));
    if (asciiBody !== null && asciiBody.length <= MAX_MEMO_BODY) {
      // The same short body as last time behind this head: both in one copy (head-memo.ts withBody).
      const whole = withBody(m, asciiBody);
      if (whole !== null) { sink.writeLatin1(m.whole, whole); return true; }
    }
    sink.writeLatin1(m.head, m.bytes);
    return false;
  }
  // Built as one string, written once (the sink copies it in one call).
  let h = statusLine(code) + httpDateLine() + server.serverLine;
  const ct = st.contentType;
  if (ct !== null && length !== -1 && length !== -2) h += typeLine(ct, st.charset);
  if (length >= 0) h += contentLengthLine(length);
  else if (length === -3) h += 'Transfer-Encoding: chunked\r\n';
  if (!st.allowCaching && code !== 101) h += NO_STORE;
  if (st.acao !== null) {
    h += 'Access-Control-Allow-Origin: ' + st.acao + '\r\n';
  } else if (server.allowAllOrigins) {
    const origin = req.getHeader('origin');
    // Echoing the origin makes the response vary by it: caches must know (RFC 9110 §12.5.5).
    if (origin) h += 'Access-Control-Allow-Origin: ' + origin + '\r\nVary: Origin\r\n' + (server.corsAllowAll ? 'Access-Control-Allow-Credentials: true\r\n' : '');
  } else if (server.corsAllowAll && req.getHeader('origin') !== undefined) {
    h += 'Access-Control-Allow-Origin: *\r\n';
  }
  const extra = st.headers;
  // A field named '' holds lines already formatted (kFieldLines: a static file's validators).
  if (extra !== null) for (let i = 0; i < extra.length; i += 2) h += extra[i] === '' ? extra[i + 1] : extra[i] + ': ' + extra[i + 1] + '\r\n';
  if (code === 101) h += '\r\n';
  else if (close) h += CLOSE_TAIL;
  else h += req.httpVer === '1.0' ? server.keepAliveLine10 : server.keepAliveLine;
  sink.writeLatin1(h);
  return false;
}
