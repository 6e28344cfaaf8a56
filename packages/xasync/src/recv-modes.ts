import { ClientState, DedicatedRecv, RecvMode, type OneShotCallback, type RawCallback } from './client-state';
import { XClosedReason } from './closed-reason';
import { XAsyncError } from './errors';

/*
 * The pending receive of a connection, over its ClientState: setting it (one at a time) and serving it
 * from the slot's unconsumed bytes. Knows nothing of sockets: the read flow calls dispatchReceive.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Sets a one-shot receive (a line, or `size` bytes); the caller arms its timeout and kicks the flow. */
export function setOneShot(s: ClientState, mode: RecvMode.Line | RecvMode.Data, cb: OneShotCallback, size: number): void {
  if (s.recvMode !== RecvMode.None) throw pendingError(s);
  if (typeof cb !== 'function') throw new XAsyncError('ERR_XAS_INVALID_ARG', 'the receive callback must be a function');
  if (s.closing || s.finished) throw new XAsyncError('ERR_XAS_CLOSED', 'cannot receive: the connection is closed or closing');
  s.recvMode = mode;
  s.receiver = cb;
  s.recvParam = size;
  s.recvDedicated = mode === RecvMode.Data && size > s.reader.size ? new DedicatedRecv(Buffer.allocUnsafe(size)) : null;
}

/** Installs (or replaces) the raw receiver; `idleMs` is re-armed at every arrival (0: none of its own). */
export function setRaw(s: ClientState, onRecv: RawCallback, idleMs: number): void {
  if (s.recvMode !== RecvMode.None && s.recvMode !== RecvMode.Raw) throw pendingError(s);
  s.recvMode = RecvMode.Raw;
  s.receiver = onRecv;
  s.recvParam = idleMs;
}

/** Removes the raw receiver, if that is the pending receive. */
export function stopRaw(s: ClientState): void {
  if (s.recvMode === RecvMode.Raw) { s.recvMode = RecvMode.None; s.receiver = null; }
}

/** Drops whatever receive is pending (the connection is closing). */
export function clearReceive(s: ClientState): void {
  s.recvMode = RecvMode.None;
  s.receiver = null;
  s.recvDedicated = null;
}

function pendingError(s: ClientState): XAsyncError {
  return new XAsyncError('ERR_XAS_RECV_PENDING', `a receive (${RecvMode[s.recvMode]}) is already pending: one at a time`);
}

/** Hands the slot's unconsumed bytes to the pending receive, as far as it will take them. */
export function dispatchReceive(s: ClientState): void {
  if (s.dispatching) return; // a callback set the next receive: the outer loop delivers it
  s.dispatching = true;
  const r = s.reader;
  try {
    while (r.pending > 0 && !s.closing) {
      const mode = s.recvMode;
      if (mode === RecvMode.Raw) {
        const n = (s.receiver as RawCallback)(s.owner as never, r.buf, r.rd, r.wr);
        if (!(n >= 0 && n <= r.pending && Number.isInteger(n))) {
          throw new XAsyncError('ERR_XAS_INVALID_ARG', `a raw receiver must return an integer from 0 to ${r.pending}, got ${String(n)}`);
        }
        if (n === 0) break;
        r.consume(n);
      } else if (mode === RecvMode.Line) {
        if (!deliverLine(s)) break;
      } else if (mode === RecvMode.Data) {
        if (!deliverData(s)) break;
      } else {
        break;
      }
    }
  } catch (err) {
    // A receiver that throws has lost track of the stream: the connection cannot go on.
    s.pool.onCallbackError(err, s.owner);
    s.fail(XClosedReason.Error, err instanceof Error ? err : new Error(String(err)));
  } finally {
    s.dispatching = false;
  }
}

function finishOneShot(s: ClientState): OneShotCallback {
  const cb = s.receiver as OneShotCallback;
  s.recvMode = RecvMode.None;
  s.receiver = null;
  s.recvDedicated = null;
  s.pool.timer.disarm(s.recvTimer!);
  return cb;
}

function deliverLine(s: ClientState): boolean {
  const r = s.reader;
  const at = r.buf.indexOf(LF, r.rd);
  if (at === -1 || at >= r.wr) {
    if (r.full) {
      s.fail(XClosedReason.Error, new XAsyncError('ERR_XAS_LINE_TOO_LONG', `a received line is longer than the slot (${r.size} bytes)`));
    }
    return false;
  }
  const end = at > r.rd && r.buf[at - 1] === CR ? at - 1 : at;
  const line = r.buf.toString('utf8', r.rd, end);
  r.consume(at + 1 - r.rd);
  finishOneShot(s)(s.owner as never, line);
  return true;
}

function deliverData(s: ClientState): boolean {
  const r = s.reader;
  const size = s.recvParam; // Data: the size asked for
  const dedicated = s.recvDedicated;
  if (dedicated !== null) {
    const n = Math.min(r.pending, size - dedicated.filled);
    r.buf.copy(dedicated.buf, dedicated.filled, r.rd, r.rd + n);
    r.consume(n);
    dedicated.filled += n;
    if (dedicated.filled < size) return false;
    finishOneShot(s)(s.owner as never, dedicated.buf);
    return true;
  }
  if (r.pending < size) return false;
  const view = r.buf.subarray(r.rd, r.rd + size);
  r.consume(size);
  finishOneShot(s)(s.owner as never, view);
  return true;
}
