/**
 * The HTTP/1.1 request parser (RFC 9112): a state machine fed from a connection's buffer slot.
 *
 * Contract with the caller (the engine's connection):
 * - `execute(buf, start, end)` returns how many bytes it consumed. Bytes it did not consume stay with the
 *   caller, which presents them again, followed by whatever arrives next, at the next call (typically
 *   after moving them to the front of the slot). The parser never keeps a reference to `buf`.
 * - A head (and a trailer section) is consumed only once complete: until then `execute` consumes
 *   nothing of it, and the slot holds it. A head that cannot complete within `maxHeadBytes` is refused
 *   (414 while the request line is unfinished, 431 after). Body bytes are consumed as they arrive.
 * - Several pipelined requests in one buffer are parsed in one call, unless a callback calls `pause()`:
 *   then `execute` returns at once with the bytes consumed so far; `resume()` and call again.
 * - After `onError` the parser is dead (the framing is in doubt): the caller sends the pre-encoded
 *   response for the error's status, closes, and calls `reset()` before any reuse.
 */
import { ChunkState, ChunkedDecoder } from './chunked';
import { HttpError, type HttpErrorCode } from './errors';
import { createHead, parseRequestHead, RepeatedHead, type RequestHead } from './head';
import { parseFieldLines } from './parse-head';
import { BARE_LF, hasBareLf, NEED_MORE, SectionScanner } from './section-scan';

export type { RequestHead } from './head';

/** Bounds of one connection's parser; every one is enforced before memory is spent. */
export interface ParserLimits {
  /** Largest head (request line + fields + final CRLF), normally the slot size. */
  maxHeadBytes: number;
  /** Most field lines in a head (and in a trailer section); 100 by default. */
  maxHeaders?: number;
  /** Largest body (MaxRequestContentLength), declared by Content-Length or decoded from chunks. */
  maxBodyBytes: number;
  /** Most bytes of chunk extensions (and the whitespace before them) in one message; 16 KiB by default. */
  maxChunkExtBytes?: number;
  /** Largest trailer section, at most maxHeadBytes (it must fit in the slot); maxHeadBytes by default. */
  maxTrailerBytes?: number;
}

/** Receives the parser's events. Buffer views are valid only during the call. */
export interface ParserHandler {
  /** The head is complete and valid. */
  onHead(head: RequestHead): void;
  /** Body bytes buf[start, end), de-chunked; copy them to keep them. */
  onBody(buf: Buffer, start: number, end: number): void;
  /**
   * The message is complete; `trailers` is the flat [lowerName, value, …] trailer list or null; `head`
   * the message's head (to give back with releaseHead once its request no longer uses it).
   */
  onMessageComplete(trailers: string[] | null, head: RequestHead): void;
  /** The request was refused; the parser is dead: answer `err.status`, then close. */
  onError(err: HttpError): void;
  /**
   * Optional: the most body bytes accepted for this head (a head with a body only), asked before the
   * size check; without it, `maxBodyBytes`. Lets the application take a body larger than the default.
   */
  bodyLimit?(head: RequestHead): number;
}

/** States of {@link HttpRequestParser}. */
export const ParserState = {
  /** Waiting for (the rest of) a head: between requests, or inside a head not yet complete. */
  HEAD: 0,
  /** Reading a Content-Length body. */
  BODY: 1,
  /** Reading a chunked body. */
  CHUNKED: 2,
  /** Waiting for the complete trailer section of a chunked body. */
  TRAILERS: 3,
  /** The message is complete but onMessageComplete is still due (paused before it). */
  COMPLETE: 4,
  /** A request was refused; nothing more is parsed until reset(). */
  DEAD: 5,
} as const;

/** A value of {@link ParserState}. */
export type ParserStateValue = (typeof ParserState)[keyof typeof ParserState];

/** RFC 9112 §2.2 asks to ignore "at least one" empty line before a request-line; more is abuse. */
const MAX_LEADING_EMPTY_LINES = 8;
function checkLimit(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`ParserLimits.${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * An incremental HTTP/1.1 request parser; one per connection, reused across its requests. Its base,
 * SectionScanner (section-scan.ts), finds where a head or a trailer section ends.
 */
export class HttpRequestParser extends SectionScanner {
  private handler: ParserHandler;
  private readonly maxHeadBytes: number;
  private readonly maxHeaders: number;
  private readonly maxBodyBytes: number;
  private readonly maxChunkExtBytes: number;
  private readonly maxTrailerBytes: number;
  /** Created on the first chunked body: most connections never see one. */
  private _dec: ChunkedDecoder | null = null;
  private get dec(): ChunkedDecoder { return (this._dec ??= new ChunkedDecoder()); }
  private _state: ParserStateValue = ParserState.HEAD;
  private _paused = false;
  /** Content-Length bytes still due (state BODY). */
  private remaining = 0;
  private emptyLines = 0;
  private head: RequestHead | null = null;
  private trailers: string[] | null = null;
  /** The last head accepted, to take an identical next one without validating it again. */
  private readonly repeated = new RepeatedHead();

  /**
   * @param handler receives the events.
   * @param limits bounds; throws RangeError naming the limit when one is out of range.
   */
  constructor(handler: ParserHandler, limits: ParserLimits) {
    super();
    this.handler = handler;
    this.maxHeadBytes = checkLimit('maxHeadBytes', limits.maxHeadBytes, 16, 0x3fffffff);
    this.maxHeaders = checkLimit('maxHeaders', limits.maxHeaders ?? 100, 0, 0xffff);
    this.maxBodyBytes = checkLimit('maxBodyBytes', limits.maxBodyBytes, 0, Number.MAX_SAFE_INTEGER);
    this.maxChunkExtBytes = checkLimit('maxChunkExtBytes', limits.maxChunkExtBytes ?? 16384, 0, 0x3fffffff);
    this.maxTrailerBytes = checkLimit('maxTrailerBytes', limits.maxTrailerBytes ?? this.maxHeadBytes, 2, this.maxHeadBytes);
  }

  /** Current state, see {@link ParserState}. */
  get state(): ParserStateValue {
    return this._state;
  }

  /** True after pause() until resume(): execute() consumes nothing. */
  get paused(): boolean {
    return this._paused;
  }

  /** The head of the message being read (between onHead and onMessageComplete), else null. */
  get currentHead(): RequestHead | null {
    return this.head;
  }

  /**
   * Stops execute() after the current callback returns; no further callback fires until resume().
   * The parser pauses itself after the onMessageComplete of an upgrade (or CONNECT) request: the bytes
   * after it belong to another protocol.
   */
  pause(): void {
    this._paused = true;
  }

  /** Lets the next execute() continue where the pause stopped (it may fire a due onMessageComplete). */
  resume(): void {
    this._paused = false;
  }

  /**
   * True between messages with nothing kept: no partial head scanned, no leading empty line counted, not
   * paused, not dead. Such a parser may serve another connection (see engine/parser-pool.ts).
   */
  get idle(): boolean {
    return this._state === ParserState.HEAD && !this._paused && this.scanned === 0 && this.emptyLines === 0;
  }

  /** Sends the events to `handler` from now on (an idle parser handed to another connection). */
  rebind(handler: ParserHandler): void {
    this.handler = handler;
  }

  /** Back to the initial state, for a new connection or after an error. Not from inside a callback. */
  reset(): void {
    this._state = ParserState.HEAD;
    this._paused = false;
    this.remaining = 0;
    this.scanned = 0;
    this.emptyLines = 0;
    this.head = null;
    this.trailers = null;
    this.win = null;
  }

  /**
   * Parses buf[start, end) and returns the number of bytes consumed (from `start`). The unconsumed rest
   * must be presented again, followed by new bytes, at the next call. Consumes nothing when paused or dead.
   * The bytes must not change during the call, callbacks included (the parser reads them as a string too).
   */
  execute(buf: Buffer, start: number, end: number): number {
    if (this._paused || this._state === ParserState.DEAD) return 0;
    const handler = this.handler;
    let pos = start;
    this.win = null;
    while (!this._paused) {
      const st: ParserStateValue = this._state;
      if (st === ParserState.HEAD) {
        if (pos >= end) break;
        pos = this.readHead(buf, pos, end);
        if (this._state === ParserState.HEAD) break; // incomplete (or dead)
      } else if (st === ParserState.BODY) {
        if (pos >= end) break;
        const avail = end - pos;
        const n = avail < this.remaining ? avail : this.remaining;
        this.remaining -= n;
        if (this.remaining === 0) this._state = ParserState.COMPLETE;
        handler.onBody(buf, pos, pos + n);
        pos += n;
      } else if (st === ParserState.CHUNKED) {
        if (pos >= end) break;
        const dec = this.dec;
        if (dec.state === ChunkState.DATA) {
          const avail = end - pos;
          const n = avail < dec.remaining ? avail : dec.remaining;
          dec.remaining -= n;
          if (dec.remaining === 0) dec.state = ChunkState.DATA_CR;
          handler.onBody(buf, pos, pos + n);
          pos += n;
        } else {
          pos = dec.framing(buf, pos, end);
          if (dec.error !== null) {
            this.fail(dec.error);
            break;
          }
          if (dec.state === ChunkState.TRAILERS) this._state = ParserState.TRAILERS;
        }
      } else if (st === ParserState.TRAILERS) {
        if (pos >= end) break;
        pos = this.readTrailers(buf, pos, end);
        if (this._state === ParserState.TRAILERS) break; // incomplete (or dead)
      } else if (st === ParserState.COMPLETE) {
        const head = this.head!;
        const trailers = this.trailers;
        this.head = null;
        this.trailers = null;
        this._state = ParserState.HEAD;
        // What follows an upgrade or a CONNECT is not HTTP/1.1: stop there (RFC 9110 §7.8, §9.3.6).
        if (head.upgrade || head.method === 'CONNECT') this._paused = true;
        handler.onMessageComplete(trailers, head);
      } else {
        break; // DEAD
      }
    }
    // Drop the latin1 copy: an idle connection must not hold a string of its last reads.
    this.win = null;
    return pos - start;
  }

  /** A read holding exactly the previous head again is found without searching it (section-scan.ts). */
  protected override knownSection(): string | null {
    return this.repeated.source;
  }

  protected override knownWords(): Int32Array {
    return this.repeated.sourceWords;
  }

  /** Reads a head at pos; returns the new position. Leaves the state HEAD when more bytes are needed. */
  private readHead(buf: Buffer, pos: number, end: number): number {
    if (this.scanned === 0) {
      // RFC 9112 §2.2: ignore empty lines (CRLF) received before the request-line; bounded.
      while (buf[pos] === 0x0d) {
        if (pos + 1 >= end) return pos;
        if (buf[pos + 1] !== 0x0a) break; // a stray CR: the request-line check refuses it
        if (++this.emptyLines > MAX_LEADING_EMPTY_LINES) return this.fail('ERR_MWS_BAD_REQUEST_LINE', pos);
        pos += 2;
        if (pos >= end) return pos;
      }
    }
    const limit = this.maxHeadBytes;
    const idx = this.findSection(buf, pos, end, limit);
    if (idx < 0) {
      if (idx === NEED_MORE) return pos;
      if (idx === BARE_LF) return this.fail('ERR_MWS_BARE_LF', pos);
      // Too large: 414 while the request line itself is unfinished (RFC 9112 §3), else 431 (RFC 6585 §5).
      const lf = buf.indexOf(0x0a, pos);
      return this.fail(lf >= 0 && lf < pos + limit && lf < end ? 'ERR_MWS_HEADERS_TOO_LARGE' : 'ERR_MWS_URI_TOO_LONG', pos);
    }
    const head = createHead();
    const base = this.winStart;
    const s = this.win!;
    if (!this.repeated.take(s, base, pos, idx + 2, head)) {
      const err = parseRequestHead(buf, s, base, pos, idx + 2, this.maxHeaders, head);
      if (err !== null) return this.failSection(err, pos, idx);
      this.repeated.keep(s, base, pos, idx + 2, head);
    }
    const hasBody = head.chunked || head.contentLength > 0;
    const maxBody = hasBody && this.handler.bodyLimit !== undefined ? this.handler.bodyLimit(head) : this.maxBodyBytes;
    // 413 as soon as the declared length is known, before any body byte is read.
    if (head.contentLength > maxBody) return this.fail('ERR_MWS_BODY_TOO_LARGE', pos);
    this.scanned = 0;
    this.emptyLines = 0;
    this.head = head;
    if (head.chunked) {
      this.dec.reset(maxBody, this.maxChunkExtBytes);
      this._state = ParserState.CHUNKED;
    } else if (head.contentLength > 0) {
      this.remaining = head.contentLength;
      this._state = ParserState.BODY;
    } else {
      // RFC 9112 §6.3 item 7: a request with neither Content-Length nor Transfer-Encoding has no body.
      this._state = ParserState.COMPLETE;
    }
    this.handler.onHead(head);
    return idx + 4;
  }

  /** Reads the trailer section of a chunked body (RFC 9112 §7.1.2) once complete. */
  private readTrailers(buf: Buffer, pos: number, end: number): number {
    if (this.scanned === 0 && buf[pos] === 0x0d) {
      if (pos + 1 >= end) return pos;
      // chunked-body ends with trailer-section CRLF (§7.1); no trailer fields here.
      if (buf[pos + 1] !== 0x0a) return this.fail('ERR_MWS_BAD_CHUNK', pos);
      this._state = ParserState.COMPLETE;
      return pos + 2;
    }
    const idx = this.findSection(buf, pos, end, this.maxTrailerBytes);
    if (idx < 0) {
      if (idx === NEED_MORE) return pos;
      return this.fail(idx === BARE_LF ? 'ERR_MWS_BARE_LF' : 'ERR_MWS_TRAILERS_TOO_LARGE', pos);
    }
    const fields: string[] = [];
    const base = this.winStart;
    const err = parseFieldLines(buf, this.win!, base, pos, idx + 2, fields, this.maxHeaders);
    if (err !== null) return this.failSection(err, pos, idx);
    this.scanned = 0;
    this.trailers = fields;
    this._state = ParserState.COMPLETE;
    return idx + 4;
  }

  /**
   * Fails a complete section [pos, idx) with `code`, or with BARE_LF when the section has a bare LF
   * anywhere: a split delivery would have reported that one first (findSection), and the outcome must
   * not depend on how the bytes were split.
   */
  private failSection(code: HttpErrorCode, pos: number, idx: number): number {
    const base = this.winStart;
    if (code !== 'ERR_MWS_BARE_LF' && hasBareLf(this.win!, pos - base, idx + 2 - base, pos - base)) code = 'ERR_MWS_BARE_LF';
    return this.fail(code, pos);
  }

  /** Reports `code` once and kills the parser; returns `pos` for the caller's convenience. */
  private fail(code: HttpErrorCode, pos: number = 0): number {
    this._state = ParserState.DEAD;
    this.head = null;
    this.trailers = null;
    this.scanned = 0;
    this.handler.onError(new HttpError(code));
    return pos;
  }
}
