/**
 * Close codes (RFC 6455 §7.4.1) and this module's error codes.
 */
import { shownValue } from '@microwebsrv/core';

/** The close status codes this module sends or reports (RFC 6455 §7.4.1). */
export const CloseCodes = {
  /** §7.4.1: normal closure. */
  NORMAL: 1000,
  /** §7.4.1: going away (server stopping, no accept callback, unanswered ping). */
  GOING_AWAY: 1001,
  /** §7.4.1: protocol error (unmasked client frame, reserved opcode, bad framing). */
  PROTOCOL_ERROR: 1002,
  /** §7.4.1: a data type the endpoint cannot accept. */
  UNSUPPORTED_DATA: 1003,
  /** §7.4.1: reserved — no status code was present in the peer's Close frame. */
  NO_STATUS: 1005,
  /** §7.4.1: reserved — the connection closed without a Close frame. */
  ABNORMAL: 1006,
  /** §7.4.1: a text message that is not valid UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** §7.4.1: policy violation. */
  POLICY_VIOLATION: 1008,
  /** §7.4.1: a message above maxRecvMessageLength. */
  MESSAGE_TOO_BIG: 1009,
  /** §7.4.1: an unexpected condition (a handler that threw). */
  INTERNAL_ERROR: 1011,
} as const;

/** Stable error codes of this module (thrown on API misuse; ERR_MWS_WS_CLOSED: a stream's error). */
export const WsErrorCodes = {
  ERR_MWS_WS_INVALID_OPTION: 'an option or argument has an invalid value',
  ERR_MWS_WS_INVALID_CLOSE_CODE: 'close(code): not a code an endpoint may send (RFC 6455 §7.4)',
  ERR_MWS_WS_CLOSED: 'a WebSocket stream: the socket closed (abnormally, or with writes still waiting)',
} as const;
export type WsErrorCode = keyof typeof WsErrorCodes;

/** An API-misuse error with a stable `code`. */
export class WsError extends Error {
  readonly code: WsErrorCode;
  constructor(code: WsErrorCode, message: string) {
    super(message);
    this.name = 'WsError';
    this.code = code;
  }
}

/** Throws ERR_MWS_WS_INVALID_OPTION naming the option and what was expected. */
export function invalid(name: string, expected: string, got: unknown): WsError {
  return new WsError('ERR_MWS_WS_INVALID_OPTION', `${name} must be ${expected} (got ${shownValue(got)})`);
}

/** RFC 6455 §7.4.1–7.4.2: codes an endpoint may put in a Close frame. */
export function isSendableCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999));
}
