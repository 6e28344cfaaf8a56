/*
 * The bytes of the responses of one read, copied into one pre-sized Buffer shared by all connections
 * (issue 19). Before, they were concatenated into a string: V8 then had to flatten that cons-string into a
 * new heap string for the write (~220 B of garbage per plaintext response, ~2.6 KB per batch of 16
 * pipelined ones). Heads come as bytes encoded once (head-memo.ts); bodies are copied in place.
 *
 * One connection at a time fills it: the one whose read is being parsed (JavaScript runs one read at a
 * time), which sends it at the end of that read. Another connection written to meanwhile (a handler that
 * writes to a second connection) keeps to its own string output. The send goes straight to the socket's
 * handle (xasync's direct write) and completes synchronously when the kernel takes every byte; when it
 * did not (a slow reader: libuv or Node's queue holds a view of the bytes), the Buffer is handed over to
 * that write and a new one is made.
 */

/** Bytes of one batch; a read's responses beyond it go out as before (a string, or their own Buffers). */
const SIZE = 32 * 1024;
/** A Buffer body up to this size is copied into the batch (one write instead of a corked head + body). */
export const COPY_MAX = 8 * 1024;
/** Strings up to this length are copied by a loop: shorter than a native call's own cost. */
const LOOP_MAX = 24;
/** Views of the batch kept by length (direct-mapped): a server answering the same shapes makes none. */
const VIEWS = 64;

type Latin1Writer = Buffer & { latin1Write(s: string, offset: number, length: number): number; latin1Slice(a: number, b: number): string };

class OutputBatch {
  buf = Buffer.allocUnsafeSlow(SIZE) as Latin1Writer;
  /** Bytes in `buf`. */
  len = 0;
  /** The connection filling it (null: free). */
  owner: object | null = null;
  views: Array<Buffer | undefined> = new Array<Buffer | undefined>(VIEWS).fill(undefined);
  /**
   * The batch's bytes when they are one pre-encoded response and nothing else (one response per read,
   * its head memoized with its body: head-memo.ts): sent as they are, not copied into `buf` first.
   * Copied only when more bytes follow. Such bytes are never modified (ResponseSink.writeLatin1).
   */
  lone: Uint8Array | null = null;
  /**
   * Whether `lone` holds the batch's bytes now. A flag, not `lone = null`: the next read's answer is
   * usually the same Buffer again, stored only when it differs. The memo's Buffers are young for their
   * first seconds (a new Date line makes new ones every second), and storing a young object in this
   * long-lived one takes the write barrier's slow path every time (~50 instructions a request, issue 19).
   * So `lone` keeps its last Buffer after use: one small Buffer at most, usually still the memo's.
   */
  private hasLone = false;

  /** Appends latin1 `s` (or its pre-encoded bytes); false (nothing written) when it does not fit. */
  latin1(s: string, encoded: Uint8Array | null): boolean {
    const n = s.length;
    const at = this.len;
    if (at + n > SIZE) return false;
    if (at === 0 && encoded !== null && n > 0) {
      if (this.lone !== encoded) this.lone = encoded;
      this.hasLone = true;
      this.len = n;
      return true;
    }
    if (this.hasLone) this.spill();
    const b = this.buf;
    if (encoded !== null) b.set(encoded, at);
    else if (n <= LOOP_MAX) for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(i);
    else b.latin1Write(s, at, n);
    this.len = at + n;
    return true;
  }

  /** Appends a copy of `bytes`; false when they do not fit. */
  bytes(bytes: Uint8Array): boolean {
    const at = this.len;
    if (at + bytes.length > SIZE) return false;
    if (this.hasLone) this.spill();
    this.buf.set(bytes, at);
    this.len = at + bytes.length;
    return true;
  }

  /** A view of the first `n` bytes, the same object as last time for this length. */
  view(n: number): Buffer {
    const i = n & (VIEWS - 1);
    let v = this.views[i];
    if (v === undefined || v.length !== n) this.views[i] = v = this.buf.subarray(0, n);
    return v;
  }

  /** The lone bytes copied into `buf` (its first bytes: `len` counts them already), to append behind. */
  private spill(): void {
    this.buf.set(this.lone!, 0);
    this.hasLone = false;
  }

  /**
   * The bytes to send now, the batch emptied: the lone pre-encoded bytes themselves (immutable: a send
   * that stays queued may keep them), or a view of `buf` (then {@link handOver} if the send stays queued).
   */
  take(): Uint8Array {
    const n = this.len;
    this.len = 0;
    this.owner = null;
    if (this.hasLone) {
      this.hasLone = false;
      return this.lone!;
    }
    return this.view(n);
  }

  /** The bytes as a string, and the batch emptied (for a send that must keep them past this read). */
  takeString(): string {
    if (this.hasLone) this.spill();
    const s = this.buf.latin1Slice(0, this.len);
    this.len = 0;
    this.owner = null;
    return s;
  }

  /** The last send kept a view of `buf` (queued, not yet written): it keeps that Buffer, the batch a new one. */
  handOver(): void {
    this.buf = Buffer.allocUnsafeSlow(SIZE) as Latin1Writer;
    this.views.fill(undefined);
  }
}

/** The process's one batch (single-threaded: one read is parsed at a time). */
export const batch = new OutputBatch();
