import * as dgram from 'node:dgram';
import { toAddress, type XAddress, type XAddressLike } from './address';
import type { XBufferSlot, XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { assertInt, XAsyncError } from './errors';
import type { XAsyncSocketsPool } from './pool';
import { kDestroyNow } from './pool-member';
import { XAsyncSocket } from './socket';

/** Options of {@link XAsyncUDPDatagram.create}. */
export interface XAsyncUDPDatagramOptions {
  /** Bind here to receive ({ host, port }, [host, port] or a port); omit for a send-only socket. */
  localAddr?: XAddressLike;
  /** Receive buffer size when no `slots` are given (default 4096); longer datagrams are cut (and counted). */
  recvBufLen?: number;
  /** Take the receive buffer from this slot pool. */
  slots?: XBufferSlots;
  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  broadcast?: boolean;
  /** Datagrams that may wait to be sent (default 1024); beyond it a send fails with ERR_XAS_SEND_QUEUE_FULL. */
  maxSendQueue?: number;
  /** 'udp4' (default) or 'udp6'. */
  type?: 'udp4' | 'udp6';
}

interface Outgoing { data: Uint8Array; addr: XAddress; onSent: ((d: XAsyncUDPDatagram) => void) | null }

/**
 * A UDP socket of the pool. Received datagrams are copied into the socket's slot and handed to
 * `onDataRecv` as a view of it (valid during the call). Sends go through a bounded queue, one datagram
 * in flight at a time; a failed send is reported to `onFailsToSend` and the queue goes on.
 */
export class XAsyncUDPDatagram extends XAsyncSocket {
  declare onClosed: ((dgram: XAsyncUDPDatagram, reason: XClosedReason) => void) | null;
  onDataRecv: ((dgram: XAsyncUDPDatagram, remoteAddr: XAddress, data: Buffer) => void) | null = null;
  onFailsToSend: ((dgram: XAsyncUDPDatagram, err: Error, data: Uint8Array, remoteAddr: XAddress) => void) | null = null;
  private readonly _sock: dgram.Socket;
  private readonly _buf: Buffer;
  private readonly _slot: XBufferSlot | null;
  private readonly _slots: XBufferSlots | null;
  private readonly _queue: Outgoing[] = [];
  private readonly _maxQueue: number;
  private _sending = false;
  private _bound = false;
  private _closing = false;
  private _truncated = 0;
  private _received = 0;
  private _sent = 0;

  private constructor(pool: XAsyncSocketsPool, options: XAsyncUDPDatagramOptions, slot: XBufferSlot | null) {
    super(pool);
    this._slot = slot;
    this._slots = options.slots ?? null;
    this._buf = slot ? slot.buffer : Buffer.allocUnsafeSlow(assertInt('recvBufLen', options.recvBufLen ?? 4096, 1, 65536));
    this._maxQueue = assertInt('maxSendQueue', options.maxSendQueue ?? 1024, 1);
    this._sock = dgram.createSocket({ type: options.type ?? 'udp4' });
    this._sock.on('message', (msg, rinfo) => this._onMessage(msg, rinfo));
    this._sock.on('error', (err) => { if (!this._bound) return; this._setReason(XClosedReason.Error, err); this._sock.close(); });
    this._sock.on('close', () => this._onClose());
  }

  /** Creates the socket; resolves once bound (or at once, send-only). */
  static create(pool: XAsyncSocketsPool, options: XAsyncUDPDatagramOptions = {}): Promise<XAsyncUDPDatagram> {
    const local = options.localAddr !== undefined ? toAddress('localAddr', options.localAddr) : null;
    let slot: XBufferSlot | null = null;
    if (options.slots) {
      slot = options.slots.acquire();
      if (slot === null) throw new XAsyncError('ERR_XAS_NO_SLOT', 'no free slot in options.slots');
    }
    let d: XAsyncUDPDatagram;
    try {
      d = new XAsyncUDPDatagram(pool, options, slot);
    } catch (err) {
      if (slot) options.slots!.release(slot);
      throw err;
    }
    return d.#bind(local, options.broadcast ?? false);
  }

  get localAddress(): XAddress {
    const a = this._sock.address();
    return { host: a.address, port: a.port };
  }

  get stats(): { received: number; sent: number; truncated: number; queued: number } {
    return { received: this._received, sent: this._sent, truncated: this._truncated, queued: this._queue.length };
  }

  /**
   * Queues a datagram for `remoteAddr`; `onSent` is called once it is sent. Returns false (and calls
   * `onFailsToSend`) when the queue is full or the socket is closed.
   */
  asyncSendDatagram(data: Uint8Array | string, remoteAddr: XAddressLike, onSent: ((d: XAsyncUDPDatagram) => void) | null = null): boolean {
    const addr = toAddress('remoteAddr', remoteAddr, '127.0.0.1');
    // A view of the receive memory (echoing onDataRecv's data) is copied: the next datagram would overwrite
    // it while it waits in the queue.
    const bytes = typeof data === 'string' || data.buffer === this._buf.buffer ? Buffer.from(data) : data;
    if (this._closing || this.isClosed) {
      this._callback(this.onFailsToSend, new XAsyncError('ERR_XAS_CLOSED', 'the datagram socket is closed'), bytes, addr);
      return false;
    }
    if (this._queue.length >= this._maxQueue) {
      this._callback(this.onFailsToSend, new XAsyncError('ERR_XAS_SEND_QUEUE_FULL', `the send queue holds maxSendQueue (${this._maxQueue}) datagrams`), bytes, addr);
      return false;
    }
    this._queue.push({ data: bytes, addr, onSent });
    this._pump();
    return true;
  }

  /** Closes after the queued datagrams are sent. Reason: ClosedByHost. */
  close(): void {
    if (this._closing || this.isClosed) return;
    this._setReason(XClosedReason.ClosedByHost);
    this._closing = true;
    if (!this._sending) this._sock.close();
  }

  /** @internal */
  [kDestroyNow](): void {
    this._setReason(XClosedReason.ClosedByHost);
    this._closing = true;
    this._queue.length = 0;
    try { this._sock.close(); } catch { /* already closed */ }
  }

  #bind(local: XAddress | null, broadcast: boolean): Promise<XAsyncUDPDatagram> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => { this._setReason(XClosedReason.Error, err); this._sock.close(); reject(err); };
      this._sock.once('error', onError);
      // Send-only sockets bind to an ephemeral port too (Node would on the first send): replies can come back.
      this._sock.bind(local ? { address: local.host, port: local.port } : { port: 0 }, () => {
        this._sock.off('error', onError);
        this._bound = true;
        if (broadcast) this._sock.setBroadcast(true);
        resolve(this);
      });
    });
  }

  private _pump(): void {
    if (this._sending) return;
    const next = this._queue.shift();
    if (!next) {
      if (this._closing && !this.isClosed) this._sock.close();
      return;
    }
    this._sending = true;
    this._sock.send(next.data, next.addr.port, next.addr.host, (err) => {
      this._sending = false;
      if (err) this._callback(this.onFailsToSend, err, next.data, next.addr);
      else { this._sent++; if (next.onSent) this._callback(next.onSent); }
      if (!this.isClosed) this._pump();
    });
  }

  private _onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this._closing) return;
    this._received++;
    const n = Math.min(msg.length, this._buf.length);
    if (n < msg.length) this._truncated++;
    msg.copy(this._buf, 0, 0, n);
    this._callback(this.onDataRecv, { host: rinfo.address, port: rinfo.port }, this._buf.subarray(0, n));
  }

  private _onClose(): void {
    this._queue.length = 0;
    if (this._slot && this._slots) this._slots.release(this._slot);
    this._finishClose();
  }
}
