/**
 * Why a socket closed, as XAsyncSockets' XClosedReason. `onClosed(socket, reason)` fires exactly once.
 */
export enum XClosedReason {
  /** A socket error (reset, unreachable, TLS failure, overflow of a bound). */
  Error = 'Error',
  /** This side closed it: `close()`, the pool or the server stopping. */
  ClosedByHost = 'ClosedByHost',
  /** The peer closed its side (FIN). */
  ClosedByPeer = 'ClosedByPeer',
  /** A receive, send, connect or handshake timeout expired. */
  Timeout = 'Timeout',
}
