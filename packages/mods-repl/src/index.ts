/**
 * @microwebsrv/mods-repl — a password-protected Node REPL over WebSocket for MicroWebSrv (uhttpd's
 * `ws(url, pwd)`), on @microwebsrv/mods-websockets. See docs/repl.md.
 */
export { WebSocketRepl } from './module';
export { type ReplOptions } from './options';
export { isLoopbackAddress, isLoopbackHost } from './guard';
