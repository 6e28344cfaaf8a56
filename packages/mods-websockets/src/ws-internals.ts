/**
 * Typed access to the `ws` library's framing classes (`Receiver`, `Sender`), which @types/ws does not
 * declare. `ws` parses and builds the frames (RFC 6455 §5); this package feeds and drains them.
 */
import * as wsLib from 'ws';
import type { Writable } from 'node:stream';

/** What `Sender` needs from its socket: `write(data, cb)`, `cork`, `uncork` (ws/lib/sender.js). */
export interface SenderSocket {
  write(data: Buffer | string, cb?: (err?: Error) => void): boolean;
  cork(): void;
  uncork(): void;
  readonly destroyed: boolean;
}

export interface WsSender {
  send(data: Buffer | string, options: { binary: boolean; fin: boolean; mask: false; compress: boolean }, cb?: (err?: Error) => void): void;
  ping(data: Buffer, mask: false, cb?: (err?: Error) => void): void;
  pong(data: Buffer, mask: false, cb?: (err?: Error) => void): void;
  close(code: number | undefined, reason: string | Buffer | undefined, mask: false, cb?: (err?: Error) => void): void;
  onerror: (err: Error) => void;
  /** Bytes queued inside the Sender while it compresses (ws/lib/sender.js). */
  readonly _bufferedBytes: number;
}

export interface WsReceiver extends Writable {
  /** Internal limit read at every frame header (ws/lib/receiver.js): set to change maxRecvMessageLength. */
  _maxPayload: number;
}

export interface ReceiverOptions {
  isServer: true;
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

/** ws's error codes → the close code to send (RFC 6455 §7.4.1); ws also tags them with Symbol(status-code). */
const CLOSE_BY_ERROR: Record<string, number> = {
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
};

/** The close code for a Receiver error: ws's own status code when present, else by error code, else 1002. */
export function closeCodeOf(err: Error & { code?: string }): number {
  for (const s of Object.getOwnPropertySymbols(err)) {
    if (s.description === 'status-code') {
      const v = (err as unknown as Record<symbol, unknown>)[s];
      if (typeof v === 'number') return v;
    }
  }
  return (err.code !== undefined ? CLOSE_BY_ERROR[err.code] : undefined) ?? 1002;
}
