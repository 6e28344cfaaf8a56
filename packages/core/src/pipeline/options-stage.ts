import type { HttpRequest } from '../request/http-request';
import type { RouteTable } from '../routes/route-table';
import { KIND_OPTIONS, type BuiltinStage } from './stage';

/** The CORS settings the OPTIONS stage reads per request. */
export interface CorsSettings {
  readonly corsAllowAll: boolean;
  readonly allowAllOrigins: boolean;
}

/** The OPTIONS stage (see {@link answerPreflight}). */
export class OptionsStage implements BuiltinStage {
  readonly kind = KIND_OPTIONS;
  readonly name = 'options';
  private readonly _cors: CorsSettings;
  private readonly _table: RouteTable<unknown>;

  constructor(cors: CorsSettings, table: RouteTable<unknown>) {
    this._cors = cors;
    this._table = table;
  }

  run(req: HttpRequest): boolean {
    return req.method === 'OPTIONS' && answerPreflight(this._cors, this._table, req);
  }
}

/**
 * OPTIONS not handled by a route or module. With `corsAllowAll`, a CORS pre-flight (an Origin and an
 * Access-Control-Request-Method, Fetch standard §3.2.2) is allowed as asked: the requested method and
 * headers, Max-Age 86400; credentials only with an echoed origin (`allowAllOrigins`), never with `*`
 * (browsers refuse credentials with a wildcard). Otherwise OPTIONS on a known path answers 204 with
 * Allow (RFC 9110 §9.3.7); an unknown path falls through to 404.
 */
export function answerPreflight(server: CorsSettings, table: RouteTable<unknown>, req: HttpRequest): boolean {
  const resp = req.response;
  const origin = req.getHeader('origin');
  const method = req.getHeader('access-control-request-method');
  if (server.corsAllowAll && origin !== undefined && method !== undefined) {
    if (!(server.allowAllOrigins)) resp.accessControlAllowOrigin = '*';
    resp.setHeader('Access-Control-Allow-Methods', method);
    const headers = req.getHeader('access-control-request-headers');
    if (headers) resp.setHeader('Access-Control-Allow-Headers', headers);
    resp.setHeader('Access-Control-Max-Age', 86400);
    resp.setHeader('Vary', 'Access-Control-Request-Method, Access-Control-Request-Headers');
    resp.return(204);
    return true;
  }
  const allowed = table.allowedMethods(req.rawPath);
  if (allowed.length === 0) return false;
  if (!allowed.includes('OPTIONS')) allowed.push('OPTIONS');
  resp.setHeader('Allow', allowed.join(', '));
  resp.return(204);
  return true;
}
