/**
 * Validators (ETag, Last-Modified, RFC 9110 §8.8) and the evaluation of conditional requests in the
 * order of RFC 9110 §13.2.2.
 */
import { createHash } from 'node:crypto';

/** The validators of one representation (one file on disk). */
export interface Validators {
  /** Strong entity tag, quoted: `"…"`. */
  etag: string;
  /** Last modification, whole seconds since the epoch (never later than now, RFC 9110 §8.8.2.1). */
  lastModifiedSec: number;
  /** `lastModifiedSec` as an IMF-fixdate. */
  lastModified: string;
  /** Last-Modified is a strong validator: the file was last changed at least a second ago (§8.8.2.2). */
  dateIsStrong: boolean;
}

/**
 * What the validators are made of: a file's `fs.Stats` or `fs.BigIntStats` (both give the same ETag).
 * The static path uses number stats: a BigIntStats was the largest allocation of a static answer.
 */
export type StatsLike =
  | { size: number; mtimeMs: number; ino: number; dev: number }
  | { size: bigint; mtimeNs: bigint; ino: bigint; dev: bigint };

/**
 * The modification time in milliseconds as `fs.Stats.mtimeMs` gives it (a float with the sub-millisecond
 * part): from BigIntStats computed the way Node computes it from the same (sec, nsec), so both give the
 * same number, bit for bit.
 */
function mtimeMsOf(st: StatsLike): number {
  if (typeof st.size === 'number') return (st as { mtimeMs: number }).mtimeMs;
  const ns = (st as { mtimeNs: bigint }).mtimeNs;
  const sec = ns / 1_000_000_000n;
  return Number(sec) * 1000 + Number(ns - sec * 1_000_000_000n) / 1_000_000;
}

/**
 * A strong ETag from size, modification time (ms with its sub-millisecond part, ~0.2 µs resolution), inode
 * and device (any change of content through a write or a replacing rename changes one of them). Hashed, so
 * that inode numbers are not disclosed (CVE-2003-1418); base64url characters are all valid etagc (RFC 9110
 * §8.8.3).
 */
export function validatorsOf(st: StatsLike, nowMs: number = Date.now()): Validators {
  const mtimeMs = mtimeMsOf(st);
  const key = `${Number(st.size)}-${mtimeMs}-${Number(st.ino)}-${Number(st.dev)}`;
  const nowSec = Math.floor(nowMs / 1000);
  const mtimeSec = Math.floor(mtimeMs / 1000);
  const lastModifiedSec = Math.min(mtimeSec, nowSec);
  let memo = MEMO.get(key);
  if (memo === undefined || memo.lastModifiedSec !== lastModifiedSec) {
    if (MEMO.size >= MEMO_MAX) MEMO.clear(); // bounded: a burst of distinct files only costs re-hashing
    memo = { etag: '"' + createHash('sha1').update(key).digest('base64url').slice(0, 22) + '"', lastModifiedSec, lastModified: new Date(lastModifiedSec * 1000).toUTCString() };
    MEMO.set(key, memo);
  }
  return { etag: memo.etag, lastModifiedSec, lastModified: memo.lastModified, dateIsStrong: lastModifiedSec < nowSec };
}

/** The hash and the date string of recently served files: both cost more than the rest of a 304. */
const MEMO = new Map<string, { etag: string; lastModifiedSec: number; lastModified: string }>();
const MEMO_MAX = 1024;

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$/;
/** rfc850-date (obsolete): `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-([A-Z][a-z]{2})-(\d\d) (\d\d):(\d\d):(\d\d) GMT$/;
/** asctime-date (obsolete): `Sun Nov  6 08:49:37 1994`. */
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})$/;

/**
 * Parses an HTTP-date in any of its three forms (recipients MUST accept all, RFC 9110 §5.6.7) into
 * seconds since the epoch; null for anything else (Date.parse is too lenient: it takes '1' or 'x 2020').
 */
export function parseHttpDate(s: string): number | null {
  let d: number, mon: string, y: number, h: number, mi: number, sec: number;
  let m = IMF.exec(s);
  if (m !== null) [d, mon, y, h, mi, sec] = [+m[1], m[2], +m[3], +m[4], +m[5], +m[6]];
  else if ((m = RFC850.exec(s)) !== null) {
    // Two-digit years: a date more than 50 years ahead is in the past century (§5.6.7).
    y = +m[3] + 2000;
    if (y > new Date().getUTCFullYear() + 50) y -= 100;
    [d, mon, h, mi, sec] = [+m[1], m[2], +m[4], +m[5], +m[6]];
  } else if ((m = ASCTIME.exec(s)) !== null) [mon, d, h, mi, sec, y] = [m[1], +m[2].trim(), +m[3], +m[4], +m[5], +m[6]];
  else return null;
  const month = MONTHS[mon];
  if (month === undefined || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
  const ms = Date.UTC(y, month, d, h, mi, Math.min(sec, 59));
  if (new Date(ms).getUTCDate() !== d) return null; // 31 Feb and the like
  return ms / 1000;
}

/** One member of an If-Match / If-None-Match list. */
interface EntityTag { weak: boolean; opaque: string }

/**
 * Parses `#entity-tag` (RFC 9110 §8.8.3): `"x"`, `W/"x"`, comma-separated. Returns '*' for the wildcard,
 * or the tags; a malformed member ends the list there (what came before still counts).
 */
export function parseETagList(value: string): '*' | EntityTag[] {
  const v = value.trim();
  if (v === '*') return '*';
  const out: EntityTag[] = [];
  let i = 0;
  const n = v.length;
  while (i < n) {
    while (i < n && (v[i] === ' ' || v[i] === '\t' || v[i] === ',')) i++;
    if (i >= n) break;
    let weak = false;
    if (v.startsWith('W/', i)) { weak = true; i += 2; }
    if (v[i] !== '"') break;
    const end = v.indexOf('"', i + 1);
    if (end === -1) break;
    out.push({ weak, opaque: v.slice(i, end + 1) });
    i = end + 1;
  }
  return out;
}

/** Strong comparison (§8.8.3.2): both strong and identical. Our tags are always strong. */
function strongMatch(tags: '*' | EntityTag[], etag: string): boolean {
  return tags === '*' || tags.some((t) => !t.weak && t.opaque === etag);
}

/** Weak comparison (§8.8.3.2): the opaque tags are identical, W/ or not. */
function weakMatch(tags: '*' | EntityTag[], etag: string): boolean {
  return tags === '*' || tags.some((t) => t.opaque === etag);
}

/** The request fields that take part in the evaluation (undefined: absent). */
export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

/**
 * RFC 9110 §13.2.2 for a GET or HEAD of an existing file, steps 1–4: 'ok' (go on: Range, then 200),
 * 304 or 412. If-Unmodified-Since is looked at only without If-Match, If-Modified-Since only without
 * If-None-Match (a client that sent both trusts the tag more, §13.1.3). An invalid date is ignored
 * (§13.1.3, §13.1.4).
 */
export function evaluatePreconditions(c: Conditions, v: Validators, isGetOrHead: boolean): 'ok' | 304 | 412 {
  return evaluateFields(c.ifMatch, c.ifNoneMatch, c.ifModifiedSince, c.ifUnmodifiedSince, v, isGetOrHead);
}

/** {@link evaluatePreconditions} on the four field values (the static path: no Conditions object per request). */
export function evaluateFields(ifMatch: string | undefined, ifNoneMatch: string | undefined, ifModifiedSince: string | undefined,
  ifUnmodifiedSince: string | undefined, v: Validators, isGetOrHead: boolean): 'ok' | 304 | 412 {
  // 1. If-Match: false → 412 (§13.1.1).
  if (ifMatch !== undefined) {
    if (!strongMatch(parseETagList(ifMatch), v.etag)) return 412;
  } else if (ifUnmodifiedSince !== undefined) {
    // 2. If-Unmodified-Since: modified after the date → 412 (§13.1.4).
    const t = parseHttpDate(ifUnmodifiedSince.trim());
    if (t !== null && v.lastModifiedSec > t) return 412;
  }
  // 3. If-None-Match: a match → 304 for GET/HEAD, else 412 (§13.1.2).
  if (ifNoneMatch !== undefined) {
    if (noneMatchHits(ifNoneMatch, v.etag)) return isGetOrHead ? 304 : 412;
  } else if (isGetOrHead && ifModifiedSince !== undefined) {
    // 4. If-Modified-Since: not modified since the date → 304 (§13.1.3).
    const t = parseHttpDate(ifModifiedSince.trim());
    if (t !== null && v.lastModifiedSec <= t) return 304;
  }
  return 'ok';
}

/**
 * Weak comparison of If-None-Match with our tag. The usual value, exactly the tag a browser was given,
 * is compared as is (no list parsed: a revalidation allocates nothing); anything else is parsed.
 */
function noneMatchHits(value: string, etag: string): boolean {
  if (value === etag) return true;
  return weakMatch(parseETagList(value), etag);
}

/**
 * If-Range (RFC 9110 §13.1.5): true when the Range may be honoured. An entity-tag must match strongly (a
 * weak tag never does); a date must equal Last-Modified exactly, and only counts when Last-Modified is a
 * strong validator. Anything else (malformed included) is false: the whole file is sent.
 */
export function ifRangeAllows(ifRange: string, v: Validators): boolean {
  const s = ifRange.trim();
  if (s.startsWith('"') || s.startsWith('W/')) {
    const tags = parseETagList(s);
    return tags !== '*' && tags.length === 1 && !tags[0].weak && tags[0].opaque === v.etag;
  }
  const t = parseHttpDate(s);
  return t !== null && v.dateIsStrong && t === v.lastModifiedSec;
}
