/**
 * The shared frames of one event-loop turn. A burst of publishes (a topic's messages in one turn) reaches
 * every subscriber in the same order, so instead of every socket writing every frame (a `Writable.write`
 * per socket per message, then a writev of many small chunks), each socket notes which run of the turn's
 * frames it took, and at the end of the turn writes that run as one buffer: the frames joined once per
 * distinct run and shared by every socket that took the same run (uWebSockets.js does the same with its
 * topic-tree intersections). One write and no allocation per socket per turn, whatever the number of
 * messages.
 */

/** Runs longer than this are written frame by frame (corked: one writev) instead of joined. */
export const JOIN_MAX_BYTES = 256 * 1024;

/** A socket with frames of this turn to write: it writes them when the turn ends. */
export interface TurnWriter {
  /** Set by the batch while the writer is on its list of this turn. */
  inTurn: boolean;
  /** Writes what it took in this turn (called once at the end of the turn). */
  flushTurn(): void;
}

/** The frames of this turn, in the order the first socket took them. */
export class TurnBatch {
  private _frames: Buffer[] = [];
  private _offsets: number[] = [0];
  private readonly _index = new Map<Buffer, number>();
  private readonly _joined = new Map<number, Buffer>();
  private _writers: TurnWriter[] = [];
  /** The run joined last, and its buffer (reset with the turn). */
  private _lastStart = -1;
  private _lastEnd = -1;
  private _last: Buffer | null = null;
  private _scheduled = false;
  private readonly _flush = (): void => { this._flushAll(); };

  /** The position of `frame` in this turn (added at the end when new). */
  position(frame: Buffer): number {
    const n = this._frames.length;
    if (n > 0 && this._frames[n - 1] === frame) return n - 1;
    const at = this._index.get(frame);
    if (at !== undefined) return at;
    this._frames.push(frame);
    this._offsets.push(this._offsets[n]! + frame.length);
    this._index.set(frame, n);
    return n;
  }

  /** Bytes of the frames [start, end). */
  bytes(start: number, end: number): number { return this._offsets[end]! - this._offsets[start]!; }

  /** The frame at `i`. */
  frame(i: number): Buffer { return this._frames[i]!; }

  /** The frames [start, end) as one buffer, joined on the first call of the turn and shared after. */
  joined(start: number, end: number): Buffer {
    if (end - start === 1) return this._frames[start]!;
    // Most sockets of a turn took the same run as the one before them: no map look-up for those.
    if (start === this._lastStart && end === this._lastEnd) return this._last!;
    const key = start * 0x200000 + end; // exact below 2^32 frames in one turn (2^53 / 2^21)
    let b = this._joined.get(key);
    if (b === undefined) {
      b = Buffer.allocUnsafe(this.bytes(start, end));
      let off = 0;
      for (let i = start; i < end; i++) { const f = this._frames[i]!; f.copy(b, off); off += f.length; }
      this._joined.set(key, b);
    }
    this._lastStart = start;
    this._lastEnd = end;
    this._last = b;
    return b;
  }

  /** Puts `w` on this turn's list; the first one schedules the end-of-turn flush. */
  enlist(w: TurnWriter): void {
    if (w.inTurn) return;
    w.inTurn = true;
    this._writers.push(w);
    if (!this._scheduled) { this._scheduled = true; process.nextTick(this._flush); }
  }

  private _flushAll(): void {
    const list = this._writers;
    // Index loop: a writer enlisted while flushing (a write that closed a socket, whose handler sends) is flushed too.
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      w.inTurn = false;
      w.flushTurn();
    }
    this._writers = [];
    this._frames = [];
    this._offsets = [0];
    this._index.clear();
    this._joined.clear();
    this._lastStart = this._lastEnd = -1;
    this._last = null;
    this._scheduled = false;
  }
}

/** The batch every WebSocket of the process shares (topics span servers). */
export const TURN_BATCH = new TurnBatch();
