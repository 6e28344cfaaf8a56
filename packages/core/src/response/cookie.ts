/**
 * Set-Cookie values (RFC 6265 §4.1), validated so that what is sent is what a browser keeps: a mistake
 * throws ERR_MWS_INVALID_OPTION naming the attribute, instead of a cookie that browsers drop silently.
 */
import { invalidOption } from '../base/errors';

/** Attributes of a cookie for {@link serializeCookie} and `response.setCookie`. */
export interface CookieOptions {
  /** Seconds until it expires (integer ≥ 0; 0 deletes it). Browsers cap lifetimes at about 400 days. */
  maxAge?: number;
  /** When it expires (a valid Date; `maxAge` wins in browsers that see both). */
  expires?: Date;
  /** Path prefix it is sent for, starting with '/' (browsers default to the request's folder). */
  path?: string;
  /** Host name it is also sent to with subdomains (none: only the host that set it). */
  domain?: string;
  /** Only over HTTPS. */
  secure?: boolean;
  /** Hidden from scripts (`document.cookie`). */
  httpOnly?: boolean;
  /** Sent with cross-site requests: 'Strict' never, 'Lax' on top-level navigations, 'None' always (needs `secure`). */
  sameSite?: 'Strict' | 'Lax' | 'None';
  /** CHIPS: kept per top-level site (needs `secure`). */
  partitioned?: boolean;
  /**
   * How the value is made cookie-safe: `encodeURIComponent` by default (`request.cookies` decodes it);
   * a function of yours; or `false` to send it raw (it must then be cookie-octets already).
   */
  encode?: ((value: string) => string) | false;
}

const KNOWN: ReadonlySet<string> = new Set(['maxAge', 'expires', 'path', 'domain', 'secure', 'httpOnly', 'sameSite', 'partitioned', 'encode']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ): no CTLs, whitespace, DQUOTE, ',', ';', '\' (§4.1.1). */
const COOKIE_VALUE = /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;
/** path-value: any CHAR except CTLs or ';' (§4.1.1), and starting with '/' (others are ignored, §5.2.4). */
const PATH_VALUE = /^\/[\x20-\x3a\x3c-\x7e]*$/;
/** A host name (LDH labels, an optional leading dot that browsers ignore); IDNs in their xn-- form. */
const DOMAIN_VALUE = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const SAME_SITE: Readonly<Record<string, 'Strict' | 'Lax' | 'None'>> = { strict: 'Strict', lax: 'Lax', none: 'None' };
/** RFC 6265bis §5.6: browsers ignore a cookie whose name and value exceed 4096 bytes, an attribute over 1024. */
const MAX_PAIR = 4096;
const MAX_ATTRIBUTE = 1024;

function checkBool(name: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== 'boolean') throw invalidOption(`cookie ${name}`, 'a boolean', v);
  return v === true;
}

/**
 * `name=value` and its attributes, ready to be one Set-Cookie field value. Throws ERR_MWS_INVALID_OPTION
 * for a name that is not a token, a value that is not cookie-octets once encoded, an attribute of the
 * wrong type or with `;` / control characters, an unknown option, and combinations that browsers
 * reject: `sameSite: 'None'` or `partitioned` without `secure`, a `__Secure-` name without `secure`, a
 * `__Host-` name without `secure`, with a `domain` or a `path` other than '/'.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (typeof name !== 'string' || !TOKEN.test(name)) throw invalidOption('cookie name', 'an HTTP token (RFC 6265 §4.1.1: letters, digits and !#$%&\'*+-.^_`|~)', name);
  if (typeof value !== 'string') throw invalidOption(`cookie ${name} value`, 'a string', value);
  if (options === null || typeof options !== 'object') throw invalidOption('cookie options', 'an object', options);
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw invalidOption(`cookie option ${k}`, `one of ${[...KNOWN].join(', ')}`, (options as Record<string, unknown>)[k]);
  }
  const { maxAge, expires, path, domain, sameSite, encode } = options;

  let encoded: string;
  if (encode === undefined) {
    try { encoded = encodeURIComponent(value); } catch { throw invalidOption(`cookie ${name} value`, 'a string without lone surrogates', value); }
  } else if (encode === false) {
    encoded = value;
  } else if (typeof encode === 'function') {
    encoded = encode(value);
  } else {
    throw invalidOption('cookie encode', 'a function (value) => string, or false to send the value raw', encode);
  }
  if (typeof encoded !== 'string' || !COOKIE_VALUE.test(encoded)) {
    throw invalidOption(`cookie ${name} value`, 'cookie-octets once encoded (no spaces, controls, ", comma, ; or \\; the default encoding makes any string safe)', encoded);
  }
  if (name.length + encoded.length > MAX_PAIR) throw invalidOption(`cookie ${name} value`, `at most ${MAX_PAIR} bytes with the name (browsers drop longer cookies)`, `${encoded.length} bytes`);

  let s = name + '=' + encoded;
  if (maxAge !== undefined) {
    if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0) throw invalidOption('cookie maxAge', 'an integer number of seconds ≥ 0', maxAge);
    s += '; Max-Age=' + maxAge;
  }
  if (expires !== undefined) {
    if (!(expires instanceof Date) || Number.isNaN(expires.getTime())) throw invalidOption('cookie expires', 'a valid Date', expires);
    s += '; Expires=' + expires.toUTCString(); // IMF-fixdate, the sane-cookie-date of §4.1.1
  }
  if (domain !== undefined) {
    if (typeof domain !== 'string' || domain.length > MAX_ATTRIBUTE || !DOMAIN_VALUE.test(domain)) {
      throw invalidOption('cookie domain', "a host name such as 'example.com' (letters, digits, '-', '.'; no ';' or controls)", domain);
    }
    s += '; Domain=' + domain;
  }
  if (path !== undefined) {
    if (typeof path !== 'string' || path.length > MAX_ATTRIBUTE || !PATH_VALUE.test(path)) {
      throw invalidOption('cookie path', "a path starting with '/', without ';', controls or non-ASCII characters", path);
    }
    s += '; Path=' + path;
  }
  const secure = checkBool('secure', options.secure);
  if (secure) s += '; Secure';
  if (checkBool('httpOnly', options.httpOnly)) s += '; HttpOnly';
  if (sameSite !== undefined) {
    const ss = typeof sameSite === 'string' ? SAME_SITE[sameSite.toLowerCase()] : undefined;
    if (ss === undefined) throw invalidOption('cookie sameSite', "'Strict', 'Lax' or 'None'", sameSite);
    if (ss === 'None' && !secure) throw invalidOption('cookie sameSite', "'Strict' or 'Lax' without secure: true ('None' needs Secure: browsers reject it otherwise)", sameSite);
    s += '; SameSite=' + ss;
  }
  if (checkBool('partitioned', options.partitioned)) {
    if (!secure) throw invalidOption('cookie partitioned', 'used with secure: true (browsers reject a Partitioned cookie without Secure)', true);
    s += '; Partitioned';
  }
  // Cookie prefixes (RFC 6265bis §4.1.3), matched case-insensitively as browsers do.
  const lower = name.toLowerCase();
  if ((lower.startsWith('__secure-') || lower.startsWith('__host-')) && !secure) {
    throw invalidOption(`cookie secure (for ${name})`, 'true: browsers reject __Secure- and __Host- cookies without Secure', options.secure);
  }
  if (lower.startsWith('__host-') && (domain !== undefined || path !== '/')) {
    throw invalidOption(`cookie ${domain !== undefined ? 'domain' : 'path'} (for ${name})`, "no domain and path '/' for a __Host- cookie", domain ?? path);
  }
  return s;
}

/** A Set-Cookie value that deletes cookie `name` (Max-Age=0 and an Expires in 1970, for old clients). */
export function clearingCookie(name: string, options: Omit<CookieOptions, 'maxAge' | 'expires' | 'encode'> = {}): string {
  if (options === null || typeof options !== 'object') throw invalidOption('cookie options', 'an object', options);
  return serializeCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
}
