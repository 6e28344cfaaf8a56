/**
 * What the module and `broadcast` need from a {@link WebSocket} beyond its public API, as one named
 * interface under a symbol key (not exported from the package's entry): the socket's own fields stay
 * private, and no other file reaches into them.
 */

/** The WebSocket's side for its module: start receiving, fail, close hooks, pre-encoded sends. */
export interface WebSocketInternals {
  /** Starts receiving once the accept handler returned: the bytes that followed the handshake come first. */
  start(): void;
  /** Fails the connection (RFC 6455 §7.1.7): a Close frame with `code`, then the TCP close at once. */
  fail(code: number, reason: string): void;
  /** Runs `hook` once when the connection is closed (the module's registries). */
  onClose(hook: () => void): void;
  /** Broadcast: a UTF-8 (text) or binary payload encoded once and shared between sockets. */
  sendPayload(payload: Buffer, binary: boolean): boolean;
  /** A whole frame encoded once for many sockets (its `payload` for sockets that compress). */
  sendShared(frame: Buffer, payload: Buffer, binary: boolean): boolean;
}

/** The key of a WebSocket's {@link WebSocketInternals}. */
export const kInternals: unique symbol = Symbol('microwebsrv.websocket.internals');
