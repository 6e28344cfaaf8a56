import { MwsError } from '../base/errors';
import type { RequestRef, ServerRef } from '../base/refs';
import type { RequestView } from './request-view';
import type { ResponseSink } from './response-sink';

/**
 * A response's fields, apart from the response object so that its connection can hand them to the next
 * response (reset) when nothing kept the last one: per request only the small response object is made.
 * `R` is the response type (HttpResponse), so that this file needs no import of it.
 */
export class ResponseState<R> {
  /** The response using this state (null: retired): any other is stale. */
  owner: R | null;
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
  req: RequestView & RequestRef;
  /** The connection (null while retired). */
  sink: ResponseSink<R> | null;

  constructor(req: RequestView & RequestRef, sink: ResponseSink<R>, owner: R) {
    this.req = req;
    this.sink = sink;
    this.owner = owner;
  }

  /** Back to a new response's values, for request `req` on `sink`, owned by `owner` from now on. */
  reset(req: RequestView & RequestRef, sink: ResponseSink<R>, owner: R): void {
    this.owner = owner;
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
    this.req = req;
  }
}

/** ERR_MWS_STALE (see the catalogue). */
export function staleError(): MwsError {
  return new MwsError('ERR_MWS_STALE', 'this request was answered and its connection reused its objects for the next request: read what you need before answering, or keep it through an async handler or onSent');
}
