/** Percent-decoding and the small parsers of request values (query strings, cookies, lists, forms). */

/**
 * Decodes %XX escapes as UTF-8 (RFC 3986 §2.1). Returns null on a malformed escape or invalid UTF-8,
 * so that callers can answer 400 instead of guessing. `plusIsSpace` for form data (HTML's
 * application/x-www-form-urlencoded).
 */
export function percentDecode(s: string, plusIsSpace = false): string | null {
  if (s.indexOf('%') === -1) return plusIsSpace && s.indexOf('+') !== -1 ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(plusIsSpace ? s.replace(/\+/g, ' ') : s);
  } catch {
    return null;
  }
}

/** `a=1&b=x%20y` → { a: '1', b: 'x y' }; a repeated name keeps its last value; bad escapes keep the raw text. */
export function parseUrlEncoded(s: string, plusIsSpace: boolean): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (s.length === 0) return out;
  for (const part of s.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const name = percentDecode(rawName, plusIsSpace) ?? rawName;
    out[name] = percentDecode(rawValue, plusIsSpace) ?? rawValue;
  }
  return out;
}

/** Cookie header (RFC 6265 §5.4 form `a=b; c=d`) → { a: 'b', c: 'd' }; the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) value = value.slice(1, -1);
    if (name && !(name in out)) out[name] = percentDecode(value) ?? value;
  }
  return out;
}

/** A comma-separated field value → its trimmed, non-empty elements (RFC 9110 §5.6.1). */
export function parseList(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t) out.push(t);
  }
  return out;
}
