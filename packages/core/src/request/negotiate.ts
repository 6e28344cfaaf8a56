/**
 * Proactive content negotiation (RFC 9110 §12): the `Accept`, `Accept-Language` and `Accept-Encoding`
 * fields parsed into weighted members, sorted lists of what the client prefers, and the choice of the
 * best of a server's candidates.
 *
 * Rules shared by the three fields:
 * - A weight is `q=` with a qvalue from 0 to 1 and at most three decimals (§12.4.2); the name `q` is
 *   case-insensitive. A member whose weight is malformed (`q=2`, `q=0.5555`, `q=high`) is ignored as a
 *   whole: its intent cannot be known, and counting it as q=1 would let a typo outrank everything.
 * - q=0 means "not acceptable" (§12.4.2): such members never appear in the sorted lists and exclude
 *   what they match when negotiating.
 * - A candidate's weight is that of the most specific member matching it (`text/html` over `text/*`
 *   over `*` + `/*`, `en-US` over `en` over `*`, a named coding over `*`); among equally specific members
 *   the lowest weight counts (a repeated member cannot undo a refusal).
 * - Ties in weight go to the more specific member, then to the client's order, then to the server's.
 */
import { invalidOption } from '../base/errors';

/** One member of an Accept-style field. */
export interface Preference {
  /** Media range or coding in lower case; a language range as sent. Without parameters. */
  readonly value: string;
  /** The weight, 0 to 1 (1 when none was given). */
  readonly q: number;
  /** Media-range parameters other than q, names and values in lower case (empty for the other fields). */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** Larger is more specific: see the matchers below. */
  readonly specificity: number;
  /** Position among the field's valid members. */
  readonly order: number;
}

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 §12.4.2). */
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** language-range (RFC 4647 §2.1): '*', or 1*8ALPHA *("-" 1*8alphanum). */
const LANGUAGE_RANGE = /^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)$/;

/** Splits `s` at `sep` outside quoted strings (a parameter value may be `"a,b;c"`, §5.6.4). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === sep) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** A parameter value: a token, or a quoted string with its escapes removed; null when neither. */
function paramValue(raw: string): string | null {
  if (raw.length >= 2 && raw[0] === '"' && raw[raw.length - 1] === '"') return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  return TOKEN.test(raw) ? raw : null;
}

interface RawMember { head: string; q: number; weighted: boolean; params: Array<[string, string]> }

/**
 * The members of a field with their weight and (for media ranges) their parameters. Members that are
 * empty, have a malformed parameter or a malformed weight are left out. Parameters after the weight
 * (RFC 7231's accept-ext, dropped by RFC 9110) are ignored.
 */
function members(field: string): RawMember[] {
  const out: RawMember[] = [];
  for (const member of splitOutsideQuotes(field, ',')) {
    if (member.length === 0) continue; // §5.6.1: empty list elements are allowed and ignored
    const parts = splitOutsideQuotes(member, ';');
    const params: Array<[string, string]> = [];
    let q = 1;
    let ok = true;
    let weighted = false;
    for (let i = 1; i < parts.length && ok; i++) {
      const p = parts[i];
      const eq = p.indexOf('=');
      const name = eq === -1 ? '' : p.slice(0, eq).trim().toLowerCase();
      const value = eq === -1 ? null : paramValue(p.slice(eq + 1).trim());
      if (!TOKEN.test(name) || value === null) ok = false;
      else if (weighted) continue;
      else if (name === 'q') {
        if (QVALUE.test(value)) { q = Number(value); weighted = true; } else ok = false;
      } else params.push([name, value.toLowerCase()]);
    }
    if (ok) out.push({ head: parts[0], q, weighted, params });
  }
  return out;
}

/** Accept (§12.5.1): media ranges `type/subtype`, `type/*` or `*` + `/*`, lower-cased, with parameters. */
export function parseAccept(field: string): Preference[] {
  const out: Preference[] = [];
  for (const m of members(field)) {
    const slash = m.head.indexOf('/');
    const type = m.head.slice(0, slash).toLowerCase();
    const sub = m.head.slice(slash + 1).toLowerCase();
    if (slash === -1 || !TOKEN.test(type) || !TOKEN.test(sub) || (type === '*' && sub !== '*')) continue;
    // */* 0, type/* 1, type/subtype 2, plus one per parameter (`text/html;level=1` over `text/html`).
    const specificity = type === '*' ? 0 : sub === '*' ? 1 : 2 + m.params.length;
    out.push({ value: `${type}/${sub}`, q: m.q, params: m.params, specificity, order: out.length });
  }
  return out;
}

/** Accept-Language (§12.5.4): language ranges (RFC 4647 §2.1), case kept; specificity is the subtag count. */
export function parseAcceptLanguage(field: string): Preference[] {
  const out: Preference[] = [];
  for (const m of members(field)) {
    if (!LANGUAGE_RANGE.test(m.head) || m.params.length > 0) continue;
    const specificity = m.head === '*' ? 0 : m.head.split('-').length;
    out.push({ value: m.head, q: m.q, params: m.params, specificity, order: out.length });
  }
  return out;
}

/** Accept-Encoding (§12.5.3): codings in lower case; `x-gzip` / `x-compress` are `gzip` / `compress` (§8.4.1). */
export function parseAcceptEncoding(field: string): Preference[] {
  const out: Preference[] = [];
  for (const m of members(field)) {
    let coding = m.head.toLowerCase();
    if (!TOKEN.test(coding) || m.params.length > 0) continue;
    if (coding === 'x-gzip') coding = 'gzip';
    else if (coding === 'x-compress') coding = 'compress';
    out.push({ value: coding, q: m.q, params: m.params, specificity: coding === '*' ? 0 : 1, order: out.length });
  }
  return out;
}

/**
 * The acceptable values (q > 0), best first: by weight, then specificity, then the client's order;
 * parameters dropped, each value once. A member listed more than once counts at its lowest weight
 * (`gzip, gzip;q=0` removes gzip); `text/html;level=1;q=0, text/html` still lists text/html.
 */
export function sortedValues(prefs: readonly Preference[]): string[] {
  const key = (p: Preference) => (p.params.length === 0 ? p.value : p.value + ';' + p.params.map(([n, v]) => `${n}=${v}`).join(';'));
  const lowest = new Map<string, number>();
  for (const p of prefs) lowest.set(key(p), Math.min(p.q, lowest.get(key(p)) ?? 1));
  const kept = prefs.filter((p) => p.q > 0 && p.q === lowest.get(key(p)));
  kept.sort(byPreference);
  return [...new Set(kept.map((p) => p.value))]; // a Set keeps the first (best) of each, in order
}

function byPreference(a: { q: number; specificity: number; order: number }, b: { q: number; specificity: number; order: number }): number {
  return b.q - a.q || b.specificity - a.specificity || a.order - b.order;
}

interface Weight { q: number; specificity: number; order: number }

/** The weight of a candidate: its most specific matching member (lowest q among equals), or null. */
function weigh(prefs: readonly Preference[], matches: (p: Preference) => boolean): Weight | null {
  let best: Preference | null = null;
  for (const p of prefs) {
    if (!matches(p)) continue;
    if (best === null || p.specificity > best.specificity || (p.specificity === best.specificity && p.q < best.q)) best = p;
  }
  return best;
}

/** The best candidate: highest weight above 0, ties by specificity, client's order, then candidates' order. */
function choose(candidates: readonly string[], weightOf: (c: string) => Weight | null): string | null {
  let best: string | null = null;
  let bestW: Weight | null = null;
  for (const c of candidates) {
    const w = weightOf(c);
    // Strictly better only: the earlier candidate keeps a full tie.
    if (w !== null && w.q > 0 && (bestW === null || byPreference(w, bestW) < 0)) { best = c; bestW = w; }
  }
  return best;
}

interface MediaType { type: string; sub: string; params: ReadonlyArray<readonly [string, string]> }

/** A server's media type (`type/subtype`, parameters allowed, no weight), lower-cased; null when malformed. */
function parseMediaType(s: string): MediaType | null {
  const ms = members(s);
  if (ms.length !== 1 || ms[0].weighted) return null;
  const slash = ms[0].head.indexOf('/');
  const type = ms[0].head.slice(0, slash).toLowerCase();
  const sub = ms[0].head.slice(slash + 1).toLowerCase();
  if (slash === -1 || !TOKEN.test(type) || !TOKEN.test(sub) || type === '*' || sub === '*') return null;
  return { type, sub, params: ms[0].params };
}

/** Checks a method's candidate list: an array of strings each accepted by `valid`. */
function checkCandidates(what: string, allowed: string, candidates: unknown, valid: (c: string) => boolean): readonly string[] {
  if (!Array.isArray(candidates)) throw invalidOption(what, `an array of ${allowed}`, candidates);
  for (const c of candidates) if (typeof c !== 'string' || !valid(c)) throw invalidOption(`${what} member`, allowed, c);
  return candidates;
}

/**
 * The best of `candidates` (media types such as `application/json`, parameters allowed) for an Accept
 * field value; `undefined` (no field) accepts anything: the first candidate. A member's parameters must
 * all be present, equal, on the candidate for it to match. Throws ERR_MWS_INVALID_OPTION on a candidate
 * that is not a concrete media type (`text/*` is a range, not something a server sends).
 */
export function negotiateMediaType(field: string | undefined, candidates: readonly string[]): string | null {
  const parsed: MediaType[] = [];
  checkCandidates('acceptsType types', "media types such as 'application/json'", candidates, (c) => {
    const m = parseMediaType(c);
    if (m !== null) parsed.push(m);
    return m !== null;
  });
  if (field === undefined) return candidates.length > 0 ? candidates[0] : null;
  const prefs = parseAccept(field);
  let i = -1;
  return choose(candidates, () => {
    const c = parsed[++i];
    return weigh(prefs, (p) => {
      const slash = p.value.indexOf('/');
      const type = p.value.slice(0, slash);
      const sub = p.value.slice(slash + 1);
      if (type !== '*' && (type !== c.type || (sub !== '*' && sub !== c.sub))) return false;
      return p.params.every(([n, v]) => c.params.some(([cn, cv]) => cn === n && cv === v));
    });
  });
}

/**
 * The best of `candidates` (language tags such as `en-US`) for an Accept-Language field value, by basic
 * filtering (RFC 4647 §3.3.1: `en` matches `en` and `en-US`, not the other way round; `*` matches any),
 * case-insensitive. No field: the first candidate.
 */
export function negotiateLanguage(field: string | undefined, candidates: readonly string[]): string | null {
  checkCandidates('acceptsLanguage languages', "language tags such as 'en' or 'fr-CH'", candidates, (c) => c !== '*' && LANGUAGE_RANGE.test(c));
  if (field === undefined) return candidates.length > 0 ? candidates[0] : null;
  const prefs = parseAcceptLanguage(field);
  return choose(candidates, (c) => {
    const tag = c.toLowerCase();
    return weigh(prefs, (p) => {
      if (p.value === '*') return true;
      const range = p.value.toLowerCase();
      return tag === range || (tag.startsWith(range) && tag.charCodeAt(range.length) === 0x2d /* - */);
    });
  });
}

/**
 * The best of `candidates` (content codings such as `br`, `gzip`, `identity`) for an Accept-Encoding
 * field value. `identity` (no coding) is acceptable unless refused by `identity;q=0`, or by `*;q=0`
 * without an `identity` member (§12.5.3); when the field does not name it, it ranks below every coding
 * the field accepts. No field counts as an empty one (identity only): §12.5.3 would allow any coding,
 * but clients that send none (curl, wget, scripts) expect the content as it is — the static files and
 * the `negotiator` package behave the same.
 */
export function negotiateEncoding(field: string | undefined, candidates: readonly string[]): string | null {
  checkCandidates('acceptsEncoding encodings', "content codings such as 'gzip', 'br' or 'identity'", candidates, (c) => c !== '*' && TOKEN.test(c));
  const prefs = parseAcceptEncoding(field ?? '');
  return choose(candidates, (c) => {
    let coding = c.toLowerCase();
    if (coding === 'x-gzip') coding = 'gzip';
    else if (coding === 'x-compress') coding = 'compress';
    const w = weigh(prefs, (p) => p.value === '*' || p.value === coding);
    if (w === null && coding === 'identity') return IMPLICIT_IDENTITY;
    return w;
  });
}

/** Below any weight a client can write (the smallest is 0.001), above 0: acceptable, chosen last. */
const IMPLICIT_IDENTITY: Weight = { q: Number.MIN_VALUE, specificity: -1, order: Number.MAX_SAFE_INTEGER };
