/**
 * The frame scanner in front of `ws`'s Receiver: finds where whole frames (RFC 6455 §5.2) end in the
 * connection's slot, so the Receiver is handed whole frames and never joins pieces, and applies the
 * message-size limit on the wire (a running sum of the data frames' payload lengths, as `ws` does with
 * `maxPayload`), so the limit can change per socket at any time.
 */

/** What the scanner remembers between reads of one connection. */
export interface FrameScanState {
  /** Bytes of a frame larger than the slot still to stream to the Receiver. */
  streamLeft: number;
  /** Payload bytes of the data frames of the message in progress (RFC 6455 §5.4). */
  messageBytes: number;
  /** Data frames of the message in progress. */
  messageFrames: number;
}

/** How far to hand bytes on, and whether a message went over the limit there. */
export interface FrameScanResult {
  /** Bytes from `start` to hand to the Receiver now (0: wait for more). */
  n: number;
  /** True: the frame whose header ends at `start + n` would take the message above `maxMessage` bytes or `maxFrames` fragments. */
  tooBig: boolean;
}

export function newFrameScanState(): FrameScanState {
  return { streamLeft: 0, messageBytes: 0, messageFrames: 0 };
}

/**
 * Scans `buf[start, end)`. A complete frame is taken whole; an incomplete one that fits in the slot
 * (`slotSize`) is left there to be completed by later reads; one larger than the slot is streamed.
 * A data frame (opcode < 8, §5.2) that would take its message above `maxMessage` bytes (or `maxFrames`
 * fragments) stops the scan right
 * after its header (`tooBig`): the Receiver still sees the header, so its own protocol errors (reserved
 * bits, opcode, masking: 1002) win as they would in `ws`, and otherwise the caller closes with 1009.
 */
export function scanFrames(s: FrameScanState, buf: Buffer, start: number, end: number, slotSize: number, maxMessage: number, maxFrames = Infinity): FrameScanResult {
  let p = start;
  if (s.streamLeft > 0) {
    p += Math.min(s.streamLeft, end - p);
    s.streamLeft -= p - start;
    if (s.streamLeft > 0) return { n: p - start, tooBig: false };
  }
  while (end - p >= 2) {
    const b0 = buf[p]!;
    const b1 = buf[p + 1]!;
    const len7 = b1 & 0x7f;
    const hdr = 2 + ((b1 & 0x80) !== 0 ? 4 : 0) + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
    if (end - p < hdr) break;
    const plen = len7 < 126 ? len7 : len7 === 126 ? buf.readUInt16BE(p + 2) : buf.readUInt32BE(p + 2) * 0x100000000 + buf.readUInt32BE(p + 6);
    const isData = (b0 & 0x0f) < 8;
    if (isData && plen > 0 && s.messageBytes + plen > maxMessage) return { n: p + hdr - start, tooBig: true };
    // Many tiny fragments cost a parse and a Buffer each while the byte count stays low: bounded too.
    if (isData && s.messageFrames + 1 > maxFrames) return { n: p + hdr - start, tooBig: true };
    const total = hdr + plen;
    const whole = end - p >= total;
    if (!whole && total <= slotSize) break; // wait for the rest in the slot
    // Committed: the frame goes to the Receiver (whole, or streamed from here on).
    if (isData) {
      const fin = (b0 & 0x80) !== 0;
      s.messageBytes = fin ? 0 : s.messageBytes + plen;
      s.messageFrames = fin ? 0 : s.messageFrames + 1;
    }
    if (whole) { p += total; continue; }
    s.streamLeft = total - (end - p);
    p = end;
    break;
  }
  return { n: p - start, tooBig: false };
}
