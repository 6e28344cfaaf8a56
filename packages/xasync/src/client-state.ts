import type * as tls from 'node:tls';
import type { XClosedReason } from './closed-reason';
import type { Timed } from './coarse-timer';
import type { ConnSocket } from './conn-socket';
import { kDestroyNow, type MemberPool } from './pool-member';
import type { SlotReader } from './slot-reader';
import type { ResolvedClientOptions } from './tcp-client-options';

/*
 * The bottom layer of a TCP connection: the state its helpers (read flow, receive modes, timers, TLS
 * upgrade) share with XAsyncTCPClient. The helpers take a ClientState and never import the client; the
 * client owns one ClientState per connection and implements ClientOwner for the few calls back up.
 */

/** The one receive pending on a connection (XAsyncSockets allows one at a time). */
export enum RecvMode {
  None,
  /** asyncRecvLine: one line, CR LF stripped. */
  Line,
  /** asyncRecvData: exactly N bytes. */
  Data,
  /** asyncRecvRaw: a persistent parser callback that says how much it consumed. */
  Raw,
}

/** The connection's "close at once for this reason" (first reason wins, as for every pool member). */
export const kFail: unique symbol = Symbol('xasync.client.fail');

/** What the helpers need of the connection object itself; XAsyncTCPClient implements it. */
export interface ClientOwner {
  /** Records `reason` (unless one came first) and ends the connection now. */
  [kFail](reason: XClosedReason, err: Error | null): void;
  /** Ends the connection now (the linger timeout after a graceful close). */
  [kDestroyNow](): void;
  readonly closedReason: XClosedReason | null;
  /** The owner's receive-timeout hook (public API): true when it handled the timeout. */
  readonly onRecvTimeout: ((client: never) => boolean) | null;
}

/** A raw receiver as the helpers see it; the public type is `RawReceiver` (the client as first argument). */
export type RawCallback = (client: never, buf: Buffer, start: number, end: number) => number;
/** A one-shot receive callback (a line or a Buffer). */
export type OneShotCallback = (client: never, value: any) => void;

/** asyncRecvData above the slot size: its own buffer and how full it is (made with the Buffer, per such receive). */
export class DedicatedRecv {
  filled = 0;
  constructor(readonly buf: Buffer) {}
}

/**
 * A connection's TLS socket once `startSSL` was called, with what fails its handshake while that runs.
 * Made by the upgrade: a plain connection keeps one null field for TLS instead of two (issue 19).
 */
export class TlsLink {
  /** Set while the handshake runs: fails it (and the connection). */
  fail: ((err: Error) => void) | null;
  constructor(readonly socket: tls.TLSSocket, fail: (err: Error) => void) { this.fail = fail; }
}

/**
 * One connection's state, shared by the client and its helpers. A plain class with every field set in
 * the constructor, so every connection has the same shape and the read path stays monomorphic.
 */
export class ClientState {
  /** The public connection object: first argument of every user callback. */
  readonly owner: ClientOwner;
  readonly pool: MemberPool;
  readonly opts: ResolvedClientOptions;
  /** The slot's unconsumed bytes and where the next read lands. */
  readonly reader: SlotReader;
  /**
   * The receive timeout's entry: the ClientTimers object itself, which stores itself here, where the read
   * path re-arms it without a hop through the timers.
   */
  recvTimer: Timed | null = null;
  /** The peer's address (two fields, not an XAddress object: one object less per connection). */
  remoteHost = '';
  remotePort = 0;
  /**
   * The plain socket: attached while the client is constructed (never null once its creator has it). An
   * accepted connection's is a HandleSocket (handle-socket.ts), an outgoing one's a net.Socket.
   */
  sock: ConnSocket = null as unknown as ConnSocket;
  /** The TLS socket and its handshake, once `startSSL` was called. */
  tls: TlsLink | null = null;
  /** A graceful or forced close began: receives are over, arrivals are dropped. */
  closing = false;
  /** The socket is closed (the slot is released in the same step). */
  finished = false;
  /** A dispatch loop is running: a receive set from a callback is served by that loop. */
  dispatching = false;
  recvMode = RecvMode.None;
  /**
   * The pending receive's callback, of the type its mode says: a RawCallback for Raw, a OneShotCallback
   * for Line and Data (one field for both: one receive is pending at a time).
   */
  receiver: RawCallback | OneShotCallback | null = null;
  /**
   * The pending receive's number, as its mode says (one field: one receive is pending at a time):
   * Data, the size asked for; Raw, asyncRecvRaw's idle timeout in ms, re-armed at every arrival (0: none).
   */
  recvParam = 0;
  /** asyncRecvData above the slot size: its own buffer. */
  recvDedicated: DedicatedRecv | null = null;
  /** A direct write still in libuv's queue (the kernel did not take it all at once), else null. */
  directPending: object | null = null;
  /** The output was corked behind that write (client-send.ts): uncorked when it completes. */
  corkedBehindDirect = false;

  constructor(owner: ClientOwner, pool: MemberPool, opts: ResolvedClientOptions, reader: SlotReader) {
    this.owner = owner;
    this.pool = pool;
    this.opts = opts;
    this.reader = reader;
  }

  /** The stream writes go to, and reading is paused on: the TLS socket once upgraded. */
  get out(): ConnSocket { return this.tls === null ? this.sock : this.tls.socket; }

  /** DirectOwner: the direct write in libuv completed; what was corked behind it goes now, in one write. */
  directDone(): void {
    if (!this.corkedBehindDirect) return;
    this.corkedBehindDirect = false;
    // The plain socket: the one corked (never under TLS), even if a TLS upgrade came in between.
    const sock = this.sock;
    if (!sock.destroyed) sock.uncork();
  }

  /** Closes the connection at once for `reason` (timeouts, overflows, protocol errors). */
  fail(reason: XClosedReason, err: Error | null): void { this.owner[kFail](reason, err); }
}
