import { MwsError } from '../errors';
import type { HttpRequest } from '../request/http-request';
import type { MicroWebSrv } from '../server/micro-web-srv';

/**
 * MicroWebSrv2's processing order: routes, then (GET/HEAD) static files, then OPTIONS pre-flight, else
 * 405 (the path exists for other methods) or 404. Modules' onRequest will run first (app-layer issue).
 * A handler that answers nothing gets 501 and a warning; one that throws or rejects gets 500 and an
 * error log, and the connection lives on.
 */
export function dispatchRequest(server: MicroWebSrv, req: HttpRequest): void {
  const resp = req.response;
  try {
    const found = server._routes.find(req.method, req.path);
    if (found !== null) {
      const result = found.handler(server, req, found.args);
      if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(() => afterHandler(server, req, found.label), (err) => handlerFailed(server, req, err, found.label));
      } else {
        afterHandler(server, req, found.label);
      }
      return;
    }
    const allowed = server._routes.allowedMethods(req.path);
    if (allowed.length > 0) {
      resp.returnMethodNotAllowed(allowed);
      return;
    }
    resp.returnNotFound();
  } catch (err) {
    handlerFailed(server, req, err, `${req.method} ${req.path}`);
  }
}

function afterHandler(server: MicroWebSrv, req: HttpRequest, label: string): void {
  if (req.response.started) return;
  server._log('WARNING', `handler of ${label} answered nothing: 501 sent (call a response method, or return a promise that settles after it)`);
  req.response.returnNotImplemented();
}

function handlerFailed(server: MicroWebSrv, req: HttpRequest, err: unknown, label: string): void {
  const resp = req.response;
  if (err instanceof MwsError && err.code === 'ERR_MWS_BAD_JSON' && !resp.started) {
    server._log('WARNING', `handler of ${label}: ${err.message}: 400 sent`);
    resp.returnBadRequest();
    return;
  }
  server._log('ERROR', `handler of ${label} threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  if (!resp.started) resp.returnInternalServerError();
  else if (!resp.finished) resp._sink.abort(resp, err instanceof Error ? err : new Error(String(err)));
}
