/**
 * `FileManager`: uhttpd's file server (`serve`), file receiver (`receive`) and `file_acl` as one module,
 * mounted at a prefix over a base folder. Its stage `files:<prefix>` (before the routes) answers GET / HEAD
 * (listings, files through core's static machinery), PUT / POST (atomic uploads, new folders) and DELETE
 * under the prefix, and uploads at `uploadEndpoint`; anything else under the prefix gets 405.
 *
 * Request bodies of uploads never go through the server's buffer: `onRequestBody` answers `'stream'`, the
 * request comes down the pipeline at once (after the server's access checks) and the atomic writer
 * streams `request.body` to a temp file as it arrives, with backpressure down to the socket. A request
 * refused before its body is read (ACL, type, declared size, precondition) never gets `100 Continue`.
 */
import { realpathSync, statSync } from 'node:fs';
import { MwsError, type HttpRequest, type LogLevelName, type MicroWebSrv, type MwsModule, type StaticSite } from '@microwebsrv/core';
import { decide } from './acl';
import { removeStaleTemps } from './atomic-write';
import type { BodySource } from './body-source';
import type { FilesContext, Outcome } from './context';
import { deleteOp } from './delete-op';
import { attachmentFilename, encodedPathOf } from './disposition';
import { invalid, resolveOptions, type Access, type FileManagerOptions, type ResolvedOptions } from './options';
import { Quota } from './quota';
import { readOp } from './read-op';
import { isRefusal, placeOf } from './target';
import { multipartOp } from './multipart-op';
import { mkdirOp, uploadOp } from './write-op';

const READS = ['GET', 'HEAD'];
const WRITES = ['PUT', 'POST', 'DELETE'];

/** A request this module answers: under the prefix (`sub` is the rest), or at the upload endpoint. */
interface Claim { sub: string; endpoint: boolean }

export class FileManager implements MwsModule {
  readonly server: MicroWebSrv;
  /** The checked options. */
  readonly options: Readonly<ResolvedOptions>;
  private readonly _ctx: FilesContext;
  private readonly _site: StaticSite;

  constructor(server: MicroWebSrv, options: FileManagerOptions) {
    const opts = resolveOptions(options);
    let realBase: string;
    try {
      if (!statSync(opts.base).isDirectory()) throw new Error('not a folder');
      realBase = realpathSync(opts.base);
    } catch {
      throw invalid('base', 'an existing folder', options.base);
    }
    this.server = server;
    this.options = opts;
    const quota = new Quota(opts.maxTotalBytes);
    const log = (msg: string, type: LogLevelName): void => server.log(msg, type);
    const onAclError = (err: unknown): void => log(`files: the acl callback threw: ${err instanceof Error ? err.message : String(err)}`, 'ERROR');
    this._ctx = {
      opts,
      realBase,
      quota,
      allow: (aclPath: string, access: Access, request: HttpRequest) => decide(opts.acl, aclPath, access, request, onAclError),
      log,
      typeOf: (name: string) => server.lookupMimeType(name) ?? 'application/octet-stream',
    };
    this._site = {
      rootPath: realBase,
      get staticOptions() { return server.staticOptions; },
      getMimeTypeFromFilename: (name) => server.getMimeTypeFromFilename(name),
      log,
    };
    server.addStage({ name: `files:${opts.prefix || '/'}`, run: (req) => this._run(req) });
  }

  /** Counts the base (quota) and removes temp files left by a process that died mid-upload. */
  async onStart(): Promise<void> {
    const { bytes, removed } = await removeStaleTemps(this._ctx.realBase);
    this._ctx.quota.used = bytes;
    if (removed.length > 0) this.server.log(`files: removed ${removed.length} temp file(s) of an interrupted upload`, 'WARNING');
  }

  /** Streams the body of an upload under the prefix (or at the endpoint): to disk, never buffered. */
  onRequestBody(_server: MicroWebSrv, request: HttpRequest): 'stream' | null {
    const m = request.method;
    if ((m !== 'PUT' && m !== 'POST') || this.options.readOnly) return null;
    return this._claim(request) === null ? null : 'stream';
  }

  private _claim(request: HttpRequest): Claim | null {
    const raw = request.rawPath;
    const { prefix, uploadEndpoint } = this.options;
    if (prefix === '') return { sub: raw, endpoint: false };
    if (raw.startsWith(prefix) && (raw.length === prefix.length || raw.charCodeAt(prefix.length) === 0x2f)) {
      return { sub: raw.slice(prefix.length), endpoint: false };
    }
    if (uploadEndpoint !== null && raw === uploadEndpoint) return { sub: '', endpoint: true };
    return null;
  }

  /** The stage: answers what is under the prefix or at the endpoint, passes anything else. */
  private _run(request: HttpRequest): boolean | Promise<boolean> {
    const claim = this._claim(request);
    if (claim === null) return false;
    return this._answer(request, claim).then(() => true);
  }

  private async _answer(request: HttpRequest, claim: Claim): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this._dispatch(request, claim);
    } catch (err) {
      // The body failed (the client left, 408 / 413 from the engine, a multipart limit or a malformed
      // body): core's pipeline answers those (or knows the connection is closing).
      if (isBodyError(err)) throw err;
      this.server.log(`files: ${request.method} ${request.rawPath}: ${err instanceof Error ? err.message : String(err)}`, 'ERROR');
      outcome = { status: 500 };
    }
    if (!request.response.started) this._send(request, outcome);
  }

  private _dispatch(request: HttpRequest, claim: Claim): Promise<Outcome> {
    const m = request.method;
    const { readOnly, writeOnly } = this.options;
    if (claim.endpoint) {
      if (m !== 'PUT' && m !== 'POST') return Promise.resolve(this._notAllowed(['PUT', 'POST']));
      if (readOnly) return Promise.resolve(this._notAllowed(READS));
      return this._write(request, claim);
    }
    if (m === 'GET' || m === 'HEAD') {
      if (writeOnly) return Promise.resolve(this._notAllowed(WRITES));
      return readOp(this._ctx, this._site, request, claim.sub, this.options.prefix);
    }
    if (m === 'DELETE' || m === 'PUT' || m === 'POST') {
      if (readOnly) return Promise.resolve(this._notAllowed(READS));
      const place = placeOf(claim.sub, this.options.dotfiles);
      if (isRefusal(place)) return Promise.resolve({ status: place.status, reason: place.reason });
      if (m === 'DELETE') return deleteOp(this._ctx, request, place);
      return this._write(request, claim);
    }
    if (m === 'OPTIONS') return Promise.resolve({ status: 204, headers: { Allow: this._allowed().join(', ') } });
    return Promise.resolve(this._notAllowed(this._allowed()));
  }

  /** PUT / POST: a folder, a multipart form to a folder, or a body stored as a file, under every rule. */
  private async _write(request: HttpRequest, claim: Claim): Promise<Outcome> {
    let sub = claim.sub;
    if (claim.endpoint) {
      const name = attachmentFilename(request.getHeader('content-disposition'));
      if (name === null) return { status: 400, reason: 'the upload endpoint needs Content-Disposition: attachment; filename="/path"' };
      sub = encodedPathOf(name);
    }
    const place = placeOf(sub, this.options.dotfiles);
    if (isRefusal(place)) return { status: place.status, reason: place.reason };
    if (place.dirSlash) {
      if (request.method === 'POST' && isMultipart(request)) return multipartOp(this._ctx, request, place);
      return mkdirOp(this._ctx, request, place); // uhttpd: the body is ignored (not read)
    }
    const declared = request.getHeader('content-length') === undefined ? -1 : request.contentLength;
    if (this.options.maxFileBytes !== Number.MAX_SAFE_INTEGER && request.isBodyStreamed) request.bodyLimit = this.options.maxFileBytes;
    return uploadOp(this._ctx, request, place, sourceOf(request), declared);
  }

  private _allowed(): string[] {
    if (this.options.readOnly) return READS;
    if (this.options.writeOnly) return WRITES;
    return [...READS, ...WRITES];
  }

  private _notAllowed(allow: string[]): Outcome { return { status: 405, headers: { Allow: allow.join(', ') }, reason: 'method not allowed here' }; }

  private _send(request: HttpRequest, o: Outcome): void {
    const resp = request.response;
    if (o.done) return;
    if (o.headers !== undefined) for (const k of Object.keys(o.headers)) resp.setHeader(k, o.headers[k]);
    if (o.reason !== undefined && o.status >= 400) this.server.log(`files: ${request.method} ${request.rawPath} → ${o.status}: ${o.reason}`, 'DEBUG');
    if (o.status === 401) { resp.returnUnauthorized('Basic', this.options.realm); return; }
    if (o.status === 404) { resp.returnNotFound(); return; }
    if (o.status === 405) { resp.returnMethodNotAllowed(); return; }
    if (o.html !== undefined) {
      resp.contentType = 'text/html; charset=utf-8';
      resp.return(o.status, o.html);
      return;
    }
    if (o.json !== undefined) { resp.returnJSON(o.status, o.json); return; }
    if (o.status >= 400) { resp.returnJSON(o.status, { error: o.status < 500 ? o.reason ?? 'refused' : 'server error', status: o.status }); return; }
    resp.return(o.status);
  }
}

/** The request's body as the writer reads it. */
function sourceOf(request: HttpRequest): BodySource {
  return { chunks: request.body, signal: request.signal };
}

function isMultipart(request: HttpRequest): boolean {
  return /^multipart\/form-data\s*;/i.test(request.getHeader('content-type') ?? '');
}

/** An error of the request's body, which core's pipeline answers (or knows the connection closes). */
function isBodyError(err: unknown): boolean {
  if (err instanceof Error && err.name === 'AbortError') return true;
  return err instanceof MwsError && BODY_ERRORS.has(err.code);
}

const BODY_ERRORS = new Set<string>(['ERR_MWS_BODY_TOO_LARGE', 'ERR_MWS_BODY_TIMEOUT', 'ERR_MWS_BAD_BODY', 'ERR_MWS_BAD_MULTIPART', 'ERR_MWS_MULTIPART_LIMIT', 'ERR_MWS_BODY_USED']);
