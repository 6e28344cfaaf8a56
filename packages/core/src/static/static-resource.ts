/**
 * picohttp's default handler as a public function: `staticResource(request, response, options)` serves a
 * file from a folder through the same machinery as the static stage (path safety, ETag / Last-Modified
 * and 304 / 412, ranges, precompressed siblings), from any handler.
 */
import { invalidOption } from '../base/errors';
import type { ServerRef } from '../base/refs';
import { isFieldValue } from '../http/fields';
import type { HttpRequest } from '../request/http-request';
import type { HttpResponse } from '../response/http-response';
import { checkDefaultPage, type StaticOptions } from './options';
import { serveStaticFile } from './serve-static';
import type { StaticSite } from './site';

/** Options of {@link staticResource}. */
export interface StaticResourceOptions {
  /** The folder served (default: the server's `rootPath`). */
  staticBase?: string;
  /** The file served for a folder path ending in '/' (default 'index.html'). */
  defaultResource?: string;
  /**
   * The type of files that neither the server's MIME table nor the standard database knows (default:
   * the server's `staticUnknownType` rule: application/octet-stream, or 403 when 'refuse').
   */
  defaultMime?: string;
  /** The path to serve, percent-encoded as `request.rawPath` is (default: `request.rawPath`): e.g. a route's rest. */
  path?: string;
}

/** A media type `type/subtype` with optional parameters, as Content-Type carries it (RFC 9110 §8.3.1). */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*;.*)?$/;

/** Sites kept per server and option set: the static caches live per site, so a site is made once. */
const SITES = new WeakMap<ServerRef, Map<string, StaticSite>>();
/** Bounds the sites per server (options built from request data must not grow memory without end). */
const MAX_SITES = 64;

/**
 * Serves the file at `request.rawPath` (or `options.path`) under `staticBase` (GET and HEAD; a folder path ending in '/'
 * serves `defaultResource`). A path that names no servable file (absent, a dotfile, outside the folder)
 * answers 404 through the server's `notFoundURL`; another method answers 405 with `Allow: GET, HEAD`.
 * Resolves true when a file (or 206 / 304 / 412 / 416 / 301) answered, false when 404 or 405 did; it
 * never rejects (an unexpected file-system error answers 500 and logs an ERROR). `response` must be
 * `request.response` (picohttp passes both). Throws ERR_MWS_INVALID_OPTION at once for a bad option.
 */
export function staticResource(request: HttpRequest, response: HttpResponse, options: StaticResourceOptions = {}): Promise<boolean> {
  if (response !== request.response) throw invalidOption('staticResource response', 'the request\'s own response (request.response)', typeof response);
  if (options === null || typeof options !== 'object') throw invalidOption('staticResource options', '{ staticBase?, defaultResource?, defaultMime? }', options);
  const server = request.server;
  const { staticBase = server.rootPath, defaultResource = 'index.html', defaultMime, path = request.rawPath } = options;
  if (typeof staticBase !== 'string' || staticBase.length === 0) throw invalidOption('staticResource staticBase', 'a non-empty folder path', staticBase);
  try { checkDefaultPage(defaultResource); } catch {
    throw invalidOption('staticResource defaultResource', "a plain file name such as 'index.html' (no '/', '\\\\', control characters, '.' or '..')", defaultResource);
  }
  if (defaultMime !== undefined && (typeof defaultMime !== 'string' || !MEDIA_TYPE.test(defaultMime) || !isFieldValue(defaultMime))) {
    throw invalidOption('staticResource defaultMime', "a media type such as 'application/octet-stream' or 'text/plain; charset=utf-8'", defaultMime);
  }
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f) throw invalidOption('staticResource path', "a percent-encoded path starting with '/'", path);
  const m = request.method;
  if (m !== 'GET' && m !== 'HEAD') {
    response.returnMethodNotAllowed(['GET', 'HEAD']);
    return Promise.resolve(false);
  }
  const site = siteOf(server, staticBase, defaultMime);
  const opts: StaticOptions = { ...server.staticOptions, defaultPages: [defaultResource] };
  return serveResource(site, request, path, opts);
}

/** Serves the file; nothing served at this path → 404 (through `notFoundURL`). */
async function serveResource(site: StaticSite, request: HttpRequest, rawPath: string, opts: StaticOptions): Promise<boolean> {
  const served = await serveStaticFile(site, request, rawPath, opts);
  if (!served && !request.response.started) request.response.returnNotFound();
  return served;
}

function siteOf(server: ServerRef, staticBase: string, defaultMime: string | undefined): StaticSite {
  let sites = SITES.get(server);
  if (sites === undefined) SITES.set(server, (sites = new Map()));
  const key = `${staticBase}\0${defaultMime ?? ''}`;
  let site = sites.get(key);
  if (site === undefined) {
    if (sites.size >= MAX_SITES) sites.clear();
    site = {
      rootPath: staticBase,
      get staticOptions() { return server.staticOptions; },
      getMimeTypeFromFilename: defaultMime === undefined
        ? (name) => server.getMimeTypeFromFilename(name)
        : (name) => server.lookupMimeType(name) ?? defaultMime,
      log: (msg, type) => server.log(msg, type),
    };
    sites.set(key, site);
  }
  return site;
}
