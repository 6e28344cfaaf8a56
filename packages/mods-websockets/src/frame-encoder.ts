/**
 * One server frame (RFC 6455 §5.2: FIN, opcode, unmasked length, payload) built once and written as is to
 * every subscriber of a topic: no per-socket header, no per-socket copy. Sockets that negotiated
 * permessage-deflate may still take it (RSV1 clear: an uncompressed message, RFC 7692 §6.1), but only when
 * their Sender holds nothing back — see web-socket.ts.
 */
import type { MessageEncoder, TopicMessage } from '@microwebsrv/core';

/** The whole frame of an unfragmented, unmasked text (`binary` false) or binary message. */
export function encodeFrame(payload: Buffer, binary: boolean): Buffer {
  const len = payload.length;
  const hdr = len < 126 ? 2 : len < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(hdr + len);
  frame[0] = 0x80 | (binary ? 0x02 : 0x01); // FIN + opcode (§5.2)
  if (len < 126) frame[1] = len;
  else if (len < 0x10000) { frame[1] = 126; frame.writeUInt16BE(len, 2); }
  else { frame[1] = 127; frame.writeUInt32BE(Math.floor(len / 0x100000000), 2); frame.writeUInt32BE(len >>> 0, 6); }
  payload.copy(frame, hdr);
  return frame;
}

/** The encoder every WebSocket of every server shares: a message published once is framed once. */
export const FRAME_ENCODER: MessageEncoder = { encode: (m: TopicMessage) => encodeFrame(m.data, m.binary) };
