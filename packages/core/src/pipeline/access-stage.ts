import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import { KIND_ACCESS, type BuiltinStage, type StageOutcome } from './stage';

/** Server-wide access check: true lets the request through; may be async. */
export type AccessCheck = (server: ServerRef, request: HttpRequest) => boolean | Promise<boolean>;

/** What the access stage reads per request (the server's current settings). */
export interface AccessSettings {
  readonly server: ServerRef;
  readonly basicAuth: { user: string; pass: string; realm: string } | null;
  readonly onAccessCheck: AccessCheck | null;
}

/**
 * The first stage (uhttpd's ACL): required Basic credentials (constant-time check → 401 with the realm),
 * then `onAccessCheck` (anything but true → 403, unless the check answered itself).
 */
export class AccessStage implements BuiltinStage {
  readonly kind = KIND_ACCESS;
  readonly name = 'access';
  private readonly _settings: AccessSettings;

  constructor(settings: AccessSettings) {
    this._settings = settings;
  }

  run(req: HttpRequest): StageOutcome {
    const settings = this._settings;
    const basic = settings.basicAuth;
    if (basic !== null && !req.checkBasicAuth(basic.user, basic.pass)) {
      req.response.returnBasicAuthRequired(basic.realm);
      return true;
    }
    const check = settings.onAccessCheck;
    if (check === null) return false;
    return decide(req, check(settings.server, req));
  }
}

/**
 * The check's verdict: true lets the request through, anything else answers 403. Apart from `run` so
 * that `run` captures nothing: V8 would allocate a context for it on every request.
 */
function decide(req: HttpRequest, verdict: unknown): StageOutcome {
  if (isThenable(verdict)) return Promise.resolve(verdict).then((ok) => decide(req, ok) as boolean);
  if (verdict === true) return false;
  if (!req.response.started) req.response.returnForbidden();
  return true;
}
