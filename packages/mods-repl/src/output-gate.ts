/**
 * The REPL's output, bounded. A REPL writes synchronously and cannot wait, so the bound is kept in two
 * ways: while the WebSocket stream holds more than its high-water mark, the session stops reading the
 * client's input (no new evaluation starts: backpressure), and output beyond `maxBytes` waiting in the
 * stream is dropped, with one notice once the client caught up, instead of being queued without end.
 */
import { Writable } from 'node:stream';

/** Output goes out in pieces of at most this many characters (one WebSocket text message each). */
const PIECE = 16 * 1024;

export class OutputGate extends Writable {
  /** What readline reads for line wrapping (the terminal page's width). */
  columns: number;
  private readonly _target: Writable;
  private readonly _maxBytes: number;
  private readonly _onCongested: () => void;
  private _dropped = 0;

  /** `target` is the WebSocket stream; `onCongested` runs when it went above its high-water mark. */
  constructor(target: Writable, maxBytes: number, columns: number, onCongested: () => void) {
    super({ decodeStrings: false });
    this._target = target;
    this._maxBytes = maxBytes;
    this.columns = columns;
    this._onCongested = onCongested;
    target.on('drain', () => this._drained());
  }

  /** Characters dropped since the last notice. */
  get dropped(): number { return this._dropped; }

  override _write(chunk: unknown, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    const target = this._target;
    let i = 0;
    while (i < text.length && !target.destroyed) {
      if (target.writableLength >= this._maxBytes) { this._dropped += text.length - i; break; }
      let end = Math.min(text.length, i + PIECE);
      // Never split a surrogate pair across two text messages (each must be valid UTF-8, RFC 6455 §8.1).
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      target.write(text.slice(i, end));
      i = end;
    }
    if (target.writableNeedDrain) this._onCongested();
    cb();
  }

  private _drained(): void {
    if (this._dropped === 0 || this._target.destroyed) return;
    const n = this._dropped;
    this._dropped = 0;
    this._target.write(`\r\n[${n} characters of output dropped: the terminal read too slowly]\r\n`);
  }
}
