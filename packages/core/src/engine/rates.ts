/**
 * Minimum data rates, checked by one sweep per server (a coarse shared interval, as undici sweeps its
 * sockets; no timer per connection, nothing on the request path):
 *
 * - a request body must keep `minBodyRateBytesPerSec` once `bodyRateGraceSec` have passed since it
 *   began (Apache mod_reqtimeout's `MinRate`: a body may take grace + bytes / rate seconds), else 408 and
 *   close. The body timeout alone only cuts a pause: 1 byte/s never pauses (RUDY).
 * - a response must drain at `minSendRateBytesPerSec`, measured over windows of `sendRateWindowSec`
 *   while bytes wait to be sent, else the connection is closed (a slow reader holds its slot and the
 *   response's memory; xasync's send timeout only cuts no progress at all).
 *
 * The sweep sees a body begin within one tick; the grace period covers that imprecision.
 */
import { Activity } from './activity';
import type { HttpConnection } from './connection';
import { RateMarks } from './rate-marks';

/** The rates the sweep enforces (0 turns a check off). */
export interface RateLimits {
  readonly minBodyRateBytesPerSec: number;
  readonly bodyRateGraceSec: number;
  readonly minSendRateBytesPerSec: number;
  readonly sendRateWindowSec: number;
}

/** Connections closed for a rate (`srv.stats`). */
export interface RateCounts {
  body: number;
  send: number;
}

/** How often the sweep runs. */
export const SWEEP_MS = 250;

/** The body's rate so far in bytes/s, or -1 when the sweep has not watched it for one tick yet. */
export function bodyRate(c: HttpConnection, now: number): number {
  const m = c.marks;
  if (m === null || m.bodyOf !== c.served) return -1;
  const ms = now - m.bodyAt;
  if (ms < SWEEP_MS) return -1;
  return ((c.client.bytesRead - m.bodyRead0) * 1000) / ms;
}

/**
 * A response the sweep (or an eviction) saw waiting is judged after this long without draining at the
 * minimum rate, when the pool is full: long enough for a reader on a slow link to show an ACK (a full
 * send buffer drains at least one segment per round trip) and for the server's own pauses (a collection,
 * a long handler: no write completes while the loop is held) not to look like a reader's, short enough
 * that newcomers do not wait for two sweeps. 50 ms cut a Light burst's tail when its readers and the
 * legitimate client shared an address, but judged a reader taking megabytes a second slow under a
 * loaded machine; the fair share (eviction.ts rule 5) answers the burst from another address.
 */
export const SEND_WATCH_MS = 100;

/**
 * Since when the connection's response has drained below `minSendRate` (0: not known to be slow): the
 * sweep's mark once a look at least SEND_WATCH_MS old saw it slow, else the last look (the first one
 * dated back by {@link watchSend}) if it is SEND_WATCH_MS old and the bytes flushed since are below the
 * rate. A reader that took bytes at the rate since the last look is not slow.
 */
export function slowSendSince(c: HttpConnection, minSendRate: number, now: number): number {
  const m = c.marks;
  if (m === null || m.drainAt === 0) return 0;
  const ms = now - m.drainAt;
  if (ms <= 0) return m.slowSince;
  const client = c.client;
  if (recentDrainRate(m, client.bytesFlushed, now) >= minSendRate) return 0;
  if (m.slowSince !== 0) return m.slowSince;
  return ms >= SEND_WATCH_MS ? m.drainAt : 0;
}

/**
 * The first look at a response waiting on its reader (a no-op once looked at), taken by eviction when
 * the pool is full or by the sweep, whichever comes first. It is dated back to when the bytes began to
 * wait (xasync's send watch): a reader is judged SEND_WATCH_MS after it stopped, not after it was first
 * looked at.
 */
export function watchSend(c: HttpConnection, now: number): void {
  const m = (c.marks ??= new RateMarks());
  if (m.drainAt !== 0) return;
  const client = c.client;
  const since = client.sendWaitSince;
  if (since !== 0 && since < now) {
    m.drainAt = since;
    m.drained = client.sendWaitFlushed;
    return;
  }
  m.drainAt = now;
  m.drained = client.bytesFlushed;
}

/**
 * The response's recent rate in bytes/s: what drained (`flushed` bytes in all, now) since the sweep's last
 * look; -1 when there was no earlier look or no time has passed. Eviction and the sweep judge by it.
 */
function recentDrainRate(m: RateMarks, flushed: number, now: number): number {
  if (m.drainAt === 0 || now <= m.drainAt) return -1;
  return ((flushed - m.drained) * 1000) / (now - m.drainAt);
}

/** One pass: closes the connections below a minimum rate; returns how many it closed. */
export function sweepRates(conns: Iterable<HttpConnection>, limits: RateLimits, now: number, counts: RateCounts): void {
  const minBody = limits.minBodyRateBytesPerSec;
  const minSend = limits.minSendRateBytesPerSec;
  if (minBody === 0 && minSend === 0) return;
  for (const c of conns) {
    if (c.isDetached || c.client.isClosing) continue;
    const a = c.activity;
    if (minBody > 0 && a === Activity.Body) checkBody(c, limits, now, counts);
    // A body its reader paused (a streamed upload to a slow disk) waited on us, not on the client: its
    // rate window starts again when it resumes, so the server's own slowness never counts against it.
    else if (a === Activity.Busy && c.marks !== null && c.marks.bodyOf === c.served) c.marks.bodyOf = -1;
    if (minSend > 0) checkSend(c, limits, now, counts);
  }
}

function checkBody(c: HttpConnection, limits: RateLimits, now: number, counts: RateCounts): void {
  const m = (c.marks ??= new RateMarks());
  if (m.bodyOf !== c.served) {
    m.bodyOf = c.served;
    m.bodyAt = now;
    m.bodyRead0 = c.client.bytesRead;
    return;
  }
  // mod_reqtimeout: the body may take grace + received / rate seconds.
  const received = c.client.bytesRead - m.bodyRead0;
  const allowedMs = 1000 * (limits.bodyRateGraceSec + received / limits.minBodyRateBytesPerSec);
  if (now - m.bodyAt <= allowedMs) return;
  counts.body++;
  c.timeOut('WARNING', `body below ${limits.minBodyRateBytesPerSec} B/s (${received} bytes in ${((now - m.bodyAt) / 1000).toFixed(1)} s)`);
}

function checkSend(c: HttpConnection, limits: RateLimits, now: number, counts: RateCounts): void {
  const client = c.client;
  const pending = client.sendPending;
  const m = c.marks;
  if (pending === 0) {
    if (m !== null) { m.sendAt = 0; m.drainAt = 0; m.slowSince = 0; }
    return;
  }
  watchSend(c, now); // the first look, dated back (see there)
  const mm = c.marks!;
  const flushed = client.bytesFlushed;
  // The recent rate, look to look: what eviction judges a reader by (the window's average would hide a
  // reader that stopped after the kernel's buffers took the first megabytes at loopback speed). A look
  // younger than SEND_WATCH_MS is too short to judge by (a reader on a slow link may show no ACK for a
  // few milliseconds without being slow): it is kept for the next sweep.
  const recent = recentDrainRate(mm, flushed, now);
  if (recent >= 0 && now - mm.drainAt >= SEND_WATCH_MS) {
    if (recent >= limits.minSendRateBytesPerSec) mm.slowSince = 0;
    else if (mm.slowSince === 0) mm.slowSince = mm.drainAt;
    mm.drainAt = now;
    mm.drained = flushed;
  }
  if (mm.sendAt === 0) { mm.sendAt = now; mm.sent0 = flushed; return; }
  const ms = now - mm.sendAt;
  if (ms < limits.sendRateWindowSec * 1000) return;
  const rate = ((flushed - mm.sent0) * 1000) / ms;
  mm.sendAt = now;
  mm.sent0 = flushed;
  if (rate >= limits.minSendRateBytesPerSec) return;
  counts.send++;
  c.log('WARNING', `From ${c.remoteHost}:${c.remotePort} response drained below ${limits.minSendRateBytesPerSec} B/s (${Math.round(rate)} B/s, ${pending} bytes waiting): closed`);
  client.destroy();
}
