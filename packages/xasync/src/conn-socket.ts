/**
 * What the xasync helpers use of a connection's socket: Node's net.Socket has it all, and an accepted
 * connection's HandleSocket (handle-socket.ts: its libuv handle without a net.Socket) implements it.
 */
export interface ConnSocket {
  readonly destroyed: boolean;
  /** Bytes queued and not yet taken by the kernel (see `queueIncludesHandle`). */
  readonly writableLength: number;
  readonly writableCorked: number;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly connecting: boolean;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  /**
   * True when `writableLength` already counts libuv's queue (a HandleSocket): a direct write still in
   * libuv is in it. A net.Socket's counts only Node's own stream queue.
   */
  readonly queueIncludesHandle?: boolean;
  /**
   * With `queueIncludesHandle`: true when none of this socket's own writes is in libuv's queue or
   * corked. Its queue then holds at most the owner's direct write (direct-write.ts), so with none of
   * those either it is empty: known without asking the handle.
   */
  readonly ownWritesIdle?: boolean;
  write(data: Uint8Array | string, encoding: BufferEncoding, cb?: (err?: Error | null) => void): boolean;
  end(): unknown;
  destroy(err?: Error): unknown;
  cork(): void;
  uncork(): void;
  pause(): unknown;
  resume(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  once(event: 'finish', listener: () => void): unknown;
}

/**
 * The libuv handle under `sock`: a HandleSocket's `handle`, or Node's private `_handle` of a net.Socket
 * (feature-detected by the callers: direct-write.ts, onread-rewrap.ts), or null.
 */
export function streamHandleOf<H = unknown>(sock: ConnSocket): H | null {
  const own = sock as unknown as { handle?: H | null };
  if (own.handle !== undefined) return own.handle;
  // Node's own private member (not ours), as onread-rewrap.ts reads it.
  return ((sock as unknown as { _handle?: H | null })._handle) ?? null;
}
