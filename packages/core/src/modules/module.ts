import type { HttpRequest } from '../request/http-request';
import type { MicroWebSrv } from '../server/micro-web-srv';

/**
 * A loadable module: what MicroWebSrv2 loaded with `LoadModule(name)`, per server here. The server creates
 * one instance per `loadModule(ModuleClass, options)` call, in load order.
 *
 * - `onRequest` runs for every request before the routes, in load order. A module answers by calling a
 *   response method (the chain stops there) or passes by leaving the response alone. It may be async: the
 *   chain waits for its promise. A module that throws is logged and skipped; the chain goes on.
 * - A module can take a connection over (WebSockets): answer `response.switchingProtocols(…)`, then
 *   `request.detachConnection()` gives the XAsyncTCPClient; its slot holds the bytes that followed the
 *   request, delivered to the module's first receive. The connection keeps its slot, and counts against
 *   the server's budget, until it closes.
 * - `onStart` runs once the server listens; `onStop` when `stop()` begins, before connections close.
 */
export interface MwsModule {
  onRequest?(server: MicroWebSrv, request: HttpRequest): unknown;
  onStart?(server: MicroWebSrv): unknown;
  onStop?(server: MicroWebSrv): unknown;
}

/** A module class: constructed with its server and the options given to `loadModule`. */
export type MwsModuleClass<M extends MwsModule = MwsModule, O = unknown> = new (server: MicroWebSrv, options: O) => M;

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as PromiseLike<unknown>).then === 'function';
}
