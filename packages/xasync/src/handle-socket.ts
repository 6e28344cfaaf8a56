import * as net from 'node:net';
import { getSystemErrorName } from 'node:util';

/*
 * An accepted connection's socket without Node's net.Socket: the libuv TCP handle Node accepted, driven
 * directly (issue 19). A net.Socket is a Duplex stream: with its two stream states, listener tables and
 * buffers it costs an idle connection about 820 B of V8 heap beyond the handle; the connection already
 * keeps every state it needs (the slot reader, the read flow, the timers), so this class keeps only what
 * the xasync helpers use of a socket (the `ConnSocket` interface below) in a dozen fields.
 *
 * What it does as net.Socket does (the helpers, written against net.Socket, see no difference):
 * - reads land in a caller-owned buffer (the handle's `useUserBuffer`, as net.Socket's `onread` option);
 *   a read callback returning false stops reading until `resume()`;
 * - writes go to the handle in order (libuv queues them); `write` returns false past 16 KiB queued
 *   (net.Socket's high-water mark) and 'drain' follows when the queue is empty again;
 * - `end()` shuts the write side down once queued writes are out ('finish'); the peer's FIN ('end')
 *   ends ours too (allowHalfOpen false, as net.Server's sockets), and the handle is closed once both
 *   sides are done ('close');
 * - `destroy(err)` closes the handle at once: 'error' (next tick) then 'close' (libuv's close callback).
 *
 * It uses Node internals (`process.binding('stream_wrap')`, the accepted net.Socket's `_handle`),
 * feature-detected once: where they are missing or shaped differently `takeHandle` returns null and the
 * connection keeps its net.Socket. TLS needs a net.Socket: `toNetSocket()` hands the handle to one.
 */

/** What the xasync helpers use of a connection's socket: net.Socket has it all, HandleSocket implements it. */
export interface ConnSocket {
  readonly destroyed: boolean;
  readonly writableLength: number;
  readonly writableCorked: number;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly connecting: boolean;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  write(data: Uint8Array | string, encoding: BufferEncoding, cb?: (err?: Error | null) => void): boolean;
  end(): unknown;
  destroy(err?: Error): unknown;
  cork(): void;
  uncork(): void;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  setNoDelay(noDelay?: boolean): unknown;
  once(event: 'finish', listener: () => void): unknown;
}

/** The connection a HandleSocket reports to (one reference instead of a listener table). */
export interface HandleSocketOwner {
  /** `n` bytes landed in the buffer handed out last; false stops reading (until `resume()`). */
  sockRead(n: number): boolean;
  /** Where the next read lands. */
  sockTarget(): Buffer;
  sockEnd(): void;
  sockError(err: Error): void;
  sockClose(): void;
  sockDrain(): void;
}

interface Req { handle: unknown; oncomplete: ((status: number) => void) | null; owner: HandleSocket | null; bytes: number; buffer: unknown; cb: ((err?: Error | null) => void) | null }
/** The libuv TCP handle as Node's tcp_wrap exposes it (the members used here). */
interface TcpHandle {
  onread: (this: TcpHandle) => Buffer | undefined;
  readStart(): number;
  readStop(): number;
  useUserBuffer(b: Uint8Array): void;
  writeBuffer(req: Req, b: Uint8Array): number;
  writeLatin1String(req: Req, s: string): number;
  writeUtf8String(req: Req, s: string): number;
  writev(req: Req, chunks: Uint8Array[], allBuffers: boolean): number;
  shutdown(req: Req): number;
  close(cb: () => void): void;
  setNoDelay(on: boolean): number;
  getsockname(out: Record<string, unknown>): number;
  readonly writeQueueSize: number;
  readonly bytesWritten: number;
}
interface Binding {
  WriteWrap: new () => Req;
  ShutdownWrap: new () => Req;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

const binding: Binding | null = (() => {
  try {
    const b = (process as unknown as { binding(n: string): Binding }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || typeof b.ShutdownWrap !== 'function' || !ArrayBuffer.isView(b.streamBaseState)
      || typeof b.kReadBytesOrError !== 'number' || typeof b.kLastWriteWasAsync !== 'number') return null;
    return b;
  } catch {
    return null;
  }
})();

/** libuv's end-of-stream code (the same on every platform). */
const UV_EOF = -4095;
/** net.Socket's default high-water mark: `write` returns false past it. */
const HIGH_WATER = 16 * 1024;
/** Node's `owner_symbol` (found on the first handle): a handle's owner, where `onRead` finds its HandleSocket. */
let ownerSymbol: symbol | null = null;

// Flags (one number: an idle connection keeps one field for eight booleans).
const DESTROYED = 1;
const ENDING = 2;
const FINISHED = 4;
const READ_ENDED = 8;
const READING = 16;
const PAUSED = 32;
const NEED_DRAIN = 64;
const SHUTDOWN_SENT = 128;

function uvError(status: number, syscall: string): Error {
  let name = 'UNKNOWN';
  try { name = getSystemErrorName(status); } catch { /* not an errno */ }
  return Object.assign(new Error(`${syscall} ${name}`), { errno: status, code: name, syscall });
}

/** The handle's reads, one function for every HandleSocket (no closure per connection). */
function onRead(this: TcpHandle): Buffer | undefined {
  const hs = (this as unknown as Record<symbol, unknown>)[ownerSymbol!];
  if (!(hs instanceof HandleSocket)) return undefined;
  return hs.handleRead(binding!.streamBaseState[binding!.kReadBytesOrError]!);
}
function afterWrite(this: Req, status: number): void {
  const hs = this.owner;
  const cb = this.cb;
  this.owner = null;
  this.buffer = null;
  this.cb = null;
  if (hs !== null) hs.handleWritten(this.bytes, status, cb);
}
function afterShutdown(this: Req, status: number): void {
  const hs = this.owner;
  this.owner = null;
  if (hs !== null) hs.handleShutdown(status);
}

export class HandleSocket implements ConnSocket {
  /** The libuv handle; null once closed. */
  private _h: TcpHandle | null;
  private _owner: HandleSocketOwner;
  private _flags = 0;
  /** Bytes of writes handed to libuv and not completed yet, plus corked ones. */
  private _queued = 0;
  private _corked = 0;
  private _corkList: Buffer[] | null = null;
  /** Bytes read; bytes written once the handle is gone (while open, the handle counts them). */
  private _nRead = 0;
  private _nWritten = 0;
  private _finishCb: (() => void) | null = null;

  private constructor(h: TcpHandle, owner: HandleSocketOwner) {
    this._h = h;
    this._owner = owner;
  }

  /**
   * Takes the handle of `sock` (an accepted net.Socket not yet reading: `pauseOnConnect`) and starts
   * reading into `owner.sockTarget()`. `sock` is destroyed without its handle (net.Server stops counting
   * it). Null when this Node's internals are not as expected: keep `sock`.
   */
  static takeHandle(sock: net.Socket, owner: HandleSocketOwner): HandleSocket | null {
    if (binding === null) return null;
    // Node's own private member (not ours), feature-detected like onread-rewrap.ts.
    const o = sock as net.Socket & { _handle?: TcpHandle | null };
    const h = o._handle;
    if (!h || typeof h.readStart !== 'function' || typeof h.useUserBuffer !== 'function' || typeof h.writeBuffer !== 'function'
      || typeof h.writev !== 'function' || typeof h.shutdown !== 'function' || typeof h.close !== 'function') return null;
    ownerSymbol ??= Object.getOwnPropertySymbols(h).find((x) => x.description === 'owner_symbol') ?? null;
    if (ownerSymbol === null || !Object.prototype.hasOwnProperty.call(h, ownerSymbol)) return null;
    const hs = new HandleSocket(h, owner);
    o._handle = null;
    // The handle names its net.Socket (Node's `owner_symbol`): it names this object instead, so the
    // destroyed net.Socket (and its stream states) is not kept alive by the handle, and the shared
    // `onRead` finds its socket there (no new property on the handle: no property array per connection).
    (h as unknown as Record<symbol, unknown>)[ownerSymbol] = hs;
    sock.destroy();
    h.onread = onRead;
    h.useUserBuffer(owner.sockTarget());
    hs._startReading();
    return hs;
  }

  get destroyed(): boolean { return (this._flags & DESTROYED) !== 0; }
  get writableLength(): number { return this._queued; }
  get writableCorked(): number { return this._corked; }
  get writableEnded(): boolean { return (this._flags & ENDING) !== 0; }
  get writableFinished(): boolean { return (this._flags & FINISHED) !== 0; }
  get connecting(): boolean { return false; }
  get bytesRead(): number { return this._nRead; }
  /** Bytes handed to the handle (it counts them, direct writes included) and those corked, as net.Socket counts. */
  get bytesWritten(): number {
    if (this._h === null) return this._nWritten;
    let n = this._h.bytesWritten;
    if (this._corkList !== null) for (const b of this._corkList) n += b.length;
    return n;
  }
  /** The handle, for direct writes and read retargeting (direct-write.ts, onread-rewrap.ts); null once destroyed. */
  get handle(): TcpHandle | null { return (this._flags & DESTROYED) !== 0 ? null : this._h; }
  get localAddress(): string | undefined { return this._sockname().address as string | undefined; }
  get localPort(): number | undefined { return this._sockname().port as number | undefined; }

  private _sockname(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this._h !== null) this._h.getsockname(out);
    return out;
  }

  setNoDelay(noDelay = true): this {
    if (this._h !== null) this._h.setNoDelay(noDelay);
    return this;
  }

  once(event: 'finish', listener: () => void): this {
    if (event !== 'finish') throw new TypeError(`HandleSocket: no '${String(event)}' event`);
    this._finishCb = listener;
    return this;
  }

  write(data: Uint8Array | string, encoding: BufferEncoding, cb?: (err?: Error | null) => void): boolean {
    const f = this._flags;
    if ((f & (DESTROYED | ENDING)) !== 0) {
      const err = Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
      if (cb) process.nextTick(cb, err);
      return false;
    }
    const buf = typeof data === 'string' ? Buffer.from(data, encoding) : data;
    if (this._corked > 0) {
      (this._corkList ??= []).push(buf as Buffer);
      this._queued += buf.length;
      if (cb) process.nextTick(cb);
      return this._afterQueue();
    }
    this._dispatch(buf, null, cb ?? null);
    return this._afterQueue();
  }

  private _afterQueue(): boolean {
    if (this._queued < HIGH_WATER) return true;
    this._flags |= NEED_DRAIN;
    return false;
  }

  /** One write request to the handle: `buf`, or `list` in one writev. */
  private _dispatch(buf: Uint8Array | null, list: Buffer[] | null, cb: ((err?: Error | null) => void) | null): void {
    const h = this._h!;
    const req = new binding!.WriteWrap();
    req.handle = h;
    req.oncomplete = afterWrite;
    req.owner = this;
    req.cb = cb;
    let bytes = 0;
    if (list !== null) { for (const b of list) bytes += b.length; } else bytes = buf!.length;
    req.bytes = bytes;
    req.buffer = list ?? buf;
    const err = list !== null ? h.writev(req, list, true) : h.writeBuffer(req, buf!);
    if (err !== 0) {
      req.owner = null;
      this.destroy(uvError(err, 'write'));
      return;
    }
    if (binding!.streamBaseState[binding!.kLastWriteWasAsync] !== 0) {
      // libuv holds it (and the data) until the rest is written: afterWrite.
      this._queued += bytes;
      return;
    }
    req.owner = null;
    req.buffer = null;
    if (cb !== null) process.nextTick(cb);
    // Corked writes that made `write` return false went out at once (uncork): 'drain' is due now.
    if (this._queued === 0 && (this._flags & NEED_DRAIN) !== 0) {
      this._flags &= ~NEED_DRAIN;
      process.nextTick(emitDrain, this, this._owner);
    }
  }

  /** @internal afterWrite: `bytes` left libuv's queue. */
  handleWritten(bytes: number, status: number, cb: ((err?: Error | null) => void) | null): void {
    this._queued -= bytes;
    if ((this._flags & DESTROYED) !== 0) return;
    if (status < 0) {
      const err = uvError(status, 'write');
      if (cb !== null) cb(err);
      this.destroy(err);
      return;
    }
    if (cb !== null) cb();
    if (this._queued === 0 && (this._flags & NEED_DRAIN) !== 0) {
      this._flags &= ~NEED_DRAIN;
      this._owner.sockDrain();
    }
  }

  cork(): void { this._corked++; }

  uncork(): void {
    if (this._corked === 0) return;
    if (--this._corked > 0) return;
    const list = this._corkList;
    if (list === null || list.length === 0 || this._h === null) return;
    this._corkList = null;
    let bytes = 0;
    for (const b of list) bytes += b.length;
    // Corked bytes were counted as queued when they came: dispatched now in one writev.
    this._queued -= bytes;
    this._dispatch(null, list, null);
    if ((this._flags & ENDING) !== 0) this._maybeShutdown();
  }

  end(): this {
    if ((this._flags & (ENDING | DESTROYED)) !== 0) return this;
    this._flags |= ENDING;
    if (this._corked > 0) { this._corked = 1; this.uncork(); }
    this._maybeShutdown();
    return this;
  }

  /** libuv's shutdown waits for the queued writes itself: sent once nothing is corked. */
  private _maybeShutdown(): void {
    const f = this._flags;
    if ((f & (SHUTDOWN_SENT | DESTROYED)) !== 0 || this._corked > 0 || this._h === null) return;
    this._flags |= SHUTDOWN_SENT;
    const req = new binding!.ShutdownWrap();
    req.handle = this._h;
    req.oncomplete = afterShutdown;
    req.owner = this;
    const err = this._h.shutdown(req);
    if (err !== 0) { req.owner = null; this.destroy(uvError(err, 'shutdown')); }
  }

  /** @internal afterShutdown: our FIN is out ('finish'); with the peer's in too, the socket closes. */
  handleShutdown(status: number): void {
    if ((this._flags & DESTROYED) !== 0) return;
    if (status < 0 && status !== -107 /* ENOTCONN: the peer is gone, as net.Socket ignores */) {
      this.destroy(uvError(status, 'shutdown'));
      return;
    }
    this._flags |= FINISHED;
    const cb = this._finishCb;
    this._finishCb = null;
    if (cb !== null) cb();
    if ((this._flags & READ_ENDED) !== 0) this.destroy();
  }

  pause(): this {
    this._flags |= PAUSED;
    this._stopReading();
    return this;
  }

  resume(): this {
    this._flags &= ~PAUSED;
    if ((this._flags & (READING | READ_ENDED | DESTROYED)) === 0) this._startReading();
    return this;
  }

  isPaused(): boolean { return (this._flags & PAUSED) !== 0; }

  private _startReading(): void {
    const h = this._h;
    if (h === null) return;
    this._flags |= READING;
    const err = h.readStart();
    if (err !== 0) this.destroy(uvError(err, 'read'));
  }

  private _stopReading(): void {
    if ((this._flags & READING) === 0 || this._h === null) return;
    this._flags &= ~READING;
    this._h.readStop();
  }

  /** @internal The handle's read: `n` bytes in the target, 0 (nothing), or an error / EOF code. */
  handleRead(n: number): Buffer | undefined {
    if ((this._flags & DESTROYED) !== 0) return undefined;
    if (n > 0) {
      this._nRead += n;
      const more = this._owner.sockRead(n);
      if (!more) this._stopReading();
      // Where the next read lands (the handle keeps the Buffer this returns).
      return (this._flags & DESTROYED) !== 0 ? undefined : this._owner.sockTarget();
    }
    if (n === 0) return undefined;
    if (n !== UV_EOF) { this.destroy(uvError(n, 'read')); return undefined; }
    // The peer's FIN (RFC 9293 §3.6): 'end', then ours (allowHalfOpen false), then close once it is out.
    this._flags |= READ_ENDED;
    this._stopReading();
    this._owner.sockEnd();
    if ((this._flags & DESTROYED) !== 0) return undefined;
    if ((this._flags & FINISHED) !== 0) this.destroy();
    else this.end();
    return undefined;
  }

  destroy(err?: Error): this {
    if ((this._flags & DESTROYED) !== 0) return this;
    this._flags |= DESTROYED;
    const h = this._h;
    if (h !== null) this._nWritten = h.bytesWritten;
    this._corkList = null;
    if (err !== undefined) process.nextTick(emitError, this._owner, err);
    if (h === null) { process.nextTick(emitClose, this._owner); return this; }
    if ((this._flags & READING) !== 0) { this._flags &= ~READING; h.readStop(); }
    h.onread = noRead;
    // 'close' once libuv has closed the handle (no read can land in the slot after it).
    h.close(() => { this._h = null; this._owner.sockClose(); });
    return this;
  }

  /**
   * Hands the handle to a new net.Socket for tls.TLSSocket to wrap (TLS reads through its own listener
   * on the handle); this object is done with it. Only for that: the handle keeps reading into the user
   * buffer it was given, which a net.Socket's own 'data' path does not expect. Before any write is
   * queued (a TLS upgrade comes first).
   */
  toNetSocket(): net.Socket {
    const h = this._h!;
    this._stopReading();
    h.onread = noRead;
    this._nWritten = h.bytesWritten;
    this._h = null;
    this._flags |= DESTROYED;
    return new net.Socket({ handle: h, readable: true, writable: true } as net.SocketConstructorOpts);
  }
}

/**
 * The libuv handle under `sock` (a HandleSocket's own, or Node's private `_handle` of a net.Socket,
 * feature-detected by the callers), or null.
 */
export function streamHandleOf<H = unknown>(sock: ConnSocket): H | null {
  if (sock instanceof HandleSocket) return sock.handle as H | null;
  // Node's own private member (not ours), as onread-rewrap.ts reads it.
  return ((sock as unknown as { _handle?: H | null })._handle) ?? null;
}

/** A closed or handed-over handle's reads (onread must stay a function: Node asserts it). */
function noRead(): undefined { return undefined; }
function emitError(owner: HandleSocketOwner, err: Error): void { owner.sockError(err); }
function emitClose(owner: HandleSocketOwner): void { owner.sockClose(); }
function emitDrain(hs: HandleSocket, owner: HandleSocketOwner): void { if (!hs.destroyed) owner.sockDrain(); }
