import type { ClientState } from './client-state';
import type { ClientTimers } from './client-timers';
import { XClosedReason } from './closed-reason';
import { XAsyncError } from './errors';
import { directHandle, directWrite, queuedBytes } from './direct-write';

/** Largest Buffer written past Node's Writable (direct-write.ts). */
const DIRECT_MAX = 64 * 1024;

/**
 * Queues `data` on the connection's output (Node's write queue) under the two bounds of the slow-read
 * defence: a queue already beyond `maxSendPending` means the peer ignores backpressure (close, Error),
 * and queued bytes must make progress within `sendTimeoutMs` (armed here, checked by the timers).
 * Returns Node's answer: false above the high-water mark, when the caller should wait for 'drain'.
 */
export function queueSend(s: ClientState, timers: ClientTimers, data: Uint8Array | string, encoding: BufferEncoding, onWritten: (() => void) | null): boolean {
  const out = s.out;
  const queued = queuedBytes(out, s);
  // Nothing waits: a send watch still armed belongs to a wait that is over (direct writes and writes
  // below the high-water mark never see 'drain'); the next wait starts its own (its start dates a slow
  // reader's first look: engine/rates.ts in core).
  if (queued === 0) timers.disarmSend();
  if (queued > s.opts.maxSendPending) {
    s.fail(XClosedReason.Error, new XAsyncError('ERR_XAS_SEND_OVERFLOW',
      `${queued} bytes queued for ${s.remoteHost}:${s.remotePort} is above maxSendPending (${s.opts.maxSendPending}): the peer is not reading`));
    return false;
  }
  // Small plain-TCP writes with nothing queued skip Node's Writable (direct-write.ts): no heap per write.
  // Only latin1 strings (one byte per char: length = bytes) and buffers, up to 64 KiB, so what an
  // asynchronous direct write leaves in libuv's queue stays bounded; bigger sends keep Node's backpressure.
  if (onWritten === null && s.tls === null && data.length <= DIRECT_MAX && (typeof data !== 'string' || encoding === 'latin1')) {
    const h = directHandle(out, s);
    if (h !== null && directWrite(h, data, s)) {
      // The kernel did not take it all: the send timeout watches libuv's queue as it does Node's.
      if (s.directPending !== null) timers.armSend(out);
      return true;
    }
  }
  // Behind a direct write still in libuv (the peer is slow to read), writes are corked until it
  // completes: they then leave in one writev, where each would have been its own libuv request and
  // syscall (a fan-out's turns to a slow subscriber arrive as one read instead of one per turn, as
  // uWebSockets.js's backpressure buffer does).
  if (s.directPending !== null && !s.corkedBehindDirect && s.tls === null) { out.cork(); s.corkedBehindDirect = true; }
  const ok = onWritten !== null ? out.write(data, encoding, onWritten) : out.write(data, encoding);
  if (out.writableLength > 0) timers.armSend(out);
  return ok;
}

/** The output drained: queued bytes no longer need watching. */
export function sendDrained(s: ClientState, timers: ClientTimers): void {
  if (queuedBytes(s.out, s) === 0) timers.disarmSend();
}
