import { errText, type Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { MwsModule } from '../modules/module';
import type { HttpRequest } from '../request/http-request';
import type { Stage, StageOutcome } from './stage';

/**
 * A module's `onRequest` as a stage (`module:<Name>`): the module answers by calling a response method,
 * or passes. One that throws or rejects is logged and skipped (unless it had begun answering).
 */
export function moduleStage(name: string, mod: MwsModule, server: ServerRef, log: Logger): Stage {
  const label = `module ${name}`;
  return {
    name: `module:${name}`,
    run(req: HttpRequest): StageOutcome {
      if (typeof mod.onRequest !== 'function') return false;
      let r: unknown;
      try {
        r = mod.onRequest(server, req);
      } catch (err) {
        log.log('ERROR', `${label} onRequest threw: ${errText(err)}`);
        return req.response.started;
      }
      return isThenable(r) ? settled(req, r, log, label) : req.response.started;
    },
  };
}

/** An async onRequest: answered or not once it settles. Apart from `run` (no context per request). */
function settled(req: HttpRequest, r: PromiseLike<unknown>, log: Logger, label: string): Promise<boolean> {
  return Promise.resolve(r).then(() => req.response.started, (err) => {
    log.log('ERROR', `${label} onRequest rejected: ${errText(err)}`);
    return req.response.started;
  });
}
