/**
 * core's catalogue for misuse of the API (network errors are in ./http/errors.ts with their status).
 * Every error thrown at a caller has a stable `code`.
 */
export const MwsErrorCodes = {
  /** An option was given a value outside what it allows; the message names both. */
  ERR_MWS_INVALID_OPTION: 'ERR_MWS_INVALID_OPTION',
  /** A setting that cannot change while the server runs was changed. */
  ERR_MWS_RUNNING: 'ERR_MWS_RUNNING',
  /** start was called on a server that is running or starting (stop on a stopped server just resolves). */
  ERR_MWS_STATE: 'ERR_MWS_STATE',
  /** The same method and path (or route name) was registered twice. */
  ERR_MWS_ROUTE_DUPLICATE: 'ERR_MWS_ROUTE_DUPLICATE',
  /** The listen address cannot be used (in use, or a privileged port without the right to bind it). */
  ERR_MWS_LISTEN: 'ERR_MWS_LISTEN',
  /** SSL certificate or key files are missing or invalid. */
  ERR_MWS_SSL: 'ERR_MWS_SSL',
  /** The request body is not valid JSON (getPostedJSONObject); answered 400 if the handler lets it go. */
  ERR_MWS_BAD_JSON: 'ERR_MWS_BAD_JSON',
  /** A response method was called after the response was already sent. */
  ERR_MWS_RESPONSE_SENT: 'ERR_MWS_RESPONSE_SENT',
  /**
   * A request or response was used after its connection went on to the next request: it was answered
   * synchronously and nothing declared a later use, so the connection reused its objects (issue 19).
   * Copy what is needed before answering, or keep it through an async handler or `onSent`.
   */
  ERR_MWS_STALE: 'ERR_MWS_STALE',
  /** A streamed request body passed its limit (`request.bodyLimit`, the route's `maxBodyBytes`): 413 sent, connection closed. */
  ERR_MWS_BODY_TOO_LARGE: 'ERR_MWS_BODY_TOO_LARGE',
  /** The client stalled mid-body past the body timeout: 408 sent, connection closed. */
  ERR_MWS_BODY_TIMEOUT: 'ERR_MWS_BODY_TIMEOUT',
  /** The request body's framing was broken (a malformed chunk): 400 sent, connection closed; `cause` tells why. */
  ERR_MWS_BAD_BODY: 'ERR_MWS_BAD_BODY',
  /** The body was already taken another way (`request.body` made, or a read pending): one reader at a time. */
  ERR_MWS_BODY_USED: 'ERR_MWS_BODY_USED',
  /** A multipart/form-data body is malformed (no boundary, a bad part header, cut short): answered 400 if the handler lets it go. */
  ERR_MWS_BAD_MULTIPART: 'ERR_MWS_BAD_MULTIPART',
  /** A multipart/form-data body passed one of `request.multipart(limits)`: answered 413 (with the message) if the handler lets it go. */
  ERR_MWS_MULTIPART_LIMIT: 'ERR_MWS_MULTIPART_LIMIT',
} as const;

export type MwsErrorCode = keyof typeof MwsErrorCodes;

/** An error of core's API; `code` is one of {@link MwsErrorCodes}. */
export class MwsError extends Error {
  readonly code: MwsErrorCode;
  constructor(code: MwsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MwsError';
    this.code = code;
  }
}

/**
 * A value as a misuse message shows it: strings quoted, arrays and plain objects as JSON (never
 * `[object Object]`, and `['x']` is not a bare x), functions as "a function", undefined, bigints and
 * symbols by name; a value JSON cannot write (a cycle) by its type.
 */
export function shownValue(got: unknown): string {
  try {
    if (typeof got === 'function') return 'a function';
    if (typeof got === 'bigint' || typeof got === 'symbol' || got === undefined) return String(got);
    return JSON.stringify(got) ?? String(got);
  } catch { return typeName(got); }
}

/** 'a string', 'an object'. */
const typeName = (v: unknown): string => (typeof v === 'object' || typeof v === 'undefined' ? 'an ' : 'a ') + typeof v;

/**
 * The misuse error of the catalogue: `ERR_MWS_INVALID_OPTION` with the message
 * "`name` must be `allowed`, got `value`" (see {@link shownValue}). `secret`: the value is a credential —
 * the message names only its type.
 * @example throw invalidOption('MyModule options.path', "a path starting with '/'", options.path);
 */
export function invalidOption(name: string, allowed: string, got: unknown, secret = false): MwsError {
  return new MwsError('ERR_MWS_INVALID_OPTION', `${name} must be ${allowed}, got ${secret ? typeName(got) : shownValue(got)}`);
}

/** Returns `v` when it is an integer from `min` to `max`, else throws {@link invalidOption} naming `name`. */
export function assertIntOption(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalidOption(name, `an integer from ${min} to ${max}`, v);
  return v;
}

/** Returns `v` when it is a finite number from `min` to `max`, else throws {@link invalidOption} naming `name`. */
export function assertNumberOption(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalidOption(name, `a number from ${min} to ${max}`, v);
  return v;
}
