/**
 * MIME types of files: a server's own table (MicroWebSrv2's 22 types and what `addMimeType` adds) over
 * the standard database (mime-db's web types, through `mrmime`), then a rule for the rest.
 */
import { invalidOption } from '../base/errors';
import { mimes } from 'mrmime';

/**
 * MicroWebSrv2's 22 MIME types, each server's starting table; `addMimeType` extends a server's copy.
 * Looked up before the database, which differs on three: `.ts` stays TypeScript (the database says
 * video/mp2t, an MPEG stream), `.ico` stays image/x-icon (what every browser knows), `.xml` stays
 * application/xml (RFC 7303 §4.1's choice; the database says text/xml). `.js` is `text/javascript`, as
 * the database says (RFC 9239 §6 made application/javascript obsolete; browsers run scripts under both).
 */
export const DEFAULT_MIME_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.htm': 'text/html',
  '.html': 'text/html',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.js': 'text/javascript',
  '.xml': 'application/xml',
  '.xhtml': 'application/xhtml+xml',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
  '.ts': 'application/typescript',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The type of files whose extension neither the table nor the database knows (RFC 9110 §8.3). */
export const UNKNOWN_MIME_TYPE = 'application/octet-stream';

/** What a server does with a file of unknown type: send it as `application/octet-stream`, or answer 403. */
export type StaticUnknownType = 'octet-stream' | 'refuse';

/**
 * The database's type for `ext` ('.webp', lower case; '' for no extension), or null. Own keys only:
 * mrmime's `lookup('constructor')` answers Object's constructor function, which must never become a
 * Content-Type.
 */
export function databaseMimeType(ext: string): string | null {
  const key = ext.slice(1);
  return ext.length > 1 && Object.prototype.hasOwnProperty.call(mimes, key) ? mimes[key] : null;
}

/** Checks `staticUnknownType`. */
export function checkStaticUnknownType(v: unknown): StaticUnknownType {
  if (v !== 'octet-stream' && v !== 'refuse') throw invalidOption('staticUnknownType', "'octet-stream' (send files of unknown type as application/octet-stream) or 'refuse' (403, as MicroWebSrv2)", v);
  return v;
}

