import { invalidOption } from '../base/errors';

/**
 * Route patterns: parsing `'/users/<id>/files/<rest:path>'` into segments, the argument types (Thimble's
 * macros, named as MicroWebSrv2 names arguments), their value checks and conversions, and the encoding
 * of built paths. Patterns are written DECODED (`'/café'`, `'/a b'`): requests are matched segment by
 * segment after percent-decoding each segment, so that an encoded slash stays inside its segment.
 */

/** A route argument's value as a handler receives it. */
export type RouteArgValue = string | number;
/** A route's arguments by name, as written in the pattern (case kept). */
export type RouteArgs = Record<string, RouteArgValue>;

/**
 * The argument types. `plain` is MicroWebSrv2's `<name>`: one segment, an integer-looking value becomes a
 * number. `int`, `float`, `digit` check the segment (a mismatch is a non-match, so another route may
 * serve the path). `string` is one segment never converted. `path` is the rest of the path (last only).
 */
export type ArgType = 'plain' | 'string' | 'int' | 'float' | 'digit' | 'path';

/**
 * How a segment is matched in the tree; `plain` and `string` accept the same segments, so they share a
 * node (and `/a/<x>` vs `/a/<y:string>` for one method is a duplicate). Lower = tried first at a
 * position: the most specific type wins, after static segments (which are tried before any of these).
 */
export enum Kind { Digit = 0, Int = 1, Float = 2, Segment = 3, Path = 4 }

export const KIND_OF: Readonly<Record<ArgType, Kind>> = {
  digit: Kind.Digit, int: Kind.Int, float: Kind.Float, plain: Kind.Segment, string: Kind.Segment, path: Kind.Path,
};

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
}

/** One segment of a pattern: static text (decoded form) or an argument. */
export type PatternSegment =
  | { readonly arg: null; readonly text: string; readonly encoded: string }
  | { readonly arg: ArgSpec; readonly text: null; readonly encoded: null };

export interface ParsedPattern {
  /** The pattern as registered. */
  readonly path: string;
  readonly segments: readonly PatternSegment[];
  /** Arguments in path order. */
  readonly args: readonly ArgSpec[];
}

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `m` is an HTTP method token (RFC 9110 §9.1: a token; case is upper-cased at registration). */
export function isMethodToken(m: unknown): m is string {
  return typeof m === 'string' && METHOD_TOKEN.test(m);
}

const ARG_TYPES: ReadonlySet<string> = new Set(['int', 'float', 'digit', 'string', 'str', 'path']);
const ARG_NAME = /^[A-Za-z_$][\w$-]*$/;

/**
 * Parses and checks a route pattern, written DECODED: `'/a b'` is matched by a request for `/a%20b`, and
 * a `'%41'` in a pattern is the three characters (matched by `/%2541`). A trailing '/' is significant
 * (`/a` and `/a/` are two routes, as in the exact-path table this replaces; MicroWebSrv2 ignored it).
 * Throws ERR_MWS_INVALID_OPTION (the message starts with `what`) on: no leading '/', an argument not
 * being a whole segment, an unknown type, a repeated argument name (compared without case, so that
 * pathFromRoute's case-insensitive lookup is never ambiguous), or `path` not last.
 */
export function parsePattern(path: unknown, what = 'registerRoute path'): ParsedPattern {
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f) throw invalidOption(what, "a path starting with '/'", path);
  const segments: PatternSegment[] = [];
  const args: ArgSpec[] = [];
  const seen = new Set<string>();
  const parts = path === '/' ? [] : path.slice(1).split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length >= 2 && part.charCodeAt(0) === 0x3c /* < */ && part.charCodeAt(part.length - 1) === 0x3e /* > */) {
      const inner = part.slice(1, -1);
      const colon = inner.indexOf(':');
      const name = colon === -1 ? inner : inner.slice(0, colon);
      const typeText = colon === -1 ? 'plain' : inner.slice(colon + 1);
      if (!ARG_NAME.test(name) || name === '__proto__') throw invalidOption(`${what} ${JSON.stringify(path)}: argument name`, 'a name such as id, userId or user-id', name);
      if (colon !== -1 && !ARG_TYPES.has(typeText)) throw invalidOption(`${what} ${JSON.stringify(path)}: type of <${name}>`, 'one of int, float, digit, string, path', typeText);
      const type = (typeText === 'str' ? 'string' : typeText) as ArgType;
      if (type === 'path' && i !== parts.length - 1) throw invalidOption(`${what} ${JSON.stringify(path)}: <${inner}>`, 'the last segment (a path argument takes the rest of the path)', part);
      const key = name.toLowerCase();
      if (seen.has(key)) throw invalidOption(`${what} ${JSON.stringify(path)}: argument names`, 'distinct (compared without case)', name);
      seen.add(key);
      const arg: ArgSpec = { name, type };
      args.push(arg);
      segments.push({ arg, text: null, encoded: null });
    } else {
      // '<' or '>' elsewhere is almost certainly a mistyped argument (`/file-<id>`): refuse rather than
      // register a static segment nobody can reach.
      if (part.includes('<') || part.includes('>')) throw invalidOption(`${what} ${JSON.stringify(path)}: segment`, 'static text or a whole-segment argument such as <id>', part);
      segments.push({ arg: null, text: part, encoded: encodeStatic(part) });
    }
  }
  return { path, segments, args };
}

/** decodeURIComponent, or null when the escapes are malformed or not UTF-8 (then nothing matches). */
export function decodeSegment(raw: string): string | null {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

const FLOAT = /^[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * An integer-looking value (optional sign, ASCII digits) as a number; undefined when not one or beyond
 * 2^53 (it could not be exact). A character loop: this runs on every request with an integer argument.
 */
export function toInt(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 0x2b /* + */ || c0 === 0x2d /* - */) i = 1;
  if (i === n) return undefined;
  let v = 0;
  for (let k = i; k < n; k++) {
    const d = s.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  // Up to 15 digits the accumulation is exact; beyond, ask Number and refuse what is not safe.
  if (n - i > 15) { v = Number(s.slice(i)); if (!Number.isSafeInteger(v)) return undefined; }
  return c0 === 0x2d && v !== 0 ? -v : v; // '-0' → 0, not -0
}

function isDigits(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * A decoded segment's value for a tree kind, or undefined when the kind refuses it (a non-match): digit →
 * the digits as a string, int and float → a number, segment → the text (`plain` converts it later, per
 * route). Every kind refuses the empty value: MicroWebSrv2's `\w*` let `/users//x` give id '', a surprise.
 * (`path` is checked by the table, piece by piece, with decodePathRest.)
 */
export function kindValue(kind: Kind, s: string): RouteArgValue | undefined {
  if (s.length === 0) return undefined;
  switch (kind) {
    case Kind.Digit: return isDigits(s) ? s : undefined;
    case Kind.Int: return toInt(s);
    case Kind.Float: {
      if (!FLOAT.test(s)) return undefined;
      const v = Number(s);
      return Number.isFinite(v) ? v : undefined;
    }
    default: return s;
  }
}

/** The value a handler receives, from kindValue's: only `plain` converts further (integer-looking → number). */
export function convertArg(type: ArgType, v: RouteArgValue): RouteArgValue {
  if (type !== 'plain' || typeof v !== 'string') return v;
  const n = toInt(v);
  return n === undefined ? v : n;
}

/**
 * A `path` argument's pieces (raw, still encoded) → the decoded value, or null for a non-match: an invalid
 * escape, an empty first piece (the value would start with '/'), or a piece that is '.' or '..' or hides
 * a '/' (%2F) once decoded. The value is made for joining under a directory, so the router refuses what
 * would climb out of it, read as absolute, or be ambiguous. Empty pieces further on ('a//b', 'a/') stay.
 */
export function decodePathRest(pieces: readonly string[], from: number, to = pieces.length): string | null {
  if (from >= to || pieces[from].length === 0) return null;
  let out = '';
  for (let i = from; i < to; i++) {
    const d = decodeSegment(pieces[i]);
    if (d === null || d === '.' || d === '..' || d.includes('/')) return null;
    out = i === from ? d : out + '/' + d;
  }
  return out;
}

/**
 * Percent-encodes a static segment for a built path, keeping the characters RFC 3986 allows in a segment
 * as they are (`items:batch` stays readable) and encoding everything else.
 */
function encodeStatic(s: string): string {
  return encodeURIComponent(s).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * One argument's value in a built path: encodeURIComponent per segment (a `path` value keeps its '/'
 * between encoded pieces). Throws ERR_MWS_INVALID_OPTION when the value is of the wrong kind or would
 * not match the route again (a built path must lead back to its route).
 */
export function encodeArg(routeName: string, arg: ArgSpec, v: unknown): string {
  const what = `pathFromRoute("${routeName}") argument "${arg.name}"`;
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
  else if (typeof v === 'bigint') s = v.toString();
  else throw invalidOption(what, 'a string or a finite number', v);
  if (arg.type === 'path') {
    const pieces = s.split('/');
    if (pieces[0].length === 0 || pieces.some((p) => p === '.' || p === '..')) throw invalidOption(what, "a relative path without '.' or '..' segments", v);
    return pieces.map(encodeURIComponent).join('/');
  }
  if (kindValue(KIND_OF[arg.type], s) === undefined) throw invalidOption(what, ARG_EXPECTED[arg.type], v);
  return encodeURIComponent(s);
}

const ARG_EXPECTED: Readonly<Record<ArgType, string>> = {
  plain: 'a non-empty value', string: 'a non-empty value', path: 'a relative path',
  int: 'an integer', float: 'a number', digit: 'digits only (0-9)',
};
