/**
 * multipart/form-data (and urlencoded) bodies through busboy (RFC 7578): the parts of a body as they
 * arrive, with limits, over a request's {@link RequestBody} (streamed or buffered alike); and the fields of
 * a buffered body for the synchronous form API.
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { MwsError } from '../base/errors';
import type { RequestBody } from './body-stream';

/** Limits of `request.multipart(limits)`; passing one → ERR_MWS_MULTIPART_LIMIT (413). */
export interface MultipartLimits {
  /** Most file parts (default: no limit). */
  files?: number;
  /** Most field (non-file) parts (default: no limit). */
  fields?: number;
  /** Most parts, fields and files (default: no limit). */
  parts?: number;
  /** Largest field value in bytes (default 1 MiB, busboy's). */
  fieldSize?: number;
  /** Largest file in bytes (default: no limit). */
  fileSize?: number;
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  /** `'file'` when the part has a filename (or is application/octet-stream), else `'field'`. */
  kind: 'field' | 'file';
  /** The form field's name. */
  name: string;
  /** The file's name as sent, without its directories (files only; may be empty). */
  filename?: string;
  /** The part's Content-Type (text/plain for fields without one). */
  mimeType: string;
  /** The part's Content-Transfer-Encoding (7bit by default). */
  encoding: string;
  /** A field's value. */
  value?: string;
  /**
   * A file's bytes: consume it (or `resume()` it to drop them) before asking for the next part; one not
   * read at all is dropped when the next part is asked for. Errors with ERR_MWS_MULTIPART_LIMIT past
   * `fileSize` (never a silently truncated file), or with the body's error.
   */
  stream?: Readable;
}

const LIMIT_NAMES = ['files', 'fields', 'parts', 'fieldSize', 'fileSize'] as const;

function checkLimits(limits: MultipartLimits | undefined): MultipartLimits {
  if (limits === undefined) return {};
  if (limits === null || typeof limits !== 'object') throw new MwsError('ERR_MWS_INVALID_OPTION', `request.multipart(limits): limits must be an object of ${LIMIT_NAMES.join(', ')}, got ${String(limits)}`);
  for (const k of Object.keys(limits)) {
    if (!(LIMIT_NAMES as readonly string[]).includes(k)) throw new MwsError('ERR_MWS_INVALID_OPTION', `request.multipart(limits): unknown limit ${JSON.stringify(k)} (allowed: ${LIMIT_NAMES.join(', ')})`);
    const v = (limits as Record<string, unknown>)[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw new MwsError('ERR_MWS_INVALID_OPTION', `request.multipart(limits): limits.${k} must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, got ${String(v)}`);
    }
  }
  return limits;
}

function ignore(): void { /* see PartIterator: the iterator reports it */ }

function limitError(msg: string): MwsError {
  return new MwsError('ERR_MWS_MULTIPART_LIMIT', msg);
}

function badMultipart(err: unknown): MwsError {
  return new MwsError('ERR_MWS_BAD_MULTIPART', `malformed multipart/form-data body: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * A file stream's error as its reader sees it: busboy's own (a plain `Error`, e.g. "Unexpected end of
 * form" when the body ends inside a part) becomes ERR_MWS_BAD_MULTIPART; ours (limits, the body's
 * MwsErrors, an AbortError) stay as they are.
 */
function partError(err: Error): Error {
  return Object.getPrototypeOf(err) === Error.prototype && err.name === 'Error' ? badMultipart(err) : err;
}

type Destroy = (this: Readable, err?: Error) => Readable;

/** busboy fails a file stream with `destroy(err)`: the error is normalised before the stream sees it. */
function wrapDestroy(stream: Readable): void {
  const destroy = stream.destroy as Destroy;
  (stream as { destroy: Destroy }).destroy = function (this: Readable, err?: Error): Readable {
    return destroy.call(this, err instanceof Error ? partError(err) : err);
  };
}

/** Makes busboy for a content type, or throws ERR_MWS_BAD_MULTIPART (not a form type, no boundary). */
function makeParser(contentType: string | undefined, limits: busboy.Limits): busboy.Busboy {
  try {
    return busboy({ headers: { 'content-type': contentType ?? '' }, limits });
  } catch (err) {
    throw badMultipart(err);
  }
}

/**
 * The parts of a body as an async iterator. A feeding loop reads the body and writes it to busboy, one
 * piece at a time, only while no part waits to be taken and busboy is not held by an unread file
 * (its write callback comes late then): memory stays at a piece, a file stream's buffer and the parts
 * the caller has not asked for yet (one field at most).
 */
class PartIterator implements AsyncIterableIterator<MultipartPart> {
  private readonly _bb: busboy.Busboy;
  private readonly _body: RequestBody;
  private readonly _limits: MultipartLimits;
  private readonly _parts: MultipartPart[] = [];
  private _count = 0;
  private _file: Readable | null = null;
  private _err: Error | null = null;
  private _finished = false;
  private _stopped = false;
  private _wake: (() => void) | null = null;
  /** The body's Readable, flowing into busboy (see {@link _feed}). */
  private _src: Readable | null = null;
  /** busboy holds a piece (its write callback has not come yet). */
  private _writing = false;
  private _written: ((err?: Error | null) => void) | null = null;

  constructor(bb: busboy.Busboy, body: RequestBody, limits: MultipartLimits) {
    this._bb = bb;
    this._body = body;
    this._limits = limits;
    bb.on('field', (name, value, info) => {
      if (info.nameTruncated) return this._fail(limitError(`multipart field name longer than 100 bytes (${JSON.stringify(name)}…)`));
      if (info.valueTruncated) return this._fail(limitError(`multipart field "${name}" is longer than limits.fieldSize (${limits.fieldSize ?? 1024 * 1024} bytes)`));
      if (this._counted()) this._push({ kind: 'field', name, value, mimeType: info.mimeType, encoding: info.encoding });
    });
    bb.on('file', (name, stream, info) => {
      // Its errors (a limit, the body's error, busboy's own) also reach the iterator: one nobody listens
      // to must not crash the process.
      stream.on('error', ignore);
      wrapDestroy(stream);
      stream.on('limit', () => {
        const e = limitError(`multipart file "${info.filename ?? name}" is larger than limits.fileSize (${limits.fileSize} bytes)`);
        stream.destroy(e);
        this._fail(e);
      });
      if (!this._counted()) { stream.resume(); return; }
      this._push({ kind: 'file', name, filename: info.filename ?? '', mimeType: info.mimeType, encoding: info.encoding, stream });
    });
    bb.on('filesLimit', () => this._fail(limitError(`more than limits.files (${limits.files}) files in the multipart body`)));
    bb.on('fieldsLimit', () => this._fail(limitError(`more than limits.fields (${limits.fields}) fields in the multipart body`)));
    bb.on('error', (err) => this._fail(badMultipart(err)));
    bb.on('finish', () => { this._finished = true; this._wakeUp(); });
    this._feed();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<MultipartPart> { return this; }

  async next(): Promise<IteratorResult<MultipartPart>> {
    // A file part not read at all is dropped, so that busboy can go on to the next part.
    const prev = this._file;
    this._file = null;
    if (prev !== null && !prev.readableEnded && !prev.destroyed && prev.readableFlowing === null) prev.resume();
    for (;;) {
      if (this._err !== null) { this.stop(); throw this._err; }
      const part = this._parts.shift();
      if (part !== undefined) {
        if (part.stream !== undefined) this._file = part.stream;
        this._feedOn();
        return { value: part, done: false };
      }
      if (this._finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => { this._wake = resolve; });
    }
  }

  /** `break` out of a `for await`: stop parsing (the rest of the body is not read). */
  async return(): Promise<IteratorResult<MultipartPart>> {
    this.stop();
    return { value: undefined, done: true };
  }

  private stop(): void {
    if (this._stopped) return;
    this._stopped = true;
    this._src?.pause();
    this._file?.destroy();
    // Not from inside one of busboy's own callbacks (it goes on using its state after them).
    queueMicrotask(() => this._bb.destroy());
  }

  private _counted(): boolean {
    const max = this._limits.parts;
    if (max !== undefined && ++this._count > max) {
      this._fail(limitError(`more than limits.parts (${max}) parts in the multipart body`));
      return false;
    }
    return true;
  }

  private _push(part: MultipartPart): void {
    this._parts.push(part);
    this._wakeUp();
  }

  private _fail(err: Error): void {
    if (this._err !== null) return;
    this._err = err;
    this._file?.destroy(err);
    for (const p of this._parts) p.stream?.destroy(err);
    this._wakeUp();
  }

  private _wakeUp(): void {
    const w = this._wake;
    this._wake = null;
    w?.();
  }

  /**
   * Reads the body into busboy while the caller keeps up: the body's `Readable` flows into busboy (each
   * piece as it came, no joining) and is paused while busboy holds a piece (its write callback comes when
   * the file stream's reader took the bytes) or a part waits to be taken. The Readable reads up to its
   * 64 KiB high-water mark ahead meanwhile, as a pipe would: asking for one piece at a time paused and
   * resumed the socket at every piece and left the wire idle while busboy worked.
   */
  private _feed(): void {
    const r = this._body.readable;
    const bb = this._bb;
    this._src = r;
    r.on('data', (chunk: Buffer) => {
      if (this._err !== null || this._stopped) { r.pause(); return; }
      this._writing = true;
      bb.write(chunk, this._written ??= (err?: Error | null) => {
        this._writing = false;
        if (err) this._fail(badMultipart(err));
        else this._feedOn();
      });
      if (this._writing || this._parts.length > 0) r.pause();
    });
    r.on('end', () => { if (this._err === null && !this._stopped) bb.end(); });
    r.on('error', (err: Error) => this._fail(err instanceof MwsError || err.name === 'AbortError' ? err : badMultipart(err)));
  }

  /** Lets the body flow again when busboy took the last piece and no part waits. */
  private _feedOn(): void {
    const r = this._src;
    if (r === null || this._writing || this._parts.length > 0 || this._err !== null || this._stopped || r.readableEnded) return;
    r.resume();
  }
}

/** `request.multipart(limits)`. */
export function multipartParts(contentType: string | undefined, body: RequestBody, limits?: MultipartLimits): AsyncIterableIterator<MultipartPart> {
  const l = checkLimits(limits);
  // parts are counted here: busboy reports reaching its parts limit, not passing it.
  const bb = makeParser(contentType, { files: l.files, fields: l.fields, fieldSize: l.fieldSize, fileSize: l.fileSize });
  return new PartIterator(bb, body, l);
}

/**
 * The fields of a buffered multipart/form-data body (files left out), for `getPostedURLEncodedForm`: one
 * synchronous write, busboy emits the fields during it. {} when the body is malformed.
 */
export function multipartFields(contentType: string, content: Buffer): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let bb: busboy.Busboy;
  try { bb = busboy({ headers: { 'content-type': contentType } }); } catch { return out; }
  bb.on('field', (name, value) => { out[name] = value; });
  // No 'file' listener: busboy skips file parts without making streams.
  bb.on('error', () => { /* malformed: the fields read so far */ });
  bb.end(content);
  return out;
}
