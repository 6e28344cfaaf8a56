import type { Writable } from 'node:stream';

/** Where a pipe takes its bytes from: the body's queue of pieces. */
export interface PipeSource {
  /** Bytes queued, ready to write. */
  readonly queued: number;
  /** The first queued piece (whole: `take(Infinity)`). */
  take(max: number): Buffer;
}

/** What a pipe tells its body. */
export interface PipeHooks {
  /** The writable drained after a write it did not take at once: write on. */
  drained(): void;
  /** The pipe resolved or rejected: the body has no pipe any more. */
  settled(): void;
}

/** The size of the batches a body copies into (the only ones a file write may give back). */
export const PIPE_BATCH = 64 * 1024;
/** Most written batches kept for reuse. */
const FREE_MAX = 8;

/**
 * One `request.pipeTo(writable)` in progress: writes the body's pieces while the writable takes them
 * (`blocked` until it drains: backpressure reaches the socket through the body), then ends it and waits
 * for its `'finish'` (unless `end: false`). The writable's `'error'` and an early `'close'` reject.
 */
export class BodyPipe {
  total = 0;
  blocked = false;
  private _settled = false;
  private readonly _cleanup: () => void;

  constructor(
    readonly w: Writable,
    private readonly _end: boolean,
    private readonly _resolve: (n: number) => void,
    private readonly _reject: (e: Error) => void,
    private readonly _hooks: PipeHooks,
  ) {
    const onDrain = (): void => {
      if (this._settled || !this.blocked) return;
      this.blocked = false;
      // What waited goes out; then the end, or more from the wire.
      this._hooks.drained();
    };
    const onError = (err: Error): void => this.fail(err);
    const onClose = (): void => this.fail(new Error('the writable closed before the body was written'));
    w.on('drain', onDrain);
    w.on('error', onError);
    w.on('close', onClose);
    this._cleanup = () => { w.off('drain', onDrain); w.off('error', onError); w.off('close', onClose); };
  }

  /** True once resolved or rejected. */
  get settled(): boolean { return this._settled; }

  /**
   * Writes what `src` holds while the writable takes it (a write may fail the pipe at once). With `free`,
   * whole batches come back to it once written (a file write is done with its Buffer in its callback).
   */
  flush(src: PipeSource, free: Buffer[] | null): void {
    while (!this._settled && !this.blocked && src.queued > 0) {
      const chunk = src.take(Number.MAX_SAFE_INTEGER);
      this.total += chunk.length;
      // Only whole batches come back (a piece an earlier read() split is a view into the middle of one).
      const ok = free === null ? this.w.write(chunk) : this.w.write(chunk, () => {
        if (free.length < FREE_MAX && chunk.byteOffset === 0 && chunk.buffer.byteLength === PIPE_BATCH) free.push(Buffer.from(chunk.buffer, 0, PIPE_BATCH));
      });
      if (!ok) this.blocked = true;
    }
  }

  /** Every byte was written: end the writable (or only wait for its drain with `end: false`), then resolve. */
  finish(): void {
    const w = this.w;
    if (!this._end) {
      this._settle();
      if (!w.writableNeedDrain) { this._resolve(this.total); return; }
      w.once('drain', () => this._resolve(this.total));
      return;
    }
    // The writable's own 'error' / 'close' still reject until it finished.
    w.end(() => {
      if (this._settled) return;
      this._settle();
      this._resolve(this.total);
    });
  }

  /** Rejects with `err` (once; a 'close' after a successful end is the writable's normal end, not a failure). */
  fail(err: Error): void {
    if (this._settled) return;
    if (err.message.startsWith('the writable closed') && this.w.writableFinished) return;
    this._settle();
    this._reject(err);
  }

  private _settle(): void {
    this._settled = true;
    this._cleanup();
    this._hooks.settled();
  }
}
