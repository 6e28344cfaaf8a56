import type * as tls from 'node:tls';
import { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots, type XAsyncTCPClient } from '@microwebsrv/xasync';
import { MwsError, invalidOption } from '../base/errors';
import { isLogLevel, LEVEL_RANK, type LogFields, type LogLevelName } from '../base/logger';
import { HttpConnection } from '../engine/connection';
import { Pipeline } from '../pipeline/pipeline';
import type { AccessCheck } from '../pipeline/access-stage';
import type { RequestHandler } from '../pipeline/handler-stage';
import type { HttpRequest } from '../request/http-request';
import { listenError, loadSecureContext } from './listen-ssl';
import { POOL_FULL_503, ServerGuards } from './guards';
import type { ServerStats } from './server-stats';
import { runModuleHooks } from './module-hooks';
import { checkRequestHandler, pipelineStages } from './request-handler';
import { ServerHost } from './server-host';
import { checkStructuredLogger, type StructuredLogger } from './server-logger';
import { ServerStages } from './server-stages';
import type { TrafficStats } from './traffic';
import { ConnectionSet } from './connection-set';
import { Topics, type PublishData, type PublishOptions, type TopicMessage } from '../pubsub';

export type { SSLFiles } from './settings';
export type { ServerStats } from './server-stats';

export type LoggingCallback = (server: MicroWebSrv, msg: string, type: LogLevelName) => void;

/**
 * An HTTP/1.1 server on the xasync buffer-slot pool: MicroWebSrv2's `MicroWebSrv2` class in Node naming.
 * Configure (a preset, then any setting), register routes, then `startManaged()` (its own pool) or
 * `startInPool(pool)` (a shared pool: e.g. an HTTP and an HTTPS server). Settings that shape the pool or
 * the listener throw ERR_MWS_RUNNING while the server runs. Its bases: ServerStages (server-stages.ts: access
 * control, modules, stages, the single handler, routes) over ServerSettings (settings.ts).
 */
export class MicroWebSrv extends ServerStages {
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
  protected readonly _host: ServerHost;
  /** Eviction, minimum rates, per-address cap, body budget (server/guards.ts). */
  private readonly _guards: ServerGuards;

  constructor() {
    super();
    const log = this._logger;
    this._conns = new ConnectionSet(log);
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

  // ---- single-handler mode (picohttp) ----------------------------------------------------------

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
    // Topic messages published before the stop and not yet written (they leave at the end of a loop turn)
    // go out before the connections are closed.
    this._topics?.flush();
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
