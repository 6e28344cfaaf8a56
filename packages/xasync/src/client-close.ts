import type { ClientState } from './client-state';
import type { ClientTimers } from './client-timers';
import type { ReadFlow } from './read-flow';
import { clearReceive } from './recv-modes';

/*
 * The close paths of a connection, over its state: what becomes of the sockets, the pending receive
 * and the timers. The close reason and `onClosed` stay with XAsyncTCPClient (every pool member has them).
 */

/** A close began: the pending receive is dropped, and bytes arriving from now on are discarded. */
export function beginClosing(s: ClientState, flow: ReadFlow): void {
  s.closing = true;
  clearReceive(s);
  flow.dropLeftover();
  s.pool.timer.disarm(s.recvTimer!);
}

/**
 * The graceful end, after {@link beginClosing}: queued bytes are flushed, then FIN, and the sockets are
 * destroyed when the peer closes too or after `lingerMs`. Reading goes on (discarding) so the peer's
 * FIN is seen: closing a socket with unread bytes makes the kernel send RST, which can destroy the
 * response the peer has not read yet (RFC 9112 §9.6).
 */
export function endGracefully(s: ClientState, flow: ReadFlow, timers: ClientTimers): void {
  const out = s.out;
  flow.unpauseForClose();
  out.end();
  if (s.opts.sendTimeoutMs === 0 || out.writableFinished) timers.armMisc('linger', s.opts.lingerMs);
  else out.once('finish', () => timers.armMisc('linger', s.opts.lingerMs));
}

/** Ends the sockets at once, without flushing (RST if bytes are unread). */
export function destroySockets(s: ClientState, flow: ReadFlow): void {
  if (s.finished) return;
  beginClosing(s, flow);
  s.out.destroy();
  if (s.tls) s.sock.destroy();
}

/**
 * The socket's 'close': from now on no read can land in the slot. Stops every timer and makes sure
 * both sockets are gone. Returns false when the close was already handled.
 */
export function socketClosed(s: ClientState, flow: ReadFlow, timers: ClientTimers): boolean {
  if (s.finished) return false;
  s.finished = true;
  beginClosing(s, flow);
  timers.disarmAll();
  if (s.tls && !s.tls.socket.destroyed) s.tls.socket.destroy();
  if (!s.sock.destroyed) s.sock.destroy();
  return true;
}
