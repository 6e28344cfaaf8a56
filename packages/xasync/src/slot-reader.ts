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

/**
 * A bigger buffer lent for a while (a large upload: fewer, bigger reads), made per loan, with the slot's
 * memory to go back to: without a loan, the reader's `buf` is the slot's memory, so an idle connection's
 * reader keeps one null field for loans instead of four (issue 19).
 */
class Loan {
  /** The loan ended: the lent buffer goes back as soon as `buf` is the slot again. */
  returning = false;
  constructor(readonly buf: Buffer, readonly onReturn: (b: Buffer) => void, readonly slotBuf: Buffer) {}
}

export class SlotReader {
  /** Where bytes land now: the slot's memory, or a buffer lent for a while (see {@link lend}). */
  buf: Buffer;
  rd = 0;
  wr = 0;
  /**
   * The loan running, or null. `buf` switches to its buffer, and back to the slot, only when every byte
   * is consumed: unconsumed bytes never move between buffers.
   */
  private _loan: Loan | null = null;
  /** Where the next read was told to land: 'slot' (at wr) or the shared 1-byte overflow target. */
  private _targetIsSlot = true;
  /**
   * True when bytes only come in through {@link append} (TLS, 'data' fallback): no kernel read target
   * is outstanding, so offsets may be reset and compacted at any time. False: the zero-copy `onread`
   * path (the client's `zeroCopy` reads it; no flag of its own).
   */
  copyMode = false;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  /** The slot's own memory (whatever `buf` is now). */
  get slotBuffer(): Buffer { return this._loan === null ? this.buf : this._loan.slotBuf; }

  /** True while a buffer is lent (the loan may have ended, its bytes not yet consumed). */
  get lent(): boolean { return this._loan !== null; }

  /**
   * Reads land in `b` instead of the slot from the next time everything is consumed, until {@link endLoan};
   * `onReturn(b)` is called once `b` is no longer used (after endLoan, or at {@link dropLoan}).
   */
  lend(b: Buffer, onReturn: (b: Buffer) => void): void {
    this._loan = new Loan(b, onReturn, this.slotBuffer);
    if (this.copyMode && this.rd === this.wr) this._switch();
  }

  /**
   * Ends the loan. The buffer goes back now when it was never switched to or holds nothing unconsumed and
   * no read target points into it (`noTarget`: the copy paths, or the kernel's target was moved to the
   * slot); otherwise once its bytes are consumed (at the next {@link nextTarget} / {@link consume}).
   * Returns true when the caller should move the kernel's target to the slot to end it now.
   */
  endLoan(noTarget: boolean): boolean {
    const loan = this._loan;
    if (loan === null) return false;
    loan.returning = true;
    if (this.buf !== loan.buf) { this._giveBack(); return false; }
    if (this.rd !== this.wr) return false;
    if (this.copyMode || noTarget) { this._switch(); return false; }
    return true;
  }

  /** The connection closed (no read can land any more): a lent buffer goes back at once. */
  dropLoan(): void {
    const loan = this._loan;
    if (loan === null) return;
    this.buf = loan.slotBuf;
    this.rd = this.wr = 0;
    this._giveBack();
  }

  /** With everything consumed: move to the lent buffer, or back to the slot when the loan ended. */
  private _switch(): void {
    const loan = this._loan!;
    this.rd = this.wr = 0;
    if (loan.returning) {
      this.buf = loan.slotBuf;
      this._giveBack();
    } else {
      this.buf = loan.buf;
    }
  }

  private _giveBack(): void {
    const loan = this._loan!;
    this._loan = null;
    if (this.buf === loan.buf) this.buf = loan.slotBuf;
    loan.onReturn(loan.buf);
  }

  get size(): number { return this.buf.length; }
  get pending(): number { return this.wr - this.rd; }
  get full(): boolean { return this.rd === 0 && this.wr === this.buf.length; }
  get room(): number { return this.buf.length - this.wr + this.rd; }

  /** The `onread.buffer` generator: the region for the next read. Called by Node after every read. */
  nextTarget(): Buffer {
    if (this.rd === this.wr) {
      // The common case — everything consumed: start over at 0 and hand the whole slot (no allocation).
      this.rd = this.wr = 0;
      this._targetIsSlot = true;
      // A loan starts or ends only here on the zero-copy path: no target points into either buffer.
      const loan = this._loan;
      if (loan !== null && (this.buf !== loan.buf) !== loan.returning) this._switch();
      return this.buf;
    }
    const buf = this.buf;
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
      const loan = this._loan;
      if (loan !== null && this.copyMode && (this.buf !== loan.buf) !== loan.returning) this._switch();
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
