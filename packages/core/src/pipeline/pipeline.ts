import { MwsError } from '../base/errors';
import { errText, type Logger } from '../base/logger';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import type { Stage, StageOutcome } from './stage';

/**
 * Runs a request down an ordered list of stages (MicroWebSrv2's processing order, built by the server).
 * Each stage answers synchronously where it can (the fast path allocates no promise); a stage that
 * returns a promise suspends the chain until it settles. Once a response has started, the chain stops
 * whatever the stage returned. The synchronous path allocates nothing: no closure lives in `_run` or in
 * a stage's `run` (V8 would make a context per call for the variables a closure captures).
 */
export class Pipeline {
  readonly stages: readonly Stage[];
  private readonly _log: Logger;

  constructor(stages: readonly Stage[], logger: Logger) {
    this.stages = stages;
    this._log = logger;
  }

  dispatch(req: HttpRequest): void {
    this._run(req, 0);
  }

  private _run(req: HttpRequest, from: number): void {
    const stages = this.stages;
    for (let i = from; i < stages.length; i++) {
      const stage = stages[i];
      let out: StageOutcome;
      try {
        out = stage.run(req);
      } catch (err) {
        failed(this._log, req, err, stage.name);
        return;
      }
      if (out === true || req.response.started) return;
      if (out === false) continue;
      this._wait(req, out, i);
      return;
    }
  }

  /** A stage answered with a promise: go on after it. Apart from `_run`, which then captures nothing. */
  private _wait(req: HttpRequest, out: PromiseLike<boolean>, i: number): void {
    out.then(
      (done) => { if (!done && !req.response.started) this._run(req, i + 1); },
      (err) => failed(this._log, req, err, this.stages[i].name),
    );
  }
}

/** A stage threw or rejected: 400 for malformed JSON the handler let go, else 500 and an error log. */
export function failed(log: Logger, req: HttpRequest, err: unknown, label: string): void {
  const resp = req.response;
  if (err instanceof MwsError && err.code === 'ERR_MWS_BAD_JSON' && !resp.started) {
    log.log('WARNING', `${label}: ${err.message}: 400 sent`);
    resp.returnBadRequest();
    return;
  }
  log.log('ERROR', `${label} threw: ${errText(err)}`);
  if (!resp.started) resp.returnInternalServerError();
  else if (!resp.finished) resp.destroy(err instanceof Error ? err : new Error(String(err)));
}

export { isThenable };
