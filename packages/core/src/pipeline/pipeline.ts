import type { Logger } from '../base/logger';
import { isThenable } from '../base/thenable';
import type { HttpRequest } from '../request/http-request';
import { kKeep } from '../response/internals';
import type { AccessStage } from './access-stage';
import { failed } from './failed';
import type { HandlerStage } from './handler-stage';
import type { ModuleStage } from './module-stage';
import type { OptionsStage } from './options-stage';
import type { FallbackStage, RouteStage } from './route-stage';
import { KIND_ACCESS, KIND_CUSTOM, KIND_FALLBACK, KIND_HANDLER, KIND_MODULE, KIND_OPTIONS, KIND_ROUTES, KIND_STATIC, type Stage, type StageOutcome } from './stage';
import type { StaticStage } from './static-stage';

/**
 * Runs a request down an ordered list of stages (MicroWebSrv2's processing order, built by the server).
 * Each stage answers synchronously where it can (the fast path allocates no promise); a stage that
 * returns a promise suspends the chain until it settles. Once a response has started, the chain stops
 * whatever the stage returned. The synchronous path allocates nothing: no closure lives in `dispatch` or in
 * a stage's `run` (V8 would make a context per call for the variables a closure captures).
 */
export class Pipeline {
  readonly stages: readonly Stage[];
  /** The built-in kind of each stage (KIND_CUSTOM for a user's), read once here. */
  private readonly _kinds: Uint8Array;
  private readonly _log: Logger;

  constructor(stages: readonly Stage[], logger: Logger) {
    this.stages = stages;
    this._kinds = Uint8Array.from(stages, (s) => (s as { kind?: number }).kind ?? KIND_CUSTOM);
    this._log = logger;
  }

  /** Runs `req` from stage `from` (0: the start) until one answers. */
  dispatch(req: HttpRequest, from = 0): void {
    const stages = this.stages;
    const kinds = this._kinds;
    for (let i = from; i < stages.length; i++) {
      const stage = stages[i];
      let out: StageOutcome;
      try {
        // One call site per built-in class: each stays monomorphic, so V8 inlines the stage as it did
        // when the order was hard-wired (measured: a single `stage.run(req)` site cost ~12% of the
        // pipelined throughput). A user's stage goes through the generic site.
        switch (kinds[i]) {
          case KIND_ACCESS: out = (stage as AccessStage).run(req); break;
          case KIND_MODULE: out = (stage as ModuleStage).run(req); break;
          case KIND_ROUTES: out = (stage as RouteStage).run(req); break;
          case KIND_STATIC: out = (stage as StaticStage).run(req); break;
          case KIND_OPTIONS: out = (stage as OptionsStage).run(req); break;
          case KIND_HANDLER: out = (stage as HandlerStage).run(req); break;
          case KIND_FALLBACK: out = (stage as FallbackStage).run(req); break;
          default: out = stage.run(req);
        }
      } catch (err) {
        failed(this._log, req, err, stage.name);
        return;
      }
      if (out === true) return;
      if (out !== false && isThenable(out)) {
        // The stage goes on after this dispatch: its request's objects must not serve the next one.
        req.response[kKeep]();
        if (!req.response.started) this._wait(req, out, i);
        return;
      }
      // false, or nothing (a user's stage that forgot `return false`): pass on.
      if (req.response.started) return;
    }
  }

  /** A stage answered with a promise: go on after it. Apart from `dispatch`, which then captures nothing. */
  private _wait(req: HttpRequest, out: PromiseLike<boolean>, i: number): void {
    out.then(
      (done) => { if (!done && !req.response.started) this.dispatch(req, i + 1); },
      (err) => failed(this._log, req, err, this.stages[i].name),
    );
  }
}
