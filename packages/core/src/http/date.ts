/**
 * The `Date` header value, cached for the current second (RFC 9110 §6.6.1: an origin server with a clock
 * MUST send Date in 2xx, 3xx and 4xx responses; its resolution is one second).
 *
 * Formatted once per second, not per request; the refresh timer is unref'd and stops when the server is
 * idle, so it neither keeps the process alive nor wakes an idle server.
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

/** The value for the current second while requests flow; refreshed by a second-aligned timer. */
let current = '';
/** `Date: <current>\r\n`, the whole field line, made with `current`. */
let currentLine = '';
let ticking: NodeJS.Timeout | null = null;
let usedSinceTick = false;

function scheduleTick(now: number): void {
  // Just after the next second boundary; unref: it never keeps the process alive.
  ticking = setTimeout(tick, 1001 - (now % 1000));
  ticking.unref();
}

function tick(): void {
  if (!usedSinceTick) {
    // Nobody asked during the last second: stop, so an idle server is not woken every second.
    ticking = null;
    return;
  }
  usedSinceTick = false;
  const now = Date.now();
  current = formatHttpDate(now);
  currentLine = '';
  scheduleTick(now);
}

/**
 * The current time as IMF-fixdate. While responses are being sent this is a cached string refreshed once
 * a second by a timer (no clock read per response); the timer stops after a second without use.
 * @param nowMs a fixed clock (tests): formats that time instead, cached per second.
 */
export function httpDate(nowMs?: number): string {
  if (nowMs !== undefined) {
    const second = Math.floor(nowMs / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedValue = formatHttpDate(second * 1000);
    }
    return cachedValue;
  }
  usedSinceTick = true;
  if (ticking === null) {
    const now = Date.now();
    current = formatHttpDate(now);
    currentLine = '';
    scheduleTick(now);
  }
  return current;
}

/** The whole `Date: …\r\n` field line for the current second: built once a second, not per response. */
export function httpDateLine(): string {
  const v = httpDate();
  if (currentLine === '') currentLine = 'Date: ' + v + '\r\n';
  return currentLine;
}
