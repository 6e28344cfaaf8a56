/**
 * `WebSockets`: the MicroWebSrv module (MicroWebSrv2's WebSockets module). Load it with
 * `server.loadModule(WebSockets, options)`; it answers WebSocket upgrade requests (RFC 6455 §4.2) before
 * the routes, hands the connection to a {@link WebSocket} and gives it to `onWebSocketAccepted`.
 */
import type { HttpRequest, MicroWebSrv, MwsModule } from '@microwebsrv/core';
import { CloseCodes, invalid } from './errors';
import { checkHandshake, isWebSocketUpgrade } from './handshake';
import { WebSocket, type WebSocketSettings } from './web-socket';
import { negotiateDeflate, type DeflateOptions } from './deflate';
import { broadcast, type BroadcastOptions, type BroadcastResult, type BroadcastTarget } from './broadcast';

/** Picks the sub-protocol among those the client offered (RFC 6455 §4.2.2); anything else is ignored. */
export type OnWebSocketProtocol = (server: MicroWebSrv, offered: string[]) => string | null | undefined;
/** Receives each accepted WebSocket: set its callbacks here. */
export type OnWebSocketAccepted = (server: MicroWebSrv, webSocket: WebSocket) => void;

/** Options of `loadModule(WebSockets, options)`. Every field is optional. */
export interface WebSocketsOptions extends Partial<WebSocketSettings> {
  /** Accept upgrades only on these paths (exact match); others fall through to the routes. Default: all. */
  paths?: string[] | null;
  onWebSocketProtocol?: OnWebSocketProtocol | null;
  onWebSocketAccepted?: OnWebSocketAccepted | null;
  /** permessage-deflate (RFC 7692): false (default) or true / settings to accept a client's offer. */
  perMessageDeflate?: boolean | DeflateOptions;
}

const DEFAULTS = { waitFrameTimeoutSec: 300, maxSendQueueBytes: 4 * 1024 * 1024, fragmentSize: 0, closeTimeoutSec: 5 };

function checkSeconds(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid(name, 'a number of seconds >= 0', v);
  return v;
}
function checkInt(name: string, v: number, min: number): number {
  if (!Number.isSafeInteger(v) || v < min) throw invalid(name, `an integer >= ${min}`, v);
  return v;
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
    if (options.waitFrameTimeoutSec !== undefined) checkSeconds('waitFrameTimeoutSec', options.waitFrameTimeoutSec);
    if (options.closeTimeoutSec !== undefined) checkSeconds('closeTimeoutSec', options.closeTimeoutSec);
    if (options.maxRecvMessageLength !== undefined) checkInt('maxRecvMessageLength', options.maxRecvMessageLength, 1);
    if (options.maxSendQueueBytes !== undefined) checkInt('maxSendQueueBytes', options.maxSendQueueBytes, 1);
    if (options.fragmentSize !== undefined) checkInt('fragmentSize', options.fragmentSize, 0);
    this._opts = { ...options };
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

  /** The pipeline stage: takes WebSocket upgrades on the accepted paths, passes everything else. */
  onRequest(server: MicroWebSrv, request: HttpRequest): void {
    const connection = request.getHeader('connection');
    const upgrade = request.getHeader('upgrade');
    if (!isWebSocketUpgrade({ connection, upgrade })) return;
    if (this._paths !== null && !this._paths.has(request.path)) return;
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
    const maxRecv = this._opts.maxRecvMessageLength ?? Math.max(1, server.maxRequestContentLength);
    const deflate = negotiateDeflate(request.getHeader('sec-websocket-extensions'), this._opts.perMessageDeflate, maxRecv);
    if (!deflate.ok) { response.returnBadRequest(deflate.detail); return; }
    let protocol: string | null = null;
    if (hs.offered.length > 0 && this.onWebSocketProtocol) {
      try {
        const chosen = this.onWebSocketProtocol(server, hs.offered);
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
    const settings: WebSocketSettings = {
      waitFrameTimeoutSec: this._opts.waitFrameTimeoutSec ?? DEFAULTS.waitFrameTimeoutSec,
      maxRecvMessageLength: maxRecv,
      maxSendQueueBytes: this._opts.maxSendQueueBytes ?? DEFAULTS.maxSendQueueBytes,
      fragmentSize: this._opts.fragmentSize ?? DEFAULTS.fragmentSize,
      closeTimeoutSec: this._opts.closeTimeoutSec ?? DEFAULTS.closeTimeoutSec,
    };
    const ws = new WebSocket(server, request, client, protocol, settings, (type, msg) => server.log(msg, type), deflate.extensions);
    this._register(request.path, ws);
    const accepted = this.onWebSocketAccepted;
    if (!accepted) {
      ws.close(CloseCodes.GOING_AWAY, 'no WebSocket accept callback');
    } else {
      try {
        accepted(server, ws);
      } catch (err) {
        server.log(`WebSockets onWebSocketAccepted threw: ${err instanceof Error ? err.message : String(err)} >> close 1011`, 'ERROR');
        ws._fail(CloseCodes.INTERNAL_ERROR, 'handler error');
      }
    }
    ws._start();
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
    ws._onClose(() => {
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
