import type { HttpRequest } from '../request/http-request';
import { serveStatic } from '../static/serve-static';
import type { StaticSite } from '../static/site';
import type { Stage, StageOutcome } from './stage';

/** Static files under the site's root for GET and HEAD (MicroWebSrv2 always serves rootPath). */
export function staticStage(site: StaticSite): Stage {
  return {
    name: 'static',
    run(req: HttpRequest): StageOutcome {
      const m = req.method;
      return m === 'GET' || m === 'HEAD' ? serveStatic(site, req) : false;
    },
  };
}
