/**
 * Where an upload's bytes come from, as the writer sees them: an async iterable of Buffers and an
 * AbortSignal that fires when the client leaves, the body times out or passes its limit. core's streamed
 * request body (`request.body`, `request.signal`) is one; {@link ReceiverSource} makes one out of core's
 * `BodyReceiver` hook (`onRequestBody`), with backpressure: reading pauses while the writer is behind.
 */
import type { BodyReceiver } from '@microwebsrv/core';

/** An upload's body: its bytes as they arrive, and the signal that says they never will. */
export interface BodySource {
  readonly chunks: AsyncIterable<Buffer>;
  readonly signal: AbortSignal;
}

/** Bytes held for a slow writer before reading from the connection pauses, and where it resumes. */
const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

/**
 * A {@link BodyReceiver} (given to core) that is also a {@link BodySource} (read by the writer). Chunks are
 * copied (core's are views of the connection's slot); at most about HIGH_WATER bytes wait. `discard()`
 * drops the body (a request refused before its body is read) so that it completes without being stored.
 */
export class ReceiverSource implements BodyReceiver, BodySource, AsyncIterable<Buffer> {
  readonly maxBytes: number | undefined;
  private readonly _ac = new AbortController();
  private readonly _queue: Buffer[] = [];
  private _queued = 0;
  private _done = false;
  private _error: Error | null = null;
  private _discard = false;
  private _paused = false;
  private _resume: (() => void) | null = null;
  private _wake: (() => void) | null = null;
  /** Resolves when the body ended (true) or was aborted (false). */
  readonly ended: Promise<boolean>;
  private _settle!: (ok: boolean) => void;

  constructor(maxBytes?: number) {
    this.maxBytes = maxBytes;
    this.ended = new Promise((r) => { this._settle = r; });
  }

  get signal(): AbortSignal { return this._ac.signal; }
  get chunks(): AsyncIterable<Buffer> { return this; }

  onStart(resume: () => void): void { this._resume = resume; }

  onData(chunk: Buffer): boolean {
    if (this._discard) return true;
    this._queue.push(Buffer.from(chunk));
    this._queued += chunk.length;
    this._wakeUp();
    if (this._queued >= HIGH_WATER) { this._paused = true; return false; }
    return true;
  }

  onEnd(): void { this._done = true; this._settle(true); this._wakeUp(); }

  onAbort(err: Error): void {
    this._error = err;
    this._settle(false);
    this._ac.abort(err);
    this._wakeUp();
  }

  /** Drops what arrived and what will: the body completes unread. */
  discard(): void {
    this._discard = true;
    this._queue.length = 0;
    this._queued = 0;
    this._unpause();
  }

  private _wakeUp(): void { const w = this._wake; this._wake = null; w?.(); }

  private _unpause(): void {
    if (!this._paused) return;
    this._paused = false;
    this._resume?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const next = this._queue.shift();
      if (next !== undefined) {
        this._queued -= next.length;
        if (this._queued <= LOW_WATER) this._unpause();
        yield next;
        continue;
      }
      if (this._error !== null) throw this._error;
      if (this._done) return;
      await new Promise<void>((r) => { this._wake = r; });
    }
  }
}

/** A source over in-memory or generated chunks (the fixed-endpoint and multipart parts, tests). */
export function sourceOf(chunks: AsyncIterable<Buffer>, signal: AbortSignal): BodySource {
  return { chunks, signal };
}
