import * as net from 'node:net';
import type { ConnSocket } from './conn-socket';
import { XAsyncError } from './errors';
import { binding, isTcpHandle, noRead, ownerSymbolOf, UV_ENOTCONN, UV_EOF, uvError, type Req, type TcpHandle } from './handle-binding';

/*
 * An accepted connection's socket without Node's net.Socket: the libuv TCP handle Node accepted, driven
 * directly (issue 19). A net.Socket is a Duplex stream: with its two stream states, listener tables and
 * buffers it costs an idle connection about 820 B of V8 heap beyond the handle; the connection already
 * keeps every state it needs (the slot reader, the read flow, the timers), so this class keeps only what
 * the xasync helpers use of a socket (`ConnSocket`, conn-socket.ts) in nine fields.
 *
 * What it does as net.Socket does (lib/net.js, lib/internal/stream_base_commons.js: the helpers, written
 * against net.Socket, see no difference):
 * - reads land in a caller-owned buffer (the handle's `useUserBuffer`, as net.Socket's `onread` option);
 *   a read callback returning false stops reading until `resume()`;
 * - writes go to the handle in order (libuv queues them); `write` returns false past 16 KiB queued
 *   (net.Socket's high-water mark) and 'drain' follows when its writes are done (not once ending); a
 *   write's callback runs once the kernel took it (null when the socket was destroyed meanwhile, as Node);
 *   corked writes leave in one writev at `uncork`, their callbacks after it;
 * - `end()` shuts the write side down once queued writes are out ('finish'); the peer's FIN ('end')
 *   ends ours too (allowHalfOpen false, as net.Server's sockets), and the handle is closed once both
 *   sides are done ('close'); a write after either end destroys the socket with the error Node gives
 *   (EPIPE after the peer's FIN);
 * - `destroy(err)` closes the handle at once: 'error' (next tick) then 'close' (libuv's close callback).
 *
 * Node internals (handle-binding.ts, the accepted net.Socket's `_handle`) are feature-detected: where
 * they differ `takeHandle` returns null and the connection keeps its net.Socket. TLS needs a net.Socket:
 * `toNetSocket()` hands the handle to one.
 */

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

type WriteCb = (err?: Error | null) => void;

/** Writes held by `cork()` until `uncork()` (made on the first one: an idle connection keeps a null). */
class Corked {
  readonly list: Buffer[] = [];
  cbs: WriteCb[] | null = null;
  bytes = 0;
}

/** net.Socket's default high-water mark: `write` returns false past it. */
const HIGH_WATER = 16 * 1024;

// Flags (one number: an idle connection keeps one field for eight booleans).
const DESTROYED = 1;
const ENDING = 2;
const FINISHED = 4;
const READ_ENDED = 8;
const READING = 16;
const NEED_DRAIN = 32;
const SHUTDOWN_SENT = 64;
/** The handle went to a net.Socket (`toNetSocket`): nothing is reported any more but write completions. */
const HANDED = 128;
/** Done with the handle: destroyed, or handed over. */
const GONE = DESTROYED | HANDED;

let owner: symbol | null = null;

/** The handle's reads, one function for every HandleSocket (no closure per connection). */
function onRead(this: TcpHandle): Buffer | undefined {
  const hs = (this as unknown as Record<symbol, unknown>)[owner!];
  if (!(hs instanceof HandleSocket)) return undefined;
  return hs.handleRead(binding!.streamBaseState[binding!.kReadBytesOrError]!);
}
function afterWrite(this: Req, status: number): void {
  const hs = this.owner as HandleSocket | null;
  const cb = this.cb;
  this.owner = null;
  this.buffer = null;
  this.cb = null;
  if (hs !== null) hs.handleWritten(status, cb);
}
function afterShutdown(this: Req): void {
  const hs = this.owner as HandleSocket | null;
  this.owner = null;
  if (hs !== null) hs.handleShutdown();
}

const destroyedError = (): Error => Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' });

export class HandleSocket implements ConnSocket {
  /** See ConnSocket (a getter: no field per connection). */
  get queueIncludesHandle(): boolean { return true; }
  /** The libuv handle; null once closed or handed over. */
  private _h: TcpHandle | null;
  private readonly _owner: HandleSocketOwner;
  private _flags = 0;
  /** This object's write requests still in libuv. */
  private _pending = 0;
  private _corked = 0;
  private _cork: Corked | null = null;
  /** Bytes read; bytes written once the handle is gone (while open, the handle counts them). */
  private _nRead = 0;
  private _nWritten = 0;
  private _finishCb: (() => void) | null = null;
  /**
   * The buffer the handle reads into (handed to it last): a read callback returning undefined keeps it,
   * and Node's C++ then skips asking the returned view for its memory and length (~150 instructions a
   * read under callgrind, issue 19). The slot is handed again after nearly every read.
   */
  private _target: Buffer | null = null;

  private constructor(h: TcpHandle, o: HandleSocketOwner) {
    this._h = h;
    this._owner = o;
  }

  /**
   * Takes the handle of `sock` (an accepted net.Socket not yet reading: `pauseOnConnect`) and starts
   * reading into `o.sockTarget()`. `sock` is destroyed without its handle (net.Server stops counting
   * it). Null when this Node's internals are not as expected: keep `sock`.
   */
  static takeHandle(sock: net.Socket, o: HandleSocketOwner): HandleSocket | null {
    if (binding === null) return null;
    // Node's own private member (not ours), feature-detected like onread-rewrap.ts.
    const s = sock as net.Socket & { _handle?: unknown };
    const h = s._handle;
    if (!isTcpHandle(h)) return null;
    const sym = ownerSymbolOf(h);
    if (sym === null) return null;
    owner = sym;
    const hs = new HandleSocket(h, o);
    s._handle = null;
    // The handle named its net.Socket: it names this object now (the net.Socket can go).
    (h as unknown as Record<symbol, unknown>)[sym] = hs;
    sock.destroy();
    h.onread = onRead;
    hs._target = o.sockTarget();
    h.useUserBuffer(hs._target);
    hs._startReading();
    return hs;
  }

  get destroyed(): boolean { return (this._flags & GONE) !== 0; }
  /** libuv's queued bytes (this object's writes and direct ones) and the corked ones. */
  get writableLength(): number {
    const h = this._h;
    const c = this._cork;
    // Until libuv's close callback the handle still reports its queue (as a destroyed net.Socket still
    // reports its own until the next tick).
    return (h !== null ? h.writeQueueSize : 0) + (c !== null ? c.bytes : 0);
  }
  /** See ConnSocket: no write request of this object in libuv, nothing corked. */
  get ownWritesIdle(): boolean { return this._pending === 0 && this._cork === null; }
  get writableCorked(): number { return this._corked; }
  get writableEnded(): boolean { return (this._flags & ENDING) !== 0; }
  get writableFinished(): boolean { return (this._flags & FINISHED) !== 0; }
  get connecting(): boolean { return false; }
  get bytesRead(): number { return this._nRead; }
  /** Bytes handed to the handle (it counts them, direct writes included) and those corked, as net.Socket counts. */
  get bytesWritten(): number {
    const c = this._cork;
    return (this._h !== null ? this._h.bytesWritten : this._nWritten) + (c !== null ? c.bytes : 0);
  }
  /** The handle, for direct writes and read retargeting (direct-write.ts, onread-rewrap.ts); null once destroyed. */
  get handle(): TcpHandle | null { return (this._flags & GONE) !== 0 ? null : this._h; }
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

  /** The one 'finish' listener (a graceful close's): replaces an earlier one. */
  once(event: 'finish', listener: () => void): this {
    if (event !== 'finish') throw new TypeError(`HandleSocket: no '${String(event)}' event`);
    this._finishCb = listener;
    return this;
  }

  write(data: Uint8Array | string, encoding: BufferEncoding, cb?: WriteCb): boolean {
    const f = this._flags;
    if ((f & (GONE | ENDING)) !== 0) {
      // After the peer's FIN, EPIPE (net.js writeAfterFIN); after end(), write after end; either
      // destroys the socket, as Node's stream does.
      const err = (f & GONE) !== 0 ? destroyedError()
        : (f & READ_ENDED) !== 0 ? Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' })
          : Object.assign(new Error('write after end'), { code: 'ERR_STREAM_WRITE_AFTER_END' });
      if (cb) process.nextTick(cb, err);
      if ((f & GONE) === 0) this.destroy(err);
      return false;
    }
    const buf = typeof data === 'string' ? Buffer.from(data, encoding) : data;
    if (this._corked > 0) {
      const c = (this._cork ??= new Corked());
      c.list.push(buf as Buffer);
      c.bytes += buf.length;
      if (cb) (c.cbs ??= []).push(cb);
    } else if (!this._dispatch(buf, null, cb ?? null)) return false;
    if (this.writableLength < HIGH_WATER) return true;
    this._flags |= NEED_DRAIN;
    return false;
  }

  /** One write request to the handle: `buf`, or `list` in one writev. False: it failed (destroyed). */
  private _dispatch(buf: Uint8Array | null, list: Buffer[] | null, cb: WriteCb | null): boolean {
    const h = this._h!;
    const req = new binding!.WriteWrap();
    req.handle = h;
    req.oncomplete = afterWrite;
    req.owner = this;
    req.cb = cb;
    req.bytes = 0;
    req.buffer = list ?? buf;
    const err = list !== null ? h.writev(req, list, true) : h.writeBuffer(req, buf!);
    if (err !== 0) {
      req.owner = null;
      const e = uvError(err, 'write');
      if (cb !== null) process.nextTick(cb, e);
      this.destroy(e);
      return false;
    }
    if (binding!.streamBaseState[binding!.kLastWriteWasAsync] !== 0) {
      // libuv holds it (and the data) until the rest is written: afterWrite.
      this._pending++;
      return true;
    }
    req.owner = null;
    req.buffer = null;
    if (cb !== null) process.nextTick(cb);
    this._maybeDrain(true);
    return true;
  }

  /** @internal afterWrite: one of this object's requests left libuv (written, failed, or cancelled by a close). */
  handleWritten(status: number, cb: WriteCb | null): void {
    this._pending--;
    if ((this._flags & DESTROYED) !== 0) {
      // As Node's onWriteComplete on a destroyed stream: the callback still runs (a sendData promise settles).
      if (cb !== null) cb(null);
      return;
    }
    if (status < 0) {
      const err = uvError(status, 'write');
      if (cb !== null) cb(err);
      this.destroy(err);
      return;
    }
    if (cb !== null) cb();
    this._maybeDrain(false);
  }

  /** 'drain' after a write returned false, once this object's writes are out (never once ending, as Node). */
  private _maybeDrain(sync: boolean): void {
    const f = this._flags;
    if ((f & NEED_DRAIN) === 0 || this._pending !== 0 || this._cork !== null || (f & (ENDING | DESTROYED)) !== 0) return;
    this._flags &= ~NEED_DRAIN;
    if (sync) process.nextTick(emitDrain, this, this._owner);
    else this._owner.sockDrain();
  }

  cork(): void { this._corked++; }

  uncork(): void {
    if (this._corked === 0 || --this._corked > 0) return;
    this._flushCorked();
  }

  /** The corked writes, in one writev; their callbacks once it is done. */
  private _flushCorked(): void {
    const c = this._cork;
    if (c === null || this._h === null || (this._flags & GONE) !== 0) return;
    this._cork = null;
    const cbs = c.cbs;
    this._dispatch(null, c.list, cbs === null ? null : (err) => { for (const f of cbs) f(err); });
  }

  end(): this {
    if ((this._flags & (ENDING | GONE)) !== 0) return this;
    this._flags |= ENDING;
    if (this._corked > 0) { this._corked = 0; this._flushCorked(); }
    this._maybeShutdown();
    return this;
  }

  /** libuv's shutdown waits for the queued writes itself: sent once nothing is corked. */
  private _maybeShutdown(): void {
    const f = this._flags;
    if ((f & (SHUTDOWN_SENT | GONE)) !== 0 || this._corked > 0 || this._h === null) return;
    this._flags |= SHUTDOWN_SENT;
    const req = new binding!.ShutdownWrap();
    req.handle = this._h;
    req.oncomplete = afterShutdown;
    req.owner = this;
    const err = this._h.shutdown(req);
    if (err === 0) return;
    req.owner = null;
    // Done at once, or the peer is gone already: finished, as Node's _final takes it.
    if (err === 1 || err === UV_ENOTCONN) process.nextTick(shutDownNow, this);
    else this.destroy(uvError(err, 'shutdown'));
  }

  /** @internal afterShutdown: our FIN is out ('finish'; its status ignored, as Node does); with the peer's in too, the socket closes. */
  handleShutdown(): void {
    if ((this._flags & GONE) !== 0) return;
    this._flags |= FINISHED;
    const cb = this._finishCb;
    this._finishCb = null;
    if (cb !== null) cb();
    if ((this._flags & READ_ENDED) !== 0) this.destroy();
  }

  pause(): this {
    this._stopReading();
    return this;
  }

  resume(): this {
    if ((this._flags & (READING | READ_ENDED | GONE)) === 0) this._startReading();
    return this;
  }

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
    if ((this._flags & GONE) !== 0) return undefined;
    if (n > 0) {
      this._nRead += n;
      const more = this._owner.sockRead(n);
      if (!more) this._stopReading();
      // Where the next read lands: the handle keeps the Buffer this returns, and keeps the one it has
      // when this returns undefined (Node's CustomBufferJSListener::OnStreamRead, as net.Socket's onread
      // without a buffer generator).
      if ((this._flags & GONE) !== 0) return undefined;
      const t = this._owner.sockTarget();
      if (t === this._target) return undefined;
      return (this._target = t);
    }
    if (n === 0) return undefined;
    if (n !== UV_EOF) { this.destroy(uvError(n, 'read')); return undefined; }
    // The peer's FIN (RFC 9293 §3.6): 'end', then ours (allowHalfOpen false), then close once it is out.
    this._flags |= READ_ENDED;
    this._stopReading();
    this._owner.sockEnd();
    if ((this._flags & GONE) !== 0) return undefined;
    if ((this._flags & FINISHED) !== 0) this.destroy();
    else this.end();
    return undefined;
  }

  destroy(err?: Error): this {
    if ((this._flags & GONE) !== 0) return this;
    this._flags |= DESTROYED;
    const h = this._h;
    const c = this._cork;
    this._cork = null;
    // Corked writes never leave: their callbacks get the error Node gives.
    if (c !== null && c.cbs !== null) for (const f of c.cbs) process.nextTick(f, destroyedError());
    if (err !== undefined) process.nextTick(emitError, this._owner, err);
    if (h === null) { process.nextTick(emitClose, this._owner); return this; }
    this._nWritten = h.bytesWritten;
    if ((this._flags & READING) !== 0) { this._flags &= ~READING; h.readStop(); }
    h.onread = noRead;
    // 'close' once libuv has closed the handle (no read can land in the slot after it).
    h.close(() => { this._h = null; this._owner.sockClose(); });
    return this;
  }

  /**
   * Hands the handle to a new net.Socket for tls.TLSSocket to wrap (TLS reads through its own listener
   * on the handle); this object is done with it (writes still in libuv complete here). Corked writes
   * leave first. Only for that: the handle keeps reading into the user buffer it was given, which a
   * net.Socket's own 'data' path does not expect. Throws ERR_XAS_CLOSED once destroyed.
   */
  toNetSocket(): net.Socket {
    const closed = (): XAsyncError => new XAsyncError('ERR_XAS_CLOSED', 'startSSL: the connection is closed or closing');
    if ((this._flags & GONE) !== 0 || this._h === null) throw closed();
    if (this._corked > 0) { this._corked = 0; this._flushCorked(); }
    if ((this._flags & DESTROYED) !== 0) throw closed(); // the corked writes failed
    const h = this._h;
    this._stopReading();
    h.onread = noRead;
    this._nWritten = h.bytesWritten;
    this._h = null;
    this._flags |= HANDED;
    return new net.Socket({ handle: h, readable: true, writable: true } as net.SocketConstructorOpts);
  }
}

function emitError(o: HandleSocketOwner, err: Error): void { o.sockError(err); }
function emitClose(o: HandleSocketOwner): void { o.sockClose(); }
function emitDrain(hs: HandleSocket, o: HandleSocketOwner): void { if (!hs.destroyed) o.sockDrain(); }
function shutDownNow(hs: HandleSocket): void { hs.handleShutdown(); }
