/**
 * `WebSocket`: one accepted connection after the opening handshake (RFC 6455 §5–§7), MicroWebSrv2's API.
 * `ws`'s Receiver parses the client's frames (masking, fragments, UTF-8, sizes, control frames) from bytes
 * copied out of the connection's slot; `ws`'s Sender builds the server's frames, written through the
 * XAsyncTCPClient (its send bound and slow-read defence apply).
 */
import type { HttpRequest, MicroWebSrv } from '@microwebsrv/core';
import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import { CloseCodes, invalid, isSendableCloseCode, WsError } from './errors';
import type { DeflateExtension, ReceivingExtensions } from './deflate';
import { HandlerFlow } from './handler-flow';
import { newFrameScanState, scanFrames } from './frame-scan';
import { kInternals, type WebSocketInternals } from './internal';
import { SocketSender } from './socket-sender';
import { WsTopicSubscriber } from './topic-subscriber';
import type { WebSocketSettings } from './settings';
import { closeCodeOf, Receiver, type WsReceiver } from './ws-framing';

export type { WebSocketSettings } from './settings';

const EMPTY = Buffer.alloc(0);

/**
 * One WebSocket connection. Set the callbacks in `onWebSocketAccepted`; receiving starts right after it.
 */
export class WebSocket {
  /** The HTTP request of the opening handshake. */
  readonly request: HttpRequest;
  /** The server that accepted it. */
  readonly server: MicroWebSrv;
  /** The sub-protocol chosen in the handshake (RFC 6455 §1.9), or null. */
  readonly protocol: string | null;
  /**
   * A text message arrived (valid UTF-8, all fragments joined). Null: text messages are refused with 1003.
   * A returned promise pauses reading while `maxPendingHandlers` are pending; one that rejects closes with 1011.
   */
  onTextMessage: ((webSocket: WebSocket, text: string) => unknown) | null = null;
  /** A binary message arrived (all fragments joined; the Buffer is the handler's to keep). Null: refused with 1003. As onTextMessage for promises. */
  onBinaryMessage: ((webSocket: WebSocket, data: Buffer) => unknown) | null = null;
  /** The connection closed: the peer's close code and reason, else ours, else 1006 (no Close frame). Once. */
  onClosed: ((webSocket: WebSocket, code: number, reason: string) => void) | null = null;
  /** The send queue drained below the high-water mark after a send returned with backpressure. */
  onSendReady: ((webSocket: WebSocket) => void) | null = null;
  /** Free for the application. */
  userData: unknown = null;
  /** A topic's message this socket's full queue cannot take: skip it (default) or close with 1008. */
  topicSlowPolicy: 'skip' | 'close' = 'skip';

  /** @internal The module's side of this socket (internal.ts); not part of the public API. */
  readonly [kInternals]: WebSocketInternals;
  private readonly _client: XAsyncTCPClient;
  private readonly _settings: WebSocketSettings;
  /** Made when receiving starts, with the message limit of that moment (a constructor option of ws). */
  private _receiver: WsReceiver | null = null;
  /** The sending side: ws's Sender, the bounded queue, fragments, shared frames (socket-sender.ts). */
  private readonly _out: SocketSender;
  /** permessage-deflate: the maker of the Receiver's extension. */
  private readonly _receiving: ReceivingExtensions;
  private _rxDeflate: DeflateExtension | null = null;
  private readonly _log: (type: 'DEBUG' | 'ERROR', msg: string) => void;
  private _started = false;
  private _recvDone = false;
  private _closeSent = false;
  private _closed = false;
  private _pingOutstanding = false;
  /** Reading paused by the application ({@link pauseReceiving}) / while the Receiver inflates. */
  private _userPaused = false;
  private _rxPaused = false;
  private readonly _scan = newFrameScanState();
  private _code: number = CloseCodes.ABNORMAL;
  private _reason = '';
  private _onClosedHooks: Array<() => void> = [];
  private readonly _flow: HandlerFlow;
  /** This socket as a topic subscriber (made on the first subscribe). */
  private _topicSub: WsTopicSubscriber | null = null;

  /** @internal Created by the WebSockets module once the 101 answer is written. */
  constructor(server: MicroWebSrv, request: HttpRequest, client: XAsyncTCPClient, protocol: string | null, settings: WebSocketSettings,
    log: (type: 'DEBUG' | 'ERROR', msg: string) => void, extensions: Record<string, DeflateExtension> = {},
    receiving: ReceivingExtensions = () => ({})) {
    this.server = server;
    this.request = request;
    this.protocol = protocol;
    this._client = client;
    this._settings = { ...settings };
    this._log = log;
    this._receiving = receiving;
    // Before any other write: the topic messages of this turn not written yet (Topics batches them), so order holds.
    this._out = new SocketSender(client, extensions, this._settings, () => !this._closeSent, () => { if (this._topicSub !== null) this.server.topics.flushPending(this._topicSub); });
    this._flow = new HandlerFlow({
      pause: () => { if (!this._closed) this._client.pauseReading(); },
      resume: () => this._resumeIfFree(),
      failed: (err) => {
        this._log('ERROR', `WebSocket message handler rejected: ${err instanceof Error ? err.message : String(err)} >> close 1011`);
        if (!this._closed) this._fail(CloseCodes.INTERNAL_ERROR, 'handler error');
      },
    }, this._settings.maxPendingHandlers);
    this[kInternals] = {
      start: () => this._start(),
      fail: (code, reason) => this._fail(code, reason),
      onClose: (hook) => { this._onClosedHooks.push(hook); },
      sendPayload: (payload, binary) => this._send(payload, binary, undefined),
      sendShared: (frame, payload, binary) => !this.isClosed && !client.isClosing && this._out.sendShared(frame, payload, binary, true),
    };
    client.onClosed = () => this._onTcpClosed();
    client.onSendReady = () => { this._out.pump(); if (this.onSendReady && !this._closed) this._call('onSendReady', () => this.onSendReady!(this)); };
    client.onRecvTimeout = () => this._onIdle();
  }

  /** True once the connection is closed (TCP), or closing (a Close frame was sent). */
  get isClosed(): boolean { return this._closed || this._closeSent; }
  /** Bytes accepted for sending and not yet handed to the kernel. */
  get bufferedAmount(): number { return this._out.bufferedAmount; }
  /** The negotiated extensions (RFC 6455 §9): the permessage-deflate parameters, or null. */
  get extensions(): Record<string, unknown> | null { return this._out.deflate ? { 'permessage-deflate': this._out.deflate.params } : null; }
  /** True while sends go out without backpressure (below the high-water mark and the queue bound). */
  get canSend(): boolean { return !this.isClosed && this._out.free; }

  /** Idle timeout in seconds (see {@link WebSocketSettings.waitFrameTimeoutSec}). */
  get waitFrameTimeoutSec(): number { return this._settings.waitFrameTimeoutSec; }
  set waitFrameTimeoutSec(v: number) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw invalid('waitFrameTimeoutSec', 'a number of seconds >= 0', v);
    this._settings.waitFrameTimeoutSec = v;
    if (this._started && !this.isClosed) this._armRecv(v);
  }

  /**
   * Largest message accepted, in bytes (above it: close 1009), checked on each frame header as it
   * arrives. With permessage-deflate the inflated size is bounded too: by the value this had when
   * receiving started (after `onWebSocketAccepted`) while inflating, and by a smaller one set later on
   * each inflated message.
   */
  get maxRecvMessageLength(): number { return this._settings.maxRecvMessageLength; }
  set maxRecvMessageLength(v: number) {
    if (!Number.isSafeInteger(v) || v < 1) throw invalid('maxRecvMessageLength', 'an integer >= 1', v);
    this._settings.maxRecvMessageLength = v;
  }

  /** True while reading is paused by {@link pauseReceiving}. */
  get isReceivingPaused(): boolean { return this._userPaused; }

  /**
   * Stops reading the peer's frames: backpressure towards the peer (TCP's window fills up). Messages of
   * a read already under way are still delivered. While paused, no idle ping is sent.
   */
  pauseReceiving(): void {
    if (this._userPaused) return;
    this._userPaused = true;
    if (!this._closed) this._client.pauseReading();
  }

  /** Reads again after {@link pauseReceiving}; frames waiting in the slot are delivered first. */
  resumeReceiving(): void {
    if (!this._userPaused) return;
    this._userPaused = false;
    this._resumeIfFree();
  }

  /**
   * Subscribes to `topic` (an MQTT-style pattern: `chat/+`, `news/#`) on the server's topics
   * (docs/pubsub.md): each message published there is sent to this socket, as one frame shared with
   * every other subscriber. Unsubscribed when the socket closes. False when already subscribed or closed.
   */
  subscribe(topic: string): boolean {
    if (this.isClosed) return false;
    this._topicSub ??= new WsTopicSubscriber(this._out, {
      live: () => !this.isClosed && !this._client.isClosing,
      refused: () => {
        this.server.topics.stats.dropped++; // metrics: a message a slow client did not get
        if (this.topicSlowPolicy === 'close') this.close(CloseCodes.POLICY_VIOLATION, 'too slow');
      },
    });
    return this.server.topics.subscribe(topic, this._topicSub);
  }

  /** Unsubscribes from `topic`. False when it was not subscribed. */
  unsubscribe(topic: string): boolean {
    return this._topicSub !== null && this.server.topics.unsubscribe(topic, this._topicSub);
  }

  /** The topic patterns this socket is subscribed to. */
  get subscriptions(): string[] { return this._topicSub === null ? [] : this.server.topics.subscriptions(this._topicSub); }

  /**
   * Sends a text message (RFC 6455 §5.6), fragmented above `fragmentSize` (default: the module's setting).
   * Returns true when the message went out or was queued; false when it was refused: the socket is closed
   * or closing, or the send queue would go beyond `maxSendQueueBytes` (the peer reads too slowly).
   */
  sendTextMessage(text: string, fragmentSize?: number): boolean {
    if (typeof text !== 'string') throw invalid('sendTextMessage text', 'a string', text);
    return this._send(text, false, fragmentSize);
  }

  /** Sends a binary message; same contract as {@link sendTextMessage}. */
  sendBinaryMessage(data: Uint8Array, fragmentSize?: number): boolean {
    if (!(data instanceof Uint8Array)) throw invalid('sendBinaryMessage data', 'a Buffer or Uint8Array', data);
    return this._send(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), true, fragmentSize);
  }

  /** Sends a Ping (RFC 6455 §5.5.2; payload ≤ 125 bytes). Returns false when closed. */
  ping(data: Uint8Array = EMPTY): boolean {
    if (this.isClosed) return false;
    if (data.byteLength > 125) throw invalid('ping data', 'at most 125 bytes (RFC 6455 §5.5)', data.byteLength);
    if (!this._out.flushTopics()) return false; // the turn's topic messages closed it (slow policy)
    this._out.ws.ping(Buffer.from(data), false);
    return true;
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2): sends a Close frame with `code` (default 1000) and
   * `reason` (≤ 123 bytes of UTF-8), then waits for the peer's Close (at most `closeTimeoutSec`).
   * Messages still queued behind a fragmented one are dropped. No effect when already closing.
   */
  close(code: number = CloseCodes.NORMAL, reason = ''): void {
    if (!isSendableCloseCode(code)) throw new WsError('ERR_MWS_WS_INVALID_CLOSE_CODE', `close(${code}): not a code an endpoint may send (RFC 6455 §7.4)`);
    if (Buffer.byteLength(reason) > 123) throw invalid('close reason', 'at most 123 bytes of UTF-8 (RFC 6455 §5.5.1)', reason);
    if (this.isClosed) return;
    this._sendClose(code, reason);
    // closeTimeoutSec 0: no wait for the peer's Close, the TCP close follows ours at once.
    if (this._recvDone || this._settings.closeTimeoutSec === 0) this._client.close();
    else this._armRecv(this._settings.closeTimeoutSec);
  }

  /** Starts receiving: the bytes that followed the handshake are delivered first. */
  private _start(): void {
    if (this._started || this._closed) return;
    this._started = true;
    this._receiver = this._newReceiver();
    if (this._closeSent) { this._armRecv(this._settings.closeTimeoutSec); return; }
    this._armRecv(this._settings.waitFrameTimeoutSec);
  }

  /** Fails the connection (RFC 6455 §7.1.7): Close frame with `code`, then the TCP close at once. */
  private _fail(code: number, reason: string): void {
    if (this._closed) return;
    if (!this._closeSent) this._sendClose(code, reason);
    this._recvDone = true;
    this._client.close();
  }

  // ---- receiving -------------------------------------------------------------------------------

  /**
   * ws's Receiver. RFC 6455 §5.1: the server must fail a connection on an unmasked client frame
   * (isServer: true). Without compression the message limit is checked on the wire (frame-scan.ts), so
   * the Receiver has none and the limit can change at any time; with it, the Receiver and its inflater
   * also stop at the limit of this moment (inflated bytes are not on the wire).
   */
  private _newReceiver(): WsReceiver {
    const limit = this._settings.maxRecvMessageLength;
    const rx = this._out.deflate ? this._receiving(limit) : {};
    this._rxDeflate = rx['permessage-deflate'] ?? null;
    const r = new Receiver({
      isServer: true, maxPayload: this._rxDeflate ? limit : 0, skipUTF8Validation: false,
      allowSynchronousEvents: true, binaryType: 'nodebuffer', extensions: rx,
    });
    // Inflating is asynchronous: reading stops while the Receiver is behind (backpressure).
    r.on('drain', () => {
      this._rxPaused = false;
      this._resumeIfFree();
    });
    r.on('message', (data: Buffer, isBinary: boolean) => this._onMessage(data, isBinary));
    r.on('ping', (data: Buffer) => { if (!this._closeSent) this._out.ws.pong(data, false); }); // §5.5.3
    r.on('pong', () => { this._pingOutstanding = false; });
    r.on('conclude', (code: number, reason: Buffer) => this._onPeerClose(code, reason));
    r.on('error', (err: Error & { code?: string }) => this._onProtocolError(err));
    return r;
  }

  /**
   * The raw receiver. Whole frames (RFC 6455 §5.2) are handed to ws's Receiver in one chunk: an incomplete
   * frame that fits in the slot stays there (consumed later, when complete), so the Receiver never joins
   * pieces; a frame larger than the slot is streamed to it as it arrives (frame-scan.ts).
   */
  private readonly _onRecv = (_c: XAsyncTCPClient, buf: Buffer, start: number, end: number): number => {
    const r = this._receiver;
    if (this._recvDone || r === null || r.destroyed) return end - start; // after a Close or an error: discard (§5.5.1)
    this._pingOutstanding = false;
    const c = this._client;
    const { n, tooBig } = scanFrames(this._scan, buf, start, end, c.recvBuffer.length, this._settings.maxRecvMessageLength, this._settings.maxMessageFragments);
    if (n === 0) return 0;
    // The slot is reused for the next read: the Receiver (which may keep partial frames) gets a copy.
    const chunk = Buffer.allocUnsafe(n);
    buf.copy(chunk, 0, start, start + n);
    c.cork(); // every answer produced by this read leaves in one write
    try {
      // Paused only when the Receiver really holds bytes back (inflating); 'drain' resumes.
      if (!r.write(chunk) && r.writableLength > 0) { this._rxPaused = true; c.pauseReading(); }
      // RFC 6455 §7.4.1: a message above the limit → 1009 (unless the Receiver already failed the frame).
      if (tooBig && !this._closeSent) this._failTooBig();
    } finally { c.uncork(); }
    return tooBig ? end - start : n;
  };

  private _failTooBig(): void {
    this._log('DEBUG', `WebSocket from ${this._client.remoteAddress.host}:${this._client.remoteAddress.port}: message above maxRecvMessageLength (${this._settings.maxRecvMessageLength}) or maxMessageFragments (${this._settings.maxMessageFragments}) >> close 1009`);
    this._fail(CloseCodes.MESSAGE_TOO_BIG, '');
  }

  private _armRecv(sec: number): void {
    this._client.asyncRecvRaw(this._onRecv, sec);
    if (sec === 0) this._client.setRecvTimeout(0);
  }

  private _onMessage(data: Buffer, isBinary: boolean): void {
    if (this._closeSent) return;
    // Compressed messages: a limit lowered after receiving started is checked once inflated.
    if (data.length > this._settings.maxRecvMessageLength) { this._failTooBig(); return; }
    const handler = isBinary ? this.onBinaryMessage : this.onTextMessage;
    // MicroWebSrv2: a message type nobody handles → 1003 (RFC 6455 §7.4.1).
    if (!handler) { this._fail(CloseCodes.UNSUPPORTED_DATA, isBinary ? 'binary messages not accepted' : 'text messages not accepted'); return; }
    this._flow.track(this._call(isBinary ? 'onBinaryMessage' : 'onTextMessage', () => (isBinary
      ? (handler as (w: WebSocket, d: Buffer) => unknown)(this, data)
      : (handler as (w: WebSocket, t: string) => unknown)(this, data.toString('utf8')))));
  }

  /** RFC 6455 §5.5.1: the peer's Close — answer with a Close (echoing its code), then close TCP (§7.1.1). */
  private _onPeerClose(code: number, reason: Buffer): void {
    this._recvDone = true;
    this._code = code;
    this._reason = reason.toString('utf8');
    if (!this._closeSent) {
      this._closeSent = true;
      this._out.drop();
      this._out.ws.close(code === CloseCodes.NO_STATUS ? undefined : code, EMPTY, false);
    }
    this._client.close();
  }

  /** A frame ws refused: unmasked (1002), reserved opcode or bits (1002), bad UTF-8 (1007), too big (1009). */
  private _onProtocolError(err: Error & { code?: string }): void {
    if (this._closed) return;
    const code = closeCodeOf(err);
    this._log('DEBUG', `WebSocket from ${this._client.remoteAddress.host}:${this._client.remoteAddress.port}: ${err.message} >> close ${code}`);
    this._fail(code, '');
    if (this._code === CloseCodes.ABNORMAL) { this._code = code; this._reason = err.message; }
  }

  /** Idle: ping once; a peer that stays silent a second period is gone → 1001. Closing: too long → drop. */
  private _onIdle(): boolean {
    if (this._closeSent || this._recvDone) return false; // the closing handshake timed out: Timeout close
    if (this._userPaused || this._flow.paused) {
      // Not reading by choice (pauseReceiving, busy handlers): the peer's silence proves nothing; no ping while paused.
      this._pingOutstanding = false;
      this._client.setRecvTimeout(this._settings.waitFrameTimeoutSec);
      return true;
    }
    if (this._pingOutstanding) {
      this._fail(CloseCodes.GOING_AWAY, 'no answer to ping');
      return true;
    }
    this._pingOutstanding = true;
    this._out.ws.ping(EMPTY, false);
    this._client.setRecvTimeout(this._settings.waitFrameTimeoutSec);
    return true;
  }

  private _onTcpClosed(): void {
    if (this._closed) return;
    this._closed = true;
    this._recvDone = true;
    this._out.drop(true);
    this._receiver?.removeAllListeners('message');
    this._out.deflate?.cleanup();
    this._rxDeflate?.cleanup();
    if (this._topicSub !== null) this.server.topics.unsubscribeAll(this._topicSub);
    for (const h of this._onClosedHooks) h();
    this._onClosedHooks = [];
    const cb = this.onClosed;
    if (cb) this._call('onClosed', () => cb(this, this._code, this._reason));
  }

  // ---- sending ---------------------------------------------------------------------------------

  private _send(data: Buffer | string, binary: boolean, fragmentSize: number | undefined): boolean {
    if (this.isClosed || this._client.isClosing) return false;
    return this._out.send(data, binary, fragmentSize);
  }

  private _resumeIfFree(): void {
    if (!this._closed && !this._userPaused && !this._rxPaused && !this._flow.paused) this._client.resumeReading();
  }

  private _sendClose(code: number, reason: string): void {
    this._closeSent = true;
    this._out.drop();
    if (this._code === CloseCodes.ABNORMAL) { this._code = code; this._reason = reason; }
    this._out.ws.close(code, reason, false);
  }

  /** Runs a user callback and returns what it returned; one that throws closes with 1011 and logs a line. */
  private _call(name: string, fn: () => unknown): unknown {
    try {
      return fn();
    } catch (err) {
      this._log('ERROR', `WebSocket ${name} threw: ${err instanceof Error ? err.message : String(err)} >> close 1011`);
      if (!this._closed) this._fail(CloseCodes.INTERNAL_ERROR, 'handler error');
    }
  }
}
