import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import type { Stage, StageOutcome } from './stage';

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
export function accessStage(settings: AccessSettings): Stage {
  return {
    name: 'access',
    run(req: HttpRequest): StageOutcome {
      const basic = settings.basicAuth;
      if (basic !== null && !req.checkBasicAuth(basic.user, basic.pass)) {
        req.response.returnBasicAuthRequired(basic.realm);
        return true;
      }
      const check = settings.onAccessCheck;
      if (check === null) return false;
      const verdict = check(settings.server, req);
      const decide = (ok: unknown): boolean => {
        if (ok === true) return false;
        if (!req.response.started) req.response.returnForbidden();
        return true;
      };
      return isThenable(verdict) ? Promise.resolve(verdict).then(decide) : decide(verdict);
    },
  };
}
