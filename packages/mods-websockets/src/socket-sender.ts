/**
 * The sending side of one WebSocket: `ws`'s Sender over the XAsyncTCPClient, the bounded send queue
 * (`maxSendQueueBytes`), fragmentation (RFC 6455 §5.4) through the FragmentQueue, and frames encoded once
 * for many sockets (topics, broadcast). The socket (web-socket.ts) decides when sending is allowed.
 */
import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { DeflateExtension } from './deflate';
import { invalid } from './errors';
import { FragmentQueue, PUMP_LOW_WATER } from './fragment-queue';
import { JOIN_MAX_BYTES, TURN_BATCH, type TurnWriter } from './turn-batch';
import { Sender, type SenderSocket, type WsSender } from './ws-framing';

const EMPTY = Buffer.alloc(0);

/** The settings sending reads (the socket's, changeable). */
export interface SendSettings {
  readonly maxSendQueueBytes: number;
  readonly fragmentSize: number;
}

export class SocketSender implements TurnWriter {
  /** ws's Sender: data frames, and the control frames the socket sends (ping, pong, close). */
  readonly ws: WsSender;
  /** permessage-deflate: the Sender's extension, or null. */
  readonly deflate: DeflateExtension | null;
  private readonly _client: XAsyncTCPClient;
  private readonly _settings: SendSettings;
  private readonly _queue: FragmentQueue;
  /** permessage-deflate: bytes handed to the Sender and not written yet (it holds them while compressing). */
  private _unsent = 0;
  private _dropped = false;
  /** @internal On the turn batch's list (turn-batch.ts). */
  inTurn = false;
  /** The run of this turn's shared frames taken and not written yet: [_runStart, _runEnd), -1 when none. */
  private _runStart = -1;
  private _runEnd = 0;
  /** Earlier runs of this turn (start, end pairs) when a socket skipped frames others took; reused. */
  private _runs: number[] | null = null;
  private _runBytes = 0;
  /** bufferedAmount when the run started. */
  private _runBase = 0;

  /** Called before a write of this socket's own: the topic messages batched for it and not written yet go first. */
  private readonly _beforeWrite: () => void;
  /** Set by {@link drop}: a Close was sent, no data frame may follow. */
  private _noData = false;

  /**
   * `canWrite`: false once data frames may no longer go out (a Close was sent). `beforeWrite`: writes what
   * the socket's topics batched for it in this turn (Topics.flushPending).
   */
  constructor(client: XAsyncTCPClient, extensions: Record<string, DeflateExtension>, settings: SendSettings, canWrite: () => boolean, beforeWrite: () => void = () => {}) {
    this._client = client;
    this._settings = settings;
    this._beforeWrite = beforeWrite;
    const sock: SenderSocket = {
      // Anything the Sender writes (a message, ping, pong, close) goes after the topic messages and shared
      // frames taken before it: the topics' batch first (its fallback may add to the run), then the run.
      write: (data, cb) => { this._beforeWrite(); if (this._runStart >= 0) this.flushTurn(); return client.asyncSendData(data, cb ? () => cb() : null); },
      cork: () => client.cork(),
      uncork: () => client.uncork(),
      get destroyed() { return client.isClosed; },
    };
    this.deflate = extensions['permessage-deflate'] ?? null;
    this.ws = new Sender(sock, extensions);
    this._queue = new FragmentQueue({
      get sendPending() { return client.sendPending; },
      canWrite: () => canWrite() && !client.isClosed && !client.isClosing,
      whenFlushed: (cb) => { if (this._runStart >= 0) this.flushTurn(); client.asyncSendData(EMPTY, cb); },
      frame: (data, binary, fin, len) => this._frame(data, binary, fin, len),
      raw: (frame) => { if (this._runStart >= 0) this.flushTurn(); client.asyncSendData(frame); },
    });
  }

  /** Bytes accepted for sending and not yet handed to the kernel. */
  get bufferedAmount(): number {
    // Without an extension the Sender writes each frame at once; while compressing it holds messages,
    // counted from send() to the frame's write callback. A message being written is in both counts: the larger.
    const sending = this._unsent > 0 ? Math.max(this._client.sendPending, this._unsent) : this._client.sendPending;
    return sending + this._queue.bytes + this._runBytes;
  }

  /** Nothing queued and the connection below the high-water mark. */
  get free(): boolean { return this._queue.isEmpty && this._client.sendPending < PUMP_LOW_WATER; }

  /**
   * Writes the topic messages batched for this socket in this turn, as the first thing a write of its own
   * does. False when their slow policy closed the socket: nothing may follow the Close (RFC 6455 §5.5.1).
   */
  flushTopics(): boolean {
    this._beforeWrite();
    return !this._noData;
  }

  /** A message, fragmented above `fragmentSize`; false when the queue bound refuses it. */
  send(data: Buffer | string, binary: boolean, fragmentSize: number | undefined): boolean {
    const frag = fragmentSize ?? this._settings.fragmentSize;
    if (!Number.isSafeInteger(frag) || frag < 0) throw invalid('fragmentSize', 'an integer >= 0', frag);
    // The topic messages batched for this socket in this turn were published before this send: they go
    // first, and now, not from inside this message's first write (a fragment's write must not start
    // another message, RFC 6455 §5.4). Their slow policy may have closed the socket: no data after a
    // Close (§5.5.1).
    if (!this.flushTopics()) return false;
    const len = typeof data === 'string' ? (data.length < 1024 ? data.length * 3 : Buffer.byteLength(data)) : data.length;
    const queued = this.bufferedAmount;
    // The bounded send queue: an empty queue takes a message of any size; otherwise the bound holds.
    if (queued > 0 && queued + len > this._settings.maxSendQueueBytes) return false;
    if (this._queue.isEmpty && (frag === 0 || len <= frag)) {
      this._frame(data, binary, true, len);
      return true;
    }
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this._queue.push(buf, binary, frag);
    return true;
  }

  /**
   * A frame encoded once for many sockets (topics, broadcast), under the same queue bound as any send.
   * With permessage-deflate the Sender may hold compressed messages back: the payload goes through it
   * instead (compressed for this socket), so messages never overtake one another.
   */
  sendShared(frame: Buffer, payload: Buffer, binary: boolean, afterTopics = false): boolean {
    if (this.deflate !== null) return this.send(payload, binary, 0);
    if (afterTopics) this._beforeWrite(); // a broadcast: after the topic messages batched before it
    // Within a run nothing else was written (every other write flushes the run first) and no write
    // completed (the run ends with the turn, before any I/O callback): the count taken at its start holds.
    const queued = this._runStart >= 0 ? this._runBase + this._runBytes : this.bufferedAmount;
    if (queued > 0 && queued + payload.length > this._settings.maxSendQueueBytes) return false;
    if (!this._queue.isEmpty) { this._queue.pushFrame(frame, payload.length); return true; }
    // Noted, written at the end of the turn with the other frames of the turn this socket took (turn-batch.ts).
    const batch = TURN_BATCH;
    const i = batch.position(frame);
    if (this._runStart < 0) {
      this._runBase = queued;
      this._runStart = i;
      this._runEnd = i + 1;
      batch.enlist(this);
    } else if (this._runEnd === i) {
      this._runEnd = i + 1;
    } else {
      (this._runs ??= []).push(this._runStart, this._runEnd);
      this._runStart = i;
      this._runEnd = i + 1;
    }
    this._runBytes += frame.length;
    return true;
  }

  /**
   * A turn's topic frames joined once and shared by every socket of the topic (Topics' batch, written
   * whole in one write). False when it cannot go whole now — compression, fragments queued, or the queue
   * bound — and the caller sends the messages one by one instead.
   */
  sendBatch(joined: Buffer): boolean {
    // Read as few objects as it can: a fan-out comes here for every socket every turn. A closed connection
    // takes nothing (asyncSendData), and answering true then is right: there is nothing to fall back to.
    if (this._noData || this.deflate !== null || !this._queue.isEmpty) return false;
    if (this._runStart >= 0) this.flushTurn(); // frames taken earlier in the turn go first
    const queued = this._client.sendPending;
    if (queued > 0 && queued + joined.length > this._settings.maxSendQueueBytes) return false;
    this._client.asyncSendData(joined);
    return true;
  }

  /** @internal Writes the shared frames taken in this turn: one buffer per run, shared with every socket that took the same run. */
  flushTurn(): void {
    if (this._runStart < 0) return;
    const runs = this._runs;
    if (runs !== null && runs.length > 0) {
      // This socket skipped frames others took (another topic's): its runs in order, in one writev.
      this._client.cork();
      for (let k = 0; k < runs.length; k += 2) this._writeRun(runs[k]!, runs[k + 1]!);
      this._writeRun(this._runStart, this._runEnd);
      runs.length = 0;
      this._client.uncork();
    } else this._writeRun(this._runStart, this._runEnd);
    this._runStart = -1;
    this._runBytes = 0;
  }

  private _writeRun(start: number, end: number): void {
    const batch = TURN_BATCH;
    if (batch.bytes(start, end) <= JOIN_MAX_BYTES) { this._client.asyncSendData(batch.joined(start, end)); return; }
    this._client.cork();
    for (let i = start; i < end; i++) this._client.asyncSendData(batch.frame(i));
    this._client.uncork();
  }

  /** The connection drained: the next queued fragments, behind the topic messages batched before them. */
  pump(): void {
    this._beforeWrite();
    this._queue.pump();
  }

  /** Drops what is queued (a Close was sent); `closed`: the connection is gone, forget the Sender's count too. */
  drop(closed = false): void {
    // Taken before the Close: the topic messages batched for this socket, then the run, go first.
    if (!closed && !this._noData) { this._beforeWrite(); if (this._runStart >= 0) this.flushTurn(); }
    this._noData = true;
    this._queue.drop();
    if (closed) {
      this._dropped = true;
      this._unsent = 0;
      this._runStart = -1; // the connection is gone: the turn's frames are not written
      this._runBytes = 0;
      if (this._runs !== null) this._runs.length = 0;
    }
  }

  /** One data frame to the Sender; while compressing, its bytes count in bufferedAmount until written. */
  private _frame(data: Buffer | string, binary: boolean, fin: boolean, len: number): void {
    if (this.deflate === null) {
      this.ws.send(data, { binary, fin, mask: false, compress: false });
      return;
    }
    this._unsent += len;
    this.ws.send(data, { binary, fin, mask: false, compress: true }, () => { if (!this._dropped) this._unsent -= len; });
  }
}
