/** `loadModule(FileManager, options)`: the options, their defaults and their checks (misuse throws at once). */
import * as path from 'node:path';
import { invalidOption, type HttpRequest, type MwsError } from '@microwebsrv/core';

/** What an access asks for: reading (a file, a listing) or writing (an upload, a new folder, a delete). */
export type Access = 'read' | 'write';

/**
 * uhttpd's ACL values: `'ro'` read only, `'rw'` read and write, `'wo'` write only; or an HTTP status
 * (400–599) that answers the request. Anything else refuses with 403.
 */
export type AclResult = 'ro' | 'rw' | 'wo' | number;

/**
 * The ACL callback (uhttpd's `file_acl`): consulted for every read, write, listing and new folder.
 * `path` is the path under the base, starting with '/', ending with '/' for a folder; `request` lets
 * it look at credentials (`request.checkBasicAuth`). May return a promise.
 */
export type FileAcl = (path: string, access: Access, request: HttpRequest) => AclResult | Promise<AclResult>;

/** Options of `loadModule(FileManager, options)`. */
export interface FileManagerOptions {
  /** The URL prefix the folder is mounted at, e.g. '/fs' (required; '/' mounts it at the root). */
  prefix: string;
  /** The folder served and written (required; must exist). */
  base: string;
  /** uhttpd's fixed upload endpoint: a POST/PUT there names its file in `Content-Disposition: attachment; filename="/path"`. */
  uploadEndpoint?: string | null;
  /** The ACL callback (default: everything allowed, within readOnly / writeOnly). */
  acl?: FileAcl | null;
  /** Only reads (GET, HEAD, listings): writes answer 405 (default false). */
  readOnly?: boolean;
  /** Only writes (uploads, new folders, deletes): reads answer 405 (default false). */
  writeOnly?: boolean;
  /** Most bytes of one stored file; more → 413 (default: no limit). */
  maxFileBytes?: number | null;
  /** Most bytes in the whole base folder; an upload that would pass it → 507 (default: no limit). */
  maxTotalBytes?: number | null;
  /** File name extensions accepted for uploads, e.g. ['txt', '.png'] (case-insensitive); others → 415 (default: any). */
  allowedExtensions?: string[] | null;
  /** Media types accepted for uploads, as the file would be served (by its name), e.g. ['image/*', 'text/plain']; others → 415 (default: any). */
  allowedTypes?: string[] | null;
  /** Serve, list and write names starting with '.' (default false: they are absent, writes refused). */
  dotfiles?: boolean;
  /** Listings on GET of a folder path ending in '/' (default true; false: 403). */
  listings?: boolean;
  /** The realm of the `WWW-Authenticate: Basic` sent when the ACL answers 401 (default 'files'). */
  realm?: string;
}

/** The options once checked, with their defaults. */
export interface ResolvedOptions {
  prefix: string;
  base: string;
  uploadEndpoint: string | null;
  acl: FileAcl | null;
  readOnly: boolean;
  writeOnly: boolean;
  maxFileBytes: number;
  maxTotalBytes: number;
  allowedExtensions: Set<string> | null;
  allowedTypes: string[] | null;
  dotfiles: boolean;
  listings: boolean;
  realm: string;
}

/** ERR_MWS_INVALID_OPTION naming the option and what it allows (core's catalogue). */
export function invalid(name: string, allowed: string, got: unknown): MwsError {
  return invalidOption(`FileManager ${name}`, allowed, got);
}

/** A URL path of plain characters: no query, fragment, percent sign, backslash, control, '.' segment. */
const URL_PATH = /^(\/[A-Za-z0-9_~!$&'()*+,;=:@-][A-Za-z0-9._~!$&'()*+,;=:@-]*)+$/;
const MEDIA_RANGE = /^([a-z0-9!#$&^_.+-]+)\/([a-z0-9!#$&^_.+-]+|\*)$/;

function checkUrlPath(name: string, v: unknown, rootOk: boolean): string {
  if (typeof v !== 'string') throw invalid(name, "a path such as '/fs'", v);
  const p = v.length > 1 && v.endsWith('/') ? v.slice(0, -1) : v;
  if (p === '/' && rootOk) return '';
  if (!URL_PATH.test(p) || p.split('/').some((s) => s === '..' || s === '.')) {
    throw invalid(name, "a path such as '/fs' (starting with '/', plain characters, no '.' or '..' segment)", v);
  }
  return p;
}

function limit(name: string, v: unknown): number {
  if (v === undefined || v === null) return Number.MAX_SAFE_INTEGER;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(name, 'an integer >= 0 (bytes) or null', v);
  return v;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalid(name, 'a boolean', v);
  return v;
}

/** Checks `o` and fills in the defaults. */
export function resolveOptions(o: unknown): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw invalid('options', 'an object { prefix, base, … }', o);
  const opts = o as FileManagerOptions;
  const prefix = checkUrlPath('prefix', opts.prefix, true);
  if (typeof opts.base !== 'string' || opts.base.length === 0 || opts.base.includes('\0')) throw invalid('base', 'a folder path', opts.base);
  const uploadEndpoint = opts.uploadEndpoint == null ? null : checkUrlPath('uploadEndpoint', opts.uploadEndpoint, false);
  if (uploadEndpoint !== null && (uploadEndpoint === prefix || uploadEndpoint.startsWith(prefix + '/'))) {
    throw invalid('uploadEndpoint', `a path outside the prefix '${prefix || '/'}'`, opts.uploadEndpoint);
  }
  if (opts.acl != null && typeof opts.acl !== 'function') throw invalid('acl', "a function (path, access, request) => 'ro' | 'rw' | 'wo' | status", opts.acl);
  const readOnly = bool('readOnly', opts.readOnly, false);
  const writeOnly = bool('writeOnly', opts.writeOnly, false);
  if (readOnly && writeOnly) throw invalid('readOnly', 'false when writeOnly is true (one or the other)', opts.readOnly);
  let allowedExtensions: Set<string> | null = null;
  if (opts.allowedExtensions != null) {
    if (!Array.isArray(opts.allowedExtensions) || opts.allowedExtensions.length === 0) throw invalid('allowedExtensions', "a non-empty array such as ['txt', 'png'], or null", opts.allowedExtensions);
    allowedExtensions = new Set(opts.allowedExtensions.map((e) => {
      if (typeof e !== 'string' || !/^\.?[A-Za-z0-9_+-]+$/.test(e)) throw invalid('allowedExtensions', "extensions such as 'txt' or '.png'", e);
      return e.replace(/^\./, '').toLowerCase();
    }));
  }
  let allowedTypes: string[] | null = null;
  if (opts.allowedTypes != null) {
    if (!Array.isArray(opts.allowedTypes) || opts.allowedTypes.length === 0) throw invalid('allowedTypes', "a non-empty array such as ['image/*', 'text/plain'], or null", opts.allowedTypes);
    allowedTypes = opts.allowedTypes.map((t) => {
      if (typeof t !== 'string' || !MEDIA_RANGE.test(t.toLowerCase())) throw invalid('allowedTypes', "media types such as 'text/plain' or 'image/*'", t);
      return t.toLowerCase();
    });
  }
  const realm = opts.realm ?? 'files';
  if (typeof realm !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(realm)) throw invalid('realm', 'printable ASCII without \'"\' or \'\\\\\', 1 to 64 characters', opts.realm);
  return {
    prefix,
    base: path.resolve(opts.base),
    uploadEndpoint,
    acl: opts.acl ?? null,
    readOnly,
    writeOnly,
    maxFileBytes: limit('maxFileBytes', opts.maxFileBytes),
    maxTotalBytes: limit('maxTotalBytes', opts.maxTotalBytes),
    allowedExtensions,
    allowedTypes,
    dotfiles: bool('dotfiles', opts.dotfiles, false),
    listings: bool('listings', opts.listings, true),
    realm,
  };
}
