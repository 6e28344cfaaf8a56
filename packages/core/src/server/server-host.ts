import { LEVEL_RANK } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { BodyBudget } from '../engine/body-budget';
import type { BodyPolicy, ConnectionHost, ConnectionInfo, ConnectionLimits } from '../engine/connection-host';
import type { BodyReceiver, MwsModule } from '../modules/module';
import type { AccessSettings } from '../pipeline/access-stage';
import type { Pipeline } from '../pipeline/pipeline';
import type { HttpRequest } from '../request/http-request';
import type { RouteTable } from '../routes/route-table';
import { reasonPhrase } from '../response/head-builder';
import type { HttpResponse } from '../response/http-response';
import type { ResponseDefaults } from '../response/response-defaults';
import { RequestStats } from './request-stats';
import type { ServerLogger } from './server-logger';

/** A module's `'stream'`: the body streamed to the request, no limit but what the module sets (`request.bodyLimit`). */
const STREAM_UNLIMITED: BodyPolicy = Object.freeze({ body: 'stream' });

/**
 * The `ConnectionHost` every connection of one server talks to: plain fields the server keeps up to date
 * (read on the hot path as data, not through getters) and methods of one class (monomorphic calls V8
 * inlines). It also keeps the request counter and writes the access line.
 */
export class ServerHost implements ConnectionHost {
  readonly server: ServerRef;
  readonly logger: ServerLogger<ServerRef>;
  readonly defaults: ResponseDefaults;
  readonly limits: ConnectionLimits;
  readonly bodyBudget: BodyBudget;
  stopping = false;
  timing = false;
  /** The stages to run, set when the server starts. */
  pipeline: Pipeline | null = null;
  /** Modules with an `onRequestBody`, in load order. */
  bodyModules: MwsModule[] = [];
  /** The server's routes (their body options: streamed, maxBodyBytes), set by the server. */
  routes: RouteTable<unknown> | null = null;
  /** Responses sent since the server was made. */
  requests = 0;
  /** Responses by method and status class; durations while `measure` is on. */
  readonly requestStats = new RequestStats();
  /** Durations are measured (the metrics module asked): `timing` is on. */
  measure = false;
  /** The access stage's settings: their `requireBasicAuth` credentials are checked before a module may claim a body. */
  private readonly _access: AccessSettings;
  private readonly _closed: (conn: ConnectionInfo, err: Error | null) => void;

  constructor(server: ServerRef, logger: ServerLogger<ServerRef>, defaults: ResponseDefaults, limits: ConnectionLimits, access: AccessSettings, closed: (conn: ConnectionInfo, err: Error | null) => void, bodyBudget: BodyBudget) {
    this.server = server;
    this.bodyBudget = bodyBudget;
    this._access = access;
    this.logger = logger;
    this.defaults = defaults;
    this.limits = limits;
    this._closed = closed;
  }

  dispatch(req: HttpRequest): void {
    this.pipeline!.dispatch(req, 0);
  }

  /**
   * Asks the modules' `onRequestBody` in load order, then the route's body options. Modules are not asked
   * for a request that `requireBasicAuth` will refuse: its body is not worth streaming into a module (it
   * is buffered up to maxRequestContentLength, or 413). A streamed route is streamed anyway: the access
   * stage answers 401 before its handler reads anything.
   */
  bodyReceiver(req: HttpRequest): BodyReceiver | BodyPolicy | null {
    const mods = this.bodyModules;
    if (mods.length !== 0) {
      const r = this._moduleBody(req);
      if (r !== null) return r;
    }
    // The match is kept for the routes stage: a request with a body is matched once.
    return this.routes === null ? null : this.routes.bodyOptions(req.method, req.rawPath, req);
  }

  private _moduleBody(req: HttpRequest): BodyReceiver | BodyPolicy | null {
    const mods = this.bodyModules;
    const basic = this._access.basicAuth;
    if (basic !== null && !req.checkBasicAuth(basic.user, basic.pass)) return null;
    for (let i = 0; i < mods.length; i++) {
      let r: BodyReceiver | 'stream' | null | undefined | void;
      try {
        r = mods[i].onRequestBody!(this.server, req);
      } catch (err) {
        this.logger.log('ERROR', `module onRequestBody threw: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (r === 'stream') return STREAM_UNLIMITED;
      if (r !== null && r !== undefined) return r;
    }
    return null;
  }

  /** One access line per response: `From ip:port [SSL-]METHOD path >> [code] reason`, fields for `logger`. */
  responded(conn: ConnectionInfo, resp: HttpResponse, startedAt: number): void {
    this.requests++;
    const req = resp.request;
    const code = resp.statusCode;
    this.requestStats.count(req.method, code);
    if (this.measure && startedAt > 0) this.requestStats.observe((performance.now() - startedAt) / 1000);
    const log = this.logger;
    if (log.rank > LEVEL_RANK.INFO) return;
    // The path only, as the original: query strings often carry secrets (tokens, keys).
    const msg = `From ${conn.remoteHost}:${conn.remotePort} ${conn.isSSL ? 'SSL-' : ''}${req.method} ${req.rawPath} >> [${code}] ${reasonPhrase(code)}`;
    if (log.structured === null || log.callback !== null) { log.log('INFO', msg); return; }
    log.log('INFO', msg, {
      method: req.method, path: req.rawPath, status: code, bytes: resp.bodyBytes,
      durationMs: startedAt > 0 ? Math.round((performance.now() - startedAt) * 1000) / 1000 : null,
      remote: `${conn.remoteHost}:${conn.remotePort}`, ssl: conn.isSSL,
    });
  }

  closed(conn: ConnectionInfo, err: Error | null): void {
    this._closed(conn, err);
  }

  /** Re-reads what `timing` depends on (call when the logger or the level changes). */
  updateTiming(): void {
    const log = this.logger;
    this.timing = this.measure || (log.structured !== null && log.callback === null && log.rank <= LEVEL_RANK.INFO);
  }
}
