/**
 * The slow-reader judgment (rates.ts) on the clock it is given: a reader that stopped is judged
 * SEND_WATCH_MS after its bytes began to wait, whoever looked at it first (an eviction or the sweep),
 * and a sweep in between does not restart that countdown (it did: evictions came in 250 ms waves). The
 * connection is a plain object with the counters the judgment reads (xasync's `sendWaitSince`,
 * `bytesFlushed`, `sendPending`); the sockets' side is covered with real ones in
 * server/availability.test.ts.
 */
import { Activity } from './activity';
import type { HttpConnection } from './connection';
import type { RateMarks } from './rate-marks';
import { SEND_WATCH_MS, slowSendSince, sweepRates, watchSend } from './rates';

interface Reader {
  marks: RateMarks | null;
  activity: Activity;
  isDetached: boolean;
  client: { isClosing: boolean; sendPending: number; bytesFlushed: number; sendWaitSince: number; sendWaitFlushed: number; destroy(): void };
  log(): void;
}

/** A reader whose bytes began to wait at `since`, with `flushed` bytes taken by the kernel then. */
function reader(since: number, flushed: number): Reader {
  return {
    marks: null, activity: Activity.Sending, isDetached: false, log: () => undefined,
    client: { isClosing: false, sendPending: 65536, bytesFlushed: flushed, sendWaitSince: since, sendWaitFlushed: flushed, destroy: () => undefined },
  };
}

const LIMITS = { minBodyRateBytesPerSec: 0, bodyRateGraceSec: 0, minSendRateBytesPerSec: 1024, sendRateWindowSec: 5 };
const MIN = LIMITS.minSendRateBytesPerSec;
const conn = (r: Reader): HttpConnection => r as unknown as HttpConnection;

test('a reader that stopped is judged SEND_WATCH_MS after it stopped, on its first look (an eviction\'s)', () => {
  const T = 1_000_000;
  const r = reader(T, 4_000_000);
  watchSend(conn(r), T + 30);
  expect(slowSendSince(conn(r), MIN, T + 30)).toBe(0);
  expect(slowSendSince(conn(r), MIN, T + SEND_WATCH_MS)).toBe(T);
});

test('a sweep between the first look and SEND_WATCH_MS neither judges it early nor restarts the countdown', () => {
  const T = 1_000_000;
  const r = reader(T, 4_000_000);
  watchSend(conn(r), T + 10);
  sweepRates([conn(r)], LIMITS, T + 20, { body: 0, send: 0 });
  expect(slowSendSince(conn(r), MIN, T + 20)).toBe(0);
  expect(slowSendSince(conn(r), MIN, T + SEND_WATCH_MS + 5)).toBe(T);
});

test('the sweep\'s own first look is dated back as well', () => {
  const T = 1_000_000;
  const r = reader(T, 4_000_000);
  sweepRates([conn(r)], LIMITS, T + 40, { body: 0, send: 0 });
  expect(r.marks!.drainAt).toBe(T);
  expect(slowSendSince(conn(r), MIN, T + SEND_WATCH_MS)).toBe(T);
});

test('a reader that keeps draining above the minimum rate is never judged', () => {
  const T = 1_000_000;
  const r = reader(T, 4_000_000);
  watchSend(conn(r), T);
  for (let t = T + 50; t <= T + 1000; t += 50) {
    r.client.bytesFlushed += 1024; // 20 KiB/s
    sweepRates([conn(r)], LIMITS, t, { body: 0, send: 0 });
    expect(slowSendSince(conn(r), MIN, t)).toBe(0);
  }
});
