/**
 * `WebSocketRepl`: a Node REPL over a WebSocket (uhttpd's `ws(url, pwd)`), never without a password.
 * `srv.loadModule(WebSocketRepl, { password, path: '/repl' })`. See docs/repl.md for the security model.
 */
import type { HttpRequest, MicroWebSrv, MwsModule } from '@microwebsrv/core';
import { WebSockets, type WebSocket } from '@microwebsrv/mods-websockets';
import { checkUpgrade, LOOPBACK_HOSTS, type GuardSettings } from './guard';
import { PasswordCheck } from './password';
import { LoginRateLimit } from './rate-limit';
import { ReplSession, type SessionHost, type SessionSettings } from './session';
import { checkOptions, type ReplOptions } from './options';

/** REPL modules on servers with TLS, started: while there is one, 'auto' refuses plain HTTP everywhere. */
const TLS_REPLS = new Set<WebSocketRepl>();

export class WebSocketRepl implements MwsModule {
  readonly server: MicroWebSrv;
  /** The WebSocket path. */
  readonly path: string;
  /** The WebSockets module the REPL's path is routed on (the one given, or one of its own). */
  readonly websockets: WebSockets;
  private readonly _host: SessionHost;
  private readonly _guard: GuardSettings;
  private readonly _limit: LoginRateLimit;
  private _session: ReplSession | null = null;

  constructor(server: MicroWebSrv, options: ReplOptions) {
    const o = checkOptions(options);
    this.server = server;
    this.path = o.path;
    const label = `REPL ${o.path}`;
    const limit = new LoginRateLimit({ maxAttempts: o.maxAttempts, backoffMs: o.backoffMs, lockoutSec: o.lockoutSec });
    this._limit = limit;
    const settings: SessionSettings = {
      authTimeoutSec: o.authTimeoutSec, idleTimeoutSec: o.idleTimeoutSec, maxOutputBytes: o.maxOutputBytes,
      prompt: o.prompt, columns: o.columns, context: o.context === 'process' ? null : o.context,
    };
    this._host = {
      label,
      password: new PasswordCheck(o.password),
      settings,
      log: (msg, type) => server.log(msg, type),
      failed: (address) => {
        const v = limit.fail(address);
        return v.lockedOut
          ? ` (failure ${v.failures}: locked out for ${Math.round(v.waitMs / 1000)} s)`
          : ` (failure ${v.failures} of ${o.maxAttempts}; next attempt allowed in ${Math.ceil(v.waitMs / 1000)} s)`;
      },
      succeeded: (address) => limit.succeed(address),
      ended: (session) => { if (this._session === session) this._session = null; },
    };
    this._guard = {
      allowRemote: o.allowRemote,
      origins: o.origins,
      hosts: o.hosts === undefined ? (o.allowRemote ? null : LOOPBACK_HOSTS) : o.hosts,
      plainRefused: o.plainHttp === 'allow' ? () => false : o.plainHttp === 'refuse' ? () => true : () => TLS_REPLS.size > 0,
    };
    // The checks run right after the server's own access check, before any module (a WebSockets module
    // loaded earlier included): nothing is upgraded on this path without passing them.
    server.addStage({ name: `repl:${o.path}`, run: (req) => this._check(req) }, { after: 'access' });
    // Its own WebSockets module takes only this path (no `paths`), unless one was given.
    this.websockets = o.websockets ?? server.loadModule(WebSockets, { paths: [] });
    this.websockets.route(o.path, (ws) => this._accepted(ws), { maxRecvMessageLength: 64 * 1024 });
  }

  /** True while a session (logged in or entering its password) holds the REPL. */
  get busy(): boolean { return this._session !== null; }

  /** True while the logged-in session runs. */
  get sessionOpen(): boolean { return this._session?.authenticated === true; }

  onStart(server: MicroWebSrv): void {
    if (server.isSSLEnabled) TLS_REPLS.add(this);
  }

  onStop(): void {
    TLS_REPLS.delete(this);
    this._session?.close(1001, 'server stopping');
  }

  /** The guard stage: an upgrade on the REPL's path passes only every check; anything else passes through. */
  private _check(req: HttpRequest): boolean {
    if (req.path !== this.path || !req.isUpgrade) return false;
    const [addr, port] = req.userAddress;
    const resp = req.response;
    const refuse = (status: number, body: string, log: string, retryAfterSec?: number): true => {
      this.server.log(`${this._host.label}: refused ${addr}:${port}: ${log} >> [${status}]`, 'WARNING');
      if (retryAfterSec !== undefined) resp.setHeader('Retry-After', retryAfterSec);
      resp.contentType = 'text/plain';
      resp.return(status, body + '\n');
      return true;
    };
    const r = checkUpgrade(req, this._guard);
    if (r !== null) return refuse(r.status, r.body, r.log);
    const wait = this._limit.waitMs(addr);
    if (wait > 0) {
      const sec = Math.ceil(wait / 1000);
      return refuse(429, `Too many failed logins: try again in ${sec} s`, `rate-limited for ${sec} s more`, sec);
    }
    // One session at a time (uhttpd: at most one handler), counting one still entering its password.
    if (this._session !== null) return refuse(409, 'A REPL session is already open', 'a session is already open');
    return false;
  }

  private _accepted(ws: WebSocket): void {
    // Re-checked: a module between the guard and the WebSockets module may have let time pass.
    if (this._session !== null) { ws.close(1013, 'a session is already open'); return; }
    this._session = new ReplSession(ws, this._host);
  }
}
