/* Below both the connection (which carries them) and the rate sweep (engine/rates.ts, which keeps them). */

/** What the server's rate sweep remembers of one connection (made the first time it sees a body or a send backlog). */
export class RateMarks {
  /** `served` of the request whose body is watched (-1: none). */
  bodyOf = -1;
  /** When the sweep first saw that body, and the socket's bytesRead then. */
  bodyAt = 0;
  bodyRead0 = 0;
  /** Start of the current send window (0: nothing waiting), and the bytes flushed to the kernel then. */
  sendAt = 0;
  sent0 = 0;
  /** The previous sweep that saw bytes waiting (0: none), and the bytes flushed then: the recent drain rate. */
  drainAt = 0;
  drained = 0;
  /** Since when the response drains below the minimum rate, sweep after sweep (0: it does not). Eviction takes the oldest. */
  slowSince = 0;
}
