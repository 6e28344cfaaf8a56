import { MwsError } from '../base/errors';
import { errText, type Logger } from '../base/logger';
import type { HttpRequest } from '../request/http-request';

/**
 * A stage threw or rejected: 400 for malformed JSON or multipart the handler let go, 413 for a body or
 * multipart limit, nothing more for a body the engine ended (the client left, 408/413 already sent),
 * else 500 and an error log.
 */
export function failed(log: Logger, req: HttpRequest, err: unknown, label: string): void {
  const resp = req.response;
  if (err instanceof MwsError && !resp.started) {
    const code = err.code;
    if (code === 'ERR_MWS_BAD_JSON' || code === 'ERR_MWS_BAD_MULTIPART') {
      log.log('WARNING', `${label}: ${err.message}: 400 sent`);
      if (code === 'ERR_MWS_BAD_JSON') resp.returnBadRequest(); else resp.returnBadRequest(err.message);
      return;
    }
    // A streamed body past its limit was answered by the engine (413 and close): only a buffered one's
    // (its handler lowered `bodyLimit` and read) or a multipart limit is answered here.
    if (code === 'ERR_MWS_MULTIPART_LIMIT' || (code === 'ERR_MWS_BODY_TOO_LARGE' && !req.isBodyStreamed)) {
      log.log('WARNING', `${label}: ${err.message}: 413 sent`);
      resp.returnEntityTooLarge(err.message);
      return;
    }
  }
  const engineEnded = err instanceof MwsError && (err.code === 'ERR_MWS_BODY_TIMEOUT' || err.code === 'ERR_MWS_BAD_BODY' || err.code === 'ERR_MWS_BODY_TOO_LARGE');
  // An AbortError is the engine's only when the request's own signal says the client left; a handler's
  // own abort (a fetch it cancelled) is an error like any other: 500, not a request left unanswered.
  if (engineEnded || (err instanceof Error && err.name === 'AbortError' && req.signal.aborted)) {
    // The engine answered (408 / 400 / 413) or the client is gone, and the connection is closing.
    log.log('DEBUG', `${label}: ${err.message}`);
    return;
  }
  log.log('ERROR', `${label} threw: ${errText(err)}`);
  if (!resp.started) resp.returnInternalServerError();
  else if (!resp.finished) resp.destroy(err instanceof Error ? err : new Error(String(err)));
}
