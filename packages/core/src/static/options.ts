/**
 * The static-file settings of a server: their defaults and the checks the server's setters run.
 * The server keeps one {@link StaticOptions} object (its `staticOptions`); the serving code reads it per
 * request, so a setting changed while the server runs applies to the next request.
 */
import { invalidOption, assertIntOption } from '../base/errors';
import { isFieldValue } from '../http/fields';

/** What the static-file server reads from its server (besides `rootPath` and the MIME table). */
export interface StaticOptions {
  /** Files tried, in order, for a directory path ending in '/'. */
  defaultPages: string[];
  /** Cache-Control of 200/206/304 file responses; null: none (caches then use heuristics on Last-Modified). */
  cacheControl: string | null;
  /** Serve files and folders whose name starts with '.' (false: they answer 404, as if absent). */
  serveDotFiles: boolean;
  /** Most ranges honoured in one Range field; more → the whole file (200). 0: ranges off (`Accept-Ranges: none`). */
  maxRanges: number;
  /** Look for `file.br` / `file.gz` beside a file and serve them to clients that accept the coding. */
  precompressed: boolean;
  /**
   * A folder asked without its '/' answers 301 to the path with it (absent: true). false: nothing is sent
   * and `serveStaticFile` resolves false — a module mounted under a prefix (mods-files) redirects itself.
   */
  redirectFolders?: boolean;
  /** Bytes per read of a streamed file (file-chunks.ts); absent: 64 KiB. Set per preset (`staticFileChunkSize`). */
  fileChunkSize?: number;
}

/** Read size of streamed files by preset: a paused reader holds one chunk (issue 18's slow-read memory bound). */
export const FILE_CHUNK_BY_PRESET = { Embedded: 4 * 1024, Light: 32 * 1024, Normal: 64 * 1024, Large: 64 * 1024 } as const;

/** Checks `staticFileChunkSize`: 4 KiB to 1 MiB. */
export function checkStaticFileChunkSize(v: unknown): number {
  return assertIntOption('staticFileChunkSize', v, 4 * 1024, 1024 * 1024);
}

/** MicroWebSrv2's default pages, in its order. */
export const DEFAULT_PAGES: readonly string[] = Object.freeze(['index.html', 'index.htm', 'default.html', 'default.htm']);

/**
 * One hour, without `public`: with validators (ETag, Last-Modified) an expired copy costs one 304, and
 * without `public` a shared cache does not store files fetched with an Authorization header (RFC 9111
 * §3.5) — static folders protected by a route's auth check must not leak through a proxy.
 */
export const DEFAULT_STATIC_CACHE_CONTROL = 'max-age=3600';

/** Enough for PDF readers and media players; a request with more ranges gets the whole file. */
export const DEFAULT_MAX_RANGES = 16;

/** A fresh settings object with the defaults (each server owns one). */
export function defaultStaticOptions(): StaticOptions {
  return {
    defaultPages: [...DEFAULT_PAGES],
    cacheControl: DEFAULT_STATIC_CACHE_CONTROL,
    serveDotFiles: false,
    maxRanges: DEFAULT_MAX_RANGES,
    precompressed: true,
    fileChunkSize: FILE_CHUNK_BY_PRESET.Normal,
  };
}

/**
 * Checks a default page name: one plain file name (no '/', '\\', NUL or control characters, not '.' or
 * '..'), at most 255 characters. Returns it.
 */
export function checkDefaultPage(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255 || name === '.' || name === '..' || /[/\\\x00-\x1f\x7f]/.test(name)) {
    throw invalidOption('addDefaultPage name', "a plain file name such as 'index.html' (no '/', '\\\\', control characters, '.' or '..')", name);
  }
  return name;
}

/** Checks a list for the `defaultPages` setter; duplicates are dropped (the first one counts). */
export function checkDefaultPages(names: unknown): string[] {
  if (!Array.isArray(names)) throw invalidOption('defaultPages', 'an array of file names', names);
  const out: string[] = [];
  for (const n of names) if (!out.includes(checkDefaultPage(n))) out.push(n);
  return out;
}

/** Checks `staticCacheControl`: a non-empty field value (no CR, LF or controls: response splitting), or null. */
export function checkStaticCacheControl(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || v.trim().length === 0 || !isFieldValue(v)) {
    throw invalidOption('staticCacheControl', "a Cache-Control value such as 'max-age=3600' or 'no-cache', or null", v);
  }
  return v;
}

/** Checks `staticMaxRanges`: an integer from 0 (ranges off) to 1000. */
export function checkStaticMaxRanges(v: unknown): number {
  return assertIntOption('staticMaxRanges', v, 0, 1000);
}

/** Checks a boolean setting (`serveDotFiles`, `staticPrecompressed`). */
export function checkBoolean(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw invalidOption(name, 'a boolean', v);
  return v;
}
