/**
 * The validation of a complete request head: request line and field lines (RFC 9112 §3, §5), and what
 * the framing fields say (length, chunked, keep-alive, 100-continue, upgrade). Apart from head.ts (the
 * `RequestHead` every layer reads): this is the parser's business only. It knows a head as the public
 * fields it sets (`HeadLine`); head.ts's `parseRequestHead` calls it and sets the head's internal fields
 * from `parsed`.
 *
 * Bytes are scanned in the Buffer (a typed-array load per byte is ~3× cheaper than String#charCodeAt on
 * Node 20); strings are sliced out of `s`, the head's single latin1 copy, where `s[k - base]` is
 * `buf[k]`. Common field names and methods are interned: no string is built for them.
 *
 * The functions return an error code instead of throwing: bad input from the network is an ordinary
 * outcome here, and the parser turns the code into an HttpError once.
 */
import {
  InternTable, TARGET_CHAR as TARGET_CHAR_TABLE, TCHAR as TCHAR_TABLE, VALUE_STOP as VALUE_STOP_TABLE, element, eqLower, isValidHost, literal, nextListElement, parseDigits,
} from './chars';
import type { HttpErrorCode } from './errors';

// The byte tables as this module's own constants: read through the import (the compiled `chars_1.TCHAR`),
// each byte of a scan loop re-checked the imported module's object and reloaded the table from it
// (~100 instructions per request head, bench/src/instr-count.sh); a constant of this module is folded
// into the optimized code.
const TCHAR = TCHAR_TABLE;
const TARGET_CHAR = TARGET_CHAR_TABLE;
const VALUE_STOP = VALUE_STOP_TABLE;

// RequestHead._flags bits (head.ts's getters read them).
export const F_MINOR1 = 1;
export const F_CHUNKED = 2;
export const F_KEEP_ALIVE = 4;
export const F_EXPECT_CONTINUE = 8;
export const F_UPGRADE = 16;
export const F_HOST_FROM_TARGET = 32;

/** The public fields of a RequestHead the request line and Content-Length set. */
export interface HeadLine {
  method: string;
  target: string;
  path: string;
  queryString: string;
  contentLength: number;
}

/**
 * Set by a successful {@link parseHead}, read right after by parseRequestHead (head.ts): the head's
 * `_flags` and where its field lines start. Module state, as chars.ts's `element`: no object per head.
 */
export const parsed = { flags: 0, afterLine: 0 };

/** Request field names worth interning: the semantic ones and the ones browsers and tools send. */
export const FIELD_NAMES = new InternTable([
  'host', 'connection', 'content-length', 'transfer-encoding', 'upgrade', 'expect', 'user-agent', 'accept',
  'accept-encoding', 'accept-language', 'accept-charset', 'cookie', 'content-type', 'origin', 'referer',
  'authorization', 'cache-control', 'pragma', 'if-none-match', 'if-modified-since', 'if-match',
  'if-unmodified-since', 'if-range', 'range', 'te', 'trailer', 'keep-alive', 'via', 'forwarded', 'date',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip', 'x-requested-with', 'dnt',
  'upgrade-insecure-requests', 'priority', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest',
  'sec-fetch-user', 'sec-ch-ua', 'sec-ch-ua-mobile', 'sec-ch-ua-platform', 'sec-websocket-key',
  'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'content-encoding',
], true);

/** Common methods (RFC 9110 §9, RFC 5789), interned case-sensitively (methods are case-sensitive). */
const METHODS = new InternTable(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'], false);

const L_HTTP = literal('http://');
const L_HTTPS = literal('https://');
const L_CHUNKED = literal('chunked');
const L_CLOSE = literal('close');
const L_KEEP_ALIVE = literal('keep-alive');
const L_UPGRADE = literal('upgrade');
const L_100_CONTINUE = literal('100-continue');

const CONN_CLOSE = 1;
const CONN_KEEP_ALIVE = 2;
const CONN_UPGRADE = 4;
const EXPECT_CONTINUE = 1;
const EXPECT_OTHER = 2;

// What the field lines of the head being parsed say about framing and the connection. Module state:
// JavaScript is single-threaded and parseHead resets it first, so no object is allocated.
let hosts = 0;
let conn = 0;
let expect = 0;
let hasUpgrade = false;
let contentLength = -1;
let te = false;
let chunkedCount = 0;
let lastIsChunked = false;
let unknownCodings = 0;
/** Set by parseRequestLine: where the field lines start; whether the target carried the authority. */
let afterLine = 0;
let hostFromTarget = false;
/** Set by parseRequestLine: the HTTP minor version (0 or 1). */
let minorVersion = 1;

/** Applies a semantic field (interned `name`, value bytes b[vs, ve)) to the module state. */
function fieldSemantics(name: string, b: Uint8Array, vs: number, ve: number): HttpErrorCode | null {
  switch (name) {
    case 'host':
      // RFC 9112 §3.2: exactly one Host, and a valid one, whatever the version.
      if (++hosts > 1) return 'ERR_MWS_HOST_DUPLICATE';
      if (!isValidHost(b, vs, ve, false, false)) return 'ERR_MWS_HOST_INVALID';
      break;
    case 'content-length':
      // RFC 9112 §6.3 item 5: differing values are unrecoverable. Deliberately stricter: any repetition,
      // identical or comma-listed ("5, 5"), is refused too; no legitimate client sends one.
      if (contentLength >= 0) return 'ERR_MWS_BAD_CONTENT_LENGTH';
      contentLength = parseDigits(b, vs, ve);
      if (contentLength < 0) return 'ERR_MWS_BAD_CONTENT_LENGTH';
      break;
    case 'transfer-encoding':
      // transfer-coding names are case-insensitive (RFC 9112 §7); several field lines form one list.
      te = true;
      for (let i = nextListElement(b, vs, ve); i >= 0; i = nextListElement(b, i, ve)) {
        lastIsChunked = eqLower(b, element.start, element.end, L_CHUNKED);
        if (lastIsChunked) chunkedCount++;
        else unknownCodings++;
      }
      break;
    case 'connection':
      // RFC 9110 §7.6.1: a comma list of case-insensitive connection options.
      for (let i = nextListElement(b, vs, ve); i >= 0; i = nextListElement(b, i, ve)) {
        const a = element.start;
        const e = element.end;
        if (eqLower(b, a, e, L_CLOSE)) conn |= CONN_CLOSE;
        else if (eqLower(b, a, e, L_KEEP_ALIVE)) conn |= CONN_KEEP_ALIVE;
        else if (eqLower(b, a, e, L_UPGRADE)) conn |= CONN_UPGRADE;
      }
      break;
    case 'expect':
      // RFC 9110 §10.1.1: 100-continue is the only expectation, case-insensitive.
      for (let i = nextListElement(b, vs, ve); i >= 0; i = nextListElement(b, i, ve)) {
        expect |= eqLower(b, element.start, element.end, L_100_CONTINUE) ? EXPECT_CONTINUE : EXPECT_OTHER;
      }
      break;
    case 'upgrade':
      if (ve > vs) hasUpgrade = true;
      break;
  }
  return null;
}

/**
 * Validates CRLF-terminated field lines b[i, to) (RFC 9112 §5); `to` is just past the CRLF of the last
 * line. With `out` (trailers) they are collected as [lowerName, value, …]; without (a request head: its
 * values are sliced on demand, see RequestHead), framing fields update the module state instead.
 */
function scanFields(b: Uint8Array, s: string, base: number, i: number, to: number, out: string[] | null, maxFields: number): HttpErrorCode | null {
  let count = 0;
  while (i < to) {
    let c = b[i]!;
    // §5.2: obs-fold (a line starting with SP/HTAB) is rejected; this also covers §2.2's whitespace
    // between the start-line and the first field line.
    if (c === 0x20 || c === 0x09) return 'ERR_MWS_OBS_FOLD';
    // field-name = token (RFC 9110 §5.1); the scan stops at the section's CR at the latest.
    let j = i;
    let upper = false;
    while (TCHAR[(c = b[j]!)] === 1) {
      if (c <= 0x5a && c >= 0x41) upper = true;
      j++;
    }
    // §5.1: no whitespace between field name and colon; an empty name or a line without ':' is invalid.
    if (j === i || c !== 0x3a) return 'ERR_MWS_BAD_HEADER';
    if (++count > maxFields) return 'ERR_MWS_TOO_MANY_HEADERS';
    // field-value (RFC 9110 §5.5): VCHAR, obs-text, SP/HTAB; no other CTL, so no NUL and no lone CR.
    let k = j + 1;
    while (VALUE_STOP[(c = b[k]!)] === 0) k++;
    // §2.2: the line ends in CRLF; a bare LF is refused rather than guessed at.
    if (c !== 0x0d || b[k + 1] !== 0x0a) return c === 0x0a ? 'ERR_MWS_BARE_LF' : 'ERR_MWS_BAD_HEADER';
    // §5.1: leading and trailing OWS are not part of the value.
    let vs = j + 1;
    let ve = k;
    while (vs < ve && ((c = b[vs]!) === 0x20 || c === 0x09)) vs++;
    while (ve > vs && ((c = b[ve - 1]!) === 0x20 || c === 0x09)) ve--;
    let name = FIELD_NAMES.find(b, i, j);
    if (out !== null) {
      if (name === null) {
        name = s.slice(i - base, j - base);
        if (upper) name = name.toLowerCase();
      }
      out.push(name, vs === ve ? '' : s.slice(vs - base, ve - base));
    } else if (name !== null) {
      const err = fieldSemantics(name, b, vs, ve);
      if (err !== null) return err;
    }
    i = k + 2;
  }
  return null;
}

/**
 * Parses trailer field lines b[from, to) (RFC 9112 §7.1.2) into `out`; `to` is just past the CRLF of
 * the last line, `s[k - base]` is `b[k]`.
 */
export function parseFieldLines(b: Uint8Array, s: string, base: number, from: number, to: number, out: string[], maxFields: number): HttpErrorCode | null {
  return scanFields(b, s, base, from, to, out, maxFields);
}

/** Parses the request line starting at `from` (RFC 9112 §3); sets afterLine and hostFromTarget. */
function parseRequestLine(b: Uint8Array, s: string, base: number, from: number, to: number, head: HeadLine): HttpErrorCode | null {
  hostFromTarget = false;
  // method = token, followed by exactly one SP (§3, §3.1)
  let j = from;
  let c = 0;
  while (TCHAR[(c = b[j]!)] === 1) j++;
  if (j === from || c !== 0x20) return 'ERR_MWS_BAD_REQUEST_LINE';
  // request-target up to the next single SP: no whitespace or CTL inside (§3.2)
  const t0 = j + 1;
  let k = t0;
  let q = -1;
  while ((c = b[k]!) !== 0x20) {
    if (TARGET_CHAR[c] !== 1) return c === 0x0d || c === 0x0a ? 'ERR_MWS_BAD_REQUEST_LINE' : 'ERR_MWS_BAD_TARGET';
    if (c === 0x3f /* ? */ && q < 0) q = k;
    k++;
  }
  if (k === t0) return 'ERR_MWS_BAD_REQUEST_LINE';
  // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (§2.3), then CRLF; anything else is 400.
  const v = k + 1;
  if (v + 10 > to || b[v] !== 0x48 || b[v + 1] !== 0x54 || b[v + 2] !== 0x54 || b[v + 3] !== 0x50 ||
      b[v + 4] !== 0x2f || b[v + 6] !== 0x2e || b[v + 8] !== 0x0d || b[v + 9] !== 0x0a) {
    return 'ERR_MWS_BAD_REQUEST_LINE';
  }
  const major = b[v + 5]! - 0x30;
  const minor = b[v + 7]! - 0x30;
  if (major < 0 || major > 9 || minor < 0 || minor > 9) return 'ERR_MWS_BAD_REQUEST_LINE';
  // A well-formed version other than 1.0/1.1 is refused with 505 (RFC 9110 §15.6.6). Deliberate
  // strictness: RFC 9110 §2.5 would let HTTP/1.2+ be processed as 1.1; no client sends it.
  if (major !== 1 || minor > 1) return 'ERR_MWS_VERSION';
  afterLine = v + 10;
  minorVersion = minor;
  const method = METHODS.find(b, from, j) ?? s.slice(from - base, j - base);
  head.method = method;
  const target = s.slice(t0 - base, k - base);
  head.target = target;
  const first = b[t0];
  const connect = method === 'CONNECT';
  if (first === 0x2f /* / */ && !connect) {
    // origin-form = absolute-path [ "?" query ] (§3.2.1)
    if (q < 0) head.path = target;
    else {
      head.path = s.slice(t0 - base, q - base);
      head.queryString = s.slice(q + 1 - base, k - base);
    }
    return null;
  }
  if (connect) {
    // authority-form = uri-host ":" port, only and always for CONNECT (§3.2.3)
    if (!isValidHost(b, t0, k, true, true)) return 'ERR_MWS_BAD_TARGET';
    head.path = target;
    hostFromTarget = true;
    return null;
  }
  if (k - t0 === 1 && first === 0x2a /* * */) {
    // asterisk-form, only for a server-wide OPTIONS (§3.2.4)
    if (method !== 'OPTIONS') return 'ERR_MWS_BAD_TARGET';
    head.path = target;
    return null;
  }
  // absolute-form = absolute-URI (§3.2.2); as an origin server only http(s) URIs make sense, and the
  // http scheme forbids an empty host (RFC 9110 §4.2.1). userinfo ('@') fails the host check.
  let a: number;
  if (k - t0 > 7 && eqLower(b, t0, t0 + 7, L_HTTP)) a = t0 + 7;
  else if (k - t0 > 8 && eqLower(b, t0, t0 + 8, L_HTTPS)) a = t0 + 8;
  else return 'ERR_MWS_BAD_TARGET';
  let e = a;
  while (e < k && (c = b[e]!) !== 0x2f && c !== 0x3f) e++;
  if (!isValidHost(b, a, e, true, false)) return 'ERR_MWS_BAD_TARGET';
  // §3.2.2: the server MUST use the target's authority and ignore Host.
  hostFromTarget = true;
  const pathEnd = q < 0 ? k : q;
  head.path = e < pathEnd ? s.slice(e - base, pathEnd - base) : '/';
  if (q >= 0) head.queryString = s.slice(q + 1 - base, k - base);
  return null;
}

/**
 * Validates a complete head b[from, to) (see parseRequestHead in head.ts) and sets `head`'s public
 * fields; on success `parsed` holds the flags and the start of the field lines.
 */
export function parseHead(b: Uint8Array, s: string, base: number, from: number, to: number, maxHeaders: number, head: HeadLine): HttpErrorCode | null {
  hosts = 0;
  conn = 0;
  expect = 0;
  hasUpgrade = false;
  contentLength = -1;
  te = false;
  chunkedCount = 0;
  lastIsChunked = false;
  unknownCodings = 0;
  let err = parseRequestLine(b, s, base, from, to, head);
  if (err !== null) return err;
  err = scanFields(b, s, base, afterLine, to, null, maxHeaders);
  if (err !== null) return err;
  const minor = minorVersion;
  let flags = (minor === 1 ? F_MINOR1 : 0) | (hostFromTarget ? F_HOST_FROM_TARGET : 0);
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused.
  if (hosts === 0 && minor === 1) return 'ERR_MWS_HOST_MISSING';
  if (te) {
    // §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
    if (minor === 0) return 'ERR_MWS_TE_HTTP10';
    // §6.1/§6.3 item 3: CL with TE is a smuggling signal; refused rather than TE-wins.
    if (contentLength >= 0) return 'ERR_MWS_CL_TE';
    // §6.3 item 4: chunked must be the final coding (MUST 400); §7: never applied twice.
    if (!lastIsChunked || chunkedCount !== 1) return 'ERR_MWS_BAD_TRANSFER_ENCODING';
    // §6.1: a coding the server does not implement (only chunked is) → 501; the framing is still known.
    if (unknownCodings > 0) return 'ERR_MWS_TE_UNSUPPORTED';
    flags |= F_CHUNKED;
  }
  head.contentLength = contentLength;
  // §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive" (RFC 9112 Appendix C.2.2).
  if ((conn & CONN_CLOSE) === 0 && (minor === 1 || (conn & CONN_KEEP_ALIVE) !== 0)) flags |= F_KEEP_ALIVE;
  if (minor === 1) {
    // RFC 9110 §10.1.1: 417 for an expectation other than 100-continue; a 1.0 Expect is ignored.
    if ((expect & EXPECT_OTHER) !== 0) return 'ERR_MWS_EXPECTATION_FAILED';
    if (expect === EXPECT_CONTINUE) flags |= F_EXPECT_CONTINUE;
    // RFC 9110 §7.8: Upgrade needs the "upgrade" connection option; ignored in HTTP/1.0.
    if (hasUpgrade && (conn & CONN_UPGRADE) !== 0) flags |= F_UPGRADE;
  }
  parsed.flags = flags;
  parsed.afterLine = afterLine;
  return null;
}
