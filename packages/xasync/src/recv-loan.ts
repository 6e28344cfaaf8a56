import type { ClientState } from './client-state';
import { XAsyncError } from './errors';
import { retargetRead } from './onread-rewrap';

/*
 * A connection lent a bigger receive buffer for a while (XAsyncTCPClient.lendRecvBuffer): a bulk
 * transfer through a small slot costs one kernel read, one callback and one parser run per slot's worth;
 * through the lent buffer, per buffer's worth. The SlotReader switches to it, and back, only when every
 * byte is consumed (unconsumed bytes never move between buffers), so backpressure stays: at most
 * `buf.length` bytes wait unconsumed. `onReturn(buf)` is called once the buffer is no longer used: at the
 * end of the loan when nothing waits in it, once its bytes are consumed, or when the connection closes.
 */

export function lendBuffer(s: ClientState, buf: Buffer, onReturn: (buf: Buffer) => void): void {
  const r = s.reader;
  const slotSize = r.slotBuffer.length;
  if (!Buffer.isBuffer(buf) || buf.length <= slotSize || typeof onReturn !== 'function') {
    throw new XAsyncError('ERR_XAS_INVALID_ARG', `lendRecvBuffer(buf, onReturn): buf must be a Buffer larger than the slot (${slotSize} bytes) and onReturn a function`);
  }
  if (r.lent) throw new XAsyncError('ERR_XAS_INVALID_ARG', 'lendRecvBuffer: a receive buffer is lent already (endRecvBufferLoan first)');
  if (s.closing || s.finished) throw new XAsyncError('ERR_XAS_CLOSED', 'lendRecvBuffer: the connection is closed or closing');
  r.lend(buf, onReturn);
}

export function endBufferLoan(s: ClientState): void {
  const r = s.reader;
  // Empty, with the kernel's target in the lent buffer: point the target at the slot and give it back now.
  if (r.endLoan(false) && retargetRead(s.sock, r.slotBuffer)) r.endLoan(true);
}
