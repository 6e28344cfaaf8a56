import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { XBufferSlot, XBufferSlots } from './buffer-slots';
import { socketClosed, destroySockets } from './client-close';
import { sendDrained } from './client-send';
import { ClientState, kFail, type ClientOwner } from './client-state';
import { ClientTimers } from './client-timers';
import { XClosedReason } from './closed-reason';
import { assertInt, XAsyncError } from './errors';
import { rewrapWithOnRead, type OnReadOption } from './onread-rewrap';
import type { XAsyncSocketsPool } from './pool';
import { kDestroyNow } from './pool-member';
import { ReadFlow } from './read-flow';
import { SlotReader } from './slot-reader';
import { XAsyncSocket } from './socket';
import { resolveClientOptions, type ResolvedClientOptions, type XAsyncTCPClientOptions } from './tcp-client-options';
import { startTls, type XSSLOptions } from './tls-upgrade';
import { HandleSocket, type HandleSocketOwner } from './handle-socket';

/*
 * The socket side of a TCP connection, the base of XAsyncTCPClient (tcp-client.ts, the public API:
 * receiving, sending, TLS, closing): the state its helpers share (ClientState, ReadFlow, ClientTimers),
 * binding an accepted socket (the zero-copy `onread` re-wrap, else copied 'data' chunks), the socket
 * listeners and the accepted connections' shared `onread` pair (the per-read code, beside the fields it
 * reads), a TLS socket taking over, and the socket's 'close' (slot released, `onClosed`). Apart from the
 * public class so that each reads as one concept; it imports no class above it.
 */

// One set of socket listeners for every connection (no closures per connection): they find the client
// through a symbol on the socket.
const kClient = Symbol('xasync.client');
/** The peer address of the connection accepted last (see _accept). */
let lastRemoteHost = '';
type Owned = net.Socket & { [kClient]?: TcpClientSocket };

/**
 * An outgoing connection's dial: its callbacks and whether it is still connecting. Made when an outgoing
 * connection opens (or a callback is set): an accepted connection keeps one null field for it instead of
 * three (issue 19).
 */
export class Dial {
  connecting = false;
  onConnected: ((client: never) => void) | null = null;
  onFailsToConnect: ((client: never, err: Error) => void) | null = null;
}

/**
 * The socket side of {@link XAsyncTCPClient} (use that class; this one is not exported from the package).
 * Callback types name the client as `never` here (as XAsyncSocket's `onClosed`); the subclass narrows them.
 */
export abstract class TcpClientSocket extends XAsyncSocket implements ClientOwner, HandleSocketOwner {
  /** Queued outgoing bytes were flushed after a send returned false. */
  onSendReady: ((client: never) => void) | null = null;
  /** The receive timeout expired (see XAsyncTCPClient). */
  onRecvTimeout: ((client: never) => boolean) | null = null;

  /** The state the helpers share (read flow, receive modes, timers, TLS upgrade). */
  protected readonly _s: ClientState;
  protected readonly _flow: ReadFlow;
  protected readonly _timers: ClientTimers;
  protected readonly _slot: XBufferSlot | null;
  protected readonly _slots: XBufferSlots | null;
  /** The accepting server's bookkeeping (a plain callback: no promise per connection). */
  protected readonly _onRelease: ((client: never) => void) | null;
  /** Outgoing connections' dial (XAsyncTCPClient's `onConnected`, `onFailsToConnect`), else null. */
  protected _dial: Dial | null = null;

  /** See XAsyncTCPClient's constructor: the `accepted` socket is bound here. */
  protected constructor(pool: XAsyncSocketsPool, options: XAsyncTCPClientOptions, slot: XBufferSlot | null, slots: XBufferSlots | null,
    resolved: ResolvedClientOptions | null = null, accepted: net.Socket | null = null, onRelease: ((client: never) => void) | null = null) {
    super(pool);
    this._slot = slot;
    this._slots = slots;
    this._onRelease = onRelease;
    // Accepted connections share their server's resolved options (one object per server, not per connection).
    const opts = resolved ?? resolveClientOptions(options);
    const len = assertInt('recvBufLen', options.recvBufLen ?? 4096, 256, 16 * 1024 * 1024);
    const s = new ClientState(this, pool, opts, new SlotReader(slot ? slot.buffer : Buffer.allocUnsafeSlow(len)));
    this._s = s;
    this._flow = new ReadFlow(s);
    this._timers = new ClientTimers(s);
    if (accepted !== null) this._accept(accepted);
  }

  // Instance methods are TypeScript-private (`_name`), not `#name`: V8 stores a class's private brand on
  // every instance of a class with `#` methods, one field more per connection (issue 19). Static `#`
  // members brand the class, not its instances.

  /** @internal Ends the connection now (pool stop, linger timeout, failures). */
  [kDestroyNow](): void {
    destroySockets(this._s, this._flow);
  }

  /** @internal Closes at once for `reason` (timeouts, overflows, protocol errors). */
  [kFail](reason: XClosedReason, err: Error | null): void {
    this._setReason(reason, err);
    this[kDestroyNow]();
  }

  private _accept(orig: net.Socket): void {
    // Node makes a new string per socket: many connections from one address (a proxy, a NAT, a load
    // balancer) share the previous connection's instead of keeping one copy each.
    const host = orig.remoteAddress ?? '';
    if (host === lastRemoteHost) this._s.remoteHost = lastRemoteHost;
    else this._s.remoteHost = lastRemoteHost = host;
    this._s.remotePort = orig.remotePort ?? 0;
    // The handle driven without a net.Socket (handle-socket.ts: ~820 B less per idle connection); where
    // this Node's internals do not allow it, a net.Socket re-wrapped with `onread`, else copied 'data'.
    const hs = HandleSocket.takeHandle(orig, this);
    if (hs !== null) {
      this._s.sock = hs;
      hs.setNoDelay(this._s.opts.noDelay);
      return;
    }
    // The new socket asks the shared generator for its first target from inside its constructor.
    TcpClientSocket.#readNext = this;
    const wrapped = rewrapWithOnRead(orig, TcpClientSocket.#sharedOnRead);
    if (wrapped) {
      this._attach(wrapped);
      wrapped.resume();
    } else {
      this._s.reader.copyMode = true;
      this._attach(orig);
      orig.on('data', (chunk: Buffer) => this._flow.onChunk(chunk));
      orig.resume();
    }
  }

  /** Binds `sock` as this connection's plain socket: its listeners find the client through a symbol. */
  protected _attach(sock: net.Socket): void {
    this._s.sock = sock;
    sock.setNoDelay(this._s.opts.noDelay);
    TcpClientSocket.#listen(sock, this);
  }

  protected _startTls(options: XSSLOptions, context: tls.SecureContext | null): Promise<void> {
    return startTls({
      state: this._s, flow: this._flow, timers: this._timers, acceptedSide: this._slot !== null,
      netSocket: () => {
        const sock = this._s.sock;
        if (!(sock instanceof HandleSocket)) return sock as net.Socket;
        // TLS wraps a net.Socket's handle: the handle moves to one, with this connection's listeners.
        const ns = sock.toNetSocket();
        this._attach(ns);
        return ns;
      },
      // TLS took over: bytes now come as decrypted chunks on `t`.
      attach: (t) => {
        this._s.reader.copyMode = true;
        t.on('data', (chunk: Buffer) => this._flow.onChunk(chunk));
        TcpClientSocket.#listen(t, this);
      },
    }, options, context);
  }

  // HandleSocketOwner: what an accepted connection's HandleSocket reports (handle-socket.ts).
  /** @internal */
  sockRead(n: number): boolean { return this._flow.onRead(n); }
  /** @internal */
  sockTarget(): Buffer { return this._s.reader.nextTarget(); }
  /** @internal */
  sockEnd(): void { this._sockEnd(); }
  /** @internal */
  sockError(err: Error): void { this._sockError(err); }
  /** @internal */
  sockClose(): void { this._sockClose(); }
  /** @internal */
  sockDrain(): void { this._sockDrain(); }

  private _sockError(err: Error): void {
    this._setReason(XClosedReason.Error, err);
    const t = this._s.tls;
    if (t !== null && t.fail !== null) t.fail(err);
  }

  private _sockClose(): void {
    if (!socketClosed(this._s, this._flow, this._timers)) return;
    const dial = this._dial;
    if (dial !== null && dial.connecting) {
      dial.connecting = false;
      const err = this.error ?? new XAsyncError('ERR_XAS_CONNECT', 'the connection closed before it was established');
      this._callback(dial.onFailsToConnect, err);
    }
    const t = this._s.tls;
    if (t !== null && t.fail !== null) t.fail(this.error ?? new XAsyncError('ERR_XAS_TLS', 'the connection closed during the TLS handshake'));
    // Release only now: no read can land in the slot once the handle is closed.
    this._s.reader.dropLoan();
    if (this._slot && this._slots) this._slots.release(this._slot);
    this._onRelease?.(this as never);
    this._finishClose();
  }

  private _sockDrain(): void {
    sendDrained(this._s, this._timers);
    this._callback(this.onSendReady);
  }

  private _sockEnd(): void {
    this._setReason(XClosedReason.ClosedByPeer);
  }

  // The accepted connections' `onread`, one pair for all (no closures per idle connection). Node calls
  // the callback as a method of the socket (`stream[kBufferCb](n, buf)`, lib/internal/stream_base_commons.js)
  // and, right after it in the same function, the generator as a plain function, which therefore takes
  // its connection from #readNext, set by the callback (or by _accept for the call from the socket's
  // constructor, before the socket is tagged). No other read can run in between: reads come one at a time
  // from the event loop, and the callback runs no I/O callback synchronously.
  static #readNext: TcpClientSocket | null = null;
  static #sharedTarget(): Buffer { return TcpClientSocket.#readNext!._s.reader.nextTarget(); }
  static #sharedRead(this: Owned, n: number): boolean {
    const c = this[kClient]!;
    const more = c._flow.onRead(n);
    TcpClientSocket.#readNext = c;
    return more;
  }
  // Made on first use: a static initializer may not reference the class's static private methods yet.
  static #shared: OnReadOption | null = null;
  static get #sharedOnRead(): OnReadOption {
    return (TcpClientSocket.#shared ??= { buffer: TcpClientSocket.#sharedTarget, callback: TcpClientSocket.#sharedRead });
  }

  static #onEnd(this: Owned): void { this[kClient]!._sockEnd(); }
  static #onError(this: Owned, err: Error): void { this[kClient]!._sockError(err); }
  static #onClose(this: Owned): void { this[kClient]!._sockClose(); }
  static #onDrain(this: Owned): void { this[kClient]!._sockDrain(); }
  static #listen(sock: Owned, client: TcpClientSocket): void {
    sock[kClient] = client;
    sock.on('end', TcpClientSocket.#onEnd);
    sock.on('error', TcpClientSocket.#onError);
    sock.on('close', TcpClientSocket.#onClose);
    sock.on('drain', TcpClientSocket.#onDrain);
  }
}
