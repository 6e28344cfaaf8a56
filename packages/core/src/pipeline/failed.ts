import { MwsError } from '../base/errors';
import { errText, type Logger } from '../base/logger';
import type { HttpRequest } from '../request/http-request';

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
