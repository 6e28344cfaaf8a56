/**
 * Typed access to the `ws` library's framing classes, `Receiver` and `Sender`, which `ws` exports
 * (`require('ws').Receiver`, `.Sender`) but @types/ws does not declare. Only what `ws` documents is used:
 * their constructor options, the Receiver's events (`message`, `ping`, `pong`, `conclude`, `error`,
 * Writable's `drain`), the Sender's `send`/`ping`/`pong`/`close` with their callbacks, and the error
 * codes of ws's doc/ws.md ("Error codes"). `ws` parses and builds the frames (RFC 6455 §5); this package
 * feeds and drains them.
 */
import * as wsLib from 'ws';
import type { Writable } from 'node:stream';

/** What `Sender` needs from its socket (ws/lib/sender.js: "@param {Duplex} socket"): write, cork, uncork. */
export interface SenderSocket {
  write(data: Buffer | string, cb?: (err?: Error) => void): boolean;
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

/** ws's Sender (lib/sender.js, its @public methods). `cb` runs once the frame is written, or with an error. */
export interface WsSender {
  send(data: Buffer | string, options: { binary: boolean; fin: boolean; mask: false; compress: boolean }, cb?: (err?: Error) => void): void;
  ping(data: Buffer, mask: false, cb?: (err?: Error) => void): void;
  pong(data: Buffer, mask: false, cb?: (err?: Error) => void): void;
  close(code: number | undefined, reason: string | Buffer | undefined, mask: false, cb?: (err?: Error) => void): void;
}

/** ws's Receiver: a Writable of the peer's bytes that emits `message`, `ping`, `pong`, `conclude`, `error`. */
export type WsReceiver = Writable;

/** The Receiver's constructor options (lib/receiver.js). */
export interface ReceiverOptions {
  isServer: true;
  /** The largest message (bytes, after inflating); 0: no limit. */
  maxPayload: number;
  skipUTF8Validation: false;
  allowSynchronousEvents: boolean;
  binaryType: 'nodebuffer';
  extensions?: Record<string, unknown>;
}

const lib = ((wsLib as unknown as { default?: unknown }).default ?? wsLib) as unknown as {
  Receiver: new (o: ReceiverOptions) => WsReceiver;
  Sender: new (socket: SenderSocket, extensions?: Record<string, unknown>) => WsSender;
};

export const Receiver = lib.Receiver;
export const Sender = lib.Sender;

/**
 * ws's error codes (doc/ws.md, "Error codes") → the close code to send (RFC 6455 §7.4.1): a message or
 * frame too long → 1009, bad UTF-8 → 1007, too many buffered parts → 1008, every other framing error
 * (reserved bits or opcodes, masking, control frame length, close code) → 1002.
 */
const CLOSE_BY_ERROR: Record<string, number> = {
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 1008,
};

/**
 * The close code for a Receiver error. zlib's errors (`Z_…` codes: a permessage-deflate payload that
 * does not inflate) are inconsistent data → 1007, as `ws` answers them.
 */
export function closeCodeOf(err: Error & { code?: string }): number {
  const code = err.code;
  if (code === undefined) return 1002;
  return CLOSE_BY_ERROR[code] ?? (code.startsWith('Z_') ? 1007 : 1002);
}
