import { MwsError } from '../base/errors';
import type { ServerRef } from '../base/refs';
import type { ResponseSink } from './response-sink';

/**
 * A state's generation past which it is not reused (a fresh one is made): generations stay small
 * integers, and no two responses of one state ever share one.
 */
export const LAST_GENERATION = 0x3ffffff0;

/**
 * A response's fields, apart from the response object so that its connection can hand them to the next
 * response (reset) when nothing kept the last one: per request only the small response object is made.
 * `R` is the response type (HttpResponse), so that this file needs no import of it.
 */
export class ResponseState<R> {
  /**
   * The generation of the response using this state: bumped when it is retired and when the state goes
   * to the next response, so that only the response made with the current one is not stale. A small
   * integer rather than a reference to the response: storing a new (young) response into this
   * long-lived state would cost a write barrier's slow path per response (issue 19).
   */
  gen = 0;
  /** Something uses this exchange after its handler returns (kKeep): never reused. */
  kept = false;
  allowCaching = false;
  acao: string | null = null;
  contentType: string | null = null;
  charset: string | null = 'UTF-8';
  contentLength = -1;
  onSent: ((server: ServerRef, response: R) => void) | null = null;
  statusCode = 0;
  bodyBytes = 0;
  /** Where the response is: the response's `State` (http-response.ts, which owns the meaning); 0 is Idle. */
  state = 0;
  headers: string[] | null = null;
  /** The connection (null while retired). */
  sink: ResponseSink<R> | null;

  constructor(sink: ResponseSink<R>) {
    this.sink = sink;
  }

  /** Back to a new response's values, on `sink`, in a new generation (returned: its response's). */
  reset(sink: ResponseSink<R>): number {
    this.gen++;
    this.sink = sink;
    this.kept = false;
    this.allowCaching = false;
    this.acao = null;
    this.contentType = null;
    this.charset = 'UTF-8';
    this.contentLength = -1;
    this.onSent = null;
    this.statusCode = 0;
    this.bodyBytes = 0;
    this.state = 0; // Idle
    this.headers = null;
    return this.gen;
  }
}

/** ERR_MWS_STALE (see the catalogue). */
export function staleError(): MwsError {
  return new MwsError('ERR_MWS_STALE', 'this request was answered and its connection reused its objects for the next request: read what you need before answering, or keep it through an async handler or onSent');
}
