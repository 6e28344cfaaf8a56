/**
 * Broadcast: one message to many WebSockets. The message is framed once (RFC 6455 §5.2, the same encoder
 * as topics: frame-encoder.ts) and every socket writes that one frame. Sends never wait: a socket whose send queue is full (a
 * slow reader) misses the message — or is closed, with `slowPolicy: 'close'` — and the others go on.
 */
import { CloseCodes, invalid } from './errors';
import { encodeFrame } from './frame-encoder';
import { kInternals } from './internal';
import type { WebSocket } from './web-socket';

/** Sockets to send to: the module's set for a path, an array, or any iterable. */
export type BroadcastTarget = Iterable<WebSocket>;

/** What a broadcast did. */
export interface BroadcastResult {
  /** Sockets that took the message (sent or queued). */
  sent: number;
  /** Open sockets that refused it: their send queue is at its bound (slow readers). */
  skipped: number;
  /** Slow sockets closed (with `slowPolicy: 'close'`). */
  closed: number;
}

export interface BroadcastOptions {
  /** Skip sockets that are closed or given by this predicate (e.g. the sender). */
  exclude?: WebSocket | ((ws: WebSocket) => boolean);
  /** What to do with a socket whose queue is full: skip it (default) or close it with 1008. */
  slowPolicy?: 'skip' | 'close';
}

/**
 * Sends `message` (string → text, bytes → binary) to every open socket of `target`. Per-socket
 * backpressure: each socket's bounded queue decides alone; one slow client never holds up the others.
 */
export function broadcast(target: BroadcastTarget, message: string | Uint8Array, options: BroadcastOptions = {}): BroadcastResult {
  const isText = typeof message === 'string';
  if (!isText && !(message instanceof Uint8Array)) throw invalid('broadcast message', 'a string or a Buffer', message);
  const payload = isText ? Buffer.from(message, 'utf8') : Buffer.isBuffer(message) ? message : Buffer.from(message);
  const ex = options.exclude;
  const policy = options.slowPolicy ?? 'skip';
  const result: BroadcastResult = { sent: 0, skipped: 0, closed: 0 };
  let frame: Buffer | null = null;
  for (const ws of target) {
    if (ws.isClosed || ws === ex || (typeof ex === 'function' && ex(ws))) continue;
    frame ??= encodeFrame(payload, !isText);
    if (ws[kInternals].sendShared(frame, payload, !isText)) { result.sent++; continue; }
    if (ws.isClosed) continue;
    if (policy === 'close') { ws.close(CloseCodes.POLICY_VIOLATION, 'too slow'); result.closed++; } else result.skipped++;
  }
  return result;
}
