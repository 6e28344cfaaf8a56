/**
 * Conditional writes (RFC 9110 §13.1), evaluated by core's `evaluatePreconditions` in the order of
 * §13.2.2 — the same code that answers core's static files: `If-Match` only over the version the client
 * saw (lost-update protection, §13.1.1, strong comparison), else `If-Unmodified-Since` (§13.1.4: not
 * changed since that date); `If-None-Match: *` stores only a new file, tags refuse when one matches (§13.1.2,
 * weak comparison). A failed condition → 412. Checked before the body is read and again at the rename,
 * against what is there then.
 */
import { promises as fsp, type BigIntStats } from 'node:fs';
import { evaluatePreconditions, validatorsOf, type HttpRequest, type Preconditions } from '@microwebsrv/core';

export interface Conditions {
  /** `If-None-Match: *`: the file must not exist (the writer links instead of renaming). */
  createOnly: boolean;
  /** 0 when the conditions hold for what is at `file` now, else 412. */
  check(file: string): Promise<number>;
}

async function currentFile(file: string): Promise<BigIntStats | null> {
  try {
    const st = await fsp.stat(file, { bigint: true });
    return st.isFile() ? st : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** No conditions (a multipart form's files: the request's fields speak of the form, not of each file). */
export const NO_CONDITIONS: Conditions = { createOnly: false, check: () => Promise.resolve(0) };

/** The request's write conditions (If-Modified-Since is for GET and HEAD only, §13.1.3: not looked at). */
export function conditionsOf(request: HttpRequest): Conditions {
  const fields: Preconditions = {
    ifMatch: request.getHeader('if-match'),
    ifNoneMatch: request.getHeader('if-none-match'),
    ifUnmodifiedSince: request.getHeader('if-unmodified-since'),
  };
  if (fields.ifMatch === undefined && fields.ifNoneMatch === undefined && fields.ifUnmodifiedSince === undefined) return NO_CONDITIONS;
  return {
    createOnly: fields.ifNoneMatch?.trim() === '*',
    async check(file: string): Promise<number> {
      const st = await currentFile(file);
      // No current file: If-Match is false (§13.1.1); If-Unmodified-Since has no date to compare and is
      // ignored (§13.1.4); If-None-Match holds (§13.1.2).
      if (st === null) return fields.ifMatch === undefined ? 0 : 412;
      return evaluatePreconditions(fields, validatorsOf(st), false) === 'ok' ? 0 : 412;
    },
  };
}
