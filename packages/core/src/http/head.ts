/**
 * A parsed request head (RFC 9112 §3, §5) as the rest of core sees it: `RequestHead`, the free list
 * retired requests give their heads back to, the field list sliced from the head's latin1 string only
 * when asked, `parseRequestHead`, which fills a head (it owns the head's internal fields), and
 * `RepeatedHead`, which fills one from the parser's previous head when the bytes are the same. The
 * validation itself — request line, field lines, framing — is in parse-head.ts, below this file.
 */
import type { HttpErrorCode } from './errors';
import {
  F_CHUNKED, F_EXPECT_CONTINUE, F_HOST_FROM_TARGET, F_KEEP_ALIVE, F_MINOR1, F_UPGRADE, FIELD_NAMES, parseHead, parsed,
} from './parse-head';

/**
 * A parsed, validated request head. One object per request: the handler may keep it.
 *
 * Field values are not materialised at parse time (issue 19: most requests never read a field the
 * parser has not already interpreted): the head keeps the latin1 string of its bytes, an immutable
 * copy made once per read and shared by pipelined heads, and slices `headers` and `host` from it on
 * first use. Reading them after the slot was reused (a request kept past its read, a pipelined
 * request's later head) therefore still returns this head's values.
 */
export class RequestHead {
  /** Method token, case-sensitive as sent (RFC 9110 §9.1). */
  method = '';
  /** The raw request-target. */
  target = '';
  /**
   * The path to route on, still percent-encoded: origin-form → target before '?'; absolute-form → the
   * path after the authority ('/' when empty); asterisk-form → '*'; authority-form (CONNECT) → the target.
   */
  path = '';
  /** The query after the first '?', '' when none. */
  queryString = '';
  /** Content-Length, -1 when absent (always -1 when chunked). */
  contentLength = -1;
  /** @internal versionMinor and the booleans below, as F_* bits (one field: a smaller object per request). */
  _flags = F_MINOR1;
  /** @internal The latin1 string holding the head; the offsets below index it. */
  _src = '';
  /** @internal [from, to) of the field lines in `_src` (`to` just past the last line's CRLF). */
  _fieldsFrom = 0;
  /** @internal */
  _fieldsTo = 0;
  /** @internal The materialised field list, or null until asked (or set). */
  _fields: string[] | null = null;

  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  get versionMinor(): 0 | 1 { return (this._flags & F_MINOR1) !== 0 ? 1 : 0; }
  set versionMinor(v: 0 | 1) { this._set(F_MINOR1, v === 1); }
  /** The body is chunked (Transfer-Encoding: chunked). */
  get chunked(): boolean { return (this._flags & F_CHUNKED) !== 0; }
  set chunked(v: boolean) { this._set(F_CHUNKED, v); }
  /** The connection persists after this exchange (RFC 9112 §9.3). */
  get keepAlive(): boolean { return (this._flags & F_KEEP_ALIVE) !== 0; }
  set keepAlive(v: boolean) { this._set(F_KEEP_ALIVE, v); }
  /** HTTP/1.1 `Expect: 100-continue`: send 100 Continue before reading the body (RFC 9110 §10.1.1). */
  get expectContinue(): boolean { return (this._flags & F_EXPECT_CONTINUE) !== 0; }
  set expectContinue(v: boolean) { this._set(F_EXPECT_CONTINUE, v); }
  /** HTTP/1.1, Connection has the token `upgrade` and an Upgrade field is present (RFC 9110 §7.8). */
  get upgrade(): boolean { return (this._flags & F_UPGRADE) !== 0; }
  set upgrade(v: boolean) { this._set(F_UPGRADE, v); }

  /** Field lines in order, flat: [lowerName, value, lowerName, value, …]; values OWS-trimmed. */
  get headers(): string[] {
    if (this._fields === null) this._fields = fieldsOf(this._src, this._fieldsFrom, this._fieldsTo);
    return this._fields;
  }
  set headers(v: string[]) { this._fields = v; }

  /**
   * The Host field value, or the authority of an absolute-form target (RFC 9112 §3.2.2: it wins over
   * Host) or the CONNECT target; '' when none (HTTP/1.0). Found again on each read (rarely read).
   */
  get host(): string {
    if ((this._flags & F_HOST_FROM_TARGET) === 0) return headerValue(this.headers, 'host') ?? '';
    const t = this.target;
    if (this.method === 'CONNECT') return t;
    // absolute-form: "http://" or "https://", the authority, then '/', '?' or the end.
    const a = t.indexOf('//') + 2;
    let e = a;
    while (e < t.length && t.charCodeAt(e) !== 0x2f && t.charCodeAt(e) !== 0x3f) e++;
    return t.slice(a, e);
  }

  private _set(bit: number, on: boolean): void {
    this._flags = on ? this._flags | bit : this._flags & ~bit;
  }

  /** Back to a new head's values (releaseHead: a freed head serves a later request). */
  clear(): void {
    this.method = '';
    this.target = '';
    this.path = '';
    this.queryString = '';
    this.contentLength = -1;
    this._flags = F_MINOR1;
    this._src = '';
    this._fieldsFrom = 0;
    this._fieldsTo = 0;
    this._fields = null;
  }
}

/**
 * Heads given back by retired requests (issue 19), shared by every connection of the process: a new head
 * comes from here when one is free. Bounded: at most what a few busy reads need; an idle connection
 * keeps none.
 */
const FREE_HEADS: RequestHead[] = [];
const MAX_FREE_HEADS = 64;

/** A new head with every field initialised, so that all heads share one shape (a freed one when there is one). */
export function createHead(): RequestHead {
  return FREE_HEADS.pop() ?? new RequestHead();
}

/** Gives back a head nothing uses any more (its request was retired): cleared now, it serves a later request. */
export function releaseHead(head: RequestHead): void {
  if (FREE_HEADS.length >= MAX_FREE_HEADS) return;
  head.clear();
  FREE_HEADS.push(head);
}

/**
 * The field list of validated field lines s[i, to): the values are sliced only now. Names were checked
 * as tokens and values hold no CR, LF or NUL, so the first ':' ends the name and the next CR the line.
 */
function fieldsOf(s: string, i: number, to: number): string[] {
  const out: string[] = [];
  while (i < to) {
    const colon = s.indexOf(':', i);
    const cr = s.indexOf('\r', colon);
    const name = FIELD_NAMES.findString(s, i, colon) ?? s.slice(i, colon).toLowerCase();
    let vs = colon + 1;
    let ve = cr;
    let c = 0;
    while (vs < ve && ((c = s.charCodeAt(vs)) === 0x20 || c === 0x09)) vs++;
    while (ve > vs && ((c = s.charCodeAt(ve - 1)) === 0x20 || c === 0x09)) ve--;
    out.push(name, vs === ve ? '' : s.slice(vs, ve));
    i = cr + 2;
  }
  return out;
}

/** The first value of field `lowerName` in a flat [name, value, …] list, or undefined. */
export function headerValue(headers: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === lowerName) return headers[i + 1];
  return undefined;
}

/**
 * The last head a parser accepted, kept so that a byte-identical next head is taken without being
 * validated again (issue 19). Keep-alive clients often repeat a request exactly (polling, health checks,
 * monitoring, load generators). Validation reads every byte from a typed array, ~13 instructions per
 * byte read on Node 20, three to four reads per head byte; comparing two latin1 strings is the engine's
 * own loop. A head that differs, even by one byte, is parsed in full. The result of a parse depends only
 * on the bytes and the parser's maxHeaders, so an identical head has an identical result; errors are
 * never kept.
 *
 * One per parser. It keeps the head's string, at most {@link MAX_KEPT_WINDOW} characters of the read
 * it came from (a slice shares its parent's memory), and the parse results (strings are immutable:
 * heads share them, and a handler rewriting `head.path` changes its head only).
 *
 * A head alone in its read (one request per read, the usual keep-alive case) is the read's string
 * itself: compared and kept at no cost. A pipelined head must be sliced out of the read, and V8 compares
 * a slice in its runtime (~500 instructions with the slicing); after a pipelined head that was not a
 * repeat, the next {@link PIPELINED_PAUSE} pipelined heads are not tried, so that pipelined heads that
 * all differ pay that once per {@link PIPELINED_PAUSE} + 1 heads, while identical ones are all taken.
 */
export class RepeatedHead {
  private src: string | null = null;
  private method = '';
  private target = '';
  private path = '';
  private queryString = '';
  private contentLength = -1;
  private flags = 0;
  /** Where the field lines start, from the head's first byte. */
  private fieldsAt = 0;
  /** Pipelined heads still to pass without trying (see the class). */
  private pause = 0;
  /** Set by a failed {@link take}: whether {@link keep} should keep the head parsed next. */
  private learn = false;
  /** The pipelined head sliced by a failed {@link take}, for {@link keep} (no second slice); null: none made. */
  private sliced: string | null = null;

  /** True when the last {@link take} was a hit: the next head is likely the same again. */
  private hit = false;
  /** {@link sourceWords}, made at the kept head's first repeat (null until then, and after each keep). */
  private words: Int32Array | null = null;

  /**
   * The kept head's text (its bytes as latin1, CRLFCRLF included) while heads repeat (the last take hit),
   * else null: see SectionScanner.knownSection. After a miss the next head is compared by take alone, so
   * heads that all differ are compared once each, as before this was offered.
   */
  get source(): string | null { return this.hit ? this.src : null; }

  /**
   * The kept head's bytes, four to an element in the platform's byte order (as an Int32Array over the
   * slot reads them), its last `length % 4` bytes left out: a read is compared with it in place, without
   * a copy (SectionScanner.findSection). Call only while {@link source} is not null.
   */
  get sourceWords(): Int32Array {
    if (this.words === null) {
      const src = this.src!;
      const w = new Int32Array(src.length >> 2);
      const b = new Uint8Array(w.buffer);
      for (let i = 0; i < b.length; i++) b[i] = src.charCodeAt(i);
      this.words = w;
    }
    return this.words;
  }

  /**
   * Fills `head` as the kept head, when s[from - base, to + 2 - base) (the head, `to` just past the last
   * field line's CRLF, followed by the empty line) equals it; otherwise false and `head` is untouched.
   */
  take(s: string, base: number, from: number, to: number, head: RequestHead): boolean {
    const a = from - base;
    const len = to + 2 - from;
    const alone = a === 0 && s.length === len;
    if (!alone) {
      if (this.pause > 0) {
        this.pause--;
        this.learn = false;
        this.hit = false;
        return false;
      }
      this.pause = PIPELINED_PAUSE; // undone below on a hit
    }
    this.learn = true;
    this.sliced = null;
    this.hit = false;
    const src = this.src;
    // Different lengths: different heads, known without touching the bytes.
    if (src === null || src.length !== len) return false;
    if (!alone) {
      this.sliced = s.slice(a, a + len);
      if (this.sliced !== src) return false;
      this.sliced = null;
    } else if (s !== src) return false;
    this.pause = 0;
    this.hit = true;
    head.method = this.method;
    head.target = this.target;
    head.path = this.path;
    head.queryString = this.queryString;
    head.contentLength = this.contentLength;
    head._flags = this.flags;
    head._src = s;
    head._fieldsFrom = a + this.fieldsAt;
    head._fieldsTo = to - base;
    return true;
  }

  /** Keeps `head`, just parsed from s[from - base, to + 2 - base) after a failed {@link take}. */
  keep(s: string, base: number, from: number, to: number, head: RequestHead): void {
    if (!this.learn) return;
    // Bounded memory: no more of the read than MAX_KEPT_WINDOW characters stays referenced.
    if (s.length > MAX_KEPT_WINDOW) { this.src = null; this.sliced = null; this.words = null; return; }
    const a = from - base;
    const len = to + 2 - from;
    this.src = a === 0 && s.length === len ? s : this.sliced ?? s.slice(a, a + len);
    this.sliced = null;
    this.words = null;
    this.method = head.method;
    this.target = head.target;
    this.path = head.path;
    this.queryString = head.queryString;
    this.contentLength = head.contentLength;
    this.flags = head._flags;
    this.fieldsAt = head._fieldsFrom - a;
  }
}

/** The largest read string a {@link RepeatedHead} keeps a reference to (the parser's first slice is 1 KiB). */
export const MAX_KEPT_WINDOW = 2048;
/** Pipelined heads passed without trying after one that was not a repeat (see {@link RepeatedHead}). */
export const PIPELINED_PAUSE = 15;

/**
 * Parses and validates a complete head b[from, to), where `to` is just past the CRLF of the last field
 * line (the empty line is not included) and `s[k - base]` is `b[k]`. Fills `head` (from
 * {@link createHead}); returns null or the code of the first violation found.
 */
export function parseRequestHead(b: Uint8Array, s: string, base: number, from: number, to: number, maxHeaders: number, head: RequestHead): HttpErrorCode | null {
  const err = parseHead(b, s, base, from, to, maxHeaders, head);
  if (err === null) {
    head._src = s;
    head._fieldsFrom = parsed.afterLine - base;
    head._fieldsTo = to - base;
    head._flags = parsed.flags;
  }
  return err;
}
