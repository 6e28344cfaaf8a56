/**
 * Character classes and small scanners over the slot's bytes. Scanning is done on the Buffer (a typed
 * array load per byte, measured ~3× faster than String#charCodeAt on Node 20), strings are only sliced
 * out of the head's one latin1 copy once their bounds are known.
 */

function table(chars: string, ranges: Array<[number, number]> = []): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = 1;
  return t;
}

const ALNUM: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]];

/** tchar (RFC 9110 §5.6.2): the characters of a token (methods, field names, codings). */
export const TCHAR = table("!#$%&'*+-.^_`|~", ALNUM);

/**
 * Characters accepted in a request-target: visible ASCII except '#' (RFC 9112 §3.2: no SP, no CTL; a
 * fragment is never sent). Deliberately wider than RFC 3986 (which also excludes `"<>\^`{|}`): clients
 * send those unencoded in queries, and they do not affect framing; the router decodes and judges paths.
 * Bytes ≥ 0x80 are refused: a URI is ASCII (RFC 3986 §2), clients percent-encode UTF-8.
 */
export const TARGET_CHAR = table('', [[0x21, 0x22], [0x24, 0x7e]]);

/**
 * Bytes that end a field value scan: CTLs but HTAB, and DEL (RFC 9110 §5.5: field-vchar is VCHAR or
 * obs-text, with SP/HTAB inside). CR and LF are among them: the scan stops at the line end.
 */
export const VALUE_STOP = table('\x7f', [[0x00, 0x08], [0x0a, 0x1f]]);

/** reg-name characters besides pct-encoded (RFC 3986 §3.2.2): unreserved / sub-delims. */
const REG_NAME_CHAR = table("-._~!$&'()*+,;=", ALNUM);

/** Characters inside an IP-literal's brackets: IPv6address and IPvFuture (RFC 3986 §3.2.2). */
const IP_LITERAL_CHAR = table("-._~!$&'()*+,;=:", ALNUM);

/** Value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** The bytes of a lower-case ASCII literal, for {@link eqLower}. */
export function literal(lower: string): Uint8Array {
  return Uint8Array.from(lower, (ch) => ch.charCodeAt(0));
}

/**
 * True when b[from, to) equals `lower` ignoring ASCII case. `lower` holds lower-case letters, digits,
 * '-', ':' or '/'; `c | 0x20` maps no other byte onto those except CTLs, which callers have excluded.
 */
export function eqLower(b: Uint8Array, from: number, to: number, lower: Uint8Array): boolean {
  const n = lower.length;
  if (to - from !== n) return false;
  for (let i = 0; i < n; i++) if ((b[from + i]! | 0x20) !== lower[i]) return false;
  return true;
}

/** Start and end of the list element found by the last {@link nextListElement} call. */
export const element = { start: 0, end: 0 };

/**
 * Finds the next non-empty element of a comma-separated list in b[i, end) (RFC 9110 §5.6.1: `#rule`,
 * empty elements ignored, OWS around commas). Sets {@link element} to its OWS-trimmed bounds and returns
 * the index to continue from, or -1 when no element is left. No allocation.
 */
export function nextListElement(b: Uint8Array, i: number, end: number): number {
  let c = 0;
  while (i < end && ((c = b[i]!) === 0x2c || c === 0x20 || c === 0x09)) i++;
  if (i >= end) return -1;
  let j = i;
  while (j < end && b[j] !== 0x2c) j++;
  let e = j;
  while (e > i && ((c = b[e - 1]!) === 0x20 || c === 0x09)) e--;
  element.start = i;
  element.end = e;
  return j;
}

/**
 * 1*DIGIT as a number (Content-Length, RFC 9110 §8.6), checked byte by byte because JavaScript's number
 * parsing accepts '', ' ', '1e3', '0x5', '1_0'. Returns -1 when invalid or past Number.MAX_SAFE_INTEGER.
 */
export function parseDigits(b: Uint8Array, from: number, to: number): number {
  if (from >= to) return -1;
  let x = 0;
  for (let i = from; i < to; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    x = x * 10 + d;
    if (x > Number.MAX_SAFE_INTEGER) return -1;
  }
  return x;
}

/**
 * Validates `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2–3.2.3) in b[from, to).
 * @param requireHost the host may not be empty (absolute-form and authority-form: RFC 9110 §4.2.1).
 * @param requirePort a non-empty port must be present (authority-form, RFC 9112 §3.2.3).
 */
export function isValidHost(b: Uint8Array, from: number, to: number, requireHost: boolean, requirePort: boolean): boolean {
  let i = from;
  if (i < to && b[i] === 0x5b /* [ */) {
    // IP-literal = "[" ( IPv6address / IPvFuture ) "]"; the router does not need its exact grammar,
    // only that nothing outside these characters (no '@', '/', SP) hides in it.
    i++;
    const start = i;
    while (i < to && IP_LITERAL_CHAR[b[i]!] === 1) i++;
    if (i === start || i >= to || b[i] !== 0x5d /* ] */) return false;
    i++;
  } else {
    while (i < to) {
      const c = b[i]!;
      if (REG_NAME_CHAR[c] === 1) i++;
      else if (c === 0x25 /* % */ && i + 2 < to && hexValue(b[i + 1]!) >= 0 && hexValue(b[i + 2]!) >= 0) i += 3;
      else break;
    }
    if (requireHost && i === from) return false;
  }
  if (i === to) return !requirePort;
  if (b[i] !== 0x3a /* : */) return false;
  // port = *DIGIT
  if (requirePort && i + 1 === to) return false;
  for (i++; i < to; i++) if (b[i]! < 0x30 || b[i]! > 0x39) return false;
  return true;
}

/** A table of interned strings, looked up by their bytes without building a string. */
export class InternTable {
  private readonly byLength: Array<Array<{ name: string; bytes: Uint8Array }> | undefined> = [];
  private readonly caseless: boolean;

  /** @param caseless match ignoring ASCII case (names must then be lower-case tokens). */
  constructor(names: readonly string[], caseless: boolean) {
    this.caseless = caseless;
    for (const name of names) (this.byLength[name.length] ??= []).push({ name, bytes: literal(name) });
  }

  /** The interned string equal to b[from, to) (ignoring case if caseless), or null. */
  find(b: Uint8Array, from: number, to: number): string | null {
    const list = this.byLength[to - from];
    if (list === undefined) return null;
    const mask = this.caseless ? 0x20 : 0;
    outer: for (let n = 0; n < list.length; n++) {
      const e = list[n]!;
      const lit = e.bytes;
      for (let k = 0; k < lit.length; k++) if ((b[from + k]! | mask) !== lit[k]) continue outer;
      return e.name;
    }
    return null;
  }

  /** As {@link find}, on the latin1 string s[from, to). */
  findString(s: string, from: number, to: number): string | null {
    const list = this.byLength[to - from];
    if (list === undefined) return null;
    const mask = this.caseless ? 0x20 : 0;
    outer: for (let n = 0; n < list.length; n++) {
      const e = list[n]!;
      const lit = e.bytes;
      for (let k = 0; k < lit.length; k++) if ((s.charCodeAt(from + k) | mask) !== lit[k]) continue outer;
      return e.name;
    }
    return null;
  }
}
