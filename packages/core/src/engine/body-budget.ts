import { ReadBuffers } from './read-buffers';

/**
 * The server-wide budget of memory held by buffered request bodies (`maxBufferedBodyBytes`): what the
 * connections' {@link BodyIntake}s have allocated for bodies still arriving. A body a module's
 * `BodyReceiver` takes as it arrives allocates nothing here and is not counted.
 */
export class BodyBudget {
  /** Most bytes held at once; 0: no budget. */
  limit = 0;
  /** Bytes held now. */
  used = 0;
  /** Bodies refused because the budget was spent (503 + Retry-After). */
  refused = 0;
  /** The bigger receive buffers streamed bodies borrow (not counted in the budget: bounded on their own). */
  readonly readBuffers = new ReadBuffers();

  /**
   * Takes `n` bytes from the budget for a body that holds `held` already; false (and counted) when they
   * do not fit. A body that is the only one held may always grow (up to its own size limit): a budget
   * below one allowed body (a route's `maxBodyBytes` above it) must not refuse that body forever.
   */
  reserve(n: number, held: number): boolean {
    if (this.limit > 0 && this.used + n > this.limit && this.used !== held) { this.refused++; return false; }
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used -= n;
  }
}
