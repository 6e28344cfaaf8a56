import type { HttpRequest } from '../request/http-request';
import { serveStatic } from '../static/serve-static';
import type { StaticSite } from '../static/site';
import { KIND_STATIC, type BuiltinStage, type StageOutcome } from './stage';

/** Static files under the site's root for GET and HEAD (MicroWebSrv2 always serves rootPath). */
export class StaticStage implements BuiltinStage {
  readonly kind = KIND_STATIC;
  readonly name = 'static';
  private readonly _site: StaticSite;

  constructor(site: StaticSite) {
    this._site = site;
  }

  run(req: HttpRequest): StageOutcome {
    const m = req.method;
    return m === 'GET' || m === 'HEAD' ? serveStatic(this._site, req) : false;
  }
}
