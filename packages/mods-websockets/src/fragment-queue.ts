/**
 * The messages waiting behind a fragmented one (RFC 6455 §5.4: the data frames of two messages never
 * interleave), written fragment by fragment as the connection drains. It knows its socket only as a
 * {@link FragmentSink}.
 */

/** Below this many bytes waiting for the kernel, the next fragments of a large message are written. */
export const PUMP_LOW_WATER = 256 * 1024;

/** What the queue needs from its socket. */
export interface FragmentSink {
  /** Bytes written and not yet handed to the kernel. */
  readonly sendPending: number;
  /** False once data frames may no longer go out (a Close was sent, the connection is closing). */
  canWrite(): boolean;
  /** Calls `cb` once the bytes written so far reached the kernel. */
  whenFlushed(cb: () => void): void;
  /** Hands one data frame to the Sender. */
  frame(data: Buffer, binary: boolean, fin: boolean, len: number): void;
  /** Writes a whole pre-encoded frame (a topic's shared frame). */
  raw(frame: Buffer): void;
}

/** A message to fragment, or (`raw`) a whole pre-encoded frame of `len` payload bytes. */
interface Pending { data: Buffer; binary: boolean; frag: number; off: number; raw: boolean; len: number }

export class FragmentQueue {
  private readonly _sink: FragmentSink;
  private _items: Pending[] = [];
  private _bytes = 0;
  private _waiting = false;
  /**
   * Inside {@link pump}: a frame's write may run code that queues more (the socket's topic messages are
   * written before any write of its own). Those only queue; the running pump writes them in order. A nested
   * pump would write the message being fragmented again from its start (RFC 6455 §5.4).
   */
  private _pumping = false;

  constructor(sink: FragmentSink) {
    this._sink = sink;
  }

  /** Bytes queued and not yet handed to the Sender. */
  get bytes(): number { return this._bytes; }
  get isEmpty(): boolean { return this._items.length === 0; }

  /** Queues a message to go out in fragments of `frag` bytes (0: in one frame), and writes what it can. */
  push(data: Buffer, binary: boolean, frag: number): void {
    this._items.push({ data, binary, frag: frag === 0 ? Math.max(data.length, 1) : frag, off: 0, raw: false, len: data.length });
    this._bytes += data.length;
    this.pump();
  }

  /** Queues a pre-encoded frame (its payload is `len` bytes) behind what waits. */
  pushFrame(frame: Buffer, len: number): void {
    this._items.push({ data: frame, binary: false, frag: 0, off: 0, raw: true, len });
    this._bytes += len;
    this.pump();
  }

  /** Writes queued fragments while the socket's queue is low; goes on when bytes reach the kernel. */
  pump(): void {
    if (this._pumping) return;
    this._pumping = true;
    try { this._pump(); } finally { this._pumping = false; }
  }

  private _pump(): void {
    const s = this._sink;
    while (this._items.length > 0 && !this._waiting) {
      if (!s.canWrite()) { this.drop(); return; }
      if (s.sendPending >= PUMP_LOW_WATER) {
        this._waiting = true;
        s.whenFlushed(() => { this._waiting = false; this.pump(); });
        return;
      }
      const p = this._items[0]!;
      // Counted before the write and taken off the queue after it: a write can drop the queue (a Close).
      if (p.raw) {
        this._bytes -= p.len;
        s.raw(p.data);
        if (this._items[0] === p) this._items.shift();
        continue;
      }
      const start = p.off;
      const end = Math.min(start + p.frag, p.data.length);
      const fin = end === p.data.length;
      this._bytes -= end - start;
      p.off = end;
      s.frame(p.data.subarray(start, end), p.binary, fin, end - start);
      if (fin && this._items[0] === p) this._items.shift();
    }
  }

  /** Drops what is queued (a Close was sent, or the connection closed). */
  drop(): void {
    this._items = [];
    this._bytes = 0;
  }
}
