/** The size of a buffer lent to a streamed body's connection: one kernel read of up to this many bytes. */
export const READ_BUFFER_SIZE = 64 * 1024;
/** At most this many are lent at once, server-wide (512 KiB): more concurrent uploads read through their slots. */
export const READ_BUFFERS_MAX = 8;

/**
 * Bigger receive buffers for streamed request bodies (large uploads). A connection's slot (1 to 16 KiB by
 * preset) caps each kernel read at its size, so a 256 MiB upload through a 4 KiB slot costs 65,536 reads,
 * each a parser run, a callback and a copy. While a streamed body is being received its connection
 * borrows one of these (xasync's `lendRecvBuffer`) and gives it back when the body ends: 16× fewer reads.
 * The pool is bounded ({@link READ_BUFFERS_MAX}) and its buffers reused (allocated on first use, kept):
 * memory per upload stays bounded whatever the body size, and plain requests never touch it.
 */
export class ReadBuffers {
  /** Buffers lent now. */
  lent = 0;
  /** How often a streamed body found none free (it reads through its slot). */
  refused = 0;
  private readonly _free: Buffer[] = [];
  private readonly _max: number;

  constructor(max = READ_BUFFERS_MAX) {
    this._max = max;
  }

  /** A buffer to lend, or null when {@link READ_BUFFERS_MAX} are out. */
  take(): Buffer | null {
    if (this.lent >= this._max) { this.refused++; return null; }
    this.lent++;
    return this._free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_SIZE);
  }

  /** A lent buffer comes back (xasync's `onReturn`; bound once, no closure per body). */
  readonly giveBack = (b: Buffer): void => {
    this.lent--;
    this._free.push(b);
  };
}
