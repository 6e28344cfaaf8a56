import type { Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import { kHead } from '../request/internals';
import { kKeep } from '../response/internals';
import type { RouteArgs } from '../routes/route-pattern';
import type { RouteTable } from '../routes/route-table';
import { failed } from './failed';
import { applyHandlerResult } from './handler-result';
import { KIND_FALLBACK, KIND_ROUTES, type BuiltinStage } from './stage';

/**
 * A route handler: MicroWebSrv2's `(microWebSrv2, request, args)`. `args` holds the pattern's arguments
 * by the name written in the pattern (`<userId>` → `args.userId`), decoded; integer-looking values of
 * plain `<name>` arguments are numbers. May be async and may return a value (the engine answers with it).
 * Values are request data: a single-segment value may contain '/' or be '..' (from %2F, %2E%2E) — never
 * join one into a file path unchecked (a `<p:path>` argument refuses '.' and '..' segments for that use).
 */
export type RouteHandler = (server: ServerRef, request: HttpRequest, args: RouteArgs) => unknown;

/** The routes stage: the handler of the matching route runs; its return value answers if it did not. */
export class RouteStage implements BuiltinStage {
  readonly kind = KIND_ROUTES;
  readonly name = 'routes';
  private readonly _table: RouteTable<RouteHandler>;
  private readonly _server: ServerRef;
  private readonly _log: Logger;

  constructor(table: RouteTable<RouteHandler>, server: ServerRef, log: Logger) {
    this._table = table;
    this._server = server;
    this._log = log;
  }

  run(req: HttpRequest): boolean {
    const table = this._table;
    const head = req[kHead]();
    const method = head.method;
    // A head with a body was matched already when a route has body options (the server asked for them):
    // that match is taken, not made again. GET and HEAD (bodiless as a rule) never look.
    let found = method !== 'GET' && method !== 'HEAD' && table.hasBodyRoutes ? table.takeMatch(req) : undefined;
    if (found === undefined) found = table.lookup(method, head.path);
    if (found === null) return false;
    // Read now: the match object is the table's, reused by the next lookup (the handler may make one).
    const label = found.label;
    const log = this._log;
    let result: unknown;
    try {
      result = found.handler(this._server, req, found.args);
    } catch (err) {
      failed(log, req, err, `handler of ${label}`);
      return true;
    }
    if (isThenable(result)) settleLater(log, req, result, label);
    else applyHandlerResult(log, req, result, label);
    return true;
  }
}

/** An async handler's result. Apart from `run` so that `run` captures nothing (no context per request). */
function settleLater(log: Logger, req: HttpRequest, result: PromiseLike<unknown>, label: string): void {
  req.response[kKeep](); // the handler goes on after its dispatch: its objects are not reused
  Promise.resolve(result).then((v) => applyHandlerResult(log, req, v, label), (err) => failed(log, req, err, `handler of ${label}`));
}

/** The last stage: 405 with Allow when the path exists for other methods, else 404 (or notFoundURL). */
export class FallbackStage implements BuiltinStage {
  readonly kind = KIND_FALLBACK;
  readonly name = 'fallback';
  private readonly _table: RouteTable<unknown>;

  constructor(table: RouteTable<unknown>) {
    this._table = table;
  }

  run(req: HttpRequest): boolean {
    const allowed = this._table.allowedMethods(req.rawPath);
    if (allowed.length > 0) req.response.returnMethodNotAllowed(allowed);
    else req.response.returnNotFound();
    return true;
  }
}
