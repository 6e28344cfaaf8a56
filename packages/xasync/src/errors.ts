/**
 * The xasync error catalogue: every error this package throws or reports carries a stable `code`.
 * Codes never change meaning once released; messages may be improved.
 */
export const XAsyncErrorCodes = {
  /** A constructor or method was given a value outside what it allows. */
  ERR_XAS_INVALID_ARG: 'ERR_XAS_INVALID_ARG',
  /** A slot was released that is not currently acquired (double release or foreign slot). */
  ERR_XAS_SLOT_NOT_ACQUIRED: 'ERR_XAS_SLOT_NOT_ACQUIRED',
  /** A receive was requested while another one is still pending (one at a time, as XAsyncSockets). */
  ERR_XAS_RECV_PENDING: 'ERR_XAS_RECV_PENDING',
  /** A received line did not fit in the connection's slot. */
  ERR_XAS_LINE_TOO_LONG: 'ERR_XAS_LINE_TOO_LONG',
  /** asyncRecvData asked for more than maxRecvDataLength bytes. */
  ERR_XAS_RECV_TOO_LARGE: 'ERR_XAS_RECV_TOO_LARGE',
  /** The slot is full of bytes nobody consumed. */
  ERR_XAS_RECV_OVERFLOW: 'ERR_XAS_RECV_OVERFLOW',
  /** Queued outgoing bytes passed maxSendPending: the peer is not reading. */
  ERR_XAS_SEND_OVERFLOW: 'ERR_XAS_SEND_OVERFLOW',
  /** The UDP send queue passed maxSendQueue datagrams. */
  ERR_XAS_SEND_QUEUE_FULL: 'ERR_XAS_SEND_QUEUE_FULL',
  /** No buffer slot was free for a new connection. */
  ERR_XAS_NO_SLOT: 'ERR_XAS_NO_SLOT',
  /** A receive, send, connect or handshake timeout expired. */
  ERR_XAS_TIMEOUT: 'ERR_XAS_TIMEOUT',
  /** An operation on a socket that is closed or closing. */
  ERR_XAS_CLOSED: 'ERR_XAS_CLOSED',
  /** The pool is stopped or stopping and takes no new sockets. */
  ERR_XAS_POOL_STOPPED: 'ERR_XAS_POOL_STOPPED',
  /** A TLS handshake failed or was started twice. */
  ERR_XAS_TLS: 'ERR_XAS_TLS',
  /** An outgoing connection could not be established. */
  ERR_XAS_CONNECT: 'ERR_XAS_CONNECT',
} as const;

export type XAsyncErrorCode = keyof typeof XAsyncErrorCodes;

/** An error raised by xasync; `code` is one of {@link XAsyncErrorCodes}. */
export class XAsyncError extends Error {
  readonly code: XAsyncErrorCode;
  constructor(code: XAsyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XAsyncError';
    this.code = code;
  }
}

/** Throws ERR_XAS_INVALID_ARG unless `value` is an integer in [min, max]. */
export function assertInt(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new XAsyncError('ERR_XAS_INVALID_ARG',
      `${name} must be an integer from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'Number.MAX_SAFE_INTEGER' : max}, got ${String(value)}`);
  }
  return value;
}

/** Throws ERR_XAS_INVALID_ARG unless `value` is a finite number ≥ min (seconds, for timeouts). */
export function assertSeconds(name: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new XAsyncError('ERR_XAS_INVALID_ARG', `${name} must be a finite number of seconds ≥ ${min}, got ${String(value)}`);
  }
  return value;
}
