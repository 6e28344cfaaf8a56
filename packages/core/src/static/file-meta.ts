/**
 * What a served file was, kept per site for a second (nginx's `open_file_cache` with `valid=1s`): its real
 * path, identity (device, inode), size, modification time and validators (ETag, Last-Modified strings
 * already made). Within that second:
 * - a revalidation that matches (304) is answered from here, without opening or stat-ing the file;
 * - a 200 of a small file opens and fstats it (one number `fs.Stats`) and sends it only if identity,
 *   size and time are still the ones kept: any change, or a path that now opens another file (a symlink
 *   swapped in), goes the full way (serve-static.ts), which looks again and refreshes the entry.
 * Everything else (Range, 412, HEAD of a 200, large files, precompressed siblings) goes the full way.
 * So a file changed in place is seen at once by a 200 and within a second by a 304.
 */
import { fstatSync, openSync } from 'node:fs';
import type { HttpRequest } from '../request/http-request';
import type { HttpResponse } from '../response/http-response';
import { kFieldLines } from '../response/internals';
import { closeQuietly, OPEN_FLAGS, readWhole, SMALL_FILE } from './file-io';
import type { StaticOptions } from './options';
import type { FileMeta, StaticCaches, StaticSite } from './site';

export type { FileMeta };
import { evaluateFields, type Validators } from './validators';

/** How long an entry is trusted (ms): a changed file is seen by a 304 within this time. */
export const META_CACHE_MS = 1000;
/** Entries kept per site; beyond, the map starts again (only files that exist and were served get one). */
const META_CACHE_MAX = 4096;

/** Makes (or remakes, when the settings changed) the field lines of `m`. */
function linesOf(m: FileMeta, opts: StaticOptions): FileMeta {
  const ranges = opts.maxRanges > 0;
  if (m.linesCC === opts.cacheControl && m.linesRanges === ranges) return m;
  const cc = opts.cacheControl === null ? '' : 'Cache-Control: ' + opts.cacheControl + '\r\n';
  m.lines304 = cc + 'ETag: ' + m.v.etag + '\r\n';
  m.lines200 = m.lines304 + 'Last-Modified: ' + m.v.lastModified + '\r\nAccept-Ranges: ' + (ranges ? 'bytes' : 'none') + '\r\n';
  m.linesCC = opts.cacheControl;
  m.linesRanges = ranges;
  return m;
}

/** Keeps what `key` (a path joined under the root) was just served from. */
export function rememberMeta(c: StaticCaches, key: string, m: FileMeta): void {
  const cache = c.meta;
  if (cache.size >= META_CACHE_MAX && !cache.has(key)) cache.clear();
  cache.set(key, m);
}

/** The entry of `key` if it is younger than META_CACHE_MS and was made under the same rules, else null. */
export function freshMeta(c: StaticCaches, key: string, root: string, opts: StaticOptions, now: number): FileMeta | null {
  const m = c.meta.get(key);
  if (m === undefined) return null;
  if (now - m.at >= META_CACHE_MS || m.root !== root || m.dotOk !== opts.serveDotFiles || m.precompressed !== opts.precompressed) return null;
  return m;
}

/** The fields a file answer sets (lower case): when none is set yet they are appended, not searched for. */
const FILE_FIELDS = ['cache-control', 'vary', 'etag', 'last-modified', 'accept-ranges', 'content-encoding'];

/**
 * The fields of a file answer. Every one (200, 206, 304) carries caching, Vary and the ETag (RFC 9110
 * §15.4.5: the same on a 304 as on the 200 it stands for); `full` (not a 304, where §15.4.5 asks for no
 * other metadata): Last-Modified, Accept-Ranges and Content-Encoding (`coding`) too. A response that has
 * none of these fields yet (the usual case: a field set by an earlier stage is replaced, as setHeader
 * does) gets them appended: setHeader's case-insensitive search allocates a lower-case name per field.
 */
export function setFileFields(resp: HttpResponse, opts: StaticOptions, vary: boolean, v: Validators, full: boolean, coding: string | null): void {
  const fresh = hasNoFileField(resp);
  const set = fresh ? appendField : setField;
  resp.allowCaching = true;
  if (opts.cacheControl !== null) set(resp, 'Cache-Control', opts.cacheControl);
  if (vary) resp.appendHeader('Vary', 'Accept-Encoding');
  set(resp, 'ETag', v.etag);
  if (!full) return;
  set(resp, 'Last-Modified', v.lastModified);
  set(resp, 'Accept-Ranges', opts.maxRanges > 0 ? 'bytes' : 'none');
  if (coding !== null) set(resp, 'Content-Encoding', coding);
}

/** None of the fields of a file answer is set yet (checked without allocating while no field is set at all). */
function hasNoFileField(resp: HttpResponse): boolean {
  for (let i = 0; i < FILE_FIELDS.length; i++) if (resp.getHeader(FILE_FIELDS[i]) !== undefined) return false;
  return true;
}

/** The fields of a file answer from `m`: its pre-made lines when the response has none of them yet. */
function setMetaFields(resp: HttpResponse, opts: StaticOptions, m: FileMeta, full: boolean): void {
  if (!hasNoFileField(resp)) { setFileFields(resp, opts, false, m.v, full, null); return; }
  resp.allowCaching = true;
  const lines = linesOf(m, opts);
  resp[kFieldLines](full ? lines.lines200 : lines.lines304);
}

const appendField = (resp: HttpResponse, name: string, value: string): void => resp.appendHeader(name, value);
const setField = (resp: HttpResponse, name: string, value: string): void => resp.setHeader(name, value);

/**
 * Answers `req` from `m` when it can (a 304, or a 200 of a small file that is still the same): true when
 * answered, false to go the full way (nothing was sent). `name` is the file's name (its type).
 */
export function serveFromMeta(site: StaticSite, req: HttpRequest, opts: StaticOptions, m: FileMeta, name: string, now: number): boolean {
  const isGet = req.method === 'GET';
  // Ranges are cut from what the descriptor's fstat describes (If-Range compares validators strongly).
  if (isGet && opts.maxRanges > 0 && req.getHeader('range') !== undefined) return false;
  const type = site.getMimeTypeFromFilename(name);
  if (type === null) return false; // the full way answers 403 and logs it
  const v = m.v;
  v.dateIsStrong = v.lastModifiedSec < Math.floor(now / 1000);
  const cond = evaluateFields(req.getHeader('if-match'), req.getHeader('if-none-match'), req.getHeader('if-modified-since'),
    req.getHeader('if-unmodified-since'), v, true);
  const resp = req.response;
  if (cond === 304) {
    setMetaFields(resp, opts, m, false);
    resp.return(304);
    return true;
  }
  if (cond !== 'ok' || !isGet || m.size > SMALL_FILE) return false;
  let fd: number;
  try {
    fd = openSync(m.real, OPEN_FLAGS);
  } catch {
    return false; // gone or changed: the full way looks again (and answers 404 or 500)
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.ino !== m.ino || st.dev !== m.dev || st.size !== m.size || st.mtimeMs !== m.mtimeMs) {
      expire(m);
      return false;
    }
    const body = readWhole(fd, m.size);
    setMetaFields(resp, opts, m, true);
    resp.contentType = type;
    resp.return(200, body);
    return true;
  } finally {
    closeQuietly(fd);
  }
}

/** An entry found out of date: it is not trusted again (the full way makes a new one). */
function expire(m: FileMeta): void { m.at = -Infinity; }
