import * as net from 'node:net';
import { toAddress, type XAddress, type XAddressLike } from './address';
import type { XBufferSlot, XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { assertInt, XAsyncError } from './errors';
import type { XAsyncSocketsPool } from './pool';
import { kDestroyNow } from './pool-member';
import { ParkQueue, type Parked } from './park-queue';
import { XAsyncSocket } from './socket';
import { XAsyncTCPClient } from './tcp-client';
import { resolveClientOptions, type ResolvedClientOptions, type XAsyncTCPClientOptions } from './tcp-client-options';

/** Options of {@link XAsyncTCPServer.create}. */
export interface XAsyncTCPServerOptions {
  /** Options given to every accepted connection (timeouts, send bound, …). */
  clientOptions?: Omit<XAsyncTCPClientOptions, 'slots' | 'recvBufLen' | 'connectTimeoutSec'>;
  /**
   * Bytes written to a connection refused for want of a free slot, before it is closed (core sets a
   * pre-encoded `503` here). Null: the connection is closed without a word.
   */
  refusalResponse?: Buffer | null;
  /** Listen on IPv6 only when the host is '::' (default false: dual stack). */
  ipv6Only?: boolean;
  /**
   * The server's `onClientAccepted` / `onClientRefused`, set before it listens. A connection may arrive
   * before `create` resolves (in a cluster worker the primary hands one over as soon as the worker's
   * listener is registered, in the same tick as the 'listening' event): set afterwards, the callback
   * would miss it.
   */
  onClientAccepted?: ((server: XAsyncTCPServer, client: XAsyncTCPClient) => void) | null;
  onClientRefused?: ((server: XAsyncTCPServer, remote: XAddress) => void) | null;
  /** The server's `onAdmit` / `onPoolFull`, set before it listens for the same reason. */
  onAdmit?: ((server: XAsyncTCPServer, remoteHost: string) => boolean) | null;
  onPoolFull?: ((server: XAsyncTCPServer, remoteHost: string) => XAsyncTCPClient | null | false) | null;
  /**
   * Orders the newcomers waiting for a slot (`poolFullWaitMs`): lower first, newest first among equals
   * (park-queue.ts). E.g. how many connections the newcomer's address holds, so that a crowd from one
   * address does not pass another's newcomer. Default: newest first only.
   */
  parkRank?: ((remoteHost: string) => number) | null;
  /**
   * How long a newcomer that finds every slot in use and nothing to evict (`onPoolFull` gave null; false
   * refuses it at once) waits
   * for a slot before it is refused, in milliseconds (default 0: refused at once). Meanwhile it holds no
   * slot (paused, nothing read), and `onPoolFull` is asked again every {@link PARK_RETRY_MS}: a connection
   * may close, or become evictable as its owner measures it. At most MAX_PARKED (park-queue.ts) wait at once.
   */
  poolFullWaitMs?: number;
}

/** Counters of a server. */
export interface XAsyncTCPServerStats {
  accepted: number;
  /** Refused for want of a free slot (no connection could be evicted). */
  refused: number;
  /** Refused by `onAdmit` (e.g. a per-address cap). */
  notAdmitted: number;
  /** Connections closed by `onPoolFull` to make room for a newcomer. */
  evicted: number;
  /** Accepted connections open now. */
  active: number;
  /**
   * Accepted connections whose bytes land in their slot (zero-copy: their handle driven by a HandleSocket,
   * or, where Node's internals differ, re-wrapped with Node's `onread`), and
   * those on the fallback (`'data'` chunks copied into the slot) because the re-wrap was not possible on
   * the handle they came with. Together they make `accepted`: which read path this Node and this way of
   * accepting (a plain listener, or handles a cluster primary passes to its workers) actually took.
   */
  zeroCopy: number;
  copied: number;
}

/** A refused connection is given this long to take its refusal response before it is destroyed. */
const REFUSAL_GRACE_MS = 1000;
/**
 * How often newcomers waiting for a slot (`poolFullWaitMs`) ask `onPoolFull` again: a connection becomes
 * evictable at a precise moment (a reader 100 ms into its stop), so a coarser retry only adds to the
 * newcomer's wait (50 ms made a burst's p99 ~30 ms longer). One pass, and only while newcomers wait.
 */
export const PARK_RETRY_MS = 20;

/**
 * A listening TCP socket of the pool. Each accepted connection is bound to a free slot of `slots` and
 * handed to `onClientAccepted` as an {@link XAsyncTCPClient} whose received bytes land in that slot.
 * With no free slot the connection is refused cleanly (`refusalResponse`, then close), counted, and
 * reported to `onClientRefused`; the listener goes on serving.
 */
export class XAsyncTCPServer extends XAsyncSocket {
  declare onClosed: ((server: XAsyncTCPServer, reason: XClosedReason) => void) | null;
  /** A connection was accepted and bound to a slot. Set receives on `client` here. */
  onClientAccepted: ((server: XAsyncTCPServer, client: XAsyncTCPClient) => void) | null = null;
  /** A connection was refused: no slot was free. */
  onClientRefused: ((server: XAsyncTCPServer, remote: XAddress) => void) | null = null;
  /**
   * Asked before a new connection takes a slot: false refuses it (`refusalResponse`, then close; counted
   * as `notAdmitted`). The owner's admission policy, e.g. a cap of connections per client address.
   */
  onAdmit: ((server: XAsyncTCPServer, remoteHost: string) => boolean) | null = null;
  /**
   * Asked when a new connection finds no free slot, before it is refused: return a connection of this
   * server that matters less (the owner knows its protocol: an idle one, a stalled one), or null to
   * refuse the newcomer. The victim is destroyed at once (write a last response before returning it)
   * and its slot goes to the newcomer when its socket has closed (counted as `evicted`).
   */
  /**
   * The pool is full: the connection to evict for a newcomer; null when there is none (the newcomer waits
   * up to `poolFullWaitMs`, then is refused); false when there is none now and the newcomer should not
   * wait (refused at once: e.g. connections about to become evictable, which the next newcomers take).
   * `remoteHost`: the newcomer's address (e.g. to let an address that holds no slot take one from an
   * address that holds most of them).
   */
  onPoolFull: ((server: XAsyncTCPServer, remoteHost: string) => XAsyncTCPClient | null | false) | null = null;
  refusalResponse: Buffer | null;
  readonly slots: XBufferSlots;
  readonly backlog: number;
  private readonly _server: net.Server;
  private readonly _clientOptions: XAsyncTCPClientOptions;
  private readonly _resolved: ResolvedClientOptions;
  private readonly _clients = new Set<XAsyncTCPClient>();
  private _refusing = new Set<net.Socket>();
  private _accepted = 0;
  private _zeroCopy = 0;
  private _refused = 0;
  private _notAdmitted = 0;
  private _evicted = 0;
  /** Newcomers waiting for the slot of a connection evicted for them (one per eviction in flight). */
  private _waiting: net.Socket[] = [];
  /** Newcomers that found nothing to evict, waiting for a slot until their deadline (`poolFullWaitMs`). */
  private readonly _parked = new ParkQueue();
  private readonly _parkRank: ((remoteHost: string) => number) | null;
  private readonly _onRankError = (err: unknown): void => { this.pool.onCallbackError(err, this); };
  private _parkTimer: NodeJS.Timeout | null = null;
  private readonly _poolFullWaitMs: number;
  private _address: XAddress = { host: '', port: 0 };
  private _listening = false;
  /** False once close() was called: connections still handed over then are destroyed. */
  private _accepting = true;
  private readonly _releaseClient = (c: XAsyncTCPClient): void => {
    this._clients.delete(c);
    // A slot came back: it goes to a newcomer waiting for an eviction first, then to one waiting for any.
    if (this._waiting.length > 0) this._serveWaiting();
    if (this._parked.length > 0 && this._waiting.length === 0) this._retryParked();
  };

  private constructor(pool: XAsyncSocketsPool, backlog: number, slots: XBufferSlots, options: XAsyncTCPServerOptions, resolved: ResolvedClientOptions) {
    super(pool);
    this.slots = slots;
    this.backlog = backlog;
    this.refusalResponse = options.refusalResponse ?? null;
    this.onClientAccepted = options.onClientAccepted ?? null;
    this.onClientRefused = options.onClientRefused ?? null;
    this.onAdmit = options.onAdmit ?? null;
    this.onPoolFull = options.onPoolFull ?? null;
    this._poolFullWaitMs = options.poolFullWaitMs ?? 0;
    this._parkRank = options.parkRank ?? null;
    this._clientOptions = { ...(options.clientOptions ?? {}) };
    this._resolved = resolved;
    // pauseOnConnect: nothing is read before the socket is re-wrapped to read into its slot.
    this._server = net.createServer({ pauseOnConnect: true, noDelay: true }, (s) => this._onConnection(s));
    this._server.on('error', (err) => this._setReason(XClosedReason.Error, err));
  }

  /**
   * Creates a server listening on `address` (port 0 picks a free one; see `address`). Resolves when
   * listening; rejects with the listen error (EADDRINUSE, EACCES for ports below 1024 without rights).
   */
  static create(pool: XAsyncSocketsPool, address: XAddressLike, backlog: number, slots: XBufferSlots, options: XAsyncTCPServerOptions = {}): Promise<XAsyncTCPServer> {
    const addr = toAddress('address', address);
    assertInt('backlog', backlog, 1, 65535);
    if (options.poolFullWaitMs !== undefined) assertInt('poolFullWaitMs', options.poolFullWaitMs, 0, 60_000);
    if (slots === null || typeof slots !== 'object' || typeof (slots as XBufferSlots).acquire !== 'function') {
      throw new XAsyncError('ERR_XAS_INVALID_ARG', 'slots must be an XBufferSlots');
    }
    // Resolved (and validated) once, before joining the pool: a bad option throws here, not at an accept.
    const resolved = resolveClientOptions({ ...(options.clientOptions ?? {}) });
    return new XAsyncTCPServer(pool, backlog, slots, options, resolved).#listen(addr, options.ipv6Only ?? false);
  }

  /** Where it listens (the real port when 0 was asked). */
  get address(): XAddress { return this._address; }
  get isListening(): boolean { return this._listening; }
  /** Accepted connections open now. */
  get clients(): ReadonlySet<XAsyncTCPClient> { return this._clients; }

  get stats(): XAsyncTCPServerStats {
    return { accepted: this._accepted, refused: this._refused, notAdmitted: this._notAdmitted, evicted: this._evicted, active: this._clients.size, zeroCopy: this._zeroCopy, copied: this._accepted - this._zeroCopy };
  }

  /** Stops listening; accepted connections are not touched (the pool's `stop()` closes those). */
  close(): void {
    this._accepting = false;
    if (this._listening) {
      this._listening = false;
      this._setReason(XClosedReason.ClosedByHost);
      // Resolve as soon as the listener is closed; net.Server would otherwise wait for every connection.
      this._server.close();
      // A graceful close answers those waiting as any refused newcomer (their request read, the refusal,
      // FIN): a reset could lose the answer. A forced one (kDestroyNow) just destroys them.
      this._dropWaiting(true);
      setImmediate(() => this._finishClose());
    } else if (!this.isClosed && this.closedReason === null) {
      this._finishClose();
    }
  }

  /** Promise form of {@link close}. */
  stop(): Promise<void> {
    const done = this.whenClosed().then(() => undefined);
    this.close();
    return done;
  }

  /** @internal */
  [kDestroyNow](): void {
    this.close();
    for (const s of this._refusing) s.destroy();
    this._dropWaiting(false);
  }

  #listen(addr: XAddress, ipv6Only: boolean): Promise<XAsyncTCPServer> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this._setReason(XClosedReason.Error, err);
        this._finishClose();
        reject(err);
      };
      this._server.once('error', onError);
      this._server.listen({ host: addr.host, port: addr.port, backlog: this.backlog, ipv6Only }, () => {
        this._server.off('error', onError);
        const a = this._server.address() as net.AddressInfo;
        this._address = { host: a.address, port: a.port };
        this._listening = true;
        resolve(this);
      });
    });
  }

  private _onConnection(sock: net.Socket): void {
    // Not `_listening`: a connection handed over in the tick before 'listening' is emitted is served.
    if (!this._accepting) { sock.destroy(); return; }
    // Reset by its client before it was accepted (Node then gives it no address): nothing to serve, and
    // it must not evict anyone or jump the wait list as an address that holds nothing.
    if (sock.remoteAddress === undefined) { sock.destroy(); return; }
    if (this.onAdmit !== null && !this._admit(sock)) {
      this._notAdmitted++;
      this._refuse(sock, false);
      return;
    }
    // A newcomer tries for a slot (or an eviction) at once, ahead of those already waiting: under a
    // flood the waiting ones are mostly the attacker's own reconnections, and a legitimate newcomer must
    // not queue behind them. Slots that come back go to the waiting ones first (_releaseClient).
    const slot = this.slots.acquire(this);
    if (slot === null) {
      const r = this._evictFor(sock);
      if (r === null) this._park(sock);
      else if (r === false) this._refuse(sock, true);
      return;
    }
    this._bind(sock, slot);
  }

  /**
   * Evicts `onPoolFull`'s victim for `sock`, which then waits in `_waiting` for the victim's slot: it is
   * released when the victim's socket's 'close' comes (no read can land in it after). True: evicted;
   * null / false: no victim (`onPoolFull`'s answer: may wait / refuse at once).
   */
  private _evictFor(sock: net.Socket): true | null | false {
    const victim = this.onPoolFull === null ? null : this._victim(sock.remoteAddress ?? '');
    if (victim === null || victim === false) return victim;
    this._evicted++;
    this._waiting.push(sock);
    sock.on('error', noop);
    victim.destroy();
    return true;
  }

  /** Nothing to evict: the newcomer waits for a slot (paused, holding none) or is refused. */
  private _park(sock: net.Socket): void {
    if (this._poolFullWaitMs === 0) { this._refuse(sock, true); return; }
    sock.on('error', noop);
    // Full: the oldest waiting newcomer is refused, not this one (newest first, as `_retryParked` serves them).
    const old = this._parked.push({ sock, until: Date.now() + this._poolFullWaitMs, host: sock.remoteAddress ?? '' });
    if (old !== null) { old.sock.off('error', noop); this._refuse(old.sock, true); }
    if (this._parkTimer === null) {
      this._parkTimer = setInterval(() => this._retryParked(), PARK_RETRY_MS);
      this._parkTimer.unref();
    }
  }

  /**
   * The waiting newcomers, in the queue's order (park-queue.ts: by `parkRank`, then newest first): a free
   * slot, else an eviction (one pass of `onPoolFull` each; none for the rest once it finds nothing); those
   * past their deadline are refused.
   */
  private _retryParked(): void {
    // Taken out while it runs: a bind's callback may come back here (a newcomer parked meanwhile queues after).
    const parked = this._parked.takeAll(this._parkRank, this._onRankError);
    let canEvict = this.onPoolFull !== null;
    let canBind = true;
    const kept: Parked[] = [];
    const now = Date.now();
    for (const p of parked) {
      const sock = p.sock;
      if (sock.destroyed || !this._accepting) { sock.destroy(); continue; }
      if (canBind) {
        const slot = this.slots.acquire(this);
        if (slot !== null) { sock.off('error', noop); this._bind(sock, slot); continue; }
        canBind = false;
      }
      if (canEvict) {
        sock.off('error', noop);
        if (this._evictFor(sock) === true) continue;
        sock.on('error', noop);
        canEvict = false;
      }
      if (now >= p.until) { sock.off('error', noop); this._refuse(sock, true); continue; }
      kept.push(p);
    }
    this._parked.putBack(kept);
    if (this._parked.length === 0) this._stopParkTimer();
  }

  private _stopParkTimer(): void {
    if (this._parkTimer !== null) clearInterval(this._parkTimer);
    this._parkTimer = null;
  }

  private _bind(sock: net.Socket, slot: XBufferSlot): void {
    let client: XAsyncTCPClient;
    try {
      client = new XAsyncTCPClient(this.pool, this._clientOptions, slot, this.slots, this._resolved, sock, this._releaseClient);
    } catch (err) {
      // The pool is stopping (ERR_XAS_POOL_STOPPED) or the options are invalid: the connection cannot live.
      this.slots.release(slot);
      sock.destroy();
      this.pool.onCallbackError(err, this);
      return;
    }
    this._accepted++;
    if (client.zeroCopy) this._zeroCopy++;
    this._clients.add(client);
    this._callback(this.onClientAccepted, client);
  }

  private _admit(sock: net.Socket): boolean {
    try { return this.onAdmit!(this, sock.remoteAddress ?? '') !== false; } catch (err) { this.pool.onCallbackError(err, this); return true; }
  }

  private _victim(remoteHost: string): XAsyncTCPClient | null | false {
    let v: XAsyncTCPClient | null | false = null;
    try { v = this.onPoolFull!(this, remoteHost); } catch (err) { this.pool.onCallbackError(err, this); return null; }
    if (v === null || v === false) return v;
    // Only an open connection of this server can give its slot back.
    return this._clients.has(v) && !v.isClosed ? v : null;
  }

  /** Slots came back: bind the newcomers that waited for them (a newcomer that left meanwhile is skipped). */
  private _serveWaiting(): void {
    while (this._waiting.length > 0) {
      const sock = this._waiting[0];
      if (sock.destroyed || !this._accepting) { this._waiting.shift(); sock.destroy(); continue; }
      const slot = this.slots.acquire(this);
      if (slot === null) return;
      this._waiting.shift();
      sock.off('error', noop);
      this._bind(sock, slot);
    }
  }

  /** Lets go of the newcomers waiting for a slot: refused (`refuse`) or destroyed. */
  private _dropWaiting(refuse: boolean): void {
    const w = this._waiting;
    this._waiting = [];
    const p = this._parked.drain();
    this._stopParkTimer();
    for (const s of w) this._letGo(s, refuse);
    for (const x of p) this._letGo(x.sock, refuse);
  }

  private _letGo(sock: net.Socket, refuse: boolean): void {
    if (!refuse || sock.destroyed) { sock.destroy(); return; }
    sock.off('error', noop);
    this._refuse(sock, true);
  }

  private _refuse(sock: net.Socket, noSlot: boolean): void {
    if (noSlot) this._refused++;
    this._refusing.add(sock);
    const remote = { host: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    const timer = setTimeout(() => sock.destroy(), REFUSAL_GRACE_MS);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => { clearTimeout(timer); this._refusing.delete(sock); });
    // Read and drop what the client sent: closing with unread bytes would RST away the response.
    sock.on('data', () => undefined);
    sock.resume();
    if (this.refusalResponse) sock.end(this.refusalResponse);
    else sock.end();
    if (noSlot) this._callback(this.onClientRefused, remote);
  }
}

function noop(): void { /* a waiting newcomer's socket error: it is skipped when its turn comes */ }
