import type { Readable, Writable } from 'node:stream';
import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { RequestHead } from '../http/head';
import { MwsError } from '../base/errors';
import type { ServerRef } from '../base/refs';
import { HttpResponse, type ResponseSink } from '../response/http-response';
import { kKeep, kMarkFinished, kRetire } from '../response/internals';
import { LAST_GENERATION, staleError, type ResponseState } from '../response/response-state';
import { kHead, kRetireRequest, kSetBody } from './internals';
import { parseBasic, parseBearer, safeEqual } from './auth';
import { parseCookies, parseUrlEncoded, percentDecode } from './decode';
import { picoViewOf, type PicoRequestView } from './pico-view';
import { isStreamed, requestBodyOf } from './body-registry';
import type { PipeToOptions, RequestBody } from './body-stream';
import { multipartFields, multipartParts, type MultipartLimits, type MultipartPart } from './multipart';
import { negotiateEncoding, negotiateLanguage, negotiateMediaType, parseAccept, parseAcceptEncoding, parseAcceptLanguage, sortedValues } from './negotiate';

/** picohttp views, made on first use: a WeakMap, so that requests that never ask carry no extra field. */
const PICO_VIEWS = new WeakMap<HttpRequest, PicoRequestView>();

/** What a request needs from its connection (kept narrow so that requests stay testable). */
export interface RequestOrigin {
  readonly server: ServerRef;
  detach(): XAsyncTCPClient;
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly isSSL: boolean;
}

/**
 * One HTTP request, MicroWebSrv2's `HttpRequest` in Node naming. Values are computed on first use and
 * cached: a handler pays only for what it reads. Header names are case-insensitive.
 */
export class HttpRequest {
  /** The response to this request. */
  readonly response: HttpResponse;
  /** The state, shared with the requests before and after this one on its connection when they are reused. */
  private readonly _st: RequestState;
  /** The state's generation this request was made in: while the state holds it, this one is its owner. */
  private readonly _gen: number;

  /**
   * Made by the connection (tests pass a literal origin and a parsed head). `reuse`: the state of a
   * request answered and retired (on any connection, see kRetireRequest), which this one takes over with
   * its response state.
   */
  constructor(origin: RequestOrigin, head: RequestHead, sink: ResponseSink<HttpResponse>, reuse: RequestState | null = null) {
    if (reuse === null || reuse.gen >= LAST_GENERATION) {
      this._st = new RequestState(origin, head);
      this._gen = 0;
    } else {
      const st = reuse;
      // The previous request goes stale, if kRetireRequest did not make it so already. A generation,
      // not a reference to this (young) request: no write barrier's slow path per request (issue 19).
      this._gen = ++st.gen;
      st.origin = origin; // a retired request of any connection may serve
      st.head = head; // heads come from a free list: usually an old object, no slow path either
      st.body = null;
      st.cache = null;
      this._st = st;
    }
    // No factory closure: the allocation-free hot path keeps to plain constructor calls.
    this.response = new HttpResponse(this, sink, reuse === null ? null : reuse.resp);
  }

  /** The state, while this request is its owner (else ERR_MWS_STALE: the connection reused it). */
  private get _s(): RequestState {
    const st = this._st;
    // The error made apart (response-state.ts): a getter this small is inlined where it is read.
    if (st.gen !== this._gen) throw staleError();
    return st;
  }

  // The fields of the methods below live in the state (RequestState): these keep their old names.
  private get _head(): RequestHead { return this._s.head; }
  private get _origin(): RequestOrigin { return this._s.origin!; }
  private get _body(): Buffer | null { return this._s.body; }
  private set _body(v: Buffer | null) { this._s.body = v; }
  /** Values computed on first use, in one object made on first need (most requests need none: issue 19). */
  private get _cache(): RequestCache | null { return this._s.cache; }
  private set _cache(v: RequestCache | null) { this._s.cache = v; }

  /**
   * Declares that this request and its response are used after the handler returns (from a timer, a
   * list kept for later): its connection then gives the next request new objects. Without it, a request
   * that a handler answered before returning, and returned no promise, goes stale when it returns: its
   * objects serve the connection's next request, and using the old one throws ERR_MWS_STALE (it never
   * shows the next request's data). An async handler, `onSent`, a stream, a body reader keep theirs
   * without it. Returns the request.
   */
  keep(): this {
    this.response[kKeep]();
    return this;
  }

  /** The server that received the request. */
  get server(): ServerRef { return this._origin.server; }
  /** The method, as sent (methods are case-sensitive, RFC 9110 §9.1). */
  get method(): string { return this._head.method; }
  /** The path, percent-decoded once (the raw form is `rawPath`). */
  get path(): string {
    const c = (this._cache ??= new RequestCache());
    if (c.path === null) c.path = percentDecode(this._head.path) ?? this._head.path;
    return c.path;
  }
  /** The path as sent, still percent-encoded. */
  get rawPath(): string { return this._head.path; }
  /** The request-target as sent. */
  get target(): string { return this._head.target; }
  /** The query string without '?', '' when none. */
  get queryString(): string { return this._head.queryString; }
  /** Query parameters, decoded ('+' is a space); a repeated name keeps its last value. */
  get queryParams(): Record<string, string> {
    const c = (this._cache ??= new RequestCache());
    if (c.query === null) c.query = parseUrlEncoded(this._head.queryString, true);
    return c.query;
  }
  /** '1.0' or '1.1'. */
  get httpVer(): string { return this._head.versionMinor === 1 ? '1.1' : '1.0'; }
  /** All fields by lower-case name; repeated fields are joined with ', ' (RFC 9110 §5.3), cookies with '; '. */
  get headers(): Record<string, string> {
    const c = (this._cache ??= new RequestCache());
    if (c.headers === null) {
      const h: Record<string, string> = Object.create(null);
      const list = this._head.headers;
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i];
        const prev = h[name];
        h[name] = prev === undefined ? list[i + 1] : prev + (name === 'cookie' ? '; ' : ', ') + list[i + 1];
      }
      c.headers = h;
    }
    return c.headers;
  }
  /** One field's value by name (any case), or undefined. */
  getHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    const joined = this._cache?.headers;
    if (joined != null) return joined[lower];
    const list = this._head.headers;
    let found: string | undefined;
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] === lower) {
        if (found !== undefined) return this.headers[lower]; // repeated: the joined form
        found = list[i + 1];
      }
    }
    return found;
  }
  /**
   * picohttp's request view (for single handlers, see `setRequestHandler`): `{ method, path: decoded
   * segments, query, protocol, headers, data }`, made on first use.
   */
  get picoView(): PicoRequestView {
    this.response[kKeep](); // the view may be kept with its values: a reused request would not be them
    let v = PICO_VIEWS.get(this);
    if (v === undefined) PICO_VIEWS.set(this, (v = picoViewOf(this.method, this.rawPath, this.queryParams, this.httpVer, this.headers, this.content)));
    return v;
  }
  /** The client's address as [host, port], as MicroWebSrv2's UserAddress. */
  get userAddress(): [string, number] { return [this._origin.remoteHost, this._origin.remotePort]; }
  get isSSL(): boolean { return this._origin.isSSL; }
  /** The Host field (or the authority of an absolute-form target). */
  get host(): string { return this._head.host; }
  /**
   * The media ranges of `Accept`, best first (RFC 9110 §12.5.1): sorted by q, then specificity, then the
   * client's order; lower-case, parameters removed, q=0 and malformed members left out; [] without the
   * field. The field as sent: `getHeader('accept')`. To choose among your types: {@link acceptsType}.
   */
  get accept(): string[] { return sortedValues(parseAccept(this.getHeader('accept') ?? '')); }
  /** The codings of `Accept-Encoding`, best first, lower-case (as `accept`); `identity` only if named. */
  get acceptEncodings(): string[] { return sortedValues(parseAcceptEncoding(this.getHeader('accept-encoding') ?? '')); }
  /** The language ranges of `Accept-Language`, best first, as sent (as `accept`). */
  get acceptLanguages(): string[] { return sortedValues(parseAcceptLanguage(this.getHeader('accept-language') ?? '')); }
  /**
   * The best of `types` (e.g. `['application/json', 'text/html']`) for this request's `Accept`, or null
   * when none is acceptable (answer 406, or your default). Without the field: the first type.
   */
  acceptsType(types: readonly string[]): string | null { return negotiateMediaType(this.getHeader('accept'), types); }
  /** The best of `languages` (e.g. `['en', 'fr-CH']`) for `Accept-Language` (RFC 4647 basic filtering), or null. */
  acceptsLanguage(languages: readonly string[]): string | null { return negotiateLanguage(this.getHeader('accept-language'), languages); }
  /**
   * The best of `encodings` (e.g. `['br', 'gzip', 'identity']`) for `Accept-Encoding`, or null. `identity`
   * is acceptable unless refused (`identity;q=0`, `*;q=0`); without the field only `identity` is.
   */
  acceptsEncoding(encodings: readonly string[]): string | null { return negotiateEncoding(this.getHeader('accept-encoding'), encodings); }
  get cookies(): Record<string, string> {
    const c = (this._cache ??= new RequestCache());
    if (c.cookies === null) c.cookies = parseCookies(this.getHeader('cookie'));
    return c.cookies;
  }
  get cacheControl(): string { return this.getHeader('cache-control') ?? ''; }
  get referer(): string { return this.getHeader('referer') ?? ''; }
  get contentType(): string {
    const ct = this.getHeader('content-type') ?? '';
    const semi = ct.indexOf(';');
    return (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  }
  /** Content-Length as declared, or the decoded size of a chunked body (0 when none). */
  get contentLength(): number { return this._head.contentLength >= 0 ? this._head.contentLength : (this._body?.length ?? 0); }
  get userAgent(): string { return this.getHeader('user-agent') ?? ''; }
  get authorization(): string { return this.getHeader('authorization') ?? ''; }
  get origin(): string { return this.getHeader('origin') ?? ''; }
  /** The connection stays open after this exchange (RFC 9112 §9.3). */
  get isKeepAlive(): boolean { return this._head.keepAlive; }
  /** `Connection: upgrade` with an `Upgrade` field (WebSockets). */
  get isUpgrade(): boolean { return this._head.upgrade; }
  get upgrade(): string { return this.getHeader('upgrade') ?? ''; }
  /**
   * The body (empty Buffer when none, and for a streamed body: read that with `read`, `body`, `pipeTo`).
   * The Buffer is the request's own, not a view of the slot: it stays valid after the handler returns.
   */
  get content(): Buffer { return this._body ?? EMPTY; }

  // ---- the body as a stream (streamed routes; buffered bodies are served the same way) -----------

  /** True when the body is streamed to the handler (a route's `body: 'stream'`, a module's `'stream'`). */
  get isBodyStreamed(): boolean { return isStreamed(this); }
  /**
   * Most body bytes accepted; set it before reading (a streamed route's default: its `maxBodyBytes`, else
   * none; at most that). A streamed body past it → 413 and close, and reads fail with
   * ERR_MWS_BODY_TOO_LARGE (a declared Content-Length above it: before any byte is read). A buffered
   * body larger than a limit set here fails its reads the same way (413 if the handler lets it go).
   */
  get bodyLimit(): number { return this._bodyState().limit; }
  set bodyLimit(v: number) { this._bodyState().limit = v; }
  /**
   * uhttpd's `read(n)`: the next piece of the body, at most `n` bytes (any size without `n`), or null at
   * its end. The first read of a streamed body sends `100 Continue` when the client asked for it.
   * Rejects with an AbortError when the client leaves, ERR_MWS_BODY_TOO_LARGE / ERR_MWS_BODY_TIMEOUT
   * when the server ended the body (413 / 408 sent). One read at a time.
   */
  read(n?: number): Promise<Buffer | null> { return this._bodyState().read(n); }
  /** uhttpd's `readinto(buf)`: copies the next bytes into `buf`, resolves with their count (0 at the end). */
  readInto(buf: Uint8Array): Promise<number> { return this._bodyState().readInto(buf); }
  /**
   * The body as a Node `Readable` (`for await (const chunk of request.body)`, `pipeline(request.body, …)`),
   * made on first use; backpressure reaches the socket. Use one way of reading per request.
   */
  get body(): Readable { return this._bodyState().readable; }
  /**
   * Writes the body to `writable` as it arrives, waiting for its `'drain'` (backpressure), then ends it
   * (unless `{ end: false }`) and resolves with the byte count once it finished. Rejects when the body
   * fails (the writable is left open: destroy it, remove a partial file) or the writable fails.
   */
  pipeTo(writable: Writable, options?: PipeToOptions): Promise<number> { return this._bodyState().pipeTo(writable, options); }
  /**
   * Aborts when the client leaves before the response is finished, or the server ends a streamed body
   * (timeout, limit); `signal.reason` is an AbortError or the MwsError. Made on first use.
   */
  get signal(): AbortSignal { return this._bodyState().signal(); }
  /** Trailer fields of a chunked body, `[name, value, …]` (lower-case names), once a streamed body ended; else null. */
  get trailers(): string[] | null { return this._bodyState().trailers; }
  /**
   * The parts of a multipart/form-data (or urlencoded) body as they arrive, parsed by busboy: `for await
   * (const part of request.multipart({ fileSize: 10e6 }))`. A field comes with its `value`; a file with a
   * `stream` to consume (or `resume()`) before asking for the next part (one not read at all is
   * dropped). A limit passed: ERR_MWS_MULTIPART_LIMIT (413 with its message if the handler lets it go);
   * a malformed body: ERR_MWS_BAD_MULTIPART (400). Works on buffered bodies too.
   */
  multipart(limits?: MultipartLimits): AsyncIterableIterator<MultipartPart> {
    return multipartParts(this.getHeader('content-type'), this._bodyState(), limits);
  }

  /** The body's stream state: the engine's for a streamed body, else made from the content on first use. */
  private _bodyState(): RequestBody {
    this.response[kKeep](); // a body reader goes on after the handler returns
    return requestBodyOf(this, this.content);
  }

  /**
   * Takes the connection out of HTTP (for a module: WebSockets after `response.switchingProtocols()`, a
   * tunnel). Returns its XAsyncTCPClient: set a receive on it (bytes that followed this request are
   * delivered first), and `onClosed`. The connection keeps its slot until it closes; the server's
   * `stop()` closes it if it is still open after the modules' `onStop`.
   */
  detachConnection(): XAsyncTCPClient {
    this.response[kKeep]();
    const client = this._origin.detach();
    // Nothing more will be sent as HTTP: the pipeline must stop at the stage that took the connection.
    if (!this.response.finished) this.response[kMarkFinished]();
    return client;
  }

  /** Called by the connection (see ./internals.ts). */
  [kRetireRequest](): RequestState | null {
    const st = this._st;
    if (st.gen !== this._gen) return null; // stale already: the state is another request's
    st.gen++; // retired: no request owns it until the next one takes it
    st.cache = null; // nothing of it stays alive while the state waits (its connection may close)
    st.body = null;
    st.origin = null;
    st.resp = this.response[kRetire]();
    return st;
  }

  /** Set by the connection (see ./internals.ts). */
  [kSetBody](body: Buffer | null): void { this._body = body; }
  /** Read by core's stages (see ./internals.ts). */
  [kHead](): RequestHead { return this._s.head; }

  /** The body as UTF-8 text. */
  getPostedText(): string { return this.content.toString('utf8'); }

  /**
   * The body as a form: application/x-www-form-urlencoded, or the fields of multipart/form-data (file
   * parts left out: read those with `multipart()`); {} for another content type or a streamed body.
   */
  getPostedURLEncodedForm(): Record<string, string> {
    const type = this.contentType;
    if (type === 'multipart/form-data') return multipartFields(this.getHeader('content-type')!, this.content);
    if (type !== 'application/x-www-form-urlencoded') return Object.create(null);
    return parseUrlEncoded(this.content.toString('utf8'), true);
  }

  /**
   * The body parsed as JSON. Throws MwsError ERR_MWS_BAD_JSON on malformed JSON; a handler that lets it
   * go gets a 400 answered for it.
   */
  getPostedJSONObject(): unknown {
    const text = this.content.toString('utf8');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new MwsError('ERR_MWS_BAD_JSON', `the request body is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * True when the request carries Basic credentials equal to `username` and `password` (case-sensitive,
   * compared in constant time; a password may contain ':'). Without arguments: true if any Basic
   * credentials are present.
   */
  checkBasicAuth(username?: string, password?: string): boolean {
    const cred = parseBasic(this.getHeader('authorization'));
    if (cred === null) return false;
    if (username === undefined && password === undefined) return true;
    // Both comparisons always run: no early exit that would tell which part was wrong.
    const userOk = safeEqual(cred.user, username ?? '');
    const passOk = safeEqual(cred.pass, password ?? '');
    return userOk && passOk;
  }

  /** The user name of Basic credentials, or null. */
  get basicAuthUser(): string | null { return parseBasic(this.getHeader('authorization'))?.user ?? null; }

  /** True when the request carries `Authorization: Bearer <token>` equal to `token` (constant time). */
  checkBearerAuth(token?: string): boolean {
    const got = parseBearer(this.getHeader('authorization'));
    if (got === null) return false;
    return token === undefined ? true : safeEqual(got, token);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A request's fields, apart from the request object so that its connection can reuse them (see
 * HttpResponse). Retired states wait for their next request in the engine's spare list (request-cycle.ts):
 * the states, long-lived, not the requests, made for one request each (a young object stored into that
 * long-lived list cost the write barrier's slow path every request: issue 19). Not exported by the package.
 */
export class RequestState {
  /** The generation of the request using this state: bumped when it is retired and when the next request takes it. */
  gen = 0;
  head: RequestHead;
  /** The connection (null while retired). */
  origin: RequestOrigin | null;
  body: Buffer | null = null;
  cache: RequestCache | null = null;
  /** The retired response's state, taken over with this one (set by kRetireRequest; null: none to take). */
  resp: ResponseState<HttpResponse> | null = null;

  constructor(origin: RequestOrigin, head: RequestHead) {
    this.origin = origin;
    this.head = head;
  }
}

/** HttpRequest's lazily computed values. */
class RequestCache {
  path: string | null = null;
  headers: Record<string, string> | null = null;
  query: Record<string, string> | null = null;
  cookies: Record<string, string> | null = null;
}

// `response.request` is typed HttpRequest for users, though the response layer does not import this file.
declare module '../base/refs' {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface RequestRef extends HttpRequest {}
}
