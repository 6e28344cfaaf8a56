import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { RequestHead } from '../http/head';
import { MwsError } from '../base/errors';
import type { ServerRef } from '../base/refs';
import { HttpResponse, type ResponseSink } from '../response/http-response';
import { kMarkFinished } from '../response/internals';
import { kSetBody } from './internals';
import { parseBasic, parseBearer, safeEqual } from './auth';
import { parseCookies, parseUrlEncoded, percentDecode } from './decode';
import { picoViewOf, type PicoRequestView } from './pico-view';
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
  private _body: Buffer | null = null;
  private readonly _head: RequestHead;
  private readonly _origin: RequestOrigin;
  private _path: string | null = null;
  private _headers: Record<string, string> | null = null;
  private _query: Record<string, string> | null = null;
  private _cookies: Record<string, string> | null = null;

  /** Made by the connection (tests pass a literal origin and a parsed head). */
  constructor(origin: RequestOrigin, head: RequestHead, sink: ResponseSink<HttpResponse>) {
    this._origin = origin;
    this._head = head;
    // No factory closure: the allocation-free hot path keeps to plain constructor calls.
    this.response = new HttpResponse(this, sink);
  }

  /** The server that received the request. */
  get server(): ServerRef { return this._origin.server; }
  /** The method, as sent (methods are case-sensitive, RFC 9110 §9.1). */
  get method(): string { return this._head.method; }
  /** The path, percent-decoded once (the raw form is `rawPath`). */
  get path(): string {
    if (this._path === null) this._path = percentDecode(this._head.path) ?? this._head.path;
    return this._path;
  }
  /** The path as sent, still percent-encoded. */
  get rawPath(): string { return this._head.path; }
  /** The request-target as sent. */
  get target(): string { return this._head.target; }
  /** The query string without '?', '' when none. */
  get queryString(): string { return this._head.queryString; }
  /** Query parameters, decoded ('+' is a space); a repeated name keeps its last value. */
  get queryParams(): Record<string, string> {
    if (this._query === null) this._query = parseUrlEncoded(this._head.queryString, true);
    return this._query;
  }
  /** '1.0' or '1.1'. */
  get httpVer(): string { return this._head.versionMinor === 1 ? '1.1' : '1.0'; }
  /** All fields by lower-case name; repeated fields are joined with ', ' (RFC 9110 §5.3), cookies with '; '. */
  get headers(): Record<string, string> {
    if (this._headers === null) {
      const h: Record<string, string> = Object.create(null);
      const list = this._head.headers;
      for (let i = 0; i < list.length; i += 2) {
        const name = list[i];
        const prev = h[name];
        h[name] = prev === undefined ? list[i + 1] : prev + (name === 'cookie' ? '; ' : ', ') + list[i + 1];
      }
      this._headers = h;
    }
    return this._headers;
  }
  /** One field's value by name (any case), or undefined. */
  getHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    if (this._headers !== null) return this._headers[lower];
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
    if (this._cookies === null) this._cookies = parseCookies(this.getHeader('cookie'));
    return this._cookies;
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
   * The body (empty Buffer when none). The Buffer is the request's own, not a view of the slot: it stays
   * valid after the handler returns if the handler keeps it.
   */
  get content(): Buffer { return this._body ?? EMPTY; }

  /**
   * Takes the connection out of HTTP (for a module: WebSockets after `response.switchingProtocols()`, a
   * tunnel). Returns its XAsyncTCPClient: set a receive on it (bytes that followed this request are
   * delivered first), and `onClosed`. The connection keeps its slot until it closes; the server's
   * `stop()` closes it if it is still open after the modules' `onStop`.
   */
  detachConnection(): XAsyncTCPClient {
    const client = this._origin.detach();
    // Nothing more will be sent as HTTP: the pipeline must stop at the stage that took the connection.
    if (!this.response.finished) this.response[kMarkFinished]();
    return client;
  }

  /** Set by the connection (see ./internals.ts). */
  [kSetBody](body: Buffer | null): void { this._body = body; }

  /** The body as UTF-8 text. */
  getPostedText(): string { return this.content.toString('utf8'); }

  /** The body as an application/x-www-form-urlencoded form; {} when the content type is another. */
  getPostedURLEncodedForm(): Record<string, string> {
    if (this.contentType !== 'application/x-www-form-urlencoded') return Object.create(null);
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

// `response.request` is typed HttpRequest for users, though the response layer does not import this file.
declare module '../base/refs' {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface RequestRef extends HttpRequest {}
}
