import { MwsError } from '../errors';
import { isThenable } from '../modules/module';
import type { HttpRequest } from '../request/http-request';
import type { MicroWebSrv } from '../server/micro-web-srv';
import { answerPreflight } from './cors';
import { applyHandlerResult } from './handler-result';

/**
 * The processing order — MicroWebSrv2's, with access control first: access check (basic credential or a
 * custom check), modules' `onRequest` in load order, routes, static files (GET/HEAD), OPTIONS (CORS
 * pre-flight, or Allow), else 405 with Allow (the path exists for other methods) or 404.
 * Each stage answers synchronously where it can (the fast path allocates no promise); a stage that
 * returns a promise suspends the chain until it settles.
 * A handler that answers nothing gets 501 and a warning; one that throws or rejects gets 500 and an
 * error log, and the connection lives on.
 */
const enum Stage { Access, Modules, Routes, Static, Options, Fallback }

/** A stage's outcome: true = answered (stop), false = pass to the next stage. */
type Outcome = boolean | PromiseLike<boolean>;

export function dispatchRequest(server: MicroWebSrv, req: HttpRequest): void {
  run(server, req, Stage.Access, 0);
}

function run(server: MicroWebSrv, req: HttpRequest, stage: Stage, moduleIndex: number): void {
  for (;;) {
    let out: Outcome;
    try {
      if (stage === Stage.Access) out = checkAccess(server, req);
      else if (stage === Stage.Modules) {
        if (moduleIndex >= server._modules.length) { stage = Stage.Routes; continue; }
        out = runModule(server, req, moduleIndex);
      } else if (stage === Stage.Routes) out = runRoute(server, req);
      else if (stage === Stage.Static) out = server._serveStatic === null || (req.method !== 'GET' && req.method !== 'HEAD') ? false : server._serveStatic(server, req);
      else if (stage === Stage.Options) out = req.method === 'OPTIONS' ? answerPreflight(server, req) : false;
      else { fallback(server, req); return; }
    } catch (err) {
      failed(server, req, err, stageLabel(server, req, stage, moduleIndex));
      return;
    }
    if (out === true || req.response.started) return;
    if (out === false) {
      if (stage === Stage.Modules) moduleIndex++;
      else stage++;
      continue;
    }
    const s = stage;
    const m = moduleIndex;
    out.then(
      (done) => {
        if (done || req.response.started) return;
        if (s === Stage.Modules) run(server, req, s, m + 1);
        else run(server, req, s + 1, m);
      },
      (err) => failed(server, req, err, stageLabel(server, req, s, m)),
    );
    return;
  }
}

function checkAccess(server: MicroWebSrv, req: HttpRequest): Outcome {
  const basic = server._basicAuth;
  if (basic !== null && !req.checkBasicAuth(basic.user, basic.pass)) {
    req.response.returnBasicAuthRequired(basic.realm);
    return true;
  }
  const check = server.onAccessCheck;
  if (check === null) return false;
  const verdict = check(server, req);
  const decide = (ok: unknown): boolean => {
    if (ok === true) return false;
    if (!req.response.started) req.response.returnForbidden();
    return true;
  };
  return isThenable(verdict) ? Promise.resolve(verdict).then(decide) : decide(verdict);
}

function runModule(server: MicroWebSrv, req: HttpRequest, i: number): Outcome {
  const mod = server._modules[i];
  if (typeof mod.instance.onRequest !== 'function') return false;
  let r: unknown;
  try {
    r = mod.instance.onRequest(server, req);
  } catch (err) {
    // A module that throws is logged and skipped (unless it had begun answering).
    server._log('ERROR', `module ${mod.name} onRequest threw: ${errText(err)}`);
    return req.response.started;
  }
  if (!isThenable(r)) return req.response.started;
  return Promise.resolve(r).then(() => req.response.started, (err) => {
    server._log('ERROR', `module ${mod.name} onRequest rejected: ${errText(err)}`);
    return req.response.started;
  });
}

function runRoute(server: MicroWebSrv, req: HttpRequest): boolean {
  const found = server._routes.find(req.method, req.rawPath);
  if (found === null) return false;
  let result: unknown;
  try {
    result = found.handler(server, req, found.args);
  } catch (err) {
    failed(server, req, err, `handler of ${found.label}`);
    return true;
  }
  if (isThenable(result)) {
    Promise.resolve(result).then((v) => applyHandlerResult(server, req, v, found.label), (err) => failed(server, req, err, `handler of ${found.label}`));
  } else {
    applyHandlerResult(server, req, result, found.label);
  }
  return true;
}

function fallback(server: MicroWebSrv, req: HttpRequest): void {
  const allowed = server._routes.allowedMethods(req.rawPath);
  if (allowed.length > 0) req.response.returnMethodNotAllowed(allowed);
  else req.response.returnNotFound();
}

function stageLabel(server: MicroWebSrv, req: HttpRequest, stage: Stage, moduleIndex: number): string {
  if (stage === Stage.Access) return 'the access check';
  if (stage === Stage.Modules) return `module ${server._modules[moduleIndex]?.name ?? '?'}`;
  if (stage === Stage.Static) return 'static files';
  return `${req.method} ${req.rawPath}`;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.stack ?? err.message : String(err);
}

/** A stage threw or rejected: 400 for malformed JSON the handler let go, else 500 and an error log. */
export function failed(server: MicroWebSrv, req: HttpRequest, err: unknown, label: string): void {
  const resp = req.response;
  if (err instanceof MwsError && err.code === 'ERR_MWS_BAD_JSON' && !resp.started) {
    server._log('WARNING', `${label}: ${err.message}: 400 sent`);
    resp.returnBadRequest();
    return;
  }
  server._log('ERROR', `${label} threw: ${errText(err)}`);
  if (!resp.started) resp.returnInternalServerError();
  else if (!resp.finished) resp._sink.abort(resp, err instanceof Error ? err : new Error(String(err)));
}
