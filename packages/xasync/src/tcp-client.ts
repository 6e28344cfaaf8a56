import * as net from 'node:net';
import type * as tls from 'node:tls';
import { toAddress, type XAddress, type XAddressLike } from './address';
import type { XBufferSlot, XBufferSlots } from './buffer-slots';
import { beginClosing, endGracefully } from './client-close';
import { queueSend } from './client-send';
import { RecvMode } from './client-state';
import { flushedBytes, queuedBytes } from './direct-write';
import { XClosedReason } from './closed-reason';
import { assertInt, assertSeconds, XAsyncError } from './errors';
import type { OnReadOption } from './onread-rewrap';
import type { XAsyncSocketsPool } from './pool';
import { kDestroyNow } from './pool-member';
import { endBufferLoan, lendBuffer } from './recv-loan';
import { setOneShot, setRaw, stopRaw } from './recv-modes';
import type { ResolvedClientOptions, XAsyncTCPClientOptions } from './tcp-client-options';
import { Dial, TcpClientSocket } from './tcp-client-socket';
import type { XSSLOptions } from './tls-upgrade';

/**
 * A protocol parser's receive callback: unconsumed bytes are `buf[start, end)` (a view of the slot,
 * valid during the call). Return how many bytes were consumed from `start` (0 to wait for more).
 */
export type RawReceiver = (client: XAsyncTCPClient, buf: Buffer, start: number, end: number) => number;

/**
 * A TCP connection of the pool, accepted by an {@link XAsyncTCPServer} or opened with {@link create}.
 * Received bytes land in the connection's slot; one receive is pending at a time (`asyncRecvLine`,
 * `asyncRecvData`, or a persistent raw receiver for protocol parsers); sends are queued by Node with a
 * bound and a no-progress timeout; `onClosed` fires exactly once. Its base, TcpClientSocket
 * (tcp-client-socket.ts), binds the socket: accepting, the socket's listeners and read path, its close.
 */
export class XAsyncTCPClient extends TcpClientSocket {
  declare onClosed: ((client: XAsyncTCPClient, reason: XClosedReason) => void) | null;
  /** Queued outgoing bytes were flushed after a send returned false. */
  declare onSendReady: ((client: XAsyncTCPClient) => void) | null;
  /**
   * The receive timeout expired. Return true if you handled it (answered, re-armed, closed);
   * otherwise the connection closes with reason Timeout.
   */
  declare onRecvTimeout: ((client: XAsyncTCPClient) => boolean) | null;
  /** Free for the owner (core keeps its HTTP connection state here). */
  userData: unknown = null;

  /**
   * @internal Use {@link create}, {@link connect}, or an XAsyncTCPServer (which passes the `accepted`
   * socket, bound by TcpClientSocket: the zero-copy `onread` re-wrap when Node allows it, else 'data'
   * chunks copied). Explicit, with its parameters named: an implicit constructor would forward them as
   * a rest array.
   */
  constructor(pool: XAsyncSocketsPool, options: XAsyncTCPClientOptions, slot: XBufferSlot | null, slots: XBufferSlots | null,
    resolved: ResolvedClientOptions | null = null, accepted: net.Socket | null = null, onRelease: ((client: XAsyncTCPClient) => void) | null = null) {
    super(pool, options, slot, slots, resolved, accepted, onRelease);
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
    client._open(addr);
    return client;
  }

  /** Promise form of {@link create}: resolves when connected, rejects with ERR_XAS_CONNECT. */
  static connect(pool: XAsyncSocketsPool, address: XAddressLike, options: XAsyncTCPClientOptions = {}): Promise<XAsyncTCPClient> {
    return new Promise((resolve, reject) => {
      const c = XAsyncTCPClient.create(pool, address, options);
      c.onConnected = () => resolve(c);
      c.onFailsToConnect = (_c, err) => reject(new XAsyncError('ERR_XAS_CONNECT', `cannot connect to ${c.remoteAddress.host}:${c.remoteAddress.port}: ${err.message}`, { cause: err }));
    });
  }

  // ---- properties ------------------------------------------------------------------------------

  /** Outgoing: the connection is established. */
  get onConnected(): ((client: XAsyncTCPClient) => void) | null {
    return this._dial === null ? null : (this._dial.onConnected as ((client: XAsyncTCPClient) => void) | null);
  }
  set onConnected(v: ((client: XAsyncTCPClient) => void) | null) {
    if (v !== null || this._dial !== null) this._dialing().onConnected = v;
  }
  /** Outgoing: the connection could not be established (then `onClosed` follows). */
  get onFailsToConnect(): ((client: XAsyncTCPClient, err: Error) => void) | null {
    return this._dial === null ? null : (this._dial.onFailsToConnect as ((client: XAsyncTCPClient, err: Error) => void) | null);
  }
  set onFailsToConnect(v: ((client: XAsyncTCPClient, err: Error) => void) | null) {
    if (v !== null || this._dial !== null) this._dialing().onFailsToConnect = v;
  }

  /** The peer's address (a new object at each call; {@link remoteHost} and {@link remotePort} make none). */
  get remoteAddress(): XAddress { return { host: this._s.remoteHost, port: this._s.remotePort }; }
  /** The peer's host (IP address). */
  get remoteHost(): string { return this._s.remoteHost; }
  /** The peer's port. */
  get remotePort(): number { return this._s.remotePort; }
  get localAddress(): XAddress { return { host: this._s.sock.localAddress ?? '', port: this._s.sock.localPort ?? 0 }; }
  /** True when the kernel's bytes land straight in the slot (no copy); false on the copy paths. */
  get zeroCopy(): boolean { return !this._s.reader.copyMode; }
  /** True once a TLS session is established on this connection. */
  get isSSL(): boolean { const t = this._s.tls; return t !== null && t.socket.encrypted && t.fail === null; }
  /** The TLS socket once `startSSL` was called (peer certificate, ALPN, …). */
  get tlsSocket(): tls.TLSSocket | null { return this._s.tls === null ? null : this._s.tls.socket; }
  /** The connection's receive buffer (the slot's memory). */
  get recvBuffer(): Buffer { return this._s.reader.buf; }
  /** The slot bound to this connection, if it came from a slot pool. */
  get slot(): XBufferSlot | null { return this._slot; }
  /** Unconsumed received bytes waiting in the slot. */
  get recvPending(): number { return this._s.reader.pending; }
  /** When the receive timeout fires (a `Date.now()` time, from `setRecvTimeout`), 0 when none is armed. */
  get recvDeadline(): number { return this.pool.timer.dueAt(this._s.recvTimer!); }
  /**
   * Outgoing bytes queued and not yet handed to the kernel: the TLS socket's once upgraded (plaintext
   * bytes waiting to be encrypted and written; the plain socket under it queues nothing in JavaScript).
   */
  get sendPending(): number { return queuedBytes(this._s.out, this._s); }
  /**
   * Bytes the kernel has taken so far, in the same units as {@link sendPending} (plaintext under TLS):
   * what the rate guards measure a reader by. {@link bytesWritten} counts the wire's bytes.
   */
  get bytesFlushed(): number { return flushedBytes(this._s.out, this._s); }
  /**
   * Since when outgoing bytes have been waiting without the queue emptying (a `Date.now()` time; moved
   * on each time the send timeout's watch saw them progress), 0 when none wait or `sendTimeoutSec` is 0.
   * With {@link sendWaitFlushed}, a guard can judge a reader's rate from the start of its wait.
   */
  get sendWaitSince(): number { return this._timers.sendWaitSince; }
  /** {@link bytesFlushed} when that wait began. */
  get sendWaitFlushed(): number { return this._timers.sendWaitFlushed; }
  get isClosing(): boolean { return this._s.closing; }
  get bytesRead(): number { return this._s.sock.bytesRead; }
  get bytesWritten(): number { return this._s.sock.bytesWritten; }

  // ---- receiving -------------------------------------------------------------------------------

  /**
   * Calls `onLine(client, line)` once, with the next line (UTF-8, without its CR LF). A line that does
   * not fit in the slot closes the connection with reason Error (ERR_XAS_LINE_TOO_LONG).
   * @param timeoutSec 0 for none
   */
  asyncRecvLine(onLine: (client: XAsyncTCPClient, line: string) => void, timeoutSec = 0): void {
    this._oneShot(RecvMode.Line, onLine, 0, timeoutSec);
  }

  /**
   * Calls `onData(client, data)` once exactly `size` bytes arrived. For sizes up to the slot size
   * `data` is a view into the slot, valid during the call only (copy it to keep it); larger sizes
   * (up to maxRecvDataLength) get a buffer of their own, which the callee may keep.
   */
  asyncRecvData(size: number, onData: (client: XAsyncTCPClient, data: Buffer) => void, timeoutSec = 0): void {
    assertInt('asyncRecvData size', size, 1);
    const max = this._s.opts.maxRecvDataLength;
    if (size > max) throw new XAsyncError('ERR_XAS_RECV_TOO_LARGE', `asyncRecvData size ${size} is above maxRecvDataLength (${max})`);
    this._oneShot(RecvMode.Data, onData, size, timeoutSec);
  }

  /** Promise form of {@link asyncRecvLine}; rejects with ERR_XAS_CLOSED if the connection closes first. */
  recvLine(timeoutSec = 0): Promise<string> {
    return this._promised<string>((cb) => this.asyncRecvLine(cb, timeoutSec));
  }

  /** Promise form of {@link asyncRecvData}; the data is always a copy the caller owns. */
  recvData(size: number, timeoutSec = 0): Promise<Buffer> {
    return this._promised<Buffer>((cb) => this.asyncRecvData(size, (c, d) => cb(c, d.buffer === this._s.reader.buf.buffer ? Buffer.from(d) : d), timeoutSec));
  }

  /**
   * Raw mode for protocol parsers: `onRecv(client, buf, start, end)` is called whenever unconsumed bytes
   * are in the slot and returns how many it consumed from `start`; the rest stays (later bytes are
   * appended after it). A parser that needs more simply returns 0. The receiver stays until
   * {@link stopRecvRaw}. `idleTimeoutSec` (0 for none) is re-armed at every arrival.
   */
  asyncRecvRaw(onRecv: RawReceiver, idleTimeoutSec = 0): void {
    setRaw(this._s, onRecv, assertSeconds('idleTimeoutSec', idleTimeoutSec) * 1000);
    // 0 means "no idle timeout of its own": a timeout the owner armed with setRecvTimeout stays.
    if (this._s.recvParam > 0) this.setRecvTimeout(idleTimeoutSec);
    this._flow.kick();
  }

  stopRecvRaw(): void {
    stopRaw(this._s);
    this.pool.timer.disarm(this._timers.recv);
  }

  /** Consumes `n` bytes of the slot outside a raw callback (a parser that finished asynchronously). */
  consume(n: number): void {
    assertInt('consume n', n, 0, this._s.reader.pending);
    this._s.reader.consume(n);
    this._flow.roomMade();
  }

  /**
   * Lends the connection a bigger receive buffer for a while (a bulk upload): reads land in `buf`, up to
   * its size each, from the next time every received byte is consumed, until {@link endRecvBufferLoan}.
   * `onReturn(buf)` follows once `buf` is no longer used (see recv-loan.ts).
   * @throws XAsyncError ERR_XAS_INVALID_ARG (not bigger than the slot, a loan running), ERR_XAS_CLOSED
   */
  lendRecvBuffer(buf: Buffer, onReturn: (buf: Buffer) => void): void { lendBuffer(this._s, buf, onReturn); }

  /** Ends a {@link lendRecvBuffer} loan: the buffer goes back once its unconsumed bytes are consumed (often at once). */
  endRecvBufferLoan(): void { endBufferLoan(this._s); }

  /** Arms (or with 0, disarms) the receive timeout; `onRecvTimeout` or a Timeout close follows. */
  setRecvTimeout(sec: number): void {
    const ms = assertSeconds('recv timeout', sec) * 1000;
    if (ms > 0 && !this._s.closing) this.pool.timer.arm(this._timers.recv, ms);
    else this.pool.timer.disarm(this._timers.recv);
  }

  /**
   * {@link setRecvTimeout} without reading the clock: the timeout counts from the pool timer's next
   * tick, so it fires up to two ticks (`timerResolutionMs`) after its time, never before. For a timeout
   * moved once per request (HTTP keep-alive), where `Date.now()` was ~2% of a small request's work.
   * Kept apart from setRecvTimeout's body on purpose: one shared helper with a flag made this call
   * larger, and TurboFan then inlined the response path differently (+48 instructions per request).
   */
  touchRecvTimeout(sec: number): void {
    const ms = assertSeconds('recv timeout', sec) * 1000;
    if (ms > 0 && !this._s.closing) this.pool.timer.touch(this._timers.recv, ms);
    else this.pool.timer.disarm(this._timers.recv);
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
    if (this._s.closing || this.isClosed) return false;
    return queueSend(this._s, this._timers, data, encoding, onSent ? this._whenSent(onSent) : null);
  }

  /** The write callback for `onSent` (made apart: a closure in asyncSendData cost a context on every call). */
  private _whenSent(onSent: (client: XAsyncTCPClient) => void): () => void {
    return () => { if (!this.isClosed) this._callback(onSent); };
  }

  /** Batches the following sends into one write (writev) until {@link uncork}. */
  cork(): void { if (!this.isClosed) this._s.out.cork(); }
  uncork(): void { if (!this.isClosed) this._s.out.uncork(); }

  /** Promise form of {@link asyncSendData}: resolves when the bytes are handed to the kernel. */
  sendData(data: Uint8Array | string, encoding: BufferEncoding = 'utf8'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.asyncSendData(data, () => resolve(), encoding) && (this._s.closing || this.isClosed)) {
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
    return this._startTls(options, null);
  }

  /** Like {@link startSSL} with a prepared `tls.SecureContext`. */
  startSSLContext(context: tls.SecureContext, serverSide: boolean, options: Omit<XSSLOptions, 'serverSide'> = {}): Promise<void> {
    return this._startTls({ ...options, serverSide }, context);
  }

  // ---- closing ---------------------------------------------------------------------------------

  /**
   * Closes gracefully: queued bytes are flushed, then FIN; the socket is destroyed when the peer closes
   * too or after `lingerSec`. Bytes received meanwhile are discarded. Reason: ClosedByHost.
   */
  close(): void {
    if (this._s.closing || this._s.finished) return;
    this._setReason(XClosedReason.ClosedByHost);
    beginClosing(this._s, this._flow);
    if (this._dial !== null && this._dial.connecting) this[kDestroyNow]();
    else endGracefully(this._s, this._flow, this._timers);
  }

  /** Closes at once (RST if bytes are unread), without flushing. Reason: ClosedByHost. */
  destroy(): void {
    this._setReason(XClosedReason.ClosedByHost);
    this[kDestroyNow]();
  }

  // ---- internals -------------------------------------------------------------------------------
  // TypeScript-private, not `#` methods: those cost every connection a field (the class's brand; see tcp-client-socket.ts).

  private _open(addr: XAddress): void {
    this._s.remoteHost = addr.host;
    this._s.remotePort = addr.port;
    const dial = this._dialing();
    dial.connecting = true;
    const sock = net.connect({ host: addr.host, port: addr.port, noDelay: this._s.opts.noDelay, onread: this._onreadOption() });
    this._attach(sock);
    this._timers.armMisc('connect', this._s.opts.connectTimeoutMs);
    sock.once('connect', () => {
      dial.connecting = false;
      this._timers.disarmMisc();
      this._callback(dial.onConnected);
    });
  }

  /** The dial, made on first need (outgoing connections, or a callback set on an accepted one). */
  private _dialing(): Dial { return (this._dial ??= new Dial()); }

  /**
   * The read path of an outgoing connection: Node asks where the next read lands, then reports how many
   * bytes landed there. Closures of its own: `net.connect` may set its handle up later (after a lookup),
   * when the shared generator's connection (tcp-client-socket.ts) is another one. Accepted connections share one pair.
   */
  private _onreadOption(): OnReadOption {
    const reader = this._s.reader;
    const flow = this._flow;
    return { buffer: () => reader.nextTarget(), callback: (n) => flow.onRead(n) };
  }

  private _oneShot(mode: RecvMode.Line | RecvMode.Data, cb: (client: XAsyncTCPClient, v: any) => void, size: number, timeoutSec: number): void {
    setOneShot(this._s, mode, cb, size);
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
}
