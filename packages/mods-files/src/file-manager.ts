/**
 * `FileManager`: uhttpd's file server (`serve`), file receiver (`receive`) and `file_acl` as one module,
 * mounted at a prefix over a base folder. Its stage `files:<prefix>` (before the routes) answers GET / HEAD
 * (listings, files through core's static machinery), PUT / POST (atomic uploads, new folders) and DELETE
 * under the prefix, and uploads at `uploadEndpoint`; anything else under the prefix gets 405.
 *
 * Request bodies of uploads never go through the server's buffer: `onRequestBody` claims them and the
 * atomic writer streams them to a temp file as they arrive, with backpressure down to the socket.
 */
import { realpathSync, statSync } from 'node:fs';
import type { HttpRequest, LogLevelName, MicroWebSrv, MwsModule, StaticSite } from '@microwebsrv/core';
import { decide } from './acl';
import { removeStaleTemps } from './atomic-write';
import { ReceiverSource, type BodySource } from './body-source';
import type { FilesContext, Outcome } from './context';
import { deleteOp } from './delete-op';
import { attachmentFilename, encodedPathOf } from './disposition';
import { invalid, resolveOptions, type Access, type FileManagerOptions, type ResolvedOptions } from './options';
import { Quota } from './quota';
import { readOp } from './read-op';
import { isRefusal, placeOf } from './target';
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
  /** Uploads whose body is being stored, by request: the stage admits them and answers with their outcome. */
  private readonly _uploads = new WeakMap<HttpRequest, { op: Promise<Outcome>; admission: Admission }>();

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

  /** Claims the body of an upload under the prefix (or at the endpoint): streamed to disk, never buffered. */
  onRequestBody(_server: MicroWebSrv, request: HttpRequest): ReceiverSource | null {
    const m = request.method;
    if (m !== 'PUT' && m !== 'POST') return null;
    const claim = this._claim(request);
    if (claim === null || this.options.readOnly) return null;
    const source = new ReceiverSource(this.options.maxFileBytes === Number.MAX_SAFE_INTEGER ? undefined : this.options.maxFileBytes);
    const admission = new Admission(source.ended);
    const op = this._write(request, claim, source, () => admission.promise);
    // Whatever the outcome, the rest of the body is not wanted: let it complete unread (a refusal answers
    // after it, as core runs the pipeline once a claimed body is complete).
    op.then(() => source.discard(), () => source.discard());
    op.catch(() => { /* answered (or not: the client left) by the stage */ });
    this._uploads.set(request, { op, admission });
    return source;
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
      this.server.log(`files: ${request.method} ${request.rawPath}: ${err instanceof Error ? err.message : String(err)}`, 'ERROR');
      outcome = { status: 500 };
    }
    if (!request.response.started) this._send(request, outcome);
  }

  private _dispatch(request: HttpRequest, claim: Claim): Promise<Outcome> {
    const m = request.method;
    const { readOnly, writeOnly } = this.options;
    const upload = this._uploads.get(request);
    if (upload !== undefined) {
      upload.admission.admit(); // the pipeline's access checks passed: the upload may replace the file
      return upload.op;
    }
    if (claim.endpoint) {
      return Promise.resolve(m === 'PUT' || m === 'POST' ? { status: 400, reason: 'an upload without a body' } : this._notAllowed(['PUT', 'POST']));
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
      // A PUT / POST without a body (Content-Length: 0): a folder, or an empty file.
      if (place.dirSlash) return mkdirOp(this._ctx, request, place);
      return uploadOp(this._ctx, request, place, EMPTY_SOURCE, 0);
    }
    if (m === 'OPTIONS') return Promise.resolve({ status: 204, headers: { Allow: this._allowed().join(', ') } });
    return Promise.resolve(this._notAllowed(this._allowed()));
  }

  /** An upload's body arrived: where it goes, under every rule. */
  private async _write(request: HttpRequest, claim: Claim, source: BodySource, admitted?: () => Promise<boolean>): Promise<Outcome> {
    let sub = claim.sub;
    if (claim.endpoint) {
      const name = attachmentFilename(request.getHeader('content-disposition'));
      if (name === null) return { status: 400, reason: 'the upload endpoint needs Content-Disposition: attachment; filename="/path"' };
      sub = encodedPathOf(name);
    }
    const place = placeOf(sub, this.options.dotfiles);
    if (isRefusal(place)) return { status: place.status, reason: place.reason };
    if (place.dirSlash) return mkdirOp(this._ctx, request, place);
    const declared = request.getHeader('content-length') === undefined ? -1 : request.contentLength;
    return uploadOp(this._ctx, request, place, source, declared, admitted);
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

/** The body of a PUT / POST that has none. */
const EMPTY_SOURCE: BodySource = { chunks: { [Symbol.asyncIterator]: async function* () { /* nothing */ } }, signal: new AbortController().signal };

/** How long a stored upload waits for its request to reach the module's stage once the body is complete. */
const ADMIT_MS = 30_000;

/**
 * core claims a body (`onRequestBody`) before the pipeline's access stage (`onAccessCheck`) runs: an
 * upload is stored in its temp file as it arrives but replaces the target only once the request reached
 * this module's stage (the access checks passed). A request answered by an earlier stage never does:
 * its upload is dropped ADMIT_MS after its body ended.
 */
class Admission {
  readonly promise: Promise<boolean>;
  private _settle!: (ok: boolean) => void;
  constructor(ended: Promise<boolean>) {
    this.promise = new Promise((r) => { this._settle = r; });
    void ended.then((ok) => {
      if (!ok) { this._settle(false); return; }
      setTimeout(() => this._settle(false), ADMIT_MS).unref();
    });
  }
  admit(): void { this._settle(true); }
}
