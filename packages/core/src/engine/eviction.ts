/**
 * Who gives up its slot when a new connection finds the pool full (issue 18): the connection that
 * matters least, in the order nginx, Apache and HAProxy use —
 *   1. an idle keep-alive connection, the longest idle first (nginx reuses keep-alive connections when
 *      `worker_connections` run out): just FIN, the client opens a new one when it needs it;
 *   2. a connection still sending its request head (for 250 ms at least), the longest first (a slowloris): 408;
 *   3. a body sender below the minimum rate (`minBodyRateBytesPerSec`, a RUDY), the slowest first: 408;
 *   4. a reader whose response drains below `minSendRateBytesPerSec` (a slow read: it already failed its
 *      reader duty), the one slow for longest first: closed (its response cannot be completed). Judged
 *      from the last look at it (the sweep's, or the first one, dated back to when its bytes began to
 *      wait) once SEND_WATCH_MS old: a pool filled by readers that stopped at once is not held until
 *      two sweeps saw them.
 *   5. a fair share: when the newcomer's address group holds almost nothing (less than a quarter of what
 *      the other holds) and another group holds more than half the pool, a reader of that group that has
 *      taken nothing for FAIR_STALL_MS, before rule 4 judges it, the one stalled longest first: closed.
 *      One machine's worth of downloads that never read fills a Light pool faster than its readers can be
 *      judged (each takes megabytes of kernel buffers first); a client from another address then takes
 *      a slot from them without waiting for the judgement (bench/src/static-burst.js).
 * A connection with a request in progress (a handler, a response the reader takes) is never taken: when
 * every slot is such, the newcomer waits for a slot (`poolFullWaitSec`), then gets the pre-encoded 503.
 * One pass over the server's connections, only when the pool is full (never on the request path).
 */
import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import { Activity } from './activity';
import type { HttpConnection } from './connection';
import type { ConnectionLimits } from './connection-host';
import { bodyRate, slowSendSince, watchSend } from './rates';

/**
 * A head is taken only once it has been arriving this long: a connection just bound to a slot has not
 * been read yet (a legitimate newcomer must not be evicted by the next one), while a client's head takes
 * one round trip. Bodies likewise need one sweep of observation (engine/rates.ts) before their rate counts.
 */
const MIN_HEAD_WAIT_MS = 250;

/**
 * Rule 5 takes a reader that has taken nothing for this long (rule 4 judges after SEND_WATCH_MS): long
 * enough that a reader taking data never qualifies, short enough that a newcomer from another address
 * does not wait for the judgement.
 */
export const FAIR_STALL_MS = 25;

/** Evictions by kind (`srv.stats`). */
export interface EvictionCounts {
  idle: number;
  head: number;
  body: number;
  send: number;
  /** Readers of an address group holding more than half the pool, for a newcomer of a group holding almost none. */
  share: number;
}

/** The newcomer's address group against the others (rule 5 above); null: no fair share (`fairShareEviction` off). */
export interface FairShare {
  /** Connections the newcomer's group holds. */
  readonly newcomerHeld: number;
  /** Connections the group of `host` holds. */
  held(host: string): number;
  /** The pool's size (its slots). */
  readonly slots: number;
}

/**
 * Picks the connection to evict among `conns`, ends it (FIN for an idle one, 408 for a slow head or
 * body, a plain close for a slow reader; logged at DEBUG), counts it, and returns its client (xasync destroys it and hands its slot to
 * the newcomer). Null: every slot has a request in progress, or a reader not judged slow (yet) holds
 * one (the newcomer may wait for a slot). False: none now, but heads younger than MIN_HEAD_WAIT_MS or
 * bodies not yet watched for a sweep will be judged within 250 ms, and no reader or request in progress
 * holds a slot: the
 * newcomer is refused at once rather than waiting. Those are what a
 * reconnecting slowloris or RUDY fills the pool with; a wait would queue a legitimate newcomer behind the
 * attacker's own reconnections, whereas refused, those must reconnect and the next newcomer competes
 * with them on arrival.
 */
export function evictOne(conns: Iterable<HttpConnection>, limits: ConnectionLimits, minBodyRate: number, minSendRate: number, now: number, counts: EvictionCounts, share: FairShare | null = null): XAsyncTCPClient | null | false {
  let idle: HttpConnection | null = null;
  let idleSince = Infinity;
  let head: HttpConnection | null = null;
  let headSince = Infinity;
  let body: HttpConnection | null = null;
  let bodyLowest = Infinity;
  let send: HttpConnection | null = null;
  let sendSince = Infinity;
  /** Heads or bodies that will be judged soon (see above). */
  let soon = false;
  /** A reader not judged slow, or a request in progress: then the newcomer waits rather than being refused (see below). */
  let sendSoon = false;
  /** Rule 5: the reader of a dominant group waiting for longest, while no reader is judged slow. */
  let fair: HttpConnection | null = null;
  let fairSince = Infinity;
  // The fair share applies only to a newcomer whose group holds less than a quarter of half the pool.
  const shareFloor = share === null ? -1 : share.slots / 2;
  const newcomerHeld = share === null ? 0 : share.newcomerHeld;
  for (const c of conns) {
    if (c.isDetached || c.client.isClosing) continue;
    const a = c.activity;
    if (a === Activity.Idle) {
      const since = waitStart(c, limits);
      if (since < idleSince) { idle = c; idleSince = since; }
    } else if (a === Activity.Head && idle === null) {
      const since = waitStart(c, limits);
      if (since === Infinity) continue; // a TLS handshake: bounded by its own timeout, not judged here
      if (now - since < MIN_HEAD_WAIT_MS) soon = true;
      else if (since < headSince) { head = c; headSince = since; }
    } else if (a === Activity.Body && idle === null && head === null && minBodyRate > 0) {
      const r = bodyRate(c, now);
      if (r < 0) soon = true;
      else if (r < minBodyRate && r < bodyLowest) { body = c; bodyLowest = r; }
    } else if (a === Activity.Sending && idle === null && head === null && body === null && minSendRate > 0) {
      // Its first look, dated back to when its bytes began to wait (no-op once looked at).
      watchSend(c, now);
      const since = slowSendSince(c, minSendRate, now);
      // Not judged slow (yet): the newcomer waits rather than being refused at once. Also for a reader that
      // keeps up: waiting newcomers are served newest first (xasync), so a wait does not queue a
      // legitimate newcomer behind an attacker's reconnections; refused at once, 1–2 of ~186 legitimate
      // requests got a 503 during a burst of 200 downloads on Light (bench/src/static-burst.js).
      if (since === 0) {
        sendSoon = true;
        if (shareFloor >= 0 && send === null) {
          // Stalled: not a byte taken since its bytes began to wait, FAIR_STALL_MS ago at least (a reader
          // that takes data, however fast, is never a fair-share victim).
          const cl = c.client;
          const waitSince = cl.sendWaitSince;
          if (waitSince !== 0 && waitSince < fairSince && now - waitSince >= FAIR_STALL_MS && cl.bytesFlushed === cl.sendWaitFlushed) {
            const held = share!.held(c.remoteHost);
            if (held > shareFloor && newcomerHeld * 4 < held) { fair = c; fairSince = waitSince; }
          }
        }
      } else if (since < sendSince) { send = c; sendSince = since; }
    } else if (a === Activity.Busy && !c.openEnded) {
      // A request in progress (a handler, a file response waiting for its read turn): it ends or becomes
      // a reader to judge, so the newcomer waits too. During a burst of 200 downloads on Light most slots
      // were downloads waiting for their next file read, with no reader under watch for a moment: refused
      // at once, 6 of ~180 legitimate requests got a 503. Not an open-ended response (an event stream
      // lives until its client leaves): a pool of slowloris heads beside one keeps its 503 at once.
      sendSoon = true;
    }
  }
  if (idle !== null) {
    counts.idle++;
    idle.log('DEBUG', `From ${idle.remoteHost}:${idle.remotePort} evicted (idle keep-alive) for a new connection: the pool is full`);
    return idle.client;
  }
  if (head === null && body === null) {
    if (send === null && fair !== null) {
      counts.share++;
      fair.log('DEBUG', `From ${fair.remoteHost}:${fair.remotePort} evicted (fair share: its address holds more than half the pool, ${fair.client.sendPending} bytes waiting) for a new connection from another address: the pool is full`);
      return fair.client;
    }
    if (send === null) return soon && !sendSoon ? false : null;
    counts.send++;
    send.log('DEBUG', `From ${send.remoteHost}:${send.remotePort} evicted (response drained below ${minSendRate} B/s, ${send.client.sendPending} bytes waiting) for a new connection: the pool is full`);
    return send.client;
  }
  const victim = head ?? body;
  if (victim === null) return null;
  if (victim === head) counts.head++;
  else counts.body++;
  victim.timeOut('DEBUG', `evicted (${victim === head ? 'head incomplete' : `body below ${minBodyRate} B/s`}) for a new connection: the pool is full`);
  return victim.client;
}

/**
 * When the connection's current wait for a head began: its receive deadline less the timeout that was
 * armed (headers for a first request, keep-alive after one).
 */
function waitStart(c: HttpConnection, limits: ConnectionLimits): number {
  const d = c.client.recvDeadline;
  if (d === 0) return Infinity; // not started (a TLS handshake, bounded by its own timeout)
  return d - 1000 * (c.served === 0 ? limits.headersTimeoutSec : limits.keepAliveTimeoutSec);
}
