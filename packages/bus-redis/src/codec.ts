/**
 * The bytes of a message on a Redis channel (and in a history stream entry). One binary string, so a
 * binary payload travels intact and text is never re-encoded:
 *
 * ```
 * 'M' flags(1) publisher(8) seq(4, BE) id(ASCII decimal, "0" when none) ':' eventLen(2, BE) event data
 * ```
 *
 * The head up to `seq` is made by the publisher; the id is written by the Lua script that also appends
 * the history entry (see script.ts), so the id on the channel and in the stream is the same. `publisher`
 * + `seq` identify one publish: Redis sends a client one notification per matching subscription
 * (SUBSCRIBE and each PSUBSCRIBE), back to back, and the bus keeps only the first.
 */
import { TopicMessage } from '@microwebsrv/core';

const MAGIC = 0x4d; // 'M'
const F_BINARY = 1;
const F_EVENT = 2;
/** Bytes before the id. */
export const HEAD_BYTES = 14;

/** The parts of a message the publisher sends: head (before the id) and rest (after the id's ':'). */
export interface EncodedParts { head: Buffer; rest: Buffer }

export function encodeParts(m: TopicMessage, publisher: Buffer, seq: number): EncodedParts {
  const head = Buffer.allocUnsafe(HEAD_BYTES);
  head[0] = MAGIC;
  head[1] = (m.binary ? F_BINARY : 0) | (m.event !== null ? F_EVENT : 0);
  publisher.copy(head, 2, 0, 8);
  head.writeUInt32BE(seq >>> 0, 10);
  const ev = m.event === null ? null : Buffer.from(m.event, 'utf8');
  const rest = Buffer.allocUnsafe(2 + (ev === null ? 0 : ev.length) + m.data.length);
  rest.writeUInt16BE(ev === null ? 0 : ev.length, 0);
  let o = 2;
  if (ev !== null) o += ev.copy(rest, o);
  m.data.copy(rest, o);
  return { head, rest };
}

/** A whole message as the Lua script publishes it (for a publish without history: id 0). */
export function joinParts(p: EncodedParts, id: string): Buffer {
  return Buffer.concat([p.head, Buffer.from(`${id}:`, 'latin1'), p.rest]);
}

/**
 * A whole message without an id (`0`), in one allocation: what a publish without history sends. The
 * same bytes as `joinParts(encodeParts(m, publisher, seq), '0')`.
 */
export function encodeWhole(m: TopicMessage, publisher: Buffer, seq: number): Buffer {
  const evLen = m.event === null ? 0 : Buffer.byteLength(m.event, 'utf8');
  const b = Buffer.allocUnsafe(HEAD_BYTES + 4 + evLen + m.data.length);
  b[0] = MAGIC;
  b[1] = (m.binary ? F_BINARY : 0) | (m.event !== null ? F_EVENT : 0);
  publisher.copy(b, 2, 0, 8);
  b.writeUInt32BE(seq >>> 0, 10);
  b[HEAD_BYTES] = 0x30; // '0': no id
  b[HEAD_BYTES + 1] = 0x3a; // ':'
  b.writeUInt16BE(evLen, HEAD_BYTES + 2);
  let o = HEAD_BYTES + 4;
  if (m.event !== null) o += b.write(m.event, o, 'utf8');
  m.data.copy(b, o);
  return b;
}

/** Bytes of a publish's key (publisher + seq), from offset 2 of a message. */
export const KEY_BYTES = 12;

/** True when message `b` is the publish whose key `key` holds (see {@link keepKey}); no allocation. */
export function samePublish(b: Buffer, key: Buffer): boolean {
  for (let i = 0; i < KEY_BYTES; i++) if (b[2 + i] !== key[i]) return false;
  return true;
}

/** Copies message `b`'s key (publisher + seq) into `key` (KEY_BYTES long). */
export function keepKey(b: Buffer, key: Buffer): void {
  b.copy(key, 0, 2, HEAD_BYTES);
}

/** Decodes a received message on `topic`; null when the bytes are not one of ours. */
export function decode(topic: string, b: Buffer): TopicMessage | null {
  if (b.length < HEAD_BYTES + 4 || b[0] !== MAGIC) return null;
  const flags = b[1]!;
  // The id: ASCII digits up to ':' (at most 16: µs since the epoch stay below 2^53, exact in a double).
  let id = 0;
  let colon = HEAD_BYTES;
  for (; colon < b.length && colon - HEAD_BYTES <= 16; colon++) {
    const c = b[colon]!;
    if (c === 0x3a) break;
    if (c < 0x30 || c > 0x39) return null;
    id = id * 10 + (c - 0x30);
  }
  if (colon === HEAD_BYTES || colon - HEAD_BYTES > 16 || colon + 3 > b.length || b[colon] !== 0x3a) return null;
  const evLen = b.readUInt16BE(colon + 1);
  const evStart = colon + 3;
  if (evStart + evLen > b.length) return null;
  const event = (flags & F_EVENT) !== 0 ? b.toString('utf8', evStart, evStart + evLen) : null;
  const data = b.subarray(evStart + evLen);
  return new TopicMessage(topic, data, (flags & F_BINARY) !== 0, event, id);
}
