/**
 * The `Date` header value, cached for the current second (RFC 9110 §6.6.1: an origin server with a clock
 * MUST send Date in 2xx, 3xx and 4xx responses; its resolution is one second).
 *
 * Computed on demand when the second read from Date.now() changed: no formatting per request, and no
 * interval timer that would keep the process alive or wake an idle server.
 */

let cachedSecond = -1;
let cachedValue = '';

/**
 * Formats a time as IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7).
 * `Date.prototype.toUTCString` produces exactly that format for years 1000–9999 (ECMA-262 §21.4.4.43).
 */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * The current time as IMF-fixdate, recomputed at most once per second.
 * @param nowMs the current time in ms since the epoch (tests pass a fixed clock).
 */
export function httpDate(nowMs: number = Date.now()): string {
  const second = Math.floor(nowMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedValue = formatHttpDate(second * 1000);
  }
  return cachedValue;
}
