import { invalidOption } from '../base/errors';
import type { RequestHandler } from '../pipeline/handler-stage';
import type { Stage } from '../pipeline/stage';

/** The handler set by `setRequestHandler` (or `MicroWebSrv.withHandler`), checked at once. */
export interface HandlerSetting {
  readonly handler: RequestHandler;
  readonly args: readonly unknown[];
}

/** Checks `setRequestHandler`'s arguments; throws ERR_MWS_INVALID_OPTION naming the one at fault. */
export function checkRequestHandler(handler: unknown, args: unknown, option = 'setRequestHandler'): HandlerSetting {
  if (typeof handler !== 'function') throw invalidOption(`${option} handler`, 'a function (request, response, ...args) or null', handler);
  if (!Array.isArray(args)) throw invalidOption(`${option} args`, 'an array of the extra arguments passed after (request, response)', args);
  return { handler: handler as RequestHandler, args: Object.freeze([...args]) };
}

/**
 * The stages a started server runs. With a request handler, the `static` stage stays only when
 * `rootPath` was set: in handler mode files are the handler's business (picohttp's default handler is
 * `staticResource`) unless asked for, and a GET that went to an absent default folder first would cost
 * every request a file-system look-up.
 */
export function pipelineStages(stages: readonly Stage[], handlerSet: boolean, rootPathSet: boolean): Stage[] {
  return handlerSet && !rootPathSet ? stages.filter((s) => s.name !== 'static') : [...stages];
}
