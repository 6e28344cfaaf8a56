/**
 * Requests and responses without a server or a socket (hono's `app.request()` idea): a head parsed by
 * the real parser, a literal origin, literal response defaults, and a sink that records what a
 * connection would send.
 */
import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { LogLevelName } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { RequestHead } from '../http/head';
import { HttpRequestParser } from '../http/parser';
import { HttpRequest, type RequestOrigin } from '../request/http-request';
import { kSetBody } from '../request/internals';
import { HttpResponse, type ResponseSink } from '../response/http-response';
import { responseDefaults, type ResponseDefaults } from '../response/response-defaults';

/** Parses one request head (and its Content-Length body) with the real parser. */
export function parseHead(raw: string): { head: RequestHead; body: Buffer | null } {
  let head: RequestHead | null = null;
  const parts: Buffer[] = [];
  let error: Error | null = null;
  const parser = new HttpRequestParser({
    onHead: (h) => { head = h; },
    onBody: (b, s, e) => { parts.push(Buffer.from(b.subarray(s, e))); },
    onMessageComplete: () => undefined,
    onError: (e) => { error = e; },
  }, { maxHeadBytes: 16384, maxBodyBytes: 1 << 20 });
  parser.execute(Buffer.from(raw, 'latin1'), 0, Buffer.byteLength(raw, 'latin1'));
  if (error !== null) throw error;
  if (head === null) throw new Error('parseHead: the head is incomplete');
  return { head, body: parts.length ? Buffer.concat(parts) : null };
}

/** A sink that records what a response writes, and how it ends. */
export class RecordingSink implements ResponseSink<HttpResponse> {
  readonly server = {} as ServerRef;
  readonly defaults: ResponseDefaults;
  keepAlive = true;
  chunks: Array<string | Buffer> = [];
  finished: { close: boolean } | null = null;
  aborted: Error | null = null;
  upgradedTo: HttpResponse | null = null;
  logs: Array<{ type: LogLevelName; msg: string }> = [];
  private _abortCbs: Array<() => void> = [];
  private _stopCbs: Array<() => void> = [];

  constructor(defaults: Partial<ResponseDefaults> = {}) {
    this.defaults = responseDefaults(defaults);
  }

  canKeepAlive(): boolean { return this.keepAlive; }
  writeLatin1(s: string): void { this.chunks.push(s); }
  writeBuffer(b: Uint8Array): boolean { this.chunks.push(Buffer.from(b)); return true; }
  writeCopy(b: Uint8Array): void { this.chunks.push(Buffer.from(b)); }
  onceDrain(cb: () => void): void { setImmediate(cb); }
  flush(): void { /* nothing batched here */ }
  cork(): void { /* nothing batched here */ }
  uncork(): void { /* nothing batched here */ }
  onAbort(cb: () => void): void { this._abortCbs.push(cb); }
  onStop(cb: () => void): void { this._stopCbs.push(cb); }
  finish(_r: HttpResponse, close: boolean): void { this.finished = { close }; }
  abort(_r: HttpResponse, err: Error): void { this.aborted = err; }
  upgraded(r: HttpResponse): void { this.upgradedTo = r; }
  log(type: LogLevelName, msg: string): void { this.logs.push({ type, msg }); }

  /** Simulates the client leaving. */
  clientLeft(): void { for (const cb of this._abortCbs.splice(0)) cb(); }
  /** Simulates the server's graceful stop. */
  serverStops(): void { for (const cb of this._stopCbs.splice(0)) cb(); }

  /** Everything written, as latin1 text. */
  get text(): string { return this.chunks.map((c) => (typeof c === 'string' ? c : c.toString('latin1'))).join(''); }
  /** The head written (up to the blank line). */
  get head(): string { const t = this.text; return t.slice(0, t.indexOf('\r\n\r\n') + 4); }
  /** The body written after the head. */
  get body(): string { const t = this.text; return t.slice(t.indexOf('\r\n\r\n') + 4); }
}

/** An origin that records a detach. */
export function literalOrigin(over: Partial<RequestOrigin> = {}): RequestOrigin & { detached: number } {
  const o = {
    server: {} as ServerRef, remoteHost: '192.0.2.7', remotePort: 4242, isSSL: false, detached: 0,
    detach(): XAsyncTCPClient { o.detached++; return {} as XAsyncTCPClient; },
    ...over,
  };
  return o;
}

/** A request parsed from `raw`, answered into a RecordingSink. */
export function makeRequest(raw: string, defaults: Partial<ResponseDefaults> = {}, origin = literalOrigin()): { req: HttpRequest; sink: RecordingSink; origin: ReturnType<typeof literalOrigin> } {
  const { head, body } = parseHead(raw);
  const sink = new RecordingSink(defaults);
  const req = new HttpRequest(origin, head, sink);
  if (body !== null) req[kSetBody](body);
  return { req, sink, origin };
}
