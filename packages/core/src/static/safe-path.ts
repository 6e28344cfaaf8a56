/**
 * From a request path to a file inside the server's root, and nowhere else.
 *
 * Two gates, both required: (1) the URL path is decoded once and refused when it holds anything that is
 * not a plain file name (dot-segments, encoded or raw separators, NUL, bad escapes); (2) the file found
 * is resolved with realpath and must lie inside realpath(root): symlinks and anything gate 1 missed
 * cannot lead out.
 */
import { promises as fsp, realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { ResolvedEntry, StaticCaches } from './site';
import { cachesOf } from './site';

/** A request path checked by {@link parseStaticPath}. */
export type StaticPath =
  /** `segments`: decoded names under the root; `dirSlash`: the path ended with '/'. */
  | { ok: true; segments: string[]; dirSlash: boolean }
  /** 400: the path cannot name a file (malformed or a traversal attempt); 404: a name never served. */
  | { ok: false; status: 400 | 404; reason: string };

const CONTROL = /[\x00-\x1f\x7f]/;
/** '%2f' / '%5c' in the raw path: a separator hidden from routing; '\\': a separator on Windows. */
const HIDDEN_SEPARATOR = /%2f|%5c|\\/i;
/** Windows device names alias devices in every folder (CON, NUL.txt, COM1…). */
const WIN_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const IS_WIN = process.platform === 'win32';

function bad(reason: string): StaticPath { return { ok: false, status: 400, reason }; }
function hidden(reason: string): StaticPath { return { ok: false, status: 404, reason }; }

/**
 * Checks and decodes `rawPath` (the request's path, still percent-encoded) segment by segment.
 * Decoding happens exactly once: '%252e' stays the literal name '%2e'.
 *
 * 400 for what no conforming client sends for a real file: a malformed escape or invalid UTF-8 (overlong
 * '%c0%ae' included), NUL or another control character, a '.' or '..' segment raw or encoded (clients
 * remove dot-segments before sending, RFC 3986 §5.2.4), and '%2f', '%5c' or '\\' (a name on disk cannot
 * hold a separator). 404 for names never served: dotfiles unless `serveDotFiles`, names ending in '.' or
 * ' ' (on Windows they alias the name without them), Windows device names and ':' (alternate streams).
 */
export function parseStaticPath(rawPath: string, serveDotFiles: boolean): StaticPath {
  if (rawPath.charCodeAt(0) !== 0x2f /* / */) return hidden('not an origin-form path');
  if (HIDDEN_SEPARATOR.test(rawPath)) return bad('encoded or backslash separator in the path');
  const parts = rawPath.split('/');
  const segments: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const raw = parts[i];
    if (raw.length === 0) continue; // '//' collapses, as path.join would: never an absolute path
    let name: string;
    if (raw.indexOf('%') === -1) name = raw;
    else {
      try {
        name = decodeURIComponent(raw); // throws on a bad escape and on invalid or overlong UTF-8
      } catch {
        return bad('malformed percent-encoding');
      }
    }
    if (CONTROL.test(name)) return bad('control character in the path');
    if (name === '.' || name === '..') return bad('dot-segment in the path');
    if (name.charCodeAt(0) === 0x2e /* . */ && !serveDotFiles) return hidden('dotfile');
    const last = name.charCodeAt(name.length - 1);
    if (last === 0x2e || last === 0x20) return hidden('name ending in a dot or a space');
    if (IS_WIN && (name.indexOf(':') !== -1 || WIN_DEVICE.test(name))) return hidden('Windows reserved name');
    segments.push(name);
  }
  return { ok: true, segments, dirSlash: rawPath.endsWith('/') };
}

/** True when `real` is `realRoot` or lies under it (a sibling such as '/www-old' of '/www' is outside). */
export function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  return real.startsWith(prefix);
}

/** True when a component of `real` below `realRoot` starts with '.' (a symlink may lead into one). */
export function hasDotComponent(realRoot: string, real: string): boolean {
  const rel = path.relative(realRoot, real);
  return rel.length > 0 && rel.split(path.sep).some((s) => s.charCodeAt(0) === 0x2e);
}

/** Errors that mean "no such servable file" (not a server fault). */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG', 'EACCES', 'EPERM', 'EINVAL']);

/** True for an fs error that only says the file is not there (or not readable) for this path. */
export function isAbsentError(err: unknown): boolean {
  return ABSENT.has((err as NodeJS.ErrnoException)?.code ?? '');
}

/**
 * realpath(`p`) when it exists and lies inside `realRoot` (with no dot component unless `dotOk`), else
 * null. Other fs failures (EMFILE, EIO) are thrown: they are server faults, not a 404.
 */
export async function realInside(realRoot: string, p: string, dotOk: boolean): Promise<string | null> {
  let real: string;
  try {
    real = await fsp.realpath(p);
  } catch (err) {
    if (isAbsentError(err)) return null;
    throw err;
  }
  return checkedReal(realRoot, real, dotOk);
}

/**
 * {@link realInside} on the calling thread: the static-file hot path's choice (see serve-static.ts), where
 * a libuv thread-pool round trip costs far more than a realpath of cached directory entries.
 */
export function realInsideSync(realRoot: string, p: string, dotOk: boolean): string | null {
  let real: string;
  try {
    real = realpathSync.native(p);
  } catch (err) {
    if (isAbsentError(err)) return null;
    throw err;
  }
  return checkedReal(realRoot, real, dotOk);
}

/**
 * {@link realInsideSync} through a cache of resolved paths (REAL_CACHE_MS, as nginx's open_file_cache):
 * realpath walks every component (an lstat each) and was the largest cost of a 304. `cached` says the
 * answer came from the cache: the caller must then {@link confirmResolved} what it opened (a path
 * swapped for a symlink since would open something else) and resolve afresh on any doubt. Only found
 * paths are kept, so a new file is served at once.
 */
export function realInsideCached(cache: Map<string, ResolvedEntry>, realRoot: string, p: string, dotOk: boolean): { real: string; cached: boolean } | null {
  const now = Date.now();
  const hit = cache.get(p);
  if (hit !== undefined && now - hit.at < REAL_CACHE_MS) {
    // Checked against this root and dot rule already (the usual case): path.relative and a split per
    // request were a tenth of a static answer's heap.
    if (hit.root === realRoot && hit.dotOk === dotOk) return { real: hit.real, cached: true };
    const real = checkedReal(realRoot, hit.real, dotOk);
    return real === null ? null : { real, cached: true };
  }
  const real = realInsideSync(realRoot, p, dotOk);
  if (real === null) { cache.delete(p); return null; }
  if (cache.size >= REAL_CACHE_MAX) cache.clear();
  cache.set(p, { real, at: now, dev: -1, ino: -1, root: realRoot, dotOk });
  return { real, cached: false };
}

/**
 * True when the file opened for `p` (its fstat `st`) is the one `p` resolved to when the cache entry
 * was made: the first open records the identity, later ones must match it. A mismatch drops the entry.
 */
export function confirmResolved(cache: Map<string, ResolvedEntry>, p: string, st: { dev: number; ino: number }): boolean {
  const e = cache.get(p);
  if (e === undefined) return true;
  if (e.ino === -1) { e.dev = st.dev; e.ino = st.ino; return true; }
  if (e.dev === st.dev && e.ino === st.ino) return true;
  cache.delete(p);
  return false;
}

/** Drops what the cache knows of `p` (its file is gone or changed): the next lookup resolves afresh. */
export function forgetResolved(cache: Map<string, ResolvedEntry>, p: string): void { cache.delete(p); }

/** How long a resolved path is trusted (then resolved afresh), and the most kept per site. */
const REAL_CACHE_MS = 1000;
const REAL_CACHE_MAX = 4096;

function checkedReal(realRoot: string, real: string, dotOk: boolean): string | null {
  if (!isInside(realRoot, real)) return null;
  if (!dotOk && hasDotComponent(realRoot, real)) return null;
  return real;
}

/**
 * realpath of a site's `rootPath` (cached per site while the absolute path stays the same), or
 * null when the folder does not exist: everything is then absent. `site` is a server (or any object
 * with a `rootPath`).
 */
export async function realRootOf(site: { readonly rootPath: string }): Promise<string | null> {
  const known = knownRealRoot(site);
  if (known !== null) return known;
  const caches: StaticCaches = cachesOf(site);
  const hit = caches.root;
  const rootPath = site.rootPath;
  const cwd = path.isAbsolute(rootPath) ? '' : process.cwd();
  const abs = path.resolve(rootPath);
  if (hit !== null && hit.abs === abs) { caches.root = { rootPath, cwd, abs, real: hit.real }; return hit.real; }
  let real: string;
  try {
    real = await fsp.realpath(abs);
  } catch (err) {
    if (isAbsentError(err)) return null;
    throw err;
  }
  caches.root = { rootPath, cwd, abs, real };
  return real;
}

/**
 * The realpath of `site`'s root when it is already known for the same rootPath (and working directory,
 * when relative), else null: the static path then goes on without a promise (see serve-static.ts).
 */
export function knownRealRoot(site: { readonly rootPath: string }): string | null {
  const hit = cachesOf(site).root;
  if (hit === null) return null;
  const rootPath = site.rootPath;
  // The same rootPath (and, when relative, the same working directory: process.cwd() is cached by Node)
  // resolves to the same absolute path: no path.resolve per request.
  const cwd = path.isAbsolute(rootPath) ? '' : process.cwd();
  return hit.rootPath === rootPath && hit.cwd === cwd ? hit.real : null;
}
