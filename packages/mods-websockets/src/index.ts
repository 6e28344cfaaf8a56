/**
 * @microwebsrv/mods-websockets — the WebSockets module of MicroWebSrv (RFC 6455), on the `ws` library's
 * frame parser and builder.
 */
export { WebSockets, type WebSocketsOptions, type OnWebSocketProtocol, type OnWebSocketAccepted, type WebSocketRouteHandler, type WebSocketRouteOptions } from './module';
export { WebSocket, type WebSocketSettings } from './web-socket';
export { createWebSocketStream, WebSocketStream, type WebSocketStreamOptions } from './stream';
export { broadcast, type BroadcastTarget, type BroadcastResult, type BroadcastOptions } from './broadcast';
export { checkHandshake, computeAcceptKey, isWebSocketUpgrade, parseProtocols, WS_GUID, type HandshakeInput, type HandshakeResult } from './handshake';
export { CloseCodes, WsError, WsErrorCodes, type WsErrorCode } from './errors';
export { negotiateDeflate, DEFLATE_NAME, type DeflateOptions } from './deflate';
