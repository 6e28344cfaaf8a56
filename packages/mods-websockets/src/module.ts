/**
 * `WebSockets`: the MicroWebSrv module (MicroWebSrv2's WebSockets module). Load it with
 * `server.loadModule(WebSockets, options)`; it answers WebSocket upgrade requests (RFC 6455 §4.2) before
 * the routes, hands the connection to a {@link WebSocket} and gives it to the handler of its path
 * (`route(path, handler)`) or to `onWebSocketAccepted`.
 */
import type { HttpRequest, MicroWebSrv, MwsModule, PublishData, PublishOptions, TopicMessage } from '@microwebsrv/core';
import { CloseCodes, invalid } from './errors';
import { checkHandshake, isWebSocketUpgrade } from './handshake';
import { WebSocket, type WebSocketSettings } from './web-socket';
import { negotiateDeflate, type DeflateOptions } from './deflate';
import { broadcast, type BroadcastOptions, type BroadcastResult, type BroadcastTarget } from './broadcast';
import { kInternals } from './internal';
import { checkSettings, resolveSettings } from './settings';

/** Picks the sub-protocol among those the client offered (RFC 6455 §4.2.2); anything else is ignored. */
export type OnWebSocketProtocol = (server: MicroWebSrv, offered: string[]) => string | null | undefined;
/** Receives each accepted WebSocket: set its callbacks here. */
export type OnWebSocketAccepted = (server: MicroWebSrv, webSocket: WebSocket) => void;
/**
 * Receives each WebSocket accepted on its route's path: set its callbacks (or make a stream of it) here;
 * receiving starts when it returns. A returned promise that rejects closes the socket with 1011.
 */
export type WebSocketRouteHandler = (webSocket: WebSocket, request: HttpRequest) => void | Promise<void>;

/** Options of {@link WebSockets.route}: that path's socket settings and sub-protocol choice. */
export interface WebSocketRouteOptions extends Partial<WebSocketSettings> {
  /** Picks the sub-protocol on this path (RFC 6455 §4.2.2). Default: the module's `onWebSocketProtocol`. */
  onWebSocketProtocol?: OnWebSocketProtocol | null;
}

interface Route { handler: WebSocketRouteHandler; options: WebSocketRouteOptions }

/** Options of `loadModule(WebSockets, options)`. Every field is optional. */
export interface WebSocketsOptions extends Partial<WebSocketSettings> {
  /** Accept upgrades only on these paths (exact match); others fall through to the routes. Default: all. */
  paths?: string[] | null;
  onWebSocketProtocol?: OnWebSocketProtocol | null;
  onWebSocketAccepted?: OnWebSocketAccepted | null;
  /** permessage-deflate (RFC 7692): false (default) or true / settings to accept a client's offer. */
  perMessageDeflate?: boolean | DeflateOptions;
  /** A topic's message a socket's full queue cannot take: skip it for that socket (default) or close it with 1008. */
  topicSlowPolicy?: 'skip' | 'close';
}


/**
 * The WebSockets module. Its callbacks can also be set after loading, on the instance `loadModule` returns
 * (`mod.onWebSocketAccepted = …`), as in MicroWebSrv2.
 */
export class WebSockets implements MwsModule {
  /** Chooses the sub-protocol; its answer is used only if the client offered it. */
  onWebSocketProtocol: OnWebSocketProtocol | null;
  /** Receives each new WebSocket. Without it, sockets are closed with 1001 (MicroWebSrv2). */
  onWebSocketAccepted: OnWebSocketAccepted | null;
  readonly server: MicroWebSrv;
  private readonly _paths: Set<string> | null;
  private readonly _opts: WebSocketsOptions;
  private readonly _routes = new Map<string, Route>();
  private readonly _open = new Map<string, Set<WebSocket>>();
  private _count = 0;

  constructor(server: MicroWebSrv, options: WebSocketsOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalid('WebSockets options', 'an object', options);
    this.server = server;
    this.onWebSocketProtocol = options.onWebSocketProtocol ?? null;
    this.onWebSocketAccepted = options.onWebSocketAccepted ?? null;
    if (options.paths != null && (!Array.isArray(options.paths) || options.paths.some((p) => typeof p !== 'string' || !p.startsWith('/')))) {
      throw invalid('WebSockets paths', 'an array of paths starting with /', options.paths);
    }
    this._paths = options.paths ? new Set(options.paths) : null;
    checkSettings(options);
    if (options.topicSlowPolicy !== undefined && options.topicSlowPolicy !== 'skip' && options.topicSlowPolicy !== 'close') {
      throw invalid('WebSockets topicSlowPolicy', "'skip' or 'close'", options.topicSlowPolicy);
    }
    this._opts = { ...options };
  }

  /**
   * Accepts WebSockets on `path` (exact match on the decoded path) and gives each one to `handler`
   * instead of `onWebSocketAccepted`, with `options` (this path's settings and sub-protocol choice) over
   * the module's. Works whatever `paths` lists, before or after the server starts. Throws
   * ERR_MWS_WS_INVALID_OPTION when `path` does not start with `/` or is already routed or listed in
   * `paths`, when `handler` is not a function, or an option is out of range. Returns the module.
   */
  route(path: string, handler: WebSocketRouteHandler, options: WebSocketRouteOptions = {}): this {
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalid('route path', 'a string starting with /', path);
    if (this._routes.has(path)) throw invalid('route path', 'a path not routed yet', path);
    if (this._paths?.has(path)) throw invalid('route path', 'a path not in the paths option (its sockets go to onWebSocketAccepted)', path);
    if (typeof handler !== 'function') throw invalid(`route handler of ${path}`, 'a function (webSocket, request) => void', handler);
    if (options === null || typeof options !== 'object') throw invalid(`route options of ${path}`, 'an object', options);
    checkSettings(options, 'route options.');
    if (options.onWebSocketProtocol != null && typeof options.onWebSocketProtocol !== 'function') {
      throw invalid('route options.onWebSocketProtocol', 'a function (server, offered) => string | null', options.onWebSocketProtocol);
    }
    this._routes.set(path, { handler, options: { ...options } });
    return this;
  }

  /** Open WebSockets, all paths. */
  get count(): number { return this._count; }

  /** The open WebSockets of `path` (all paths when omitted), as a new array. */
  sockets(path?: string): WebSocket[] {
    if (path !== undefined) return [...(this._open.get(path) ?? [])];
    const all: WebSocket[] = [];
    for (const set of this._open.values()) all.push(...set);
    return all;
  }

  /**
   * Sends a text message to every open WebSocket of `path` (all paths when omitted or undefined);
   * `options` as {@link broadcast} (`exclude` e.g. the sender, `slowPolicy`).
   */
  broadcastText(text: string, path?: string, options?: BroadcastOptions): BroadcastResult { return broadcast(this._target(path), text, options); }
  /** Sends a binary message to every open WebSocket of `path` (all paths when omitted); `options` as {@link broadcast}. */
  broadcastBinary(data: Uint8Array, path?: string, options?: BroadcastOptions): BroadcastResult { return broadcast(this._target(path), data, options); }

  /**
   * Publishes on the server's topics (`server.publish`, docs/pubsub.md): every socket subscribed to a
   * matching pattern (`ws.subscribe`) gets it as one frame encoded once, and so do event streams.
   */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage { return this.server.publish(topic, data, options); }

  /** Subscribers of the server a message on `topic` would reach (sockets and event streams). */
  subscribers(topic: string): number { return this.server.subscribers(topic); }

  /** The pipeline stage: takes WebSocket upgrades on the accepted paths, passes everything else. */
  onRequest(server: MicroWebSrv, request: HttpRequest): void {
    const connection = request.getHeader('connection');
    const upgrade = request.getHeader('upgrade');
    if (!isWebSocketUpgrade({ connection, upgrade })) return;
    const route = this._routes.get(request.path);
    if (!route && this._paths !== null && !this._paths.has(request.path)) return;
    const routeOpts: WebSocketRouteOptions = route?.options ?? {};
    const response = request.response;
    const hs = checkHandshake({
      method: request.method, connection, upgrade,
      version: request.getHeader('sec-websocket-version'),
      key: request.getHeader('sec-websocket-key'),
      protocol: request.getHeader('sec-websocket-protocol'),
    });
    if (!hs.ok) {
      if (hs.status === 426) { response.setHeader('Sec-WebSocket-Version', '13'); response.return(426, hs.detail); }
      else if (hs.status === 405) response.returnMethodNotAllowed(['GET']);
      else response.returnBadRequest(hs.detail);
      return;
    }
    const settings = resolveSettings(routeOpts, this._opts, Math.max(1, server.maxRequestContentLength));
    const deflate = negotiateDeflate(request.getHeader('sec-websocket-extensions'), this._opts.perMessageDeflate, settings.maxRecvMessageLength);
    if (!deflate.ok) { response.returnBadRequest(deflate.detail); return; }
    let protocol: string | null = null;
    const pick = routeOpts.onWebSocketProtocol ?? this.onWebSocketProtocol;
    if (hs.offered.length > 0 && pick) {
      try {
        const chosen = pick(server, hs.offered);
        if (typeof chosen === 'string' && hs.offered.includes(chosen)) protocol = chosen; // §4.2.2: only an offered one
      } catch (err) {
        server.log(`WebSockets onWebSocketProtocol threw: ${err instanceof Error ? err.message : String(err)}`, 'ERROR');
      }
    }
    // RFC 6455 §4.2.2 step 5: 101, Upgrade, Connection, Sec-WebSocket-Accept (+ the chosen sub-protocol).
    response.setHeader('Sec-WebSocket-Accept', hs.accept);
    if (protocol !== null) response.setHeader('Sec-WebSocket-Protocol', protocol);
    if (deflate.header !== null) response.setHeader('Sec-WebSocket-Extensions', deflate.header);
    response.switchingProtocols('websocket');
    const client = request.detachConnection();
    const ws = new WebSocket(server, request, client, protocol, settings, (type, msg) => server.log(msg, type), deflate.extensions, deflate.receiving);
    const internals = ws[kInternals];
    if (this._opts.topicSlowPolicy !== undefined) ws.topicSlowPolicy = this._opts.topicSlowPolicy;
    this._register(request.path, ws);
    const failed = (name: string, err: unknown): void => {
      server.log(`WebSockets ${name} threw: ${err instanceof Error ? err.message : String(err)} >> close 1011`, 'ERROR');
      internals.fail(CloseCodes.INTERNAL_ERROR, 'handler error');
    };
    if (route) {
      try {
        const done = route.handler(ws, request);
        if (done instanceof Promise) done.catch((err: unknown) => failed(`route handler of ${request.path}`, err));
      } catch (err) {
        failed(`route handler of ${request.path}`, err);
      }
    } else if (!this.onWebSocketAccepted) {
      ws.close(CloseCodes.GOING_AWAY, 'no WebSocket accept callback');
    } else {
      try {
        this.onWebSocketAccepted(server, ws);
      } catch (err) {
        failed('onWebSocketAccepted', err);
      }
    }
    internals.start();
  }

  /** Server stopping: every open WebSocket gets a Close 1001 (RFC 6455 §7.4.1) before connections close. */
  onStop(): void {
    for (const ws of this.sockets()) if (!ws.isClosed) ws.close(CloseCodes.GOING_AWAY, 'server stopping');
  }

  private _register(path: string, ws: WebSocket): void {
    let set = this._open.get(path);
    if (!set) { set = new Set(); this._open.set(path, set); }
    set.add(ws);
    this._count++;
    ws[kInternals].onClose(() => {
      const s = this._open.get(path);
      if (s && s.delete(ws)) {
        this._count--;
        if (s.size === 0) this._open.delete(path);
      }
    });
  }

  private _target(path: string | undefined): BroadcastTarget {
    if (path === undefined) return this.sockets();
    return this._open.get(path) ?? [];
  }
}
