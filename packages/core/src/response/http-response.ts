import * as fs from 'node:fs';
import type { Readable } from 'node:stream';
import { MwsError, invalidOption } from '../base/errors';
import type { RequestRef, ServerRef } from '../base/refs';
import { clearingCookie, serializeCookie, type CookieOptions } from './cookie';
import { answerFile } from './file-answer';
import { isToken } from '../http/fields';
import { errorPage, statusHasNoBody, utf8Length } from './head-builder';
import { writeHead } from './head-writer';
import { MAX_MEMO_BODY } from './head-memo';
import { isScratchView, jsonBody } from './json-body';
import { kFieldLines, kKeep, kKept, kMarkFinished, kRetire } from './internals';
import type { RequestView } from './request-view';
import { authenticateValue, checkedField, checkedValue, fieldOf, setField } from './response-fields';
import type { ResponseSink } from './response-sink';
import { LAST_GENERATION, ResponseState, staleError } from './response-state';
import { OpenStream, type OpenStreamOptions } from './open-stream';
import { streamBody, type StreamTarget } from './stream-body';

/** The last short ASCII string body whose length was measured (`_sendWhole`): the same one again is not re-scanned. */
let lastAsciiBody = '';

export type { ResponseSink } from './response-sink';

/** Where a response is (its state's `state`: 0, Idle, is what a new or reset state holds). */
const enum State { Idle, Started, HeadSent, Finished }

/**
 * The response to one request, MicroWebSrv2's `HttpResponse` in Node naming. One `return…` call sends it;
 * a second one throws ERR_MWS_RESPONSE_SENT. Heads and small bodies go out in one write (batched with
 * other pipelined responses); HEAD, 204 and 304 never carry a body; streams respect backpressure.
 */
export class HttpResponse {
  /** The state, shared with the responses before and after this one on its connection when they are reused. */
  private readonly _st: ResponseState<HttpResponse>;
  /** The state's generation this response was made in: while the state holds it, this one is its owner. */
  private readonly _gen: number;
  /** The request this answers. */
  private readonly _rq: RequestView & RequestRef;

  /**
   * Made by the connection for each request (`sink`: the connection; tests pass a recording sink and a
   * literal request view). `reuse`: the state of a retired response (kRetire, on any connection), which this
   * one takes over (issue 19: no allocation but this three-field object per response).
   */
  constructor(req: RequestView & RequestRef, sink: ResponseSink<HttpResponse>, reuse: ResponseState<HttpResponse> | null = null) {
    // Everything this response refers to is stored in it, young into young: no write barrier.
    this._rq = req;
    if (reuse === null || reuse.gen >= LAST_GENERATION) {
      this._st = new ResponseState(sink);
      this._gen = 0;
    } else {
      const st = reuse;
      this._gen = st.reset(sink); // the previous response goes stale, if kRetire did not make it so already
      this._st = st;
    }
  }

  /** The state, while this response is its owner (else ERR_MWS_STALE: the connection reused it). */
  private get _s(): ResponseState<HttpResponse> {
    const st = this._st;
    if (st.gen !== this._gen) throw staleError();
    return st;
  }

  /** Send caching headers as the content allows (false: `Cache-Control: no-store`). */
  get allowCaching(): boolean { return this._s.allowCaching; }
  set allowCaching(v: boolean) { this._s.allowCaching = v; }
  /** Content-Length for `returnStream` (-1: unknown, chunked or close-delimited). */
  get contentLength(): number { return this._s.contentLength; }
  set contentLength(v: number) { this._s.contentLength = v; }
  /** Called once the whole response was handed to the kernel. */
  get onSent(): ((server: ServerRef, response: HttpResponse) => void) | null { return this._s.onSent; }
  set onSent(v: ((server: ServerRef, response: HttpResponse) => void) | null) {
    const st = this._s;
    st.onSent = v;
    if (v !== null) st.kept = true; // runs after the write: the next request must not take this object
  }
  /** The status code sent (0 before). */
  get statusCode(): number { return this._s.statusCode; }
  set statusCode(v: number) { this._s.statusCode = v; }

  // The fields of the methods below live in the state (ResponseState): these keep their old names.
  private get _acao(): string | null { return this._s.acao; }
  private set _acao(v: string | null) { this._s.acao = v; }
  private get _contentType(): string | null { return this._s.contentType; }
  private set _contentType(v: string | null) { this._s.contentType = v; }
  private get _charset(): string | null { return this._s.charset; }
  private set _charset(v: string | null) { this._s.charset = v; }
  private get _req(): RequestView & RequestRef {
    if (this._st.gen !== this._gen) throw staleError();
    return this._rq;
  }
  private get _sink(): ResponseSink<HttpResponse> { return this._s.sink!; }
  private get _bodyBytes(): number { return this._s.bodyBytes; }
  private set _bodyBytes(v: number) { this._s.bodyBytes = v; }
  private get _state(): State { return this._s.state; }
  private set _state(v: State) { this._s.state = v; }
  private get _headers(): string[] | null { return this._s.headers; }
  private set _headers(v: string[] | null) { this._s.headers = v; }

  /** Something uses this exchange after its handler returns: its objects are not reused. */
  // Through the owner check: a late keep() (after the state went to another request) throws ERR_MWS_STALE
  // instead of marking that other request's state.
  [kKeep](): void { this._s.kept = true; }
  /** True when the exchange was kept, or this response already went stale. */
  [kKept](): boolean { return this._st.kept || this._st.gen !== this._gen; }
  /** This response goes stale now: its state, returned, serves a later response (null: stale already). */
  [kRetire](): ResponseState<HttpResponse> | null {
    const st = this._st;
    if (st.gen !== this._gen) return null;
    st.gen++; // retired: no response owns it until the next reset
    st.headers = null; // nothing of it stays alive while the state waits (its connection may close)
    st.onSent = null;
    st.sink = null;
    return st;
  }

  /** Access-Control-Allow-Origin value for this response (null: the server's CORS setting decides). */
  get accessControlAllowOrigin(): string | null { return this._acao; }
  set accessControlAllowOrigin(v: string | null) { this._acao = checkedValue('accessControlAllowOrigin', v); }
  /** Content-Type of the body (null: text/html for strings, application/octet-stream for Buffers). */
  get contentType(): string | null { return this._contentType; }
  set contentType(v: string | null) { this._contentType = checkedValue('contentType', v); }
  /** Charset appended to text/* content types (null: none). */
  get contentCharset(): string | null { return this._charset; }
  set contentCharset(v: string | null) { this._charset = checkedValue('contentCharset', v); }

  /** The request this answers. */
  get request(): RequestRef { return this._req; }
  /** Body bytes sent (0 for HEAD, 204, 304; the streamed count for streams). */
  get bodyBytes(): number { return this._bodyBytes; }
  /** True once the head left (or is queued to leave). */
  get headersSent(): boolean { return this._state >= State.HeadSent; }
  /** True once a return… method was called (the response may still be streaming). */
  get started(): boolean { return this._state !== State.Idle; }
  get finished(): boolean { return this._state === State.Finished; }

  /**
   * Sets a response field; a name given again replaces the earlier value, except Set-Cookie, which is
   * repeated (one field per cookie, RFC 6265 §3). Throws on a name that is not a token or a value with
   * CR, LF or NUL (response splitting).
   */
  setHeader(name: string, value: string | number): void {
    const v = this._checkHeader(name, value);
    setField(this._headers ??= [], name, v);
  }

  /** Adds a field even if the name is already set (for fields that may repeat, such as Link). */
  appendHeader(name: string, value: string | number): void {
    const v = this._checkHeader(name, value);
    (this._headers ??= []).push(name, v);
  }

  /** The value of a field set on this response, or undefined. */
  getHeader(name: string): string | undefined { return fieldOf(this._headers, name); }

  /**
   * Adds a Set-Cookie field (one per cookie, RFC 6265 §3) built by {@link serializeCookie}: the value is
   * URI-encoded unless `encode` says otherwise, and misuse (a bad name, `sameSite: 'None'` without
   * `secure`, …) throws ERR_MWS_INVALID_OPTION naming the attribute.
   */
  setCookie(name: string, value: string, options?: CookieOptions): void {
    this.appendHeader('Set-Cookie', serializeCookie(name, value, options));
  }

  /** Deletes cookie `name` in the browser: give the `path` and `domain` it was set with (Max-Age=0). */
  clearCookie(name: string, options?: Omit<CookieOptions, 'maxAge' | 'expires' | 'encode'>): void {
    this.appendHeader('Set-Cookie', clearingCookie(name, options));
  }

  /** The checks of response-fields.ts, then: no field after the head left. */
  private _checkHeader(name: string, value: string | number): string {
    const v = checkedField(name, value);
    if (this._state >= State.HeadSent) throw new MwsError('ERR_MWS_RESPONSE_SENT', `setHeader(${name}): the head is already sent`);
    return v;
  }

  /** Sends `code` with `content` (string: UTF-8; Buffer; null: no body). */
  return(code: number, content: string | Uint8Array | null = null): void {
    this._begin(code);
    this._sendWhole(this._st, code, content);
  }

  returnOk(content: string | Uint8Array | null = null): void { this.return(200, content); }

  /** Sends `obj` as JSON (application/json), written without an intermediate string (json-body.ts). */
  returnJSON(code: number, obj: unknown): void {
    this.contentType ??= 'application/json';
    const body = jsonBody(obj);
    this._begin(code);
    this._sendWhole(this._st, code, body, typeof body !== 'string' && isScratchView(body));
  }

  returnOkJSON(obj: unknown): void { this.returnJSON(200, obj); }

  /**
   * Streams `stream` with status `code`: `Content-Length` when known (`contentLength` or the argument),
   * else chunked for HTTP/1.1, else close-delimited for HTTP/1.0 (chunked is never sent to 1.0 clients).
   */
  returnStream(code: number, stream: Readable, contentLength?: number): void {
    if (contentLength !== undefined) this.contentLength = contentLength;
    this._begin(code);
    this[kKeep]();
    streamBody(this._streamTarget(), code, stream);
  }

  /**
   * Starts an open-ended response (server-sent events, long polls): the head leaves now, then the body
   * is written piece by piece with the returned stream's `write`, until its `end()`. A graceful `stop()`
   * of the server calls `options.onStop`, then ends it, instead of waiting for it.
   */
  openStream(code = 200, options: OpenStreamOptions = {}): OpenStream {
    if (options === null || typeof options !== 'object') throw invalidOption('openStream options', '{ contentType?, onStop? }', options);
    if (options.onStop !== undefined && typeof options.onStop !== 'function') throw invalidOption('openStream onStop', 'a function (stream) => void', options.onStop);
    this._begin(code);
    if (statusHasNoBody(code)) throw invalidOption('openStream code', 'a status that has a body (not 1xx, 204 or 304)', code);
    this[kKeep]();
    return new OpenStream(this._streamTarget(), code, options);
  }

  /**
   * Aborts a response that has begun (a stream that cannot go on): the connection is closed at once, as
   * the framing cannot be repaired. Before anything was sent, prefer an error status.
   */
  destroy(err: Error = new Error('response destroyed')): void {
    if (this._state === State.Finished) return;
    this[kKeep]();
    this._state = State.Finished;
    this._sink.abort(this, err);
  }

  /**
   * Sends a file, as a download named `attachmentName` when given. Its type comes from the server's MIME
   * table, then the standard database; an unknown type is application/octet-stream, or refused with 403
   * when the server's `staticUnknownType` is 'refuse' (as MicroWebSrv2). A missing file is a 404.
   */
  returnFile(path: string, attachmentName?: string): Promise<void> {
    this._begin(0);
    this[kKeep]();
    return new Promise<void>((resolve) => {
      fs.stat(path, (err, st) => {
        this._state = State.Idle;
        answerFile(this, this._sink, path, attachmentName, err ? null : st); // file-answer.ts
        resolve();
      });
    });
  }

  /** 307 Temporary Redirect to `location` (the method and body are kept, RFC 9110 §15.4.8). */
  returnRedirect(location: string): void {
    this.setHeader('Location', location);
    this.return(307);
  }

  returnNotModified(): void { this.return(304); }
  returnBadRequest(detail?: string): void { this._error(400, detail); }
  returnForbidden(): void { this._error(403); }
  returnMethodNotAllowed(allow?: string[]): void {
    if (allow) this.setHeader('Allow', allow.join(', '));
    this._error(405);
  }
  /** 413; `detail` (e.g. which limit) is shown escaped in the page. */
  returnEntityTooLarge(detail?: string): void { this._error(413, detail); }
  returnInternalServerError(): void { this._error(500); }
  returnNotImplemented(): void { this._error(501); }
  returnServiceUnavailable(): void { this._error(503); }

  /** 404, or a redirect to the server's `notFoundURL` (never to the page being asked for: no loop). */
  returnNotFound(): void {
    const url = this._sink.defaults.notFoundURL;
    if (url && url !== this._req.path && url !== this._req.target) this.returnRedirect(url);
    else this._error(404);
  }

  /** 401 with `WWW-Authenticate: <typeName> realm="<realm>"` (RFC 9110 §11.6.1). */
  returnUnauthorized(typeName = 'Basic', realm?: string): void {
    this.setHeader('WWW-Authenticate', authenticateValue(typeName, realm));
    this._error(401);
  }

  returnBasicAuthRequired(realm = 'Restricted'): void { this.returnUnauthorized('Basic', realm); }
  returnBearerAuthRequired(realm?: string): void { this.returnUnauthorized('Bearer', realm); }

  /** 101 Switching Protocols to `upgrade` (e.g. websocket); the connection then leaves HTTP. */
  switchingProtocols(upgrade: string): void {
    if (!isToken(upgrade.replace(/\//g, ''))) throw invalidOption('switchingProtocols upgrade', 'a protocol token such as websocket', upgrade);
    this._begin(101);
    this[kKeep]();
    this.setHeader('Connection', 'Upgrade');
    this.setHeader('Upgrade', upgrade);
    this._writeHead(101, -2, true);
    this._state = State.Finished;
    this._sink.upgraded(this);
  }

  // ---- internals -------------------------------------------------------------------------------

  private _begin(code: number): void {
    if (this._s.state !== State.Idle) {
      throw new MwsError('ERR_MWS_RESPONSE_SENT', `cannot send ${code || 'a file'}: this response was already sent (status ${this.statusCode})`);
    }
    if (code !== 0 && !(Number.isInteger(code) && code >= 100 && code <= 999)) throw invalidOption('status code', 'an integer from 100 to 999', code);
    this._state = State.Started;
  }

  private _error(code: number, detail?: string): void {
    this.contentType = 'text/html';
    this.return(code, errorPage(code, detail));
  }

  /**
   * Sends the head and the whole body. `st`: this response's state, checked by `_begin` just before
   * (issue 19: read once here, not through the checking accessors on every field). `scratch`: `content`
   * is a view of returnJSON's scratch (json-body.ts), which the sink must copy at once.
   */
  private _sendWhole(st: ResponseState<HttpResponse>, code: number, content: string | Uint8Array | null, scratch = false): void {
    const sink = st.sink!;
    const noBody = statusHasNoBody(code);
    const req = this._rq; // st is this response's (checked by the caller)
    const isHead = req.method === 'HEAD';
    let len = 0;
    let ascii = true;
    if (content !== null && !noBody) {
      // The defaults below are valid values: set on the state, past checkedValue.
      if (typeof content === 'string') {
        if (content === lastAsciiBody) len = content.length; // measured last time (a route's constant answer)
        else {
          len = utf8Length(content);
          ascii = len === content.length; // only then is latin1 the same bytes as UTF-8
          if (ascii && len <= MAX_MEMO_BODY) lastAsciiBody = content;
        }
        st.contentType ??= 'text/html';
      } else {
        len = content.length;
        st.contentType ??= 'application/octet-stream';
      }
    }
    const close = !sink.canKeepAlive();
    const withHead = writeHead(st, req, code, noBody ? -1 : len, close,
      ascii && !isHead && !noBody && len !== 0 && typeof content === 'string' ? content : null);
    st.state = State.HeadSent;
    st.bodyBytes = isHead || noBody ? 0 : len;
    if (isHead || noBody || len === 0 || withHead) {
      // head only, or the body went with it
    } else if (typeof content === 'string') {
      if (ascii) sink.writeLatin1(content);
      else sink.writeBuffer(Buffer.from(content, 'utf8'));
    } else if (scratch) {
      sink.writeCopy(content as Uint8Array); // json-body.ts's scratch: copied now
    } else {
      sink.writeBuffer(content as Uint8Array);
    }
    st.state = State.Finished;
    sink.finish(this, close);
  }

  /** Marks the response done without sending (its connection was detached): the pipeline stops here. */
  [kMarkFinished](): void { this._state = State.Finished; this[kKeep](); }

  /** Pre-formatted field lines (internals.ts), kept in the field list under the name '' (no token is empty). */
  [kFieldLines](lines: string): void {
    if (this._state >= State.HeadSent) throw new MwsError('ERR_MWS_RESPONSE_SENT', 'field lines: the head is already sent');
    (this._headers ??= []).push('', lines);
  }

  /** What the stream writer needs of this response, for one stream. */
  private _streamTarget(): StreamTarget {
    return {
      sink: this._sink,
      isHead: this._req.method === 'HEAD',
      http10: this._req.httpVer === '1.0',
      declaredLength: this.contentLength,
      defaultContentType: (type) => { this.contentType ??= type; },
      head: (code, framing, close) => {
        this._writeHead(code, framing, close);
        this._state = State.HeadSent;
      },
      done: (sent, close) => {
        this._bodyBytes = sent;
        this._state = State.Finished;
        this._sink.finish(this, close);
      },
      failed: (err) => {
        this._state = State.Finished;
        this._sink.abort(this, err);
      },
    };
  }

  /** Writes the head for `code` and framing `length` (head-writer.ts): streams and 101. */
  private _writeHead(code: number, length: number, close: boolean): void {
    const st = this._s;
    writeHead(st, this._rq, code, length, close);
  }
}
