import { MwsError } from '../base/errors';
import { HttpError } from '../http/errors';

/** What a body reader gets when the client leaves mid-body (an AbortError, as fetch's). */
export function abortError(): Error {
  const e = new Error('the client closed the connection before the body was complete');
  e.name = 'AbortError';
  return e;
}

/** The engine's reason for ending a body, as the error its readers see (a stable MwsError code). */
export function readerError(err: Error, limit: number): Error {
  if (!(err instanceof HttpError)) return err;
  if (err.code === 'ERR_MWS_BODY_TOO_LARGE') return tooLarge(limit);
  if (err.code === 'ERR_MWS_TIMEOUT') return new MwsError('ERR_MWS_BODY_TIMEOUT', 'the client stalled in the middle of the request body: 408 sent, connection closed');
  return new MwsError('ERR_MWS_BAD_BODY', `the request body is malformed (${err.message}): ${err.status} sent, connection closed`, { cause: err });
}

export function tooLarge(limit: number): MwsError {
  return new MwsError('ERR_MWS_BODY_TOO_LARGE', `the request body is larger than its limit (bodyLimit ${limit} bytes)`);
}
