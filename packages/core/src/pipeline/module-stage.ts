import { errText, type Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import { isThenable } from '../base/thenable';
import type { MwsModule } from '../modules/module';
import type { HttpRequest } from '../request/http-request';
import { KIND_MODULE, type BuiltinStage, type StageOutcome } from './stage';

/**
 * A module's `onRequest` as a stage (`module:<Name>`): the module answers by calling a response method,
 * or passes. One that throws or rejects is logged and skipped (unless it had begun answering).
 */
export class ModuleStage implements BuiltinStage {
  readonly kind = KIND_MODULE;
  readonly name: string;
  private readonly _mod: MwsModule;
  private readonly _server: ServerRef;
  private readonly _log: Logger;
  private readonly _label: string;

  constructor(name: string, mod: MwsModule, server: ServerRef, log: Logger) {
    this.name = `module:${name}`;
    this._label = `module ${name}`;
    this._mod = mod;
    this._server = server;
    this._log = log;
  }

  run(req: HttpRequest): StageOutcome {
    const mod = this._mod;
    if (typeof mod.onRequest !== 'function') return false;
    let r: unknown;
    try {
      r = mod.onRequest(this._server, req);
    } catch (err) {
      this._log.log('ERROR', `${this._label} onRequest threw: ${errText(err)}`);
      return req.response.started;
    }
    return isThenable(r) ? settled(req, r, this._log, this._label) : req.response.started;
  }
}

/** An async onRequest: answered or not once it settles. Apart from `run` (no context per request). */
function settled(req: HttpRequest, r: PromiseLike<unknown>, log: Logger, label: string): Promise<boolean> {
  return Promise.resolve(r).then(() => req.response.started, (err) => {
    log.log('ERROR', `${label} onRequest rejected: ${errText(err)}`);
    return req.response.started;
  });
}
