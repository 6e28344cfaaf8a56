import type { LogLevelName } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { ResponseDefaults } from './response-defaults';

/**
 * What a response needs from its connection (the engine implements it; tests use a recording sink).
 * `R` is the response type, so that this file needs no import of the response class.
 */
export interface ResponseSink<R = unknown> {
  /** The server, handed to `onSent(server, response)` callbacks. */
  readonly server: ServerRef;
  /** A log line through the server's logger. */
  log(type: LogLevelName, msg: string): void;
  /** The server's response settings (Server line, keep-alive lines, CORS, not-found URL, MIME types). */
  readonly defaults: ResponseDefaults;
  /** The connection may persist after this response (the request asked, the server is not stopping). */
  canKeepAlive(): boolean;
  /**
   * Queues latin1 bytes (heads, ASCII bodies): batched into one write with neighbours. `encoded`, when
   * given, holds the same bytes already encoded (a memoized head), never modified afterwards: the sink
   * may send them as they are (a send that stays queued keeps them) or copy them.
   */
  writeLatin1(s: string, encoded?: Uint8Array | null): void;
  /**
   * Queues bytes; false when the caller should wait (`onceDrain`) before writing more. `onWritten`: called
   * once the socket has written them (not if the connection closes first), in write order — the buffer
   * may be reused from then on (static files' reused read buffers).
   */
  writeBuffer(b: Uint8Array, onWritten?: (() => void) | null): boolean;
  /** Queues a copy of `b`, taken before this returns: the caller reuses `b`'s bytes at once (returnJSON's scratch). */
  writeCopy(b: Uint8Array): void;
  onceDrain(cb: () => void): void;
  /** Sends what is queued now (an open-ended response must not wait for the end of a read). */
  flush(): void;
  /**
   * Holds the connection's writes until `uncork` (as `socket.cork`): an open-ended response writing many
   * small pieces in one turn of the event loop (a fan-out of events) leaves them in one write.
   */
  cork(): void;
  uncork(): void;
  /** Calls `cb` if the connection closes before the response is finished (to stop a stream). */
  onAbort(cb: () => void): void;
  /**
   * Calls `cb` when a graceful stop begins while this response is in progress: an open-ended response
   * (events, long poll) ends itself then, instead of holding `stop()` until its timeout.
   */
  onStop(cb: () => void): void;
  /** Everything is queued; `close`: the framing requires closing the connection after it. */
  finish(resp: R, close: boolean): void;
  /** The response broke half-way (stream error, wrong length): the connection must close now. */
  abort(resp: R, err: Error): void;
  /** A 101 was sent: the connection leaves HTTP. */
  upgraded(resp: R): void;
}
