import type { LogLevelName } from '../base/logger';
import type { SiblingCoding } from './encoding';
import type { Validators } from './validators';
import type { StaticOptions } from './options';

/**
 * What static files need of their server: the root, the settings, the MIME table and a logger. A
 * MicroWebSrv is one (so `serveStaticFile(server, …)` reads as before); tests and modules may pass a
 * literal one. Caches are kept per site (see {@link cachesOf}): two servers never share or disagree.
 */
export interface StaticSite {
  /** The folder served (relative paths resolve against the process's working directory). */
  readonly rootPath: string;
  /** The static-file settings, read per request. */
  readonly staticOptions: StaticOptions;
  /** The Content-Type of a file by name; null: refuse it (403). */
  getMimeTypeFromFilename(filename: string): string | null;
  /** A log line (MicroWebSrv's `log(msg, type)`). */
  log(msg: string, type?: LogLevelName): void;
}

/** Resolved paths, with the identity (dev, ino; -1 until first opened) of the file each resolved to. */
export interface ResolvedEntry {
  real: string; at: number; dev: number; ino: number;
  /** The root and dot rule `real` was last checked against (inside, no dot component): the same again needs no new check. */
  root: string; dotOk: boolean;
}

/** One served file, as checked at `at` (file-meta.ts: kept for a second). */
export interface FileMeta {
  at: number;
  /** The root, dot rule and precompressed setting it was served under: any other → the full way. */
  root: string; dotOk: boolean; precompressed: boolean;
  real: string;
  dev: number; ino: number; size: number; mtimeMs: number;
  /** Its validators (the object is reused: `dateIsStrong` is set again per request). */
  v: Validators;
  /**
   * Its field lines, made on first use for the settings in `linesCC` and `linesRanges` (Cache-Control and ranges on or
   * off): for a 304 (Cache-Control, ETag) and a 200 (and Last-Modified, Accept-Ranges).
   */
  lines304: string; lines200: string; linesCC: string | null | undefined; linesRanges: boolean;
}

/** A request path that parsed: its segments, and the file path they name under `root`. */
export interface JoinedPath { segments: string[]; dirSlash: boolean; root: string; joined: string }

/** One site's caches: resolved paths, file metadata, precompressed siblings, the root's realpath. */
export class StaticCaches {
  readonly resolved = new Map<string, ResolvedEntry>();
  /**
   * Request paths already parsed and joined to a root (`parseStaticPath` + `path.join`: a tenth of a
   * static answer's heap), without and with `serveDotFiles`. Pure functions of their keys; bounded.
   */
  readonly paths: [Map<string, JoinedPath>, Map<string, JoinedPath>] = [new Map(), new Map()];
  readonly siblings = new Map<string, { at: number; mtimeMs: number; dotOk: boolean; root: string; found: Array<SiblingCoding & { path: string }> }>();
  /** What a file path (joined under the root) was, checked within the last second (file-meta.ts). */
  readonly meta = new Map<string, FileMeta>();
  /** The root's realpath, for the `rootPath` (and working directory, when relative) it was resolved from. */
  root: { rootPath: string; cwd: string; abs: string; real: string } | null = null;
}

const CACHES = new WeakMap<object, StaticCaches>();

/** The caches of `site` (made on first use; dropped with the site). */
export function cachesOf(site: object): StaticCaches {
  let c = CACHES.get(site);
  if (c === undefined) CACHES.set(site, (c = new StaticCaches()));
  return c;
}
