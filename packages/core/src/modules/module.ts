import type { ServerRef } from '../base/refs';
import type { HttpRequest } from '../request/http-request';
import type { BodyReceiver } from '../request/body-receiver';

export type { BodyReceiver } from '../request/body-receiver';

/**
 * A loadable module: what MicroWebSrv2 loaded with `LoadModule(name)`, per server here. The server creates
 * one instance per `loadModule(ModuleClass, options)` call, in load order; the constructor gets the
 * server and may call `server.addStage(…)` to add steps of its own to the request pipeline.
 *
 * - `onRequest` runs for every request before the routes, in load order (a stage named
 *   `module:<ClassName>`). A module answers by calling a response method (the chain stops there) or
 *   passes by leaving the response alone. It may be async: the chain waits for its promise. A module
 *   that throws is logged and skipped; the chain goes on.
 * - `onRequestBody` runs when a request head with a body arrives, before the body is read: return a
 *   {@link BodyReceiver} to take the body as it arrives (uploads to disk, hashing, proxies), with
 *   backpressure; return `'stream'` to have the request go down the pipeline at once with its body as a
 *   stream (`request.read()`, `request.body`, `request.pipeTo()`, `request.multipart()`: the module's own
 *   stage answers it); return nothing to let the server buffer it (up to maxRequestContentLength) as usual.
 * - A module can take a connection over (WebSockets): answer `response.switchingProtocols(…)`, then
 *   `request.detachConnection()` gives the XAsyncTCPClient; its slot holds the bytes that followed the
 *   request, delivered to the module's first receive. The connection keeps its slot, and counts against
 *   the server's budget, until it closes.
 * - An open-ended response (`response.openStream(…)`: server-sent events, long polls) is ended by the
 *   server's graceful `stop()` through its `onStop` callback, then closed.
 * - `onStart` runs once the server listens; `onStop` when `stop()` begins, before connections close.
 */
export interface MwsModule {
  onRequest?(server: ServerRef, request: HttpRequest): unknown;
  onRequestBody?(server: ServerRef, request: HttpRequest): BodyReceiver | 'stream' | null | undefined | void;
  onStart?(server: ServerRef): unknown;
  onStop?(server: ServerRef): unknown;
}

/** A module class: constructed with its server and the options given to `loadModule`. */
export type MwsModuleClass<M extends MwsModule = MwsModule, O = unknown> = new (server: ServerRef, options: O) => M;
