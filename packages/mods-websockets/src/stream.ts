/**
 * A `node:stream` Duplex view of a {@link WebSocket}, built on its public API: incoming messages are the
 * readable side's chunks, writes become messages. Backpressure both ways: a full readable side pauses
 * reading the peer's frames (`pauseReceiving`); a write's callback waits until the socket's bounded send
 * queue can take more (`canSend` / `onSendReady`), so the writable side's buffer bounds the rest.
 */
import { Duplex } from 'node:stream';
import { CloseCodes, invalid, WsError } from './errors';
import type { WebSocket } from './web-socket';

/** Options of {@link createWebSocketStream}. */
export interface WebSocketStreamOptions {
  /**
   * Object mode: text messages are read as strings and binary ones as Buffers, and each write is one
   * message. Default false: every message is read as a Buffer (or a string in `encoding`).
   */
  objectMode?: boolean;
  /** The readable side's encoding (`readable.setEncoding`): chunks are strings. Not with `objectMode`. */
  encoding?: BufferEncoding;
  /**
   * What a write becomes: `'auto'` (default) a text message for a string, a binary one for a Buffer;
   * `'text'` always a text message (Buffers decoded as UTF-8); `'binary'` always a binary message.
   */
  sendAs?: 'auto' | 'text' | 'binary';
  /** The readable side's high-water mark (bytes, or messages in object mode). */
  readableHighWaterMark?: number;
  /** The writable side's high-water mark (bytes, or writes in object mode). */
  writableHighWaterMark?: number;
}

/** Close codes after which the stream just ends; after any other, it is destroyed with an error. */
function isCleanClose(code: number): boolean {
  return code === CloseCodes.NORMAL || code === CloseCodes.GOING_AWAY || code === CloseCodes.NO_STATUS || (code >= 3000 && code <= 4999);
}

/**
 * The Duplex view of a WebSocket (see {@link createWebSocketStream}). `closeCode` / `closeReason` tell
 * how the connection closed, once it has.
 */
export class WebSocketStream extends Duplex {
  readonly webSocket: WebSocket;
  /** The close code reported by the socket (RFC 6455 §7.4), or null while it is open. */
  closeCode: number | null = null;
  closeReason = '';
  private readonly _sendAs: 'auto' | 'text' | 'binary';
  /** A write waiting for the send queue: retried (refused) or acknowledged (sent) on onSendReady. */
  private _waiting: { chunk: string | Buffer | null; cb: (err?: Error | null) => void } | null = null;

  /** @internal Use {@link createWebSocketStream}, which checks the options. */
  constructor(ws: WebSocket, options: WebSocketStreamOptions) {
    const objectMode = options.objectMode === true;
    super({
      allowHalfOpen: true, decodeStrings: false, objectMode,
      ...(options.readableHighWaterMark !== undefined ? { readableHighWaterMark: options.readableHighWaterMark } : {}),
      ...(options.writableHighWaterMark !== undefined ? { writableHighWaterMark: options.writableHighWaterMark } : {}),
    });
    this.webSocket = ws;
    this._sendAs = options.sendAs ?? 'auto';
    if (options.encoding !== undefined) this.setEncoding(options.encoding);
    ws.onTextMessage = (_w, text) => this._incoming(objectMode ? text : Buffer.from(text, 'utf8'));
    ws.onBinaryMessage = (_w, data) => this._incoming(data);
    ws.onSendReady = () => this._sendReady();
    ws.onClosed = (_w, code, reason) => this._socketClosed(code, reason);
  }

  private _incoming(chunk: string | Buffer): void {
    if (this.destroyed) return;
    // A full readable side: stop reading frames until _read asks for more.
    if (!this.push(chunk)) this.webSocket.pauseReceiving();
  }

  override _read(): void {
    this.webSocket.resumeReceiving();
  }

  override _write(chunk: unknown, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (typeof chunk === 'string') this._send(this._sendAs === 'binary' ? Buffer.from(chunk, encoding) : chunk, cb);
    else if (chunk instanceof Uint8Array) this._send(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), cb);
    else cb(invalid('WebSocketStream write', 'a string or a Buffer', chunk));
  }

  private _send(chunk: string | Buffer, cb: (err?: Error | null) => void): void {
    const ws = this.webSocket;
    if (ws.isClosed) { cb(closedError(this.closeCode)); return; }
    const asText = this._sendAs === 'text' || (this._sendAs === 'auto' && typeof chunk === 'string');
    const ok = asText
      ? ws.sendTextMessage(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
      : ws.sendBinaryMessage(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (!ok) {
      if (ws.isClosed) { cb(closedError(this.closeCode)); return; }
      this._waiting = { chunk, cb }; // above maxSendQueueBytes: try again once the queue drains
      return;
    }
    // Sent or queued: acknowledge now, or once the queue drains (the writable side buffers the rest).
    if (ws.canSend) cb();
    else this._waiting = { chunk: null, cb };
  }

  private _sendReady(): void {
    const w = this._waiting;
    if (w === null) return;
    if (w.chunk !== null) { this._waiting = null; this._send(w.chunk, w.cb); return; }
    if (!this.webSocket.canSend) return;
    this._waiting = null;
    w.cb();
  }

  /** end(): once every write was taken, the closing handshake with 1000 (RFC 6455 §7.1.2). */
  override _final(cb: (err?: Error | null) => void): void {
    if (!this.webSocket.isClosed) this.webSocket.close(CloseCodes.NORMAL);
    cb();
  }

  /** destroy(err): close with 1011 (an unexpected condition, RFC 6455 §7.4.1); destroy(): with 1000. */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const w = this._waiting;
    this._waiting = null;
    if (w) w.cb(err ?? closedError(this.closeCode));
    const ws = this.webSocket;
    if (!ws.isClosed) ws.close(err ? CloseCodes.INTERNAL_ERROR : CloseCodes.NORMAL, err ? 'stream error' : '');
    cb(err);
  }

  private _socketClosed(code: number, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
    if (this.destroyed) return;
    const w = this._waiting;
    this._waiting = null;
    if (w) w.cb(closedError(code));
    if (isCleanClose(code) && !w && this.writableLength === 0) {
      this.push(null); // the readable side ends
      // Nothing more can be sent: the writable side finishes too, and autoDestroy closes the stream.
      if (!this.writableEnded) this.end();
    } else if (isCleanClose(code)) {
      this.destroy(closedError(code)); // writes were still waiting: they cannot go out
    } else {
      this.destroy(new WsError('ERR_MWS_WS_CLOSED', `the WebSocket closed with ${code}${reason ? ` (${reason})` : ''}`));
    }
  }

}

function closedError(code: number | null): WsError {
  return new WsError('ERR_MWS_WS_CLOSED', code === null ? 'the WebSocket is closing' : `the WebSocket closed with ${code}`);
}

/**
 * A Duplex view of `ws`: each incoming message is pushed as a chunk (text as UTF-8 bytes, or a string in
 * object mode or with `encoding`); each write is sent as one message (see `sendAs`). `end()` closes with
 * 1000, `destroy(err)` with 1011. The socket closing ends the stream (1000, 1001, 1005, 3000–4999) or
 * destroys it with an `ERR_MWS_WS_CLOSED` error (any other code: 1006 dropped, 1002, 1009, …). The
 * stream takes the socket's `onTextMessage`, `onBinaryMessage`, `onSendReady` and `onClosed`: set none
 * of them afterwards. Piping the stream into itself makes an echo.
 */
export function createWebSocketStream(ws: WebSocket, options: WebSocketStreamOptions = {}): WebSocketStream {
  if (options === null || typeof options !== 'object') throw invalid('createWebSocketStream options', 'an object', options);
  const { sendAs, encoding, objectMode } = options;
  if (sendAs !== undefined && sendAs !== 'auto' && sendAs !== 'text' && sendAs !== 'binary') throw invalid('createWebSocketStream options.sendAs', "'auto', 'text' or 'binary'", sendAs);
  if (encoding !== undefined && !Buffer.isEncoding(encoding)) throw invalid('createWebSocketStream options.encoding', 'a Buffer encoding', encoding);
  if (encoding !== undefined && objectMode === true) throw invalid('createWebSocketStream options.encoding', 'unset with objectMode', encoding);
  for (const k of ['readableHighWaterMark', 'writableHighWaterMark'] as const) {
    const v = options[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalid(`createWebSocketStream options.${k}`, 'an integer >= 0', v);
  }
  return new WebSocketStream(ws, options);
}
