/**
 * A file's bytes as a stream of chunks (64 KiB by default) read into buffers that are reused (issue 18: a burst of
 * slow readers). Node's file read stream allocates a fresh buffer for every read; a burst of 200 large
 * downloads on loopback, where the kernel takes megabytes per connection at once, made hundreds of MB of
 * such garbage before the collector ran (peak RSS 116 MiB against a 72 MiB budget on Light).
 *
 * A buffer goes back to the pool only once the socket reports it written (`chunkWritten`, called by the
 * response's stream writer, response/stream-body.ts, from the write's callback, in write order): until
 * then Node's write queue or libuv may still hold it, and overwriting it would corrupt the response. A
 * connection that closes with chunks unconfirmed (the client left) never confirms them: they go to the
 * garbage collector (a chunk's write may still be in libuv's queue when the connection closes).
 */
import { close, read } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * Default read size (the Normal and Large presets): few reads per MiB. The size is per server
 * (`staticFileChunkSize`; Light 32 KiB, Embedded 4 KiB): a reader that stops holds one chunk in the
 * socket's queue, so 200 paused slow readers hold 200 chunks (issue 18: 12.5 MiB at 64 KiB, too much
 * for Light's 72 MiB bound).
 */
export const FILE_CHUNK = 64 * 1024;
/**
 * Bytes of free buffers kept for reuse per chunk size (32 buffers of 64 KiB, 128 of 16 KiB); more are
 * left to the collector. Smaller chunks keep more buffers: a burst of readers recycles instead of
 * making garbage the collector frees late (RSS).
 */
const POOL_BYTES = 2 * 1024 * 1024;
/** Free buffers by size (each buffer is exactly one chunk size long). */
const pools = new Map<number, Buffer[]>();

/**
 * Reads in flight at once, all streams together: as many as libuv's thread pool runs at a time (4 unless
 * UV_THREADPOOL_SIZE says otherwise); a read queued behind them would only hold its buffer. 200 slow
 * readers starting at once held 200 chunks in queued reads; now a stream waits for its turn without a
 * buffer (issue 18's RSS bound). Measured against 16: the same download throughput (2–32 concurrent
 * curl downloads of 5 MiB, 150–210 MiB/s), and during a burst of 200 downloads a legitimate request's p99
 * fell from 66–72 ms to 31–39 ms on Normal (`node bench/src/static-burst.js`): fewer sockets fill at once,
 * so the first readers that stopped show it sooner.
 */
export const MAX_FILE_READS = Math.max(1, Math.min(64, Number(process.env.UV_THREADPOOL_SIZE) || 4));
let readsInFlight = 0;
/** Streams waiting for a read turn, in turn order. */
const waiting: FileChunks[] = [];
/**
 * Bytes a stream whose reader keeps up may read in a row ahead of the others (see `_read`). Round-robin
 * turns made a burst of 128 downloads fill their sockets' kernel buffers (megabytes each on loopback) all
 * together, over a second: readers that stopped at once looked busy, not slow, all that time, and the
 * pool-full eviction (engine/eviction.ts) could judge none of them, so a legitimate newcomer waited
 * (issue 18). Depth first, one reader's buffers fill and it shows its stop within milliseconds; the
 * bound keeps the other downloads moving (a turn at the back after each run).
 */
const STREAK_BYTES = 8 * 1024 * 1024;

/** Reads in flight and streams waiting for one (tests). */
export function fileChunkReads(): { inFlight: number; waiting: number } { return { inFlight: readsInFlight, waiting: waiting.length }; }

/** A read landed: the oldest stream still waiting (and alive) starts its read. */
function nextRead(): void {
  readsInFlight--;
  while (waiting.length > 0 && readsInFlight < MAX_FILE_READS) {
    const s = waiting.shift()!;
    s[kStartRead]();
  }
}

const kStartRead = Symbol('startRead');

/** Free buffers of `size` in the pool now (tests). */
export function fileChunkPoolSize(size: number = FILE_CHUNK): number { return pools.get(size)?.length ?? 0; }

function takeBuffer(size: number): Buffer {
  return pools.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function giveBack(b: Buffer): void {
  let pool = pools.get(b.length);
  if (pool === undefined) pools.set(b.length, (pool = []));
  if (pool.length * b.length < POOL_BYTES) pool.push(b);
}

/**
 * Bytes `start..end` (inclusive) of the open descriptor `fd`, which it closes when done, failed or
 * destroyed. `chunkWritten()` marks the oldest chunk not yet confirmed as written: its buffer is reused.
 */
export class FileChunks extends Readable {
  private _fd: number;
  private _pos: number;
  private readonly _end: number;
  private readonly _chunk: number;
  /** Chunks pushed whose write is not confirmed yet, oldest first (their buffers). */
  private readonly _out: Buffer[] = [];
  private _buf: Buffer | null = null;
  private readonly _onRead = (err: NodeJS.ErrnoException | null, n: number): void => this._landed(err, n);
  /** A destroy that came while a read was in flight: the descriptor is closed when it lands (closed now, its number could be reused by another open and the read land in that file). */
  private _closeWhenLanded: ((err?: Error | null) => void) | null = null;
  private _destroyErr: Error | null = null;
  /** In the `waiting` queue for a read turn. */
  private _queued = false;
  /** Bytes read since this stream last took a turn at the back of the queue. */
  private _streak = 0;

  /** `chunkSize`: bytes per read (and per buffer), the server's `staticFileChunkSize`. */
  constructor(fd: number, start: number, end: number, chunkSize: number = FILE_CHUNK) {
    // No read ahead while paused (high-water mark 0): a reader that stops holds one buffer, the chunk
    // waiting on its socket. While it flows, the next read starts as soon as a chunk is handed on.
    super({ highWaterMark: 0 });
    this._fd = fd;
    this._pos = start;
    this._end = end;
    this._chunk = chunkSize;
  }

  /** The write of the oldest unconfirmed chunk completed: its buffer may be read into again. */
  chunkWritten(): void {
    const b = this._out.shift();
    if (b !== undefined) giveBack(b);
  }

  override _read(): void {
    if (this._fd < 0 || this._buf !== null || this._queued || this.destroyed) return;
    const left = this._end - this._pos + 1;
    if (left <= 0) { this.push(null); return; }
    if (readsInFlight >= MAX_FILE_READS) {
      this._queued = true;
      // A first read (a new download: its first bytes soon), or its reader took the last chunk and asks
      // again: the front, for a bounded run; past the run, the back.
      if (this._streak < STREAK_BYTES) waiting.unshift(this);
      else { this._streak = 0; waiting.push(this); }
      return;
    }
    this._startRead();
  }

  /** Its turn came (nextRead): reads now unless it was destroyed meanwhile. */
  [kStartRead](): void {
    this._queued = false;
    if (this._fd < 0 || this._buf !== null || this.destroyed) return;
    this._startRead();
  }

  private _startRead(): void {
    const left = this._end - this._pos + 1;
    readsInFlight++;
    const buf = (this._buf = takeBuffer(this._chunk));
    read(this._fd, buf, 0, Math.min(this._chunk, left), this._pos, this._onRead);
  }

  private _landed(err: NodeJS.ErrnoException | null, n: number): void {
    nextRead();
    const buf = this._buf!;
    this._buf = null;
    const cb = this._closeWhenLanded;
    if (cb !== null) {
      this._closeWhenLanded = null;
      giveBack(buf);
      close(this._fd, () => cb(this._destroyErr));
      this._fd = -1;
      return;
    }
    if (err !== null) { giveBack(buf); this.destroy(err); return; }
    // A file that shrank since its fstat: the writer sees the short body and aborts the connection.
    if (n === 0) { giveBack(buf); this.push(null); return; }
    this._pos += n;
    this._streak += n;
    this._out.push(buf);
    this.push(n === buf.length ? buf : buf.subarray(0, n));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Chunks still unconfirmed come back if their writes complete (the last chunk of a body ends the
    // stream before its write does); if the connection closes first they go with this object.
    const fd = this._fd;
    if (this._queued) {
      // Out of the queue now: a destroyed stream never starts its read.
      const i = waiting.indexOf(this);
      if (i !== -1) waiting.splice(i, 1);
      this._queued = false;
    }
    if (fd < 0) { cb(err); return; }
    if (this._buf !== null) { this._destroyErr = err; this._closeWhenLanded = cb; return; }
    this._fd = -1;
    close(fd, () => cb(err));
  }
}
