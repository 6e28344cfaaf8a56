import type * as tls from 'node:tls';
import { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots, type XAsyncTCPClient } from '@microwebsrv/xasync';
import { MwsError, invalidOption } from '../base/errors';
import type { ServerRef } from '../base/refs';
import { isLogLevel, LEVEL_RANK, type LogFields, type LogLevelName } from '../base/logger';
import { HttpConnection } from '../engine/connection';
import type { MwsModule, MwsModuleClass } from '../modules/module';
import { AccessStage, type AccessCheck } from '../pipeline/access-stage';
import { ModuleStage } from '../pipeline/module-stage';
import { OptionsStage } from '../pipeline/options-stage';
import { Pipeline } from '../pipeline/pipeline';
import { HandlerStage, type RequestHandler } from '../pipeline/handler-stage';
import { FallbackStage, RouteStage, type RouteHandler } from '../pipeline/route-stage';
import type { Stage, StagePosition } from '../pipeline/stage';
import { StaticStage } from '../pipeline/static-stage';
import type { HttpRequest } from '../request/http-request';
import { RouteTable, type RouteMatch, type RouteOptions } from '../routes/route-table';
import { listenError, loadSecureContext } from './listen-ssl';
import { POOL_FULL_503, ServerGuards } from './guards';
import type { ServerStats } from './server-stats';
import { defaultLogger } from './logging';
import { runModuleHooks } from './module-hooks';
import { checkRequestHandler, pipelineStages, type HandlerSetting } from './request-handler';
import { ServerHost } from './server-host';
import { checkStructuredLogger, ServerLogger, type StructuredLogger } from './server-logger';
import { ServerSettings } from './settings';
import { StageList } from './stage-list';
import type { TrafficStats } from './traffic';
import { ConnectionSet } from './connection-set';
import { Topics, type PublishData, type PublishOptions, type TopicMessage } from '../pubsub';
import { globalRoutes } from './web-route';

export type { SSLFiles } from './settings';
export type { ServerStats } from './server-stats';

export type LoggingCallback = (server: MicroWebSrv, msg: string, type: LogLevelName) => void;

/**
 * An HTTP/1.1 server on the xasync buffer-slot pool: MicroWebSrv2's `MicroWebSrv2` class in Node naming.
 * Configure (a preset, then any setting), register routes, then `startManaged()` (its own pool) or
 * `startInPool(pool)` (a shared pool: e.g. an HTTP and an HTTPS server). Settings that shape the pool or
 * the listener throw ERR_MWS_RUNNING while the server runs.
 */
export class MicroWebSrv extends ServerSettings {
  /**
   * Server-wide access check (uhttpd's ACL callback), run before modules and routes: return true to let
   * the request through; anything else answers 403 (unless the check answered itself). May be async.
   */
  get onAccessCheck(): ((server: MicroWebSrv, request: HttpRequest) => boolean | Promise<boolean>) | null { return this._access.onAccessCheck; }
  set onAccessCheck(v: ((server: MicroWebSrv, request: HttpRequest) => boolean | Promise<boolean>) | null) {
    // undefined is read as null: the plain field of earlier versions took it.
    if (v !== null && v !== undefined && typeof v !== 'function') throw invalidOption('onAccessCheck', 'a function (server, request) => boolean | Promise<boolean>, or null', v);
    this._access.onAccessCheck = (v ?? null) as AccessCheck | null;
  }
  /** Own routes first, then the global registry (WebRoute / registerRoute). */
  private readonly _routes = new RouteTable<RouteHandler>(globalRoutes);
  private readonly _modules: Array<{ name: string; instance: MwsModule }> = [];
  /** What the access stage reads per request: data the setters keep up to date. */
  private readonly _access: { server: ServerRef; basicAuth: { user: string; pass: string; realm: string } | null; onAccessCheck: AccessCheck | null } = { server: this, basicAuth: null, onAccessCheck: null };
  private readonly _logger: ServerLogger = new ServerLogger<ServerRef>(this, defaultLogger);
  private _handler: HandlerSetting | null = null;
  private readonly _stageList: StageList;
  private _logLevel: LogLevelName = 'INFO';
  private _pool: XAsyncSocketsPool | null = null;
  private _ownPool = false;
  private _listener: XAsyncTCPServer | null = null;
  private _slots: XBufferSlots | null = null;
  private readonly _conns: ConnectionSet;
  private _topics: Topics | null = null;
  private _starting = false;
  private _stopPromise: Promise<void> | null = null;
  /** The narrow interface every connection of this server talks to (see engine/connection-host.ts). */
  private readonly _host: ServerHost;
  /** Eviction, minimum rates, per-address cap, body budget (server/guards.ts). */
  private readonly _guards: ServerGuards;

  constructor() {
    super();
    const log = this._logger;
    this._conns = new ConnectionSet(log);
    this._stageList = new StageList([
      new AccessStage(this._access),
      new RouteStage(this._routes, this, log),
      new StaticStage(this),
      new OptionsStage(this._defaults, this._routes),
      new FallbackStage(this._routes),
    ]);
    this._guards = new ServerGuards(this._conns.live, this, this._limits, log);
    this._conns.watch(this._guards);
    const conns = this._conns;
    this._host = new ServerHost(this, log, this._defaults, this._limits, this._access, (conn, err) => conns.closed(conn as HttpConnection, err), this._guards.budget);
    this._host.routes = this._routes;
  }

  // ---- logging ---------------------------------------------------------------------------------

  /** Receives log lines at or above `logLevel`: (server, msg, type). Null: `logger`, else the console. */
  get onLogging(): LoggingCallback | null { return this._logger.callback; }
  set onLogging(v: LoggingCallback | null) {
    if (v !== null && typeof v !== 'function') throw invalidOption('onLogging', 'a function (server, msg, type) or null', v);
    this._logger.callback = v;
    this._host.updateTiming();
  }

  /**
   * A pino-compatible logger (`logger.info({ …fields }, msg)`), used when `onLogging` is not set. The
   * access line then carries structured fields: method, path, status, bytes, durationMs, remote, ssl.
   */
  get logger(): StructuredLogger | null { return this._logger.structured; }
  set logger(v: StructuredLogger | null) {
    this._logger.structured = checkStructuredLogger(v);
    this._host.updateTiming();
  }

  /**
   * Writes `msg` through the server's logger (`onLogging`, `logger`, else the console) when `type` is at
   * or above `logLevel`: MicroWebSrv2's `Log(msg, msgType)`, for modules and applications.
   */
  log(msg: string, type: LogLevelName = 'INFO', fields?: LogFields): void {
    if (typeof msg !== 'string') throw invalidOption('log msg', 'a string', msg);
    if (!isLogLevel(type)) throw invalidOption('log type', "'DEBUG', 'INFO', 'WARNING' or 'ERROR'", type);
    this._logger.log(type, msg, fields);
  }

  /** Lowest level logged: 'DEBUG', 'INFO' (default: one access line per response), 'WARNING', 'ERROR'. */
  get logLevel(): LogLevelName { return this._logLevel; }
  set logLevel(v: LogLevelName) {
    if (!isLogLevel(v)) throw invalidOption('logLevel', "'DEBUG', 'INFO', 'WARNING' or 'ERROR'", v);
    this._logLevel = v;
    this._logger.rank = LEVEL_RANK[v];
    this._host.updateTiming();
  }

  // ---- access control, modules and stages ------------------------------------------------------

  /**
   * Requires Basic credentials on every request (uhttpd's server-wide protection), checked before
   * modules and routes in constant time; others get 401 with `WWW-Authenticate: Basic realm="…"`.
   * `null` removes the requirement.
   */
  requireBasicAuth(user: string | null, pass?: string, realm = 'Restricted'): void {
    if (user === null) { this._access.basicAuth = null; return; }
    if (typeof user !== 'string' || user.includes(':')) throw invalidOption('requireBasicAuth user', "a user name without ':' (RFC 7617 §2)", user);
    if (typeof pass !== 'string') throw invalidOption('requireBasicAuth pass', 'a string', pass);
    this._access.basicAuth = { user, pass, realm };
  }

  /**
   * Loads a module on this server (not globally, unlike the original): `new ModuleClass(server, options)`.
   * Its `onRequest` becomes the stage `module:<ClassName>`, after the modules loaded before it and
   * before the routes; stages the module adds in its constructor (default position) follow it. Returns
   * the instance.
   */
  loadModule<M extends MwsModule, O>(ModuleClass: MwsModuleClass<M, O>, options?: O): M {
    if (typeof ModuleClass !== 'function') throw invalidOption('loadModule ModuleClass', 'a class whose instances implement onRequest/onStart/onStop', ModuleClass);
    this._notRunning('loadModule');
    let name = ModuleClass.name || 'module';
    // Two instances of one class (e.g. two template roots) get distinct stage names.
    for (let n = 2; this._stageList.names.includes(`module:${name}`); n++) name = `${ModuleClass.name || 'module'}#${n}`;
    // Its place is taken before construction, so that stages the module adds come after its onRequest.
    const stageName = `module:${name}`;
    this._stageList.insert({ name: stageName, run: () => false }, { before: 'routes' });
    let instance: M;
    try {
      instance = new ModuleClass(this, options as O);
    } catch (err) {
      this._stageList.remove(stageName);
      throw err;
    }
    this._modules.push({ name, instance });
    this._stageList.replace(stageName, new ModuleStage(name, instance, this, this._logger));
    if (typeof instance.onRequestBody === 'function') this._host.bodyModules.push(instance);
    return instance;
  }

  /** The loaded module instances, in load order. */
  get modules(): MwsModule[] { return this._modules.map((m) => m.instance); }

  /**
   * Adds a stage to the request pipeline (default: before 'routes', after the modules loaded so far).
   * Stage names: `access`, `module:<Name>`, `routes`, `static`, `options`, `fallback`, and those added.
   * Throws ERR_MWS_RUNNING while the server runs, ERR_MWS_INVALID_OPTION for a bad stage or position.
   */
  addStage(stage: Stage, position?: StagePosition): void {
    this._notRunning('addStage');
    this._stageList.insert(stage, position);
  }

  /** The pipeline's stage names, in order. */
  get stageNames(): string[] { return this._stageList.names; }

  // ---- single-handler mode (picohttp) ----------------------------------------------------------

  /**
   * One handler for every request that nothing else answers (picohttp's `HttpServer(port, handler,
   * args)`): `handler(request, response, ...args)`. It becomes the stage `handler`, before `fallback`:
   * access checks, modules, routes, OPTIONS answers (and static files, when `rootPath` was set) come
   * first, so with none of them configured it takes every request. It may be async and may return a
   * value (answered as a route's). `null` removes it. Throws ERR_MWS_INVALID_OPTION for a handler that
   * is not a function, ERR_MWS_RUNNING while the server runs.
   */
  setRequestHandler<A extends unknown[]>(handler: RequestHandler<A> | null, ...args: A): void {
    this._notRunning('setRequestHandler');
    if (handler === null) {
      this._stageList.remove('handler');
      this._handler = null;
      return;
    }
    const setting = checkRequestHandler(handler, args);
    const stage = new HandlerStage(setting.handler, setting.args, this._logger);
    if (this._handler !== null) this._stageList.replace('handler', stage);
    else this._stageList.insert(stage, { before: 'fallback' });
    this._handler = setting;
  }

  /** The handler set by `setRequestHandler` and its extra arguments, or null. */
  get requestHandler(): { handler: RequestHandler; args: readonly unknown[] } | null { return this._handler; }

  /**
   * A server with one handler (picohttp's `HttpServer(port, handler, args)`, the port set by
   * `bindAddress`): `args` must be an array (ERR_MWS_INVALID_OPTION otherwise).
   */
  static withHandler<A extends unknown[]>(handler: RequestHandler<A>, args?: A): MicroWebSrv {
    const setting = checkRequestHandler(handler, args ?? [], 'withHandler');
    const srv = new MicroWebSrv();
    srv.setRequestHandler(setting.handler, ...setting.args);
    return srv;
  }

  // ---- routes ----------------------------------------------------------------------------------

  /**
   * Registers `handler` for `method` and a path pattern on this server only: `/users/<id>` (an
   * integer-looking value arrives as a number), typed `<n:int>`, `<x:float>`, `<d:digit>`, `<s:string>`,
   * and `<rest:path>` last. Own routes win over global ones (`WebRoute`, module-level `registerRoute`).
   * A duplicate method + pattern, or name, throws ERR_MWS_ROUTE_DUPLICATE. The fourth argument is the
   * route's name, or {@link RouteOptions}: `{ name?, body?: 'buffer' | 'stream', maxBodyBytes? }` — a
   * streamed route's handler runs as soon as the head is in (after the access checks) and reads the body
   * itself (`request.read()`, `request.body`, `request.pipeTo()`, `request.multipart()`).
   */
  registerRoute(handler: RouteHandler, method: string, path: string, nameOrOptions?: string | RouteOptions): void {
    this._routes.add(handler, method, path, nameOrOptions);
  }

  /** The route that would serve `method path` (the path as sent, percent-encoded; HEAD falls back to GET), or null. */
  resolveRoute(method: string, path: string): RouteMatch<RouteHandler> | null {
    return this._routes.find(method.toUpperCase(), path);
  }

  /** Builds the path of the route named `name` with `args` (values percent-encoded; names match in any case). */
  pathFromRoute(name: string, args?: Readonly<Record<string, unknown>>): string {
    return this._routes.pathFromRoute(name, args);
  }

  // ---- running ---------------------------------------------------------------------------------

  get isRunning(): boolean { return this._listener !== null; }

  /** True from the start of a graceful `stop()` until it resolves. */
  get isStopping(): boolean { return this._host.stopping; }

  protected _busy(): boolean { return this._listener !== null || this._starting; }

  /** Where the server listens once started (the real port when 0 was asked). */
  get address(): [string, number] {
    const a = this._listener?.address;
    return a ? [a.host, a.port] : this.bindAddress;
  }

  /** Connection and request counters. */
  get stats(): ServerStats {
    const l = this._listener?.stats;
    return {
      connections: this._conns.size, requests: this._host.requests, refused: l?.refused ?? 0, slots: this._slots?.stats ?? null,
      accepted: l?.accepted ?? 0, byMethod: this._host.requestStats.byMethod(), durations: this._host.requestStats.durations(),
      readPath: { zeroCopy: l?.zeroCopy ?? 0, copied: l?.copied ?? 0 }, ...this._guards.stats,
    };
  }

  /**
   * Measure each request's duration into `stats.durations` (default false: one clock read per request;
   * the metrics module turns it on).
   */
  get measureDurations(): boolean { return this._host.measure; }
  set measureDurations(on: boolean) {
    if (typeof on !== 'boolean') throw invalidOption('measureDurations', 'true or false', on);
    this._host.measure = on;
    this._host.updateTiming();
  }

  /** Bytes received and sent on this server's connections (open and closed), for dashboards. */
  get traffic(): TrafficStats { return this._conns.traffic(); }

  /**
   * The server's pub/sub (docs/pubsub.md): WebSockets and event streams subscribe here; `topics.bus`
   * is the transport (an in-process bus by default; give two servers the same bus to share topics).
   */
  get topics(): Topics { return this._topics ??= new Topics(); }

  /** Publishes on `topic` to every subscriber of a matching pattern (`topics.publish`). */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage { return this.topics.publish(topic, data, options); }

  /** How many of this server's subscribers a message on `topic` would reach. */
  subscribers(topic: string): number { return this._topics === null ? 0 : this._topics.subscribers(topic); }

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
   * Stops listening, closes idle connections, ends open-ended responses (their `onStop`), lets in-flight
   * responses finish (up to `stopTimeoutSec`), then closes the rest. Resolves when every connection is closed.
   */
  stop(): Promise<void> {
    if (this._stopPromise !== null) return this._stopPromise;
    if (this._listener === null) return Promise.resolve();
    this._stopPromise = this._stop().finally(() => { this._stopPromise = null; });
    return this._stopPromise;
  }

  private async _stop(): Promise<void> {
    const listener = this._listener!;
    this._host.stopping = true;
    listener.close();
    await runModuleHooks(this, this._modules, this._logger, 'onStop');
    await this._conns.drain(this._stopTimeoutSec);
    await listener.whenClosed();
    if (this._ownPool && this._pool) await this._pool.stop({ graceSec: 0 });
    this._guards.detach();
    this._listener = null;
    this._slots = null;
    this._pool = null;
    this._host.pipeline = null;
    this._host.stopping = false;
  }

  // ---- internals -------------------------------------------------------------------------------

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
    // Ready before the listener exists: a cluster worker may be handed a connection before create() resolves.
    this._guards.configure(cfg, this._addrPrefix);
    this._host.pipeline = new Pipeline(pipelineStages(this._stageList.stages, this._handler !== null, this._rootPathSet), this._logger);
    try {
      listener = await XAsyncTCPServer.create(pool, this._bind, cfg.connQueueCapacity, slots, {
        // Over TLS, plaintext bytes before a handshake are garbage to the client: just close.
        refusalResponse: ctx === null ? POOL_FULL_503 : null,
        clientOptions: { sendTimeoutSec: Math.max(10, this._requestsTimeoutSec * 5) },
        onClientAccepted: (_s, client) => this._accept(client, ctx),
        onClientRefused: (_s, remote) => this._logger.log('WARNING', `From ${remote.host}:${remote.port} refused: all ${slots.count} slots in use >> [503]`),
        onAdmit: this._guards.onAdmit,
        onPoolFull: this._guards.onPoolFull,
        parkRank: this._guards.parkRank,
        poolFullWaitMs: Math.round(cfg.poolFullWaitSec * 1000),
      });
    } catch (err) {
      this._host.pipeline = null;
      if (own) await pool.stop();
      throw listenError(err, this._bind);
    }
    this._pool = pool;
    this._ownPool = own;
    this._slots = slots;
    this._listener = listener;
    this._guards.attach();
    this._logger.log('INFO', `server listening on ${listener.address.host}:${listener.address.port}${ctx ? ' (SSL)' : ''}`);
    await runModuleHooks(this, this._modules, this._logger, 'onStart');
  }

  private _accept(client: XAsyncTCPClient, ctx: tls.SecureContext | null): void {
    const conn = new HttpConnection(this._host, client, ctx !== null);
    this._conns.add(conn);
    if (ctx === null) {
      conn.start();
      return;
    }
    // The handshake is asynchronous and bounded: a silent client holds only its own slot.
    client.onClosed = () => this._conns.closed(conn, null);
    client.startSSLContext(ctx, true, { handshakeTimeoutSec: Math.max(this._limits.headersTimeoutSec, 5) }).then(
      () => conn.start(),
      (err) => this._logger.log('DEBUG', `From ${conn.remoteHost}:${conn.remotePort} TLS handshake failed: ${(err as Error).message}`),
    );
  }
}

// Lower layers name the server `ServerRef` (they cannot import this file): users see a MicroWebSrv there.
declare module '../base/refs' {
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface ServerRef extends MicroWebSrv {}
}
