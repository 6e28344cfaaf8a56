/**
 * What a connection is doing, as the server's guards see it: the eviction order when the slot pool is
 * full (engine/eviction.ts) and the minimum-rate checks (engine/rates.ts).
 */
export const enum Activity {
  /** Keep-alive, between requests: nothing received, nothing being sent. Evicted first (just FIN). */
  Idle,
  /** Receiving a request head (or nothing yet on a new connection). Evicted second (408). */
  Head,
  /** Receiving a request body (not one a module's receiver paused). Evicted third, when below the minimum rate (408). */
  Body,
  /**
   * A response waiting on its reader: bytes queued that the client does not take. Evicted fourth, when the
   * rate sweep saw it drain below `minSendRateBytesPerSec` (a slow reader: closed, it failed its reader duty).
   */
  Sending,
  /** A request in progress (a handler running, a response leaving at the client's pace), closing, upgraded: never evicted. */
  Busy,
}
