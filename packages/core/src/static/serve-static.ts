/**
 * Static files: the pipeline's step after routes for GET and HEAD (MicroWebSrv2's order).
 *
 * A request path becomes a file under `rootPath` (see safe-path.ts), a directory path ending in '/'
 * its first default page; the file is answered with validators (ETag, Last-Modified), conditional
 * requests (304 / 412), byte ranges (206 / 416), a precompressed sibling when the client accepts it.
 *
 * I/O: the metadata calls (realpath, open, fstat, the siblings' stat) and the read of a small file run on
 * the calling thread, as nginx does its open/stat: on cached entries each costs a few µs, where a libuv
 * thread-pool round trip costs tens of µs of CPU (measured: bench `static`, `static-304`). A file above
 * SMALL_FILE is streamed from its descriptor with backpressure — never read whole into memory — in 64 KiB
 * reads into reused buffers (file-chunks.ts).
 */
import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { HttpRequest } from '../request/http-request';
import { errorPage } from '../response/head-builder';
import type { HttpResponse } from '../response/http-response';
import { refusedTypeMessage } from '../response/unknown-type';
import { FileChunks } from './file-chunks';
import { closeQuietly, OPEN_FLAGS, readWhole, SMALL_FILE } from './file-io';
import { freshMeta, rememberMeta, serveFromMeta, setFileFields } from './file-meta';
import { chooseSibling, parseAcceptEncoding, SIBLING_CODINGS, type SiblingCoding } from './encoding';
import type { StaticOptions } from './options';
import { cachesOf, type StaticCaches, type StaticSite } from './site';
import { multipartByteranges, planRanges, type RangePlan } from './ranges';
import { confirmResolved, forgetResolved, isAbsentError, knownRealRoot, parseStaticPath, realInsideCached, realRootOf } from './safe-path';
import { evaluateFields, ifRangeAllows, validatorsOf } from './validators';

/**
 * The pipeline's static step. Not GET or HEAD: false at once (the pipeline goes on to OPTIONS, 405,
 * 404). Otherwise a promise: true when answered (a file, 206, 304, 301, 400, 403, 412, 416, 500), false
 * when nothing is served at this path (absent, dotfile, outside the root): the pipeline answers its
 * 404, through `notFoundURL` as usual. The promise never rejects.
 */
export function serveStatic(site: StaticSite, request: HttpRequest): boolean | Promise<boolean> {
  const m = request.method;
  if (m !== 'GET' && m !== 'HEAD') return false;
  // The root known (every request but the first): answered without a promise, as a route is.
  const root = knownRealRoot(site);
  if (root === null) return serveStaticFile(site, request, request.rawPath);
  try {
    return serve(site, request, request.rawPath, site.staticOptions, root);
  } catch (err) {
    return failed(site, request, request.rawPath, err);
  }
}

/**
 * Serves `rawPath` (percent-encoded, as `request.rawPath`) from the server's root for `request` (GET or
 * HEAD; other methods get false). A route may call it to serve another path (e.g. an SPA fallback);
 * on false nothing was sent and the caller answers (e.g. `returnNotFound()`). `options` defaults to the
 * server's settings. Unexpected fs errors (EMFILE, EIO) answer 500 and log an ERROR.
 */
export async function serveStaticFile(site: StaticSite, request: HttpRequest, rawPath: string, options: StaticOptions = site.staticOptions): Promise<boolean> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  try {
    const root = await realRootOf(site);
    if (root === null) return false;
    return serve(site, request, rawPath, options, root);
  } catch (err) {
    return failed(site, request, rawPath, err);
  }
}

/** An unexpected fs error: 500 (unless something was sent) and an ERROR line. */
function failed(site: StaticSite, request: HttpRequest, rawPath: string, err: unknown): true {
  site.log(`static file ${request.method} ${rawPath}: ${(err as Error).message}`, 'ERROR');
  if (!request.response.started) request.response.returnInternalServerError();
  return true;
}

/** An open file and its fstat (number stats: a BigIntStats was the largest allocation of an answer). */
interface OpenFile { fd: number; st: Stats }

/** Opens `p` if it is a regular file; 'dir' for a directory; null when absent or anything else. */
function openRegular(p: string): OpenFile | 'dir' | null {
  let fd: number;
  try {
    fd = openSync(p, OPEN_FLAGS);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return 'dir'; // Windows cannot open folders
    if (isAbsentError(err)) return null;
    throw err;
  }
  let st: Stats;
  try {
    // fstat of the descriptor that will be read: the validators describe exactly the bytes sent.
    st = fstatSync(fd);
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
  if (st.isFile()) return { fd, st };
  closeSync(fd);
  return st.isDirectory() ? 'dir' : null;
}

/**
 * Resolves `p` inside `root` (through the cache of resolved paths) and opens it. A cached answer is
 * trusted only if the file opened is the one resolved then (same dev and inode): a path replaced by a
 * symlink out of the root, or a release folder switched under it, is resolved afresh. A directory is not
 * confirmed: nothing is read from it, and each page looked up inside it is resolved on its own.
 */
function openInside(c: StaticCaches, root: string, p: string, dotOk: boolean): { real: string; found: OpenFile | 'dir' } | null {
  for (;;) {
    const r = realInsideCached(c.resolved, root, p, dotOk);
    if (r === null) return null;
    const found = openRegular(r.real);
    if (found === 'dir' || (found !== null && confirmResolved(c.resolved, p, found.st))) return { real: r.real, found };
    if (found !== null) closeQuietly(found.fd);
    forgetResolved(c.resolved, p);
    if (!r.cached) return null; // a fresh resolution that does not open: nothing servable here
  }
}

function serve(site: StaticSite, req: HttpRequest, rawPath: string, opts: StaticOptions, root: string): boolean {
  const c = cachesOf(site);
  const resp = req.response;
  const paths = c.paths[opts.serveDotFiles ? 1 : 0];
  let parsed = paths.get(rawPath);
  if (parsed === undefined) {
    const fresh = parseStaticPath(rawPath, opts.serveDotFiles);
    if (!fresh.ok) {
      if (fresh.status === 404) return false;
      resp.returnBadRequest();
      return true;
    }
    parsed = { segments: fresh.segments, dirSlash: fresh.dirSlash, root: '', joined: '' };
  }
  let fresh = false;
  if (parsed.root !== root) {
    parsed = { segments: parsed.segments, dirSlash: parsed.dirSlash, root, joined: path.join(root, ...parsed.segments) };
    fresh = true;
  }
  const name = parsed.segments[parsed.segments.length - 1];
  if (!fresh && !parsed.dirSlash) {
    // Served within the last second: a 304, or the same small file again, without the lookups (file-meta.ts).
    const now = Date.now();
    const m = freshMeta(c, parsed.joined, root, opts, now);
    if (m !== null && serveFromMeta(site, req, opts, m, name, now)) return true;
  }
  const opened = openInside(c, root, parsed.joined, opts.serveDotFiles);
  if (opened === null) {
    c.meta.delete(parsed.joined); // gone: a revalidation must not be answered from what it was
    return false;
  }
  // Kept only for a path that names something (a client cannot fill the cache with made-up paths) and is
  // short (spellings of one file padded with '//' would each hold a long string): at most ~2 MiB.
  if (fresh && rawPath.length <= PATHS_CACHE_MAX_LENGTH) {
    if (paths.size >= PATHS_CACHE_MAX) paths.clear();
    paths.set(rawPath, parsed);
  }
  const { real, found } = opened;
  if (found !== 'dir') {
    // '/file.txt/' names a folder that does not exist (and would break the page's relative links).
    if (parsed.dirSlash) { closeSync(found.fd); return false; }
    return sendFile(site, c, req, opts, root, real, name, found, parsed.joined);
  }
  if (!parsed.dirSlash) {
    if (opts.redirectFolders === false) return false;
    // 301 rather than 308: only GET and HEAD come here, for which both keep the method, and 301 is
    // understood by every client (308 is RFC 7538, 2015). Built from the decoded segments, re-encoded:
    // a raw '//host' path can never become a protocol-relative Location (open redirect).
    const q = req.queryString;
    resp.setHeader('Location', '/' + parsed.segments.map(encodeURIComponent).map((s) => s + '/').join('') + (q ? '?' + q : ''));
    resp.return(301);
    return true;
  }
  for (const page of opts.defaultPages) {
    const pageOpened = openInside(c, root, path.join(real, page), opts.serveDotFiles);
    if (pageOpened === null || pageOpened.found === 'dir') continue;
    return sendFile(site, c, req, opts, root, pageOpened.real, page, pageOpened.found, null);
  }
  return false; // no directory listings
}

/** Request paths kept parsed per site (StaticCaches.paths); beyond, the map starts again. */
const PATHS_CACHE_MAX = 4096;
const PATHS_CACHE_MAX_LENGTH = 256;

/** A sibling found next to a file: its path (opened through openInside when chosen). */
type Sibling = SiblingCoding & { path: string };

/** Existing, fresh precompressed siblings of `real` (inside the root, not older than the file). */
function siblingsOf(c: StaticCaches, root: string, real: string, st: Stats, dotOk: boolean): Array<Sibling> {
  // Looked up again after SIBLINGS_CACHE_MS, or at once when the file itself changed (a stale sibling
  // must never be served for new content). A sibling deleted meanwhile fails to open: the file is sent.
  const now = Date.now();
  const cache = c.siblings;
  const hit = cache.get(real);
  if (hit !== undefined && now - hit.at < SIBLINGS_CACHE_MS && hit.mtimeMs === st.mtimeMs && hit.dotOk === dotOk && hit.root === root) return hit.found;
  const found = lookUpSiblings(c, root, real, st, dotOk);
  if (cache.size >= SIBLINGS_CACHE_MAX) cache.clear();
  cache.set(real, { at: now, mtimeMs: st.mtimeMs, dotOk, root, found });
  return found;
}

/**
 * Which precompressed siblings exist (per site, `StaticCaches.siblings`), for one second: two stats per request were a tenth of a 304. What
 * a sibling is when chosen is checked again on open (openInside, and fresh against the file in sendFile).
 */
const SIBLINGS_CACHE_MS = 1000;
const SIBLINGS_CACHE_MAX = 4096;

function lookUpSiblings(c: StaticCaches, root: string, real: string, st: Stats, dotOk: boolean): Array<Sibling> {
  const found: Array<Sibling> = [];
  for (const s of SIBLING_CODINGS) {
    const p = real + s.suffix;
    let sst: Stats | undefined;
    try {
      // throwIfNoEntry: the usual answer (no sibling) costs no exception.
      sst = statSync(p, { throwIfNoEntry: false });
    } catch (err) {
      if (isAbsentError(err)) continue;
      throw err;
    }
    // An older sibling is stale (the file changed after it was compressed): never serve old content.
    if (sst === undefined || !sst.isFile() || sst.mtimeMs < st.mtimeMs) continue;
    const sreal = realInsideCached(c.resolved, root, p, dotOk);
    if (sreal !== null) found.push({ ...s, path: p });
  }
  return found;
}

/** Content-Type as the response head writes it (charset for text/*), for multipart parts. */
function fullType(resp: HttpResponse, type: string): string {
  const cs = resp.contentCharset;
  return cs !== null && type.startsWith('text/') && type.indexOf('charset') === -1 ? `${type}; charset=${cs}` : type;
}

/**
 * Answers with the open file `file` (handed over: closed here or by the stream), named `name` for its type.
 * `metaKey`: the joined path it was found at, to remember it by (file-meta.ts); null for a default page.
 */
function sendFile(site: StaticSite, c: StaticCaches, req: HttpRequest, opts: StaticOptions, root: string, real: string, name: string, file: OpenFile, metaKey: string | null): boolean {
  const resp = req.response;
  let { fd, st } = file;
  let handed = false;
  try {
    // null: an unknown type and `staticUnknownType = 'refuse'` (MicroWebSrv2's rule): 403, only once the file exists.
    const type = site.getMimeTypeFromFilename(name);
    if (type === null) {
      site.log(refusedTypeMessage(`static file ${req.rawPath}`, name), 'DEBUG');
      resp.returnForbidden();
      return true;
    }

    let coding: string | null = null;
    let vary = false;
    if (opts.precompressed) {
      const siblings = siblingsOf(c, root, real, st, opts.serveDotFiles);
      // The response depends on Accept-Encoding whenever a sibling could be chosen (RFC 9110 §12.5.5).
      vary = siblings.length > 0;
      const pick = chooseSibling(parseAcceptEncoding(req.getHeader('accept-encoding')), siblings);
      const opened = pick === null ? null : openInside(c, root, pick.path, opts.serveDotFiles);
      const enc = opened === null || opened.found === 'dir' ? null : opened.found;
      // Fresh now, or not at all: a sibling older than the file would be old content (the cache is a second old).
      if (enc !== null && enc.st.mtimeMs >= st.mtimeMs) {
        closeQuietly(fd);
        ({ fd, st } = enc);
        coding = pick!.coding;
      } else if (enc !== null) {
        closeQuietly(enc.fd);
      }
    }

    // The encoded file is its own representation: its own ETag, and ranges count its bytes (§14.1.1).
    const now = Date.now();
    const v = validatorsOf(st, now);
    // The plain file (no sibling could be chosen) is remembered for a second: file-meta.ts.
    if (metaKey !== null && coding === null && !vary) {
      rememberMeta(c, metaKey, { at: now, root, dotOk: opts.serveDotFiles, precompressed: opts.precompressed, real,
        dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, v, lines304: '', lines200: '', linesCC: undefined, linesRanges: false });
    }
    const cond = evaluateFields(req.getHeader('if-match'), req.getHeader('if-none-match'), req.getHeader('if-modified-since'),
      req.getHeader('if-unmodified-since'), v, true);
    if (cond === 412) {
      resp.contentType = 'text/html';
      resp.return(412, errorPage(412));
      return true;
    }
    const size = st.size;
    let plan: RangePlan = { kind: 'full' };
    // Range comes last in §13.2.2 (step 5), only for GET: a Range on HEAD is ignored (§14.2). If-Range
    // without Range is ignored; a failed If-Range means "send it all" (§13.1.5).
    const range = cond === 'ok' && req.method === 'GET' && opts.maxRanges > 0 ? req.getHeader('range') : undefined;
    if (range !== undefined) {
      const ifRange = req.getHeader('if-range');
      if (ifRange === undefined || ifRangeAllows(ifRange, v)) plan = planRanges(range, size, opts.maxRanges);
    }
    if (plan.kind === 'unsatisfiable') {
      resp.setHeader('Content-Range', `bytes */${size}`);
      resp.contentType = 'text/html';
      resp.return(416, errorPage(416));
      return true;
    }
    // Several ranges of an encoded file: a multipart body cannot carry Content-Encoding per part.
    if (plan.kind === 'ranges' && plan.ranges.length > 1 && coding !== null) plan = { kind: 'full' };

    // Cache-Control, ETag and Vary go on 200, 206 and 304 alike (§15.4.5); never on errors (a max-age
    // would make a 412 or 416 storable: they keep the default no-store).
    // Last-Modified is left out of a 304: the ETag is the better validator, §15.4.5 asks for no other metadata.
    setFileFields(resp, opts, vary, v, cond !== 304, coding);
    if (cond === 304) {
      resp.return(304);
      return true;
    }
    resp.contentType = type;
    if (plan.kind === 'full') {
      if (size <= SMALL_FILE && req.method === 'GET') {
        resp.return(200, readWhole(fd, size));
        return true;
      }
      resp.returnStream(200, fileStream(fd, 0, size - 1, opts), size);
    } else if (plan.ranges.length === 1) {
      const { start, end } = plan.ranges[0];
      resp.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      resp.returnStream(206, fileStream(fd, start, end, opts), end - start + 1);
    } else {
      const mp = multipartByteranges(plan.ranges, size, fullType(resp, type));
      resp.contentType = mp.contentType;
      resp.returnStream(206, mp.open(fd), mp.length);
    }
    handed = true;
    return true;
  } finally {
    if (!handed) closeQuietly(fd);
  }
}

/**
 * Bytes start..end of `fd` as a stream that closes the descriptor when done, failed or destroyed, read
 * into reused buffers (file-chunks.ts).
 */
function fileStream(fd: number, start: number, end: number, opts: StaticOptions): Readable {
  // An empty file (HEAD of it): nothing to read.
  if (end < start) { closeQuietly(fd); return Readable.from([]); }
  return new FileChunks(fd, start, end, opts.fileChunkSize);
}
