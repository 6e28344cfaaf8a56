/**
 * The receive side of a connection's slot: where the kernel's next bytes land, and which bytes are
 * unconsumed. Bytes live in `buf[rd, wr)`. With Node's `onread` option the kernel writes straight into
 * `buf` at `wr` (no copy); TLS and the `'data'` fallback copy their chunks in with {@link append}.
 *
 * Offsets only move forward while the kernel may be writing: unconsumed bytes are moved to the front
 * (compaction) only when handing out the next target, never while a target is outstanding.
 */

/**
 * Handed to the kernel when the slot is full of unconsumed bytes. Node refuses an empty buffer and a
 * read into one would look like EOF; a 1-byte target is safe, and reading is paused in that state anyway,
 * so at most one byte lands here and is copied into the slot as soon as there is room. Shared by all
 * sockets: reads are delivered one at a time, and the byte is copied out inside the same callback.
 */
const ONE_BYTE = Buffer.alloc(1);

/** Compact when less than this share of the slot is left at the end: one copy buys a big read. */
const COMPACT_DIVISOR = 4;

export class SlotReader {
  buf: Buffer;
  rd = 0;
  wr = 0;
  /** Where the next read was told to land: 'slot' (at wr) or the shared 1-byte overflow target. */
  private _targetIsSlot = true;
  /**
   * True when bytes only come in through {@link append} (TLS, 'data' fallback): no kernel read target
   * is outstanding, so offsets may be reset and compacted at any time.
   */
  copyMode = false;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  get size(): number { return this.buf.length; }
  get pending(): number { return this.wr - this.rd; }
  get full(): boolean { return this.rd === 0 && this.wr === this.buf.length; }
  get room(): number { return this.buf.length - this.wr + this.rd; }

  /** The `onread.buffer` generator: the region for the next read. Called by Node after every read. */
  nextTarget(): Buffer {
    const buf = this.buf;
    if (this.rd === this.wr) {
      // The common case — everything consumed: start over at 0 and hand the whole slot (no allocation).
      this.rd = this.wr = 0;
      this._targetIsSlot = true;
      return buf;
    }
    if (this.rd > 0 && buf.length - this.wr < buf.length / COMPACT_DIVISOR) this.compact();
    if (this.wr === buf.length) {
      this._targetIsSlot = false;
      return ONE_BYTE;
    }
    this._targetIsSlot = true;
    return buf.subarray(this.wr);
  }

  /**
   * Accounts for `n` bytes that the kernel wrote into the last target. Returns false if a byte that
   * landed in the overflow target found no room (the owner resumed reading on a full slot: overflow).
   */
  landed(n: number): boolean {
    if (this._targetIsSlot) {
      this.wr += n;
      return true;
    }
    // The 1-byte overflow target: reading resumes only when there is room; copy the byte in.
    this.compact();
    if (this.wr === this.buf.length) return false;
    this.buf[this.wr++] = ONE_BYTE[0];
    return true;
  }

  /** Copies `chunk[from, …)` in (TLS / 'data' paths); returns how many bytes fitted. */
  append(chunk: Buffer, from = 0): number {
    if (this.buf.length - this.wr < chunk.length - from && this.rd > 0) this.compact();
    const n = Math.min(chunk.length - from, this.buf.length - this.wr);
    if (n > 0) {
      chunk.copy(this.buf, this.wr, from, from + n);
      this.wr += n;
    }
    return n;
  }

  consume(n: number): void {
    this.rd += n;
    if (this.rd === this.wr && (this.copyMode || !this._targetIsSlot)) {
      // Nothing outstanding points into the slot: safe to start over.
      this.rd = this.wr = 0;
    }
  }

  /** Moves unconsumed bytes to the front. Only call while no read target points into the slot's tail. */
  compact(): void {
    if (this.rd === 0) return;
    if (this.rd < this.wr) this.buf.copyWithin(0, this.rd, this.wr);
    this.wr -= this.rd;
    this.rd = 0;
  }
}
