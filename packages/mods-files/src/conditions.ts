/**
 * Conditional writes (RFC 9110 §13.1): `If-None-Match: *` stores only a new file, `If-Match` only over
 * the version the client saw (lost-update protection, §13.1.1 — strong comparison), `If-None-Match`
 * with tags refuses when one matches (weak comparison, §13.1.2). A failed condition → 412. Checked before
 * the body is read and again at the rename, against what is there then.
 */
import { promises as fsp } from 'node:fs';
import { validatorsOf, type HttpRequest } from '@microwebsrv/core';

export interface Conditions {
  /** `If-None-Match: *`: the file must not exist (the writer links instead of renaming). */
  createOnly: boolean;
  /** 0 when the conditions hold for what is at `file` now, else 412. */
  check(file: string): Promise<number>;
}

/** A list of entity tags (`"a", W/"b"`) or '*'; null when the field is absent. */
function tags(field: string | undefined): string[] | '*' | null {
  if (field === undefined) return null;
  const t = field.trim();
  if (t === '*') return '*';
  return t.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);

async function currentTag(file: string): Promise<string | null> {
  try {
    const st = await fsp.stat(file, { bigint: true });
    return st.isFile() ? validatorsOf(st).etag : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** No conditions (a multipart form's files: the request's fields speak of the form, not of each file). */
export const NO_CONDITIONS: Conditions = { createOnly: false, check: () => Promise.resolve(0) };

/** The request's write conditions. */
export function conditionsOf(request: HttpRequest): Conditions {
  const ifMatch = tags(request.getHeader('if-match'));
  const ifNoneMatch = tags(request.getHeader('if-none-match'));
  if (ifMatch === null && ifNoneMatch === null) return NO_CONDITIONS;
  return {
    createOnly: ifNoneMatch === '*',
    async check(file: string): Promise<number> {
      const tag = await currentTag(file);
      if (ifMatch !== null) {
        if (tag === null) return 412;
        // Strong comparison: a weak tag never matches (§8.8.3.2).
        if (ifMatch !== '*' && !ifMatch.some((t) => !t.startsWith('W/') && t === tag)) return 412;
      }
      if (ifNoneMatch !== null && tag !== null) {
        if (ifNoneMatch === '*' || ifNoneMatch.some((t) => opaque(t) === tag)) return 412;
      }
      return 0;
    },
  };
}
