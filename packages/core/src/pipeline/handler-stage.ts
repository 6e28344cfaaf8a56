import type { Logger } from '../base/logger';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import { kKeep } from '../response/internals';
import type { HttpResponse } from '../response/http-response';
import { failed } from './failed';
import { applyHandlerResult } from './handler-result';
import { KIND_HANDLER, type BuiltinStage } from './stage';

/**
 * The single handler of a server (picohttp's `HttpServer(port, handler, args)`): `(request, response,
 * ...args)`, the extra arguments given to `setRequestHandler`. May be async and may return a value,
 * answered as a route's return value is (string → HTML, Buffer, `[body, status, type]`, else JSON;
 * nothing → 501).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RequestHandler<A extends unknown[] = any[]> = (request: HttpRequest, response: HttpResponse, ...args: A) => unknown;

const LABEL = 'setRequestHandler';

/**
 * The `handler` stage, placed before `fallback`: it takes every request that nothing before it answered
 * (access, modules, routes, static files when `rootPath` was set, OPTIONS). Up to three extra arguments
 * are passed by direct calls (no array per request); more go through `apply` on a fresh array.
 */
export class HandlerStage implements BuiltinStage {
  readonly kind = KIND_HANDLER;
  readonly name = 'handler';
  private readonly _handler: RequestHandler;
  private readonly _args: readonly unknown[];
  private readonly _log: Logger;

  constructor(handler: RequestHandler, args: readonly unknown[], log: Logger) {
    this._handler = handler;
    this._args = args;
    this._log = log;
  }

  run(req: HttpRequest): boolean {
    const log = this._log;
    let result: unknown;
    try {
      result = this._call(req);
    } catch (err) {
      failed(log, req, err, LABEL);
      return true;
    }
    if (isThenable(result)) settleLater(log, req, result);
    else applyHandlerResult(log, req, result, LABEL);
    return true;
  }

  private _call(req: HttpRequest): unknown {
    const h = this._handler;
    const a = this._args;
    switch (a.length) {
      case 0: return h(req, req.response);
      case 1: return h(req, req.response, a[0]);
      case 2: return h(req, req.response, a[0], a[1]);
      case 3: return h(req, req.response, a[0], a[1], a[2]);
      default: return h(req, req.response, ...a);
    }
  }
}

/** An async handler's result. Apart from `run` so that `run` captures nothing (no context per request). */
function settleLater(log: Logger, req: HttpRequest, result: PromiseLike<unknown>): void {
  req.response[kKeep](); // the handler goes on after its dispatch: its objects are not reused
  Promise.resolve(result).then((v) => applyHandlerResult(log, req, v, LABEL), (err) => failed(log, req, err, LABEL));
}
