import { XClosedReason } from './closed-reason';
import { XAsyncError } from './errors';
import type { XAsyncTCPClient } from './tcp-client';

/** The one receive pending on a connection (XAsyncSockets allows one at a time). */
export enum RecvMode {
  None,
  /** asyncRecvLine: one line, CR LF stripped. */
  Line,
  /** asyncRecvData: exactly N bytes. */
  Data,
  /** asyncRecvRaw: a persistent parser callback that says how much it consumed. */
  Raw,
}

/**
 * A protocol parser's receive callback: unconsumed bytes are `buf[start, end)` (a view of the slot,
 * valid during the call). Return how many bytes were consumed from `start` (0 to wait for more).
 */
export type RawReceiver = (client: XAsyncTCPClient, buf: Buffer, start: number, end: number) => number;

const LF = 0x0a;
const CR = 0x0d;

/** Hands the slot's unconsumed bytes to the pending receive, as far as it will take them. */
export function dispatchReceive(c: XAsyncTCPClient): void {
  if (c._dispatching) return; // a callback set the next receive: the outer loop delivers it
  c._dispatching = true;
  const r = c._reader;
  try {
    while (r.pending > 0 && !c.isClosing && !c.isClosed) {
      const mode = c._recvMode;
      if (mode === RecvMode.Raw) {
        const n = c._raw!(c, r.buf, r.rd, r.wr);
        if (!(n >= 0 && n <= r.pending && Number.isInteger(n))) {
          throw new XAsyncError('ERR_XAS_INVALID_ARG', `a raw receiver must return an integer from 0 to ${r.pending}, got ${String(n)}`);
        }
        if (n === 0) break;
        r.consume(n);
      } else if (mode === RecvMode.Line) {
        if (!deliverLine(c)) break;
      } else if (mode === RecvMode.Data) {
        if (!deliverData(c)) break;
      } else {
        break;
      }
    }
  } catch (err) {
    // A receiver that throws has lost track of the stream: the connection cannot go on.
    c.pool.onCallbackError(err, c);
    c._fail(XClosedReason.Error, err instanceof Error ? err : new Error(String(err)));
  } finally {
    c._dispatching = false;
  }
}

function finishOneShot(c: XAsyncTCPClient): (client: XAsyncTCPClient, v: any) => void {
  const cb = c._recvCb!;
  c._recvMode = RecvMode.None;
  c._recvCb = null;
  c._recvDedicated = null;
  c.pool.timer.disarm(c._recvTimer);
  return cb;
}

function deliverLine(c: XAsyncTCPClient): boolean {
  const r = c._reader;
  const at = r.buf.indexOf(LF, r.rd);
  if (at === -1 || at >= r.wr) {
    if (r.full) {
      c._fail(XClosedReason.Error, new XAsyncError('ERR_XAS_LINE_TOO_LONG', `a received line is longer than the slot (${r.size} bytes)`));
    }
    return false;
  }
  const end = at > r.rd && r.buf[at - 1] === CR ? at - 1 : at;
  const line = r.buf.toString('utf8', r.rd, end);
  r.consume(at + 1 - r.rd);
  finishOneShot(c)(c, line);
  return true;
}

function deliverData(c: XAsyncTCPClient): boolean {
  const r = c._reader;
  const dedicated = c._recvDedicated;
  if (dedicated !== null) {
    const n = Math.min(r.pending, c._recvSize - c._recvFilled);
    r.buf.copy(dedicated, c._recvFilled, r.rd, r.rd + n);
    r.consume(n);
    c._recvFilled += n;
    if (c._recvFilled < c._recvSize) return false;
    finishOneShot(c)(c, dedicated);
    return true;
  }
  if (r.pending < c._recvSize) return false;
  const view = r.buf.subarray(r.rd, r.rd + c._recvSize);
  r.consume(c._recvSize);
  finishOneShot(c)(c, view);
  return true;
}
