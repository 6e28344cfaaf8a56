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
    if (code === 'ERR_MWS_MULTIPART_LIMIT' || code === 'ERR_MWS_BODY_TOO_LARGE') {
      log.log('WARNING', `${label}: ${err.message}: 413 sent`);
      resp.returnEntityTooLarge(err.message);
      return;
    }
  }
  if ((err instanceof MwsError && (err.code === 'ERR_MWS_BODY_TIMEOUT' || err.code === 'ERR_MWS_BAD_BODY')) || (err instanceof Error && err.name === 'AbortError')) {
    // The engine answered (408 / 400) or the client is gone, and the connection is closing.
    log.log('DEBUG', `${label}: ${err.message}`);
    return;
  }
  log.log('ERROR', `${label} threw: ${errText(err)}`);
  if (!resp.started) resp.returnInternalServerError();
  else if (!resp.finished) resp.destroy(err instanceof Error ? err : new Error(String(err)));
}
