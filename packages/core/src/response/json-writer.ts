import { types } from 'node:util';

/*
 * A JSON serializer writing UTF-8 straight into a caller's Buffer (issue 19). `JSON.stringify` returns a
 * cons-string once its result passes ~32 characters, which V8 flattens into a second heap string when it
 * is measured and written (~210 B of garbage per JSON response); this walk allocates nothing for plain
 * data. Its bytes are those of `Buffer.from(JSON.stringify(value), 'utf8')` for every value it accepts
 * (ECMA-262 §25.5.2, JSON.stringify without replacer or indent); it gives up (-1) on the rest, and the
 * caller then uses JSON.stringify, which also throws where it must (BigInt, cycles).
 */

/** Containers nested deeper than this are left to JSON.stringify (a cycle ends here too). */
export const MAX_DEPTH = 64;
/** Strings up to this length are written by a loop: shorter than a native call's own cost. */
const LOOP_MAX = 24;

type Writer = Buffer & {
  latin1Write(s: string, offset: number, length: number): number;
};

const HEX = '0123456789abcdef';
const hasOwn = Object.prototype.hasOwnProperty;
const objectProto = Object.prototype;

/*
 * The output, module state for the walk (one walk at a time: the walk is synchronous, and a toJSON that
 * sends JSON itself is sent through JSON.stringify by json-body.ts). `grow` replaces `buf` by a larger
 * copy when the value does not fit and `limit` allows: the walk then goes on, so no getter or toJSON
 * ever runs twice for a large body (a restart through JSON.stringify would run them again).
 */
const EMPTY = Buffer.alloc(0) as Writer;
let buf: Writer = EMPTY;
let end = 0;
let limit = 0;

function grow(need: number): boolean {
  if (need > limit) return false;
  const next = Buffer.allocUnsafeSlow(Math.min(limit, Math.max(need, 2 * end))) as Writer;
  buf.copy(next, 0, 0, end);
  buf = next;
  end = next.length;
  return true;
}

/**
 * Writes `value` as JSON into `into` from `offset`; returns the end offset, or -1 when it cannot (the
 * bytes need more than `maxBytes` in all, or the value is one it leaves to JSON.stringify: undefined at
 * the top, BigInt, boxed primitives, proxies, nesting beyond MAX_DEPTH). With `maxBytes` above
 * `into.length` the bytes may end up in a larger Buffer: {@link writtenBuffer} says which. After -1 the
 * bytes written are garbage, and getters or `toJSON` methods met so far have run once already.
 */
export function writeJson(value: unknown, into: Buffer, offset: number, maxBytes: number = into.length): number {
  buf = into as Writer;
  end = into.length;
  limit = Math.max(maxBytes, end);
  return writeValue(value, '', offset, 0, false);
}

/**
 * The Buffer the last {@link writeJson} wrote into (its `into`, or a larger copy it grew into), let go of
 * here: the module keeps no reference to a grown Buffer past the call.
 */
export function takeWritten(): Buffer {
  const b = buf;
  buf = EMPTY;
  end = 0;
  return b;
}

/**
 * One value at `pos` (an array element, or the top level): `toJSON(key)` applied first (SerializeJSONProperty,
 * §25.5.2.2 step 2; `key`: the index, or '' at the top), then written by `writeResolved`.
 */
function writeValue(value: unknown, key: string | number, pos: number, depth: number, inArray: boolean): number {
  if (typeof value === 'object' && value !== null) {
    // Read once, as SerializeJSONProperty does (a `toJSON` getter runs once).
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = (toJSON as (k: string) => unknown).call(value, typeof key === 'number' ? String(key) : key);
  }
  if (isSkipped(value)) return inArray ? literal('null', pos) : -1;
  return writeResolved(value, pos, depth);
}

/**
 * What JSON.stringify leaves out of an object and writes as `null` in an array (after toJSON). A function
 * with a toJSON of its own (JSON.stringify calls it) is not: it goes to writeResolved, which gives up.
 */
function isSkipped(v: unknown): boolean {
  const t = typeof v;
  return t === 'undefined' || t === 'symbol' || (t === 'function' && typeof (v as { toJSON?: unknown }).toJSON !== 'function');
}

/** A value whose toJSON has been applied (toJSON is called once: not again on what it returned). */
function writeResolved(value: unknown, pos: number, depth: number): number {
  switch (typeof value) {
    case 'string': return writeString(value, pos);
    case 'number': return writeNumber(value, pos);
    case 'boolean': return value ? literal('true', pos) : literal('false', pos);
    case 'object': {
      if (value === null) return literal('null', pos);
      if (depth >= MAX_DEPTH || types.isProxy(value)) return -1;
      // IsArray, as SerializeJSONProperty (a subclass, another realm's array; proxies are left above).
      if (Array.isArray(value)) return writeArray(value, pos, depth + 1);
      const proto = Object.getPrototypeOf(value) as unknown;
      // Number, String, Boolean and BigInt objects are unwrapped by JSON.stringify (§25.5.2.2 step 4).
      if (proto !== objectProto && proto !== null && types.isBoxedPrimitive(value)) return -1;
      return writeObject(value as Record<string, unknown>, pos, depth + 1);
    }
    default: return -1; // bigint (JSON.stringify throws its TypeError), a function with toJSON
  }
}

function writeArray(a: unknown[], pos: number, depth: number): number {
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x5b; // [
  const n = a.length;
  for (let i = 0; i < n; i++) {
    if (i > 0) { if (pos >= end && !grow(pos + 1)) return -1; buf[pos++] = 0x2c; }
    pos = writeValue(a[i], i, pos, depth, true);
    if (pos < 0) return -1;
  }
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x5d; // ]
  return pos;
}

/**
 * Own enumerable string-keyed properties in for..in order, which for own properties is
 * [[OwnPropertyKeys]]' order (integer keys ascending, then insertion order), as JSON.stringify uses.
 * for..in over a fast-mode object reads V8's enum cache: no key array is made.
 */
function writeObject(o: Record<string, unknown>, pos: number, depth: number): number {
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x7b; // {
  let first = true;
  for (const k in o) {
    if (!hasOwn.call(o, k)) continue;
    let v = o[k];
    if (typeof v === 'object' && v !== null) {
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, k);
    }
    if (isSkipped(v)) continue;
    if (!first) { if (pos >= end && !grow(pos + 1)) return -1; buf[pos++] = 0x2c; }
    first = false;
    pos = writeString(k, pos);
    if (pos < 0 || (pos >= end && !grow(pos + 1))) return -1;
    buf[pos++] = 0x3a; // :
    pos = writeResolved(v, pos, depth);
    if (pos < 0) return -1;
  }
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x7d; // }
  return pos;
}

function literal(s: string, pos: number): number {
  const n = s.length;
  if (pos + n > end && !grow(pos + n)) return -1;
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
  return pos + n;
}

/** Number::toString for finite numbers (safe integers digit by digit, no string made); NaN, ±Infinity: null. */
function writeNumber(n: number, pos: number): number {
  if (n !== n || n === Infinity || n === -Infinity) return literal('null', pos);
  if (Number.isSafeInteger(n)) {
    if (pos + 17 > end && !grow(pos + 17)) return -1;
    if (n < 0) { buf[pos++] = 0x2d; n = -n; } // -0 is not < 0: written "0", as String(-0)
    // Exact for safe integers: the remainder is exact, and (m - r) / 10 divides a multiple of 10.
    let digits = 1;
    for (let m = n; m >= 10; m = (m - (m % 10)) / 10) digits++;
    let at = pos + digits;
    do { const r = n % 10; buf[--at] = 0x30 + r; n = (n - r) / 10; } while (n > 0);
    return pos + digits;
  }
  const s = String(n); // ASCII: digits, '.', 'e', '+', '-'
  return literal(s, pos);
}

/**
 * A JSON string (QuoteJSONString, §25.5.2.3): `"` and `\` escaped, \b \f \n \r \t, other controls as
 * \u00xx, lone surrogates as \udxxx (well-formed JSON.stringify), everything else as UTF-8.
 */
function writeString(s: string, pos: number): number {
  const n = s.length;
  // The common case first: printable ASCII without quote or backslash, the same bytes in latin1, copied
  // in the same pass that checks them (into a local: the module's `buf` re-read per character cost more
  // than the copy). At the first other character the slow path below starts over at `pos`.
  if (pos + n + 2 > end && !grow(pos + n + 2)) return -1;
  const b = buf;
  b[pos] = 0x22;
  let k = 0;
  if (n <= LOOP_MAX) {
    for (; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
      b[pos + 1 + k] = c;
    }
  } else {
    for (; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    }
    if (k === n) b.latin1Write(s, pos + 1, n);
  }
  if (k === n) {
    b[pos + 1 + n] = 0x22;
    return pos + n + 2;
  }
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) {
      if (pos >= end && !grow(pos + 1)) return -1;
      buf[pos++] = c;
    } else if (c < 0x80) {
      pos = writeEscape(c, pos);
      if (pos < 0) return -1;
    } else if (c < 0x800) {
      if (pos + 2 > end && !grow(pos + 2)) return -1;
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        if (pos + 4 > end && !grow(pos + 4)) return -1;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[pos++] = 0xf0 | (cp >> 18);
        buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[pos++] = 0x80 | (cp & 0x3f);
        i++;
      } else {
        pos = writeUnicodeEscape(c, pos); // a lone surrogate
        if (pos < 0) return -1;
      }
    } else {
      if (pos + 3 > end && !grow(pos + 3)) return -1;
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  if (pos >= end && !grow(pos + 1)) return -1;
  buf[pos++] = 0x22;
  return pos;
}

/** An ASCII character that needs escaping: `"`, `\`, a control character or DEL (DEL is not escaped). */
function writeEscape(c: number, pos: number): number {
  let e = 0;
  switch (c) {
    case 0x22: e = 0x22; break; // \"
    case 0x5c: e = 0x5c; break; // \\
    case 0x08: e = 0x62; break; // \b
    case 0x0c: e = 0x66; break; // \f
    case 0x0a: e = 0x6e; break; // \n
    case 0x0d: e = 0x72; break; // \r
    case 0x09: e = 0x74; break; // \t
    case 0x7f: if (pos >= end && !grow(pos + 1)) return -1; buf[pos] = c; return pos + 1;
    default: return writeUnicodeEscape(c, pos);
  }
  if (pos + 2 > end && !grow(pos + 2)) return -1;
  buf[pos] = 0x5c;
  buf[pos + 1] = e;
  return pos + 2;
}

/** `\uXXXX` with lowercase hex digits, as JSON.stringify writes them. */
function writeUnicodeEscape(c: number, pos: number): number {
  if (pos + 6 > end && !grow(pos + 6)) return -1;
  buf[pos] = 0x5c;
  buf[pos + 1] = 0x75;
  buf[pos + 2] = HEX.charCodeAt((c >> 12) & 0xf);
  buf[pos + 3] = HEX.charCodeAt((c >> 8) & 0xf);
  buf[pos + 4] = HEX.charCodeAt((c >> 4) & 0xf);
  buf[pos + 5] = HEX.charCodeAt(c & 0xf);
  return pos + 6;
}
