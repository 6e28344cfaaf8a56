import type { HttpRequest } from '../request/http-request';

/** A stage's outcome: true = answered (stop), false = pass to the next stage; a promise of either waits. */
export type StageOutcome = boolean | PromiseLike<boolean>;

/**
 * One step of the request pipeline. The server builds the list — access check, each module's
 * `onRequest`, routes, static files, OPTIONS, fallback 405/404 — and `srv.addStage(stage, position)`
 * inserts more (a module's own step, a single-handler mode). A stage answers by calling a response
 * method and returning true; it passes by returning false without touching the response. A stage that
 * throws or rejects gets 500 (400 for malformed JSON) and an error log.
 */
export interface Stage {
  /** Unique in a server's pipeline; log lines and `addStage` positions use it. */
  readonly name: string;
  run(request: HttpRequest): StageOutcome;
}

/** Where `addStage` puts a stage: before or after a named one (default: before 'routes'). */
export type StagePosition = { before: string } | { after: string };

/**
 * Which built-in a stage is (0: a user's stage). The pipeline calls each built-in from a call site of its
 * own, so that V8 sees one class there and inlines it, as it did when the order was hard-wired.
 */
export const KIND_CUSTOM = 0;
export const KIND_ACCESS = 1;
export const KIND_MODULE = 2;
export const KIND_ROUTES = 3;
export const KIND_STATIC = 4;
export const KIND_OPTIONS = 5;
export const KIND_FALLBACK = 6;
export const KIND_HANDLER = 7;

/** A built-in stage carries its kind (a plain field: read once, when the pipeline is built). */
export interface BuiltinStage extends Stage {
  readonly kind: number;
}
