/**
 * Where a field section ends: the base of HttpRequestParser (parser.ts, the state machine), apart because
 * it is one concept with its own state — finding the CRLFCRLF that ends a head or a trailer section in
 * the slot, within a size limit, without rescanning bytes already searched when a head arrives in pieces;
 * the latin1 window that pipelined heads of one execute() share; bare-LF detection, so that the outcome
 * does not depend on how the bytes were split (RFC 9112 §2.2). It knows nothing of the parser's states.
 */

/** First slice of a head: enough for most heads, and for many small pipelined ones at once. */
const FIRST_SLICE = 1024;
const CRLFCRLF = '\r\n\r\n';
const NO_WORDS = new Int32Array(0);

// findSection results besides an index.
export const NEED_MORE = -1;
export const BARE_LF = -2;
export const TOO_LARGE = -3;

interface Latin1Buffer { latin1Slice(start: number, end: number): string }
/** Buffer#latin1Slice skips toString's encoding dispatch; it is undocumented, so feature-detected. */
const latin1 = typeof (Buffer.prototype as unknown as Partial<Latin1Buffer>).latin1Slice === 'function'
  ? (buf: Buffer, a: number, b: number): string => (buf as unknown as Latin1Buffer).latin1Slice(a, b)
  : (buf: Buffer, a: number, b: number): string => buf.toString('latin1', a, b);

/** True when an LF in s[from, to) is not preceded by CR; an LF at `headStart` starts the section. */
export function hasBareLf(s: string, from: number, to: number, headStart: number): boolean {
  for (let k = s.indexOf('\n', from); k >= 0 && k < to; k = s.indexOf('\n', k + 1)) {
    if (k === headStart || s.charCodeAt(k - 1) !== 0x0d) return true;
  }
  return false;
}

/** The section search of HttpRequestParser (use that class; this one is not exported from the package). */
export abstract class SectionScanner {
  /** Bytes of the pending head/trailer section already searched for its end (not consumed). */
  protected scanned = 0;
  /**
   * latin1 copy of part of the buffer, kept only during one execute(): the string holding the section
   * findSection found (from `winStart` in the buffer), reused by the pipelined heads after it. One field
   * for both: a young string stored in this long-lived object costs a write barrier's slow path per store.
   */
  protected win: string | null = null;
  protected winStart = 0;

  /**
   * A complete head that a read holding exactly it (and nothing more) must equal to be taken as found
   * without searching it: the parser's memo of its previous head (RepeatedHead), else null.
   */
  protected knownSection(): string | null { return null; }
  /** The known section's bytes four at a time, its last `length % 4` left out (RepeatedHead.sourceWords). */
  protected knownWords(): Int32Array { return NO_WORDS; }

  /**
   * The last memory shared by several buffers that a read came in (the slot pool's one allocation, as
   * long-lived as the server), and an Int32Array over all of it (see {@link sameAsKnown}).
   */
  private mem: ArrayBufferLike | null = null;
  private memWords: Int32Array<ArrayBufferLike> = NO_WORDS;
  /**
   * A buffer known to lie in `mem` (the slot of the connection this parser serves, see {@link useSlot}):
   * a read in it is compared without asking for its memory (`Buffer#buffer` is a call into C++).
   */
  private slotBuf: Buffer | null = null;

  /**
   * Tells the scanner that `slot` is a view of `mem`, a memory shared by several buffers (the slot pool's
   * one allocation): the connection checked it once, when it was made. Its reads are then compared in
   * place without asking `slot` for its memory on every read.
   */
  useSlot(slot: Buffer, mem: ArrayBufferLike): void {
    if (mem !== this.mem) this.view(mem);
    this.slotBuf = slot;
  }

  /** Views `mem` from now on; the slot, which lies in the memory viewed before, is no longer trusted. */
  private view(mem: ArrayBufferLike): void {
    this.mem = mem;
    this.memWords = new Int32Array(mem, 0, mem.byteLength >> 2);
    this.slotBuf = null;
  }

  /**
   * Whether buf[pos, pos + known.length) holds `known`, read in place four bytes at a time: no latin1
   * copy of the read, which costs more (a call into C++, a string, its comparison: ~750 instructions per
   * request under callgrind) than the comparison itself. Null when it cannot be read so: the bytes are not
   * 4-aligned, or `buf` has its memory to itself (a view over it would be made again for every
   * connection's read, and would keep a closed connection's memory; the slot pool's buffers share one
   * allocation, which gets one view, once).
   */
  private sameAsKnown(buf: Buffer, pos: number, known: string): boolean | null {
    if (buf !== this.slotBuf) {
      const ab = buf.buffer;
      if (ab !== this.mem) {
        if (ab.byteLength < 2 * buf.length) return null;
        this.view(ab);
      }
    }
    const mem = this.memWords;
    const at = buf.byteOffset + pos;
    if ((at & 3) !== 0) return null;
    const words = this.knownWords();
    // The length read once, and two words per turn: TurboFan checks both arrays and converts a typed
    // array's length on every turn of a loop (~37 instructions a turn under callgrind, for one word).
    const n = words.length;
    const first = at >> 2;
    let k = 0;
    for (; k + 1 < n; k += 2) {
      if (mem[first + k] !== words[k] || mem[first + k + 1] !== words[k + 1]) return false;
    }
    if (k < n && mem[first + k] !== words[k]) return false;
    for (let i = n << 2; i < known.length; i++) if (buf[pos + i] !== known.charCodeAt(i)) return false;
    return true;
  }

  /** The known section stands for the read from pos: returns where its CRLFCRLF is. */
  private foundKnown(known: string, pos: number): number {
    this.win = known;
    this.winStart = pos;
    return pos + known.length - 4;
  }

  /**
   * Finds the CRLFCRLF that ends a field section starting at pos, within `limit` bytes. Returns its
   * index in buf (and sets win/winStart to a string holding the section), or NEED_MORE, BARE_LF,
   * TOO_LARGE. Remembers how far it searched, so a head arriving byte by byte is not rescanned.
   */
  protected findSection(buf: Buffer, pos: number, end: number, limit: number): number {
    const avail = end - pos < limit ? end - pos : limit;
    let scanned = this.scanned;
    if (scanned > avail) scanned = 0; // fewer bytes than last time: not the contract, but stay correct
    if (scanned === 0) {
      let s = this.win;
      let base = this.winStart;
      if (s === null || pos < base || pos >= base + s.length) {
        // The rest of the read is exactly the known head (a keep-alive client repeating its request): it
        // ends where it did, a complete section within the limit. The known string stands for the read:
        // no copy, no search, and nothing young stored here. (A different read is compared again by the
        // memo's take: once per change of head, as the known head is offered only while heads repeat.)
        const known = this.knownSection();
        let same: boolean | null = false;
        if (known !== null && known.length === end - pos && known.length <= limit) {
          same = this.sameAsKnown(buf, pos, known);
          if (same === true) return this.foundKnown(known, pos);
        }
        s = latin1(buf, pos, pos + (avail < FIRST_SLICE ? avail : FIRST_SLICE));
        base = pos;
        // Not comparable in place: the copy is compared, and dropped when equal.
        if (same === null && s === known) return this.foundKnown(known, pos);
      }
      let i = s.indexOf(CRLFCRLF, pos - base);
      if (i < 0 && base + s.length < pos + avail) {
        s = latin1(buf, pos, pos + avail);
        base = pos;
        i = s.indexOf(CRLFCRLF);
      }
      this.win = s;
      this.winStart = base;
      if (i >= 0 && base + i + 4 - pos <= limit) return base + i;
      // Detect a bare-LF head now rather than wait for a CRLFCRLF that may never come (RFC 9112 §2.2).
      // Checked before the size so that the outcome does not depend on how the bytes were split.
      if (hasBareLf(s, pos - base, pos + avail - base, pos - base)) return BARE_LF;
      if (avail >= limit) return TOO_LARGE;
      this.scanned = avail;
      return NEED_MORE;
    }
    if (avail === scanned) return NEED_MORE;
    // Search only the new bytes, and the 3 before them that may begin the terminator.
    const from = scanned > 3 ? pos + scanned - 3 : pos;
    const t = latin1(buf, from, pos + avail);
    const j = t.indexOf(CRLFCRLF);
    if (j >= 0) {
      // t ends within the limit, so does the terminator.
      const abs = from + j;
      this.win = latin1(buf, pos, abs + 4);
      this.winStart = pos;
      return abs;
    }
    // LFs before `from + 1` were checked by the previous calls.
    if (from === pos ? hasBareLf(t, 0, t.length, 0) : hasBareLf(t, 1, t.length, -1)) return BARE_LF;
    if (avail >= limit) return TOO_LARGE;
    this.scanned = avail;
    return NEED_MORE;
  }
}
