import type { Logger } from '../base/logger';
import type { HttpRequest } from '../request/http-request';

/**
 * What a handler returned, when it did not answer itself (Thimble's style): a string → 200 text/html,
 * a Buffer → 200 application/octet-stream, a `[body, status, contentType?]` tuple, any other value →
 * 200 JSON. Nothing (undefined or null) → 501 and a warning, as MicroWebSrv2.
 */
export function applyHandlerResult(log: Logger, req: HttpRequest, value: unknown, label: string): void {
  const resp = req.response;
  if (resp.started) return;
  if (value === undefined || value === null) {
    log.log('WARNING', `handler of ${label} answered nothing: 501 sent (call a response method, return a value, or return a promise that settles after answering)`);
    resp.returnNotImplemented();
    return;
  }
  if (isTuple(value)) {
    const [body, status, contentType] = value;
    if (contentType !== undefined) resp.contentType = contentType;
    sendBody(req, status, body);
    return;
  }
  sendBody(req, 200, value);
}

function isTuple(v: unknown): v is [unknown, number, string?] {
  return Array.isArray(v) && (v.length === 2 || v.length === 3) && Number.isInteger(v[1]) && v[1] >= 100 && v[1] <= 999
    && (v.length === 2 || typeof v[2] === 'string');
}

function sendBody(req: HttpRequest, status: number, body: unknown): void {
  const resp = req.response;
  if (typeof body === 'string') resp.return(status, body);
  else if (body instanceof Uint8Array) resp.return(status, body);
  else if (body === null || body === undefined) resp.return(status);
  else resp.returnJSON(status, body);
}
