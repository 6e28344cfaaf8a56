import * as net from 'node:net';
import type * as tls from 'node:tls';
import { toAddress, type XAddress, type XAddressLike } from './address';
import type { XBufferSlot, XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import type { TimerEntry } from './coarse-timer';
import { ClientTimers } from './client-timers';
import { assertInt, assertSeconds, XAsyncError } from './errors';
import { rewrapWithOnRead, type OnReadOption } from './onread-rewrap';
import { resolveClientOptions, type ResolvedClientOptions, type XAsyncTCPClientOptions } from './tcp-client-options';
import type { XAsyncSocketsPool } from './pool';
import { RecvMode, type RawReceiver } from './recv-modes';
import { ReadFlow } from './read-flow';
import { SlotReader } from './slot-reader';
import { XAsyncSocket } from './socket';
import { startTls, type XSSLOptions } from './tls-upgrade';

/**
 * A TCP connection of the pool, accepted by an {@link XAsyncTCPServer} or opened with {@link create}.
 * Received bytes land in the connection's slot; one receive is pending at a time (`asyncRecvLine`,
 * `asyncRecvData`, or a persistent raw receiver for protocol parsers); sends are queued by Node with a
 * bound and a no-progress timeout; `onClosed` fires exactly once.
 */
export class XAsyncTCPClient extends XAsyncSocket {
  declare onClosed: ((client: XAsyncTCPClient, reason: XClosedReason) => void) | null;
  /** Outgoing: the connection is established. */
  onConnected: ((client: XAsyncTCPClient) => void) | null = null;
  /** Outgoing: the connection could not be established (then `onClosed` follows). */
  onFailsToConnect: ((client: XAsyncTCPClient, err: Error) => void) | null = null;
  /** Queued outgoing bytes were flushed after a send returned false. */
  onSendReady: ((client: XAsyncTCPClient) => void) | null = null;
  /**
   * The receive timeout expired. Return true if you handled it (answered, re-armed, closed);
   * otherwise the connection closes with reason Timeout.
   */
  onRecvTimeout: ((client: XAsyncTCPClient) => boolean) | null = null;
  /** @internal The accepting server's bookkeeping (a plain callback: no promise per connection). */
  _onRelease: ((client: XAsyncTCPClient) => void) | null = null;
  /** Free for the owner (core keeps its HTTP connection state here). */
  userData: unknown = null;

  /** @internal */ readonly _opts: ResolvedClientOptions;
  /** @internal */ _sock: net.Socket;
  /** @internal */ readonly _reader: SlotReader;
  /** @internal */ _recvMode = RecvMode.None;
  /** @internal */ _raw: RawReceiver | null = null;
  /** @internal */ _recvCb: ((client: XAsyncTCPClient, value: any) => void) | null = null;
  /** @internal */ _recvSize = 0;
  /** @internal */ _recvDedicated: Buffer | null = null;
  /** @internal */ _recvFilled = 0;
  /** @internal */ _rawIdleMs = 0;
  /** @internal */ _dispatching = false;
  /** @internal */ readonly _timers = new ClientTimers(this);
  /** @internal */ get _recvTimer(): TimerEntry { return this._timers.recv; }
  private readonly _slot: XBufferSlot | null;
  private readonly _slots: XBufferSlots | null;
  private _connecting = false;
  /** @internal */ _closing = false;
  /** @internal */ _finished = false;
  /** @internal */ readonly _flow = new ReadFlow(this);
  private _usesOnRead = false;
  private _remote: XAddress = { host: '', port: 0 };
  /** @internal */ _tls: tls.TLSSocket | null = null;
  /** @internal */ _tlsFail: ((err: Error) => void) | null = null;

  /** @internal Use {@link create}, {@link connect}, or an XAsyncTCPServer. */
  constructor(pool: XAsyncSocketsPool, options: XAsyncTCPClientOptions, slot: XBufferSlot | null, slots: XBufferSlots | null, resolved: ResolvedClientOptions | null = null) {
    super(pool);
    // Accepted connections share their server's resolved options (one object per server, not per connection).
    this._opts = resolved ?? resolveClientOptions(options);
    this._slot = slot;
    this._slots = slots;
    const len = assertInt('recvBufLen', options.recvBufLen ?? 4096, 256, 16 * 1024 * 1024);
    this._reader = new SlotReader(slot ? slot.buffer : Buffer.allocUnsafeSlow(len));
    this._sock = null as unknown as net.Socket;
  }

  /**
   * Opens an outgoing connection (asynchronous: `onConnected` or `onFailsToConnect` follows).
   * @throws XAsyncError ERR_XAS_NO_SLOT when `options.slots` has no free slot.
   */
  static create(pool: XAsyncSocketsPool, address: XAddressLike, options: XAsyncTCPClientOptions = {}): XAsyncTCPClient {
    const addr = toAddress('address', address, '127.0.0.1');
    let slot: XBufferSlot | null = null;
    if (options.slots) {
      slot = options.slots.acquire();
      if (slot === null) throw new XAsyncError('ERR_XAS_NO_SLOT', `no free slot in options.slots (${options.slots.count} in use)`);
    }
    let client: XAsyncTCPClient;
    try {
      client = new XAsyncTCPClient(pool, options, slot, options.slots ?? null);
    } catch (err) {
      if (slot) options.slots!.release(slot);
      throw err;
    }
    client._remote = addr;
    client._connecting = true;
    const sock = net.connect({ host: addr.host, port: addr.port, noDelay: client._opts.noDelay, onread: client._onreadOption() });
    client._usesOnRead = true;
    client._attach(sock);
    client._timers.armMisc('connect', client._opts.connectTimeoutMs);
    sock.once('connect', () => {
      client._connecting = false;
      client._timers.disarmMisc();
      client._callback(client.onConnected);
    });
    return client;
  }

  /** Promise form of {@link create}: resolves when connected, rejects with ERR_XAS_CONNECT. */
  static connect(pool: XAsyncSocketsPool, address: XAddressLike, options: XAsyncTCPClientOptions = {}): Promise<XAsyncTCPClient> {
    return new Promise((resolve, reject) => {
      const c = XAsyncTCPClient.create(pool, address, options);
      c.onConnected = () => resolve(c);
      c.onFailsToConnect = (_c, err) => reject(new XAsyncError('ERR_XAS_CONNECT', `cannot connect to ${c._remote.host}:${c._remote.port}: ${err.message}`, { cause: err }));
    });
  }

  /** @internal Binds an accepted socket; tries the zero-copy `onread` re-wrap, else copies 'data' chunks. */
  static _accepted(pool: XAsyncSocketsPool, orig: net.Socket, slot: XBufferSlot, slots: XBufferSlots, options: XAsyncTCPClientOptions, resolved: ResolvedClientOptions): XAsyncTCPClient {
    const client = new XAsyncTCPClient(pool, options, slot, slots, resolved);
    client._remote = { host: orig.remoteAddress ?? '', port: orig.remotePort ?? 0 };
    const wrapped = rewrapWithOnRead(orig, client._onreadOption());
    if (wrapped) {
      client._usesOnRead = true;
      client._attach(wrapped);
      wrapped.resume();
    } else {
      client._reader.copyMode = true;
      client._attach(orig);
      orig.on('data', (chunk: Buffer) => client._flow.onChunk(chunk));
      orig.resume();
    }
    return client;
  }

  // ---- properties ------------------------------------------------------------------------------

  get remoteAddress(): XAddress { return this._remote; }
  get localAddress(): XAddress { return { host: this._sock.localAddress ?? '', port: this._sock.localPort ?? 0 }; }
  /** True when the kernel's bytes land straight in the slot (no copy); false on the copy paths. */
  get zeroCopy(): boolean { return this._usesOnRead; }
  /** True once a TLS session is established on this connection. */
  get isSSL(): boolean { return this._tls !== null && this._tls.encrypted && !this._tlsFail; }
  /** The TLS socket once `startSSL` was called (peer certificate, ALPN, …). */
  get tlsSocket(): tls.TLSSocket | null { return this._tls; }
  /** The connection's receive buffer (the slot's memory). */
  get recvBuffer(): Buffer { return this._reader.buf; }
  /** The slot bound to this connection, if it came from a slot pool. */
  get slot(): XBufferSlot | null { return this._slot; }
  /** Unconsumed received bytes waiting in the slot. */
  get recvPending(): number { return this._reader.pending; }
  /** Outgoing bytes queued and not yet handed to the kernel. */
  get sendPending(): number { return this._sock.writableLength; }
  get isClosing(): boolean { return this._closing; }
  get bytesRead(): number { return this._sock.bytesRead; }
  get bytesWritten(): number { return this._sock.bytesWritten; }
  /** @internal the stream writes go to (TLS socket once upgraded). */
  get _out(): net.Socket { return this._tls ?? this._sock; }

  // ---- receiving -------------------------------------------------------------------------------

  /**
   * Calls `onLine(client, line)` once, with the next line (UTF-8, without its CR LF). A line that does
   * not fit in the slot closes the connection with reason Error (ERR_XAS_LINE_TOO_LONG).
   * @param timeoutSec 0 for none
   */
  asyncRecvLine(onLine: (client: XAsyncTCPClient, line: string) => void, timeoutSec = 0): void {
    this._setOneShot(RecvMode.Line, onLine, 0, timeoutSec);
  }

  /**
   * Calls `onData(client, data)` once exactly `size` bytes arrived. For sizes up to the slot size
   * `data` is a view into the slot, valid during the call only (copy it to keep it); larger sizes
   * (up to maxRecvDataLength) get a buffer of their own, which the callee may keep.
   */
  asyncRecvData(size: number, onData: (client: XAsyncTCPClient, data: Buffer) => void, timeoutSec = 0): void {
    assertInt('asyncRecvData size', size, 1);
    if (size > this._opts.maxRecvDataLength) {
      throw new XAsyncError('ERR_XAS_RECV_TOO_LARGE', `asyncRecvData size ${size} is above maxRecvDataLength (${this._opts.maxRecvDataLength})`);
    }
    this._setOneShot(RecvMode.Data, onData, size, timeoutSec);
  }

  /** Promise form of {@link asyncRecvLine}; rejects with ERR_XAS_CLOSED if the connection closes first. */
  recvLine(timeoutSec = 0): Promise<string> {
    return this._promised<string>((cb) => this.asyncRecvLine(cb, timeoutSec));
  }

  /** Promise form of {@link asyncRecvData}; the data is always a copy the caller owns. */
  recvData(size: number, timeoutSec = 0): Promise<Buffer> {
    return this._promised<Buffer>((cb) => this.asyncRecvData(size, (c, d) => cb(c, d.buffer === this._reader.buf.buffer ? Buffer.from(d) : d), timeoutSec));
  }

  /**
   * Raw mode for protocol parsers: `onRecv(client, buf, start, end)` is called whenever unconsumed bytes
   * are in the slot and returns how many it consumed from `start`; the rest stays (later bytes are
   * appended after it). A parser that needs more simply returns 0. The receiver stays until
   * {@link stopRecvRaw}. `idleTimeoutSec` (0 for none) is re-armed at every arrival.
   */
  asyncRecvRaw(onRecv: RawReceiver, idleTimeoutSec = 0): void {
    if (this._recvMode !== RecvMode.None && this._recvMode !== RecvMode.Raw) throw this._pendingError();
    this._recvMode = RecvMode.Raw;
    this._raw = onRecv;
    this._rawIdleMs = assertSeconds('idleTimeoutSec', idleTimeoutSec) * 1000;
    // 0 means "no idle timeout of its own": a timeout the owner armed with setRecvTimeout stays.
    if (this._rawIdleMs > 0) this.setRecvTimeout(idleTimeoutSec);
    this._flow.kick();
  }

  stopRecvRaw(): void {
    if (this._recvMode === RecvMode.Raw) { this._recvMode = RecvMode.None; this._raw = null; }
    this.pool.timer.disarm(this._recvTimer);
  }

  /** Consumes `n` bytes of the slot outside a raw callback (a parser that finished asynchronously). */
  consume(n: number): void {
    assertInt('consume n', n, 0, this._reader.pending);
    this._reader.consume(n);
    this._flow.roomMade();
  }

  /** Arms (or with 0, disarms) the receive timeout; `onRecvTimeout` or a Timeout close follows. */
  setRecvTimeout(sec: number): void {
    const ms = assertSeconds('recv timeout', sec) * 1000;
    if (ms > 0 && !this._closing) this.pool.timer.arm(this._recvTimer, ms);
    else this.pool.timer.disarm(this._recvTimer);
  }

  /** Stops reading from the peer (backpressure); bytes already received stay in the slot. */
  pauseReading(): void {
    this._flow.setUserPaused(true);
  }

  /** Reads again; pending bytes are delivered to the current receiver first. */
  resumeReading(): void {
    this._flow.setUserPaused(false);
  }

  // ---- sending ---------------------------------------------------------------------------------

  /**
   * Queues `data` for the peer. Returns true while the queue is below Node's high-water mark, false
   * when the caller should wait for `onSendReady`. If the queue is already beyond maxSendPending the
   * peer is not reading: the connection closes with reason Error (ERR_XAS_SEND_OVERFLOW) and false is
   * returned. `onSent` is called once these bytes are handed to the kernel.
   */
  asyncSendData(data: Uint8Array | string, onSent?: ((client: XAsyncTCPClient) => void) | null, encoding: BufferEncoding = 'utf8'): boolean {
    if (this._closing || this.isClosed) return false;
    const out = this._out;
    if (out.writableLength > this._opts.maxSendPending) {
      this._fail(XClosedReason.Error, new XAsyncError('ERR_XAS_SEND_OVERFLOW',
        `${out.writableLength} bytes queued for ${this._remote.host}:${this._remote.port} is above maxSendPending (${this._opts.maxSendPending}): the peer is not reading`));
      return false;
    }
    const ok = onSent
      ? out.write(data, encoding, () => { if (!this.isClosed) this._callback(onSent); })
      : out.write(data, encoding);
    if (out.writableLength > 0) this._timers.armSend(out);
    return ok;
  }

  /** Batches the following sends into one write (writev) until {@link uncork}. */
  cork(): void { if (!this.isClosed) this._out.cork(); }
  uncork(): void { if (!this.isClosed) this._out.uncork(); }

  /** Promise form of {@link asyncSendData}: resolves when the bytes are handed to the kernel. */
  sendData(data: Uint8Array | string, encoding: BufferEncoding = 'utf8'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.asyncSendData(data, () => resolve(), encoding) && (this._closing || this.isClosed)) {
        reject(new XAsyncError('ERR_XAS_CLOSED', 'the connection is closed or closing'));
      }
    });
  }

  // ---- TLS -------------------------------------------------------------------------------------

  /**
   * Starts TLS on this connection (server side for accepted connections by default). The handshake is
   * asynchronous and bounded by `handshakeTimeoutSec` (default 10); the promise resolves when it
   * completes, and a failure closes the connection with reason Error (or Timeout).
   */
  startSSL(options: XSSLOptions = {}): Promise<void> {
    return startTls(this, options, null);
  }

  /** Like {@link startSSL} with a prepared `tls.SecureContext`. */
  startSSLContext(context: tls.SecureContext, serverSide: boolean, options: Omit<XSSLOptions, 'serverSide'> = {}): Promise<void> {
    return startTls(this, { ...options, serverSide }, context);
  }

  // ---- closing ---------------------------------------------------------------------------------

  /**
   * Closes gracefully: queued bytes are flushed, then FIN; the socket is destroyed when the peer closes
   * too or after `lingerSec`. Bytes received meanwhile are discarded. Reason: ClosedByHost.
   */
  close(): void {
    if (this._closing || this._finished) return;
    this._setReason(XClosedReason.ClosedByHost);
    this._beginClosing();
    const out = this._out;
    if (this._connecting) { this._destroyNow(); return; }
    // Keep reading (and discarding) so the peer's FIN is seen: closing a socket with unread bytes makes
    // the kernel send RST, which can destroy the response the peer has not read yet (RFC 9112 §9.6).
    this._flow.unpauseForClose();
    out.end();
    if (this._opts.sendTimeoutMs === 0 || out.writableFinished) this._timers.armMisc('linger', this._opts.lingerMs);
    else out.once('finish', () => this._timers.armMisc('linger', this._opts.lingerMs));
  }

  /** Closes at once (RST if bytes are unread), without flushing. Reason: ClosedByHost. */
  destroy(): void {
    this._setReason(XClosedReason.ClosedByHost);
    this._destroyNow();
  }

  /** @internal */
  _destroyNow(): void {
    if (this._finished) return;
    this._beginClosing();
    this._out.destroy();
    if (this._tls) this._sock.destroy();
  }

  /** @internal */
  _setReasonPublic(reason: XClosedReason): void { this._setReason(reason); }

  /** @internal Closes at once for `reason` (timeouts, overflows, protocol errors). */
  _fail(reason: XClosedReason, err: Error | null): void {
    this._setReason(reason, err);
    this._destroyNow();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** @internal */
  _onreadOption(): OnReadOption {
    return { buffer: () => this._reader.nextTarget(), callback: (n) => this._flow.onRead(n) };
  }

  /** @internal */
  _attach(sock: net.Socket): void {
    this._sock = sock;
    sock.setNoDelay(this._opts.noDelay);
    listen(sock, this);
  }

  /** @internal TLS took over: bytes now come as decrypted chunks on `t`. */
  _switchToTls(t: tls.TLSSocket): void {
    this._tls = t;
    this._reader.copyMode = true;
    this._usesOnRead = false;
    t.on('data', (chunk: Buffer) => this._flow.onChunk(chunk));
    listen(t, this);
  }

  private _setOneShot(mode: RecvMode, cb: (client: XAsyncTCPClient, v: any) => void, size: number, timeoutSec: number): void {
    if (this._recvMode !== RecvMode.None) throw this._pendingError();
    if (typeof cb !== 'function') throw new XAsyncError('ERR_XAS_INVALID_ARG', 'the receive callback must be a function');
    if (this._closing || this._finished) throw new XAsyncError('ERR_XAS_CLOSED', 'cannot receive: the connection is closed or closing');
    this._recvMode = mode;
    this._recvCb = cb;
    this._recvSize = size;
    this._recvFilled = 0;
    this._recvDedicated = mode === RecvMode.Data && size > this._reader.size ? Buffer.allocUnsafe(size) : null;
    this.setRecvTimeout(timeoutSec);
    this._flow.kick();
  }

  private _promised<T>(start: (cb: (c: XAsyncTCPClient, v: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClose = () => reject(new XAsyncError('ERR_XAS_CLOSED', `the connection closed (${this.closedReason}) before the receive completed`));
      let settled = false;
      this.whenClosed().then(() => { if (!settled) onClose(); });
      start((_c, v) => { settled = true; resolve(v); });
    });
  }

  private _pendingError(): XAsyncError {
    return new XAsyncError('ERR_XAS_RECV_PENDING', `a receive (${RecvMode[this._recvMode]}) is already pending: one at a time`);
  }

  private _beginClosing(): void {
    this._closing = true;
    this._recvMode = RecvMode.None;
    this._raw = null;
    this._recvCb = null;
    this._recvDedicated = null;
    this._flow.dropLeftover();
    this.pool.timer.disarm(this._recvTimer);
  }

  /** @internal */
  _onSockError(err: Error): void {
    this._setReason(XClosedReason.Error, err);
    if (this._tlsFail) this._tlsFail(err);
  }

  /** @internal */
  _onSockClose(): void {
    if (this._finished) return;
    this._finished = true;
    this._beginClosing();
    this._timers.disarmAll();
    if (this._tls && !this._tls.destroyed) this._tls.destroy();
    if (!this._sock.destroyed) this._sock.destroy();
    if (this._connecting) {
      this._connecting = false;
      const err = this._error ?? new XAsyncError('ERR_XAS_CONNECT', 'the connection closed before it was established');
      this._callback(this.onFailsToConnect, err);
    }
    if (this._tlsFail) this._tlsFail(this._error ?? new XAsyncError('ERR_XAS_TLS', 'the connection closed during the TLS handshake'));
    // Release only now: no read can land in the slot once the handle is closed.
    if (this._slot && this._slots) this._slots.release(this._slot);
    this._onRelease?.(this);
    this._finishClose();
  }

  /** @internal */
  _onDrain(): void {
    if (this._out.writableLength === 0) this._timers.disarmSend();
    this._callback(this.onSendReady);
  }


}

// One set of listener functions for every socket (no closures per connection): the client is found
// through a symbol on the socket.
const kClient = Symbol('xasync.client');
type Owned = net.Socket & { [kClient]?: XAsyncTCPClient };
function onEnd(this: Owned): void { this[kClient]!._setReasonPublic(XClosedReason.ClosedByPeer); }
function onError(this: Owned, err: Error): void { this[kClient]!._onSockError(err); }
function onClose(this: Owned): void { this[kClient]!._onSockClose(); }
function onDrain(this: Owned): void { this[kClient]!._onDrain(); }
function listen(sock: Owned, client: XAsyncTCPClient): void {
  sock[kClient] = client;
  sock.on('end', onEnd);
  sock.on('error', onError);
  sock.on('close', onClose);
  sock.on('drain', onDrain);
}
