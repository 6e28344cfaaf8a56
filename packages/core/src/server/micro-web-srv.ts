import * as path from 'node:path';
import * as tls from 'node:tls';
import { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots, type XAsyncTCPClient, type XBufferSlotsStats } from '@microwebsrv/xasync';
import { HttpConnection } from '../engine/connection';
import { MwsError, assertIntOption, assertNumberOption, invalidOption } from '../errors';
import type { HttpRequest } from '../request/http-request';
import type { HttpResponse } from '../response/http-response';
import { runModuleHooks } from '../modules/hooks';
import type { MwsModule, MwsModuleClass } from '../modules/module';
import { listenError, loadSecureContext } from './listen-ssl';
import { checkBoolean, checkDefaultPage, checkDefaultPages, checkStaticCacheControl, checkStaticMaxRanges, defaultStaticOptions, type StaticOptions } from '../static/options';
import { serveStatic } from '../static/serve-static';
import { reasonPhrase } from '../response/head-builder';
import { RouteTable, type RouteHandler, type RouteMatch } from '../routes/route-table';
import { globalRoutes } from '../routes/web-route';
import { defaultLogger, isLogLevel, LEVEL_RANK, type LogLevelName } from './logging';
import { DEFAULT_MIME_TYPES } from './mime-types';
import { PRESETS, type PresetName, type PresetValues } from './presets';

/** Certificate files for `enableSSL` (PEM). */
export interface SSLFiles {
  certFile: string;
  keyFile: string;
  /** Intermediate CA certificates sent along with `certFile` (the chain). Client certificates are not requested. */
  caFile?: string;
}

export type LoggingCallback = (server: MicroWebSrv, msg: string, type: LogLevelName) => void;

/** Sent to a connection refused for want of a free slot (RFC 9110 §15.6.4); no Date: 5xx may omit it. */
const REFUSAL_BODY = '503 Server too busy';
const REFUSAL_503 = Buffer.from(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${REFUSAL_BODY.length}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${REFUSAL_BODY}`, 'latin1');

/**
 * An HTTP/1.1 server on the xasync buffer-slot pool: MicroWebSrv2's `MicroWebSrv2` class in Node naming.
 * Configure (a preset, then any setting), register routes, then `startManaged()` (its own pool) or
 * `startInPool(pool)` (a shared pool: e.g. an HTTP and an HTTPS server). Settings that shape the pool or
 * the listener throw ERR_MWS_RUNNING while the server runs.
 */
export class MicroWebSrv {
  /** Not found pages redirect here when set (never to themselves). */
  notFoundURL: string | null = null;
  /** Echo the request's Origin in Access-Control-Allow-Origin (with Vary: Origin). */
  allowAllOrigins = false;
  /** Answer CORS pre-flights allowing everything, and allow credentials with echoed origins. */
  corsAllowAll = false;
  /**
   * Server-wide access check (uhttpd's ACL callback), run before modules and routes: return true to let
   * the request through; anything else answers 403 (unless the check answered itself). May be async.
   */
  onAccessCheck: ((server: MicroWebSrv, request: HttpRequest) => boolean | Promise<boolean>) | null = null;
  /** @internal Own routes first, then the global registry (WebRoute / registerRoute). */
  readonly _routes = new RouteTable(globalRoutes);
  /** @internal */ readonly _modules: Array<{ name: string; instance: MwsModule }> = [];
  /** @internal */ _basicAuth: { user: string; pass: string; realm: string } | null = null;
  /** @internal The static-file stage of the pipeline (MicroWebSrv2 always serves rootPath). */
  _serveStatic: ((server: MicroWebSrv, request: HttpRequest) => boolean | PromiseLike<boolean>) | null = serveStatic;
  /** @internal Static-file settings, read per request by static/serve-static.ts. */
  readonly _static: StaticOptions = defaultStaticOptions();
  /** @internal */ _stopping = false;
  /** @internal */ _serverLine = 'Server: MicroWebSrv-TS\r\n';
  /** @internal */ _keepAliveLine = '';
  /** @internal */ _keepAliveLine10 = '';
  /** @internal */ _headersTimeoutSec = 2;
  /** @internal */ _bodyTimeoutSec = 2;
  /** @internal */ _keepAliveTimeoutSec = 2;
  private _cfg: PresetValues = { ...PRESETS.Normal };
  private _bind: [string, number] = ['0.0.0.0', 80];
  private _rootPath = 'www';
  private _requestsTimeoutSec = 2;
  private _headersTimeout: number | null = null;
  private _bodyTimeout: number | null = null;
  private _keepAliveTimeout: number | null = null;
  private _stopTimeoutSec = 5;
  private _serverName: string | null = 'MicroWebSrv-TS';
  private _onLogging: LoggingCallback | null = null;
  private _logLevel: LogLevelName = 'INFO';
  private _logRank = LEVEL_RANK.INFO;
  private _ssl: SSLFiles | null = null;
  private _mime: Record<string, string> = { ...DEFAULT_MIME_TYPES };
  private _pool: XAsyncSocketsPool | null = null;
  private _ownPool = false;
  private _listener: XAsyncTCPServer | null = null;
  private _slots: XBufferSlots | null = null;
  private readonly _conns = new Set<HttpConnection>();
  private _requests = 0;
  private _stopWaiters: Array<() => void> = [];
  private _starting = false;
  private _stopPromise: Promise<void> | null = null;

  // ---- presets and settings --------------------------------------------------------------------

  /** 8 queued / 16 slots × 1 KiB / 16 KiB max content. */
  setEmbeddedConfig(): void { this._preset('Embedded'); }
  /** 64 queued / 128 slots × 1 KiB / 512 KiB max content. */
  setLightConfig(): void { this._preset('Light'); }
  /** The default: 256 queued / 512 slots × 4 KiB / 2 MiB max content. */
  setNormalConfig(): void { this._preset('Normal'); }
  /** 512 queued / 2048 slots × 16 KiB / 8 MiB max content. */
  setLargeConfig(): void { this._preset('Large'); }

  /** Listen backlog (1 to 65535). */
  get connQueueCapacity(): number { return this._cfg.connQueueCapacity; }
  set connQueueCapacity(v: number) { this._notRunning('connQueueCapacity'); this._cfg.connQueueCapacity = assertIntOption('connQueueCapacity', v, 1, 65535); }
  /** Buffer slots, i.e. the most connections served at once (1 to 1,000,000). */
  get bufferSlotsCount(): number { return this._cfg.bufferSlotsCount; }
  set bufferSlotsCount(v: number) { this._notRunning('bufferSlotsCount'); this._cfg.bufferSlotsCount = assertIntOption('bufferSlotsCount', v, 1, 1_000_000); }
  /** Bytes per slot: the largest request head (1024 to 16 MiB). */
  get bufferSlotSize(): number { return this._cfg.bufferSlotSize; }
  set bufferSlotSize(v: number) { this._notRunning('bufferSlotSize'); this._cfg.bufferSlotSize = assertIntOption('bufferSlotSize', v, 1024, 16 * 1024 * 1024); }
  /** Allocate every slot at start (true) or per connection (false). */
  get keepAllocBufferSlots(): boolean { return this._cfg.keepAllocBufferSlots; }
  set keepAllocBufferSlots(v: boolean) {
    this._notRunning('keepAllocBufferSlots');
    if (typeof v !== 'boolean') throw invalidOption('keepAllocBufferSlots', 'a boolean', v);
    this._cfg.keepAllocBufferSlots = v;
  }
  /** Largest request body; larger ones get 413 before they are read. */
  get maxRequestContentLength(): number { return this._cfg.maxRequestContentLength; }
  set maxRequestContentLength(v: number) { this._notRunning('maxRequestContentLength'); this._cfg.maxRequestContentLength = assertIntOption('maxRequestContentLength', v, 0, Number.MAX_SAFE_INTEGER); }

  /** [host, port] to listen on (default ['0.0.0.0', 80]; 443 when SSL is enabled). Port 0 picks a free one. */
  get bindAddress(): [string, number] { return [this._bind[0], this._bind[1]]; }
  set bindAddress(v: [string, number]) {
    this._notRunning('bindAddress');
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || v[1] < 0 || v[1] > 65535) {
      throw invalidOption('bindAddress', "[host, port] with a port from 0 to 65535, e.g. ['0.0.0.0', 8080]", v);
    }
    this._bind = [v[0], v[1]];
  }

  /** Folder of static files (default 'www'). */
  get rootPath(): string { return this._rootPath; }
  set rootPath(v: string) {
    this._notRunning('rootPath');
    if (typeof v !== 'string' || v.length === 0) throw invalidOption('rootPath', 'a non-empty folder path', v);
    this._rootPath = v;
  }

  /** Seconds for a request head, a body stall and a keep-alive idle period, unless set one by one (default 2). */
  get requestsTimeoutSec(): number { return this._requestsTimeoutSec; }
  set requestsTimeoutSec(v: number) { this._requestsTimeoutSec = assertNumberOption('requestsTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds to receive a complete head (null: requestsTimeoutSec). */
  get headersTimeoutSec(): number | null { return this._headersTimeout; }
  set headersTimeoutSec(v: number | null) { this._headersTimeout = v === null ? null : assertNumberOption('headersTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds a body may stall (null: requestsTimeoutSec). */
  get bodyTimeoutSec(): number | null { return this._bodyTimeout; }
  set bodyTimeoutSec(v: number | null) { this._bodyTimeout = v === null ? null : assertNumberOption('bodyTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds an idle keep-alive connection is kept (null: requestsTimeoutSec). */
  get keepAliveTimeoutSec(): number | null { return this._keepAliveTimeout; }
  set keepAliveTimeoutSec(v: number | null) { this._keepAliveTimeout = v === null ? null : assertNumberOption('keepAliveTimeoutSec', v, 0.01, 86400); this._applyTimeouts(); }
  /** Seconds `stop()` lets in-flight responses finish before it closes everything (default 5). */
  get stopTimeoutSec(): number { return this._stopTimeoutSec; }
  set stopTimeoutSec(v: number) { this._stopTimeoutSec = assertNumberOption('stopTimeoutSec', v, 0, 3600); }

  /** Value of the Server field (null: none). */
  get serverName(): string | null { return this._serverName; }
  set serverName(v: string | null) {
    if (v !== null && (typeof v !== 'string' || /[\r\n\x00]/.test(v) || v.length === 0)) throw invalidOption('serverName', 'a non-empty string without CR/LF, or null', v);
    this._serverName = v;
    this._serverLine = v === null ? '' : `Server: ${v}\r\n`;
  }

  /** Receives log lines at or above `logLevel`: (server, msg, type). Null: the default console logger. */
  get onLogging(): LoggingCallback | null { return this._onLogging; }
  set onLogging(v: LoggingCallback | null) {
    if (v !== null && typeof v !== 'function') throw invalidOption('onLogging', 'a function (server, msg, type) or null', v);
    this._onLogging = v;
  }
  /**
   * Writes `msg` through the server's logger (`onLogging`, else the console) when `type` is at or above
   * `logLevel`: MicroWebSrv2's `Log(msg, msgType)`, for modules and applications.
   */
  log(msg: string, type: LogLevelName = 'INFO'): void {
    if (typeof msg !== 'string') throw invalidOption('log msg', 'a string', msg);
    if (!isLogLevel(type)) throw invalidOption('log type', "'DEBUG', 'INFO', 'WARNING' or 'ERROR'", type);
    this._log(type, msg);
  }

  /** Lowest level logged: 'DEBUG', 'INFO' (default: one access line per response), 'WARNING', 'ERROR'. */
  get logLevel(): LogLevelName { return this._logLevel; }
  set logLevel(v: LogLevelName) {
    if (!isLogLevel(v)) throw invalidOption('logLevel', "'DEBUG', 'INFO', 'WARNING' or 'ERROR'", v);
    this._logLevel = v;
    this._logRank = LEVEL_RANK[v];
  }

  // ---- SSL -------------------------------------------------------------------------------------

  /** Serves HTTPS with these PEM files (read at start). Port 80 switches to 443, as the original. */
  enableSSL(files: SSLFiles): void {
    this._notRunning('enableSSL');
    if (files === null || typeof files !== 'object' || typeof files.certFile !== 'string' || typeof files.keyFile !== 'string') {
      throw invalidOption('enableSSL', '{ certFile, keyFile, caFile? } with file paths', files);
    }
    this._ssl = { ...files };
    if (this._bind[1] === 80) this._bind[1] = 443;
  }

  /** Back to plain HTTP; port 443 switches back to 80. */
  disableSSL(): void {
    this._notRunning('disableSSL');
    this._ssl = null;
    if (this._bind[1] === 443) this._bind[1] = 80;
  }

  get isSSLEnabled(): boolean { return this._ssl !== null; }

  // ---- access control and modules -------------------------------------------------------------

  /**
   * Requires Basic credentials on every request (uhttpd's server-wide protection), checked before
   * modules and routes in constant time; others get 401 with `WWW-Authenticate: Basic realm="…"`.
   * `null` removes the requirement.
   */
  requireBasicAuth(user: string | null, pass?: string, realm = 'Restricted'): void {
    if (user === null) { this._basicAuth = null; return; }
    if (typeof user !== 'string' || user.includes(':')) throw invalidOption('requireBasicAuth user', "a user name without ':' (RFC 7617 §2)", user);
    if (typeof pass !== 'string') throw invalidOption('requireBasicAuth pass', 'a string', pass);
    this._basicAuth = { user, pass, realm };
  }

  /**
   * Loads a module on this server (not globally, unlike the original): `new ModuleClass(server, options)`.
   * Modules see requests before the routes, in load order. Returns the instance.
   */
  loadModule<M extends MwsModule, O>(ModuleClass: MwsModuleClass<M, O>, options?: O): M {
    if (typeof ModuleClass !== 'function') throw invalidOption('loadModule ModuleClass', 'a class whose instances implement onRequest/onStart/onStop', ModuleClass);
    this._notRunning('loadModule');
    const instance = new ModuleClass(this, options as O);
    this._modules.push({ name: ModuleClass.name || 'module', instance });
    return instance;
  }

  /** The loaded module instances, in load order. */
  get modules(): MwsModule[] { return this._modules.map((m) => m.instance); }

  // ---- routes and MIME types -------------------------------------------------------------------

  /**
   * Registers `handler` for `method` and a path pattern on this server only: `/users/<id>` (an
   * integer-looking value arrives as a number), typed `<n:int>`, `<x:float>`, `<d:digit>`, `<s:string>`,
   * and `<rest:path>` last. Own routes win over global ones (`WebRoute`, module-level `registerRoute`).
   * A duplicate method + pattern, or name, throws ERR_MWS_ROUTE_DUPLICATE.
   */
  registerRoute(handler: RouteHandler, method: string, path: string, name?: string): void {
    this._routes.add(handler, method, path, name);
  }

  /** The route that would serve `method path` (the path as sent, percent-encoded; HEAD falls back to GET), or null. */
  resolveRoute(method: string, path: string): RouteMatch | null {
    return this._routes.find(method.toUpperCase(), path);
  }

  /** Builds the path of the route named `name` with `args` (values percent-encoded; names match in any case). */
  pathFromRoute(name: string, args?: Readonly<Record<string, unknown>>): string {
    return this._routes.pathFromRoute(name, args);
  }

  // ---- static files ----------------------------------------------------------------------------

  /** Adds a default page, tried in order for a folder (index.html, index.htm, default.html, default.htm first). */
  addDefaultPage(name: string): void {
    const n = checkDefaultPage(name);
    if (!this._static.defaultPages.includes(n)) this._static.defaultPages.push(n);
  }
  get defaultPages(): string[] { return [...this._static.defaultPages]; }
  set defaultPages(v: string[]) { this._static.defaultPages = checkDefaultPages(v); }
  /** Cache-Control of static files (default 'max-age=3600'; null: none). ETag/Last-Modified make revalidation a 304. */
  get staticCacheControl(): string | null { return this._static.cacheControl; }
  set staticCacheControl(v: string | null) { this._static.cacheControl = checkStaticCacheControl(v); }
  /** Serve files and folders whose name starts with '.' (default false: they are 404). */
  get serveDotFiles(): boolean { return this._static.serveDotFiles; }
  set serveDotFiles(v: boolean) { this._static.serveDotFiles = checkBoolean('serveDotFiles', v); }
  /** Most ranges in one request (default 16; 0 disables ranges); more, or overlapping ones, get the whole file. */
  get staticMaxRanges(): number { return this._static.maxRanges; }
  set staticMaxRanges(v: number) { this._static.maxRanges = checkStaticMaxRanges(v); }
  /** Serve `file.br` / `file.gz` siblings to clients that accept them (default true). */
  get staticPrecompressed(): boolean { return this._static.precompressed; }
  set staticPrecompressed(v: boolean) { this._static.precompressed = checkBoolean('staticPrecompressed', v); }

  /**
   * Adds or replaces a MIME type for an extension ('.ext' or 'ext'). `''` maps files without an extension
   * (`LICENSE`, ACME challenge tokens), which are otherwise refused like any unknown type.
   */
  addMimeType(ext: string, mimeType: string): void {
    if (typeof ext !== 'string' || !/^(?:\.?[A-Za-z0-9_+-]+)?$/.test(ext)) throw invalidOption('addMimeType ext', "an extension such as '.webp', or '' for files without one", ext);
    if (typeof mimeType !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(mimeType)) throw invalidOption('addMimeType mimeType', "a type/subtype such as 'image/webp'", mimeType);
    this._mime[ext === '' || ext.startsWith('.') ? ext.toLowerCase() : '.' + ext.toLowerCase()] = mimeType;
  }

  /** The MIME type for a file name from the server's table, or null (unknown types are not served). */
  getMimeTypeFromFilename(filename: string): string | null {
    return this._mime[path.extname(filename).toLowerCase()] ?? null;
  }

  // ---- running ---------------------------------------------------------------------------------

  get isRunning(): boolean { return this._listener !== null; }

  /** Where the server listens once started (the real port when 0 was asked). */
  get address(): [string, number] {
    const a = this._listener?.address;
    return a ? [a.host, a.port] : this.bindAddress;
  }

  /** Connection and request counters. */
  get stats(): { connections: number; requests: number; refused: number; slots: XBufferSlotsStats | null } {
    return { connections: this._conns.size, requests: this._requests, refused: this._listener?.stats.refused ?? 0, slots: this._slots?.stats ?? null };
  }

  /** Starts on a pool of its own; resolves when listening. */
  startManaged(): Promise<void> {
    return this._start(new XAsyncSocketsPool(), true);
  }

  /** Starts in a shared pool (several servers may share one); resolves when listening. */
  startInPool(pool: XAsyncSocketsPool): Promise<void> {
    if (!(pool instanceof XAsyncSocketsPool)) throw invalidOption('startInPool pool', 'an XAsyncSocketsPool', pool);
    return this._start(pool, false);
  }

  /**
   * Stops listening, closes idle connections, lets in-flight responses finish (up to `stopTimeoutSec`),
   * then closes the rest. Resolves when every connection is closed.
   */
  stop(): Promise<void> {
    if (this._stopPromise !== null) return this._stopPromise;
    if (this._listener === null) return Promise.resolve();
    this._stopPromise = this._stop().finally(() => { this._stopPromise = null; });
    return this._stopPromise;
  }

  private async _stop(): Promise<void> {
    const listener = this._listener!;
    this._stopping = true;
    listener.close();
    await runModuleHooks(this, 'onStop');
    for (const c of [...this._conns]) c.closeWhenIdle();
    if (this._conns.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { for (const c of [...this._conns]) c.client.destroy(); }, this._stopTimeoutSec * 1000);
        this._stopWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    await listener.whenClosed();
    if (this._ownPool && this._pool) await this._pool.stop({ graceSec: 0 });
    this._listener = null;
    this._slots = null;
    this._pool = null;
    this._stopping = false;
  }

  // ---- internals -------------------------------------------------------------------------------

  /** @internal */
  _log(type: LogLevelName, msg: string): void {
    if (LEVEL_RANK[type] < this._logRank) return;
    try {
      (this._onLogging ?? defaultLogger)(this, msg, type);
    } catch {
      /* a logger that throws must not take the server down */
    }
  }

  /** @internal One access line per response: `From ip:port [SSL-]METHOD path >> [code] reason`. */
  _logAccess(conn: HttpConnection, resp: HttpResponse): void {
    this._requests++;
    if (this._logRank > LEVEL_RANK.INFO) return;
    const req = resp._req;
    // The path only, as the original: query strings often carry secrets (tokens, keys).
    this._log('INFO', `From ${conn.remoteHost}:${conn.remotePort} ${conn.isSSL ? 'SSL-' : ''}${req.method} ${req.rawPath} >> [${resp.statusCode}] ${reasonPhrase(resp.statusCode)}`);
  }

  /** @internal */
  _connectionClosed(conn: HttpConnection, err: Error | null): void {
    this._conns.delete(conn);
    if (err) this._log('DEBUG', `From ${conn.remoteHost}:${conn.remotePort} connection error: ${err.message}`);
    if (this._conns.size === 0 && this._stopWaiters.length > 0) {
      const w = this._stopWaiters;
      this._stopWaiters = [];
      for (const f of w) f();
    }
  }

  private _preset(name: PresetName): void {
    this._notRunning(`set${name}Config`);
    this._cfg = { ...PRESETS[name] };
  }

  private _notRunning(what: string): void {
    if (this._listener !== null || this._starting) throw new MwsError('ERR_MWS_RUNNING', `${what} cannot change while the server runs: stop() it first`);
  }

  private _applyTimeouts(): void {
    const base = this._requestsTimeoutSec;
    this._headersTimeoutSec = this._headersTimeout ?? base;
    this._bodyTimeoutSec = this._bodyTimeout ?? base;
    this._keepAliveTimeoutSec = this._keepAliveTimeout ?? base;
    const t = Math.max(1, Math.round(this._keepAliveTimeoutSec));
    this._keepAliveLine = `Keep-Alive: timeout=${t}\r\n\r\n`;
    this._keepAliveLine10 = `Connection: keep-alive\r\nKeep-Alive: timeout=${t}\r\n\r\n`;
  }

  private async _start(pool: XAsyncSocketsPool, own: boolean): Promise<void> {
    if (this._listener !== null || this._starting) throw new MwsError('ERR_MWS_STATE', 'the server is already running (or starting)');
    this._starting = true;
    try {
      await this._listen(pool, own);
    } finally {
      this._starting = false;
    }
  }

  private async _listen(pool: XAsyncSocketsPool, own: boolean): Promise<void> {
    this._applyTimeouts();
    const ctx = this._ssl === null ? null : loadSecureContext(this._ssl);
    const cfg = this._cfg;
    const slots = new XBufferSlots(cfg.bufferSlotsCount, cfg.bufferSlotSize, cfg.keepAllocBufferSlots);
    let listener: XAsyncTCPServer;
    try {
      listener = await XAsyncTCPServer.create(pool, this._bind, cfg.connQueueCapacity, slots, {
        // Over TLS, plaintext bytes before a handshake are garbage to the client: just close.
        refusalResponse: ctx === null ? REFUSAL_503 : null,
        clientOptions: { sendTimeoutSec: Math.max(10, this._requestsTimeoutSec * 5) },
      });
    } catch (err) {
      if (own) await pool.stop();
      throw listenError(err, this._bind);
    }
    this._pool = pool;
    this._ownPool = own;
    this._slots = slots;
    this._listener = listener;
    listener.onClientAccepted = (_s, client) => this._accept(client, ctx);
    listener.onClientRefused = (_s, remote) => this._log('WARNING', `From ${remote.host}:${remote.port} refused: all ${slots.count} slots in use >> [503]`);
    this._log('INFO', `server listening on ${listener.address.host}:${listener.address.port}${ctx ? ' (SSL)' : ''}`);
    await runModuleHooks(this, 'onStart');
  }

  private _accept(client: XAsyncTCPClient, ctx: tls.SecureContext | null): void {
    const conn = new HttpConnection(this, client, ctx !== null);
    this._conns.add(conn);
    if (ctx === null) {
      conn.start();
      return;
    }
    // The handshake is asynchronous and bounded: a silent client holds only its own slot.
    client.onClosed = () => this._connectionClosed(conn, null);
    client.startSSLContext(ctx, true, { handshakeTimeoutSec: Math.max(this._headersTimeoutSec, 5) }).then(
      () => conn.start(),
      (err) => this._log('DEBUG', `From ${conn.remoteHost}:${conn.remotePort} TLS handshake failed: ${(err as Error).message}`),
    );
  }
}
