import type { XBufferSlots } from './buffer-slots';
import { assertInt, assertSeconds } from './errors';

/** Options of a TCP client, outgoing or accepted. Every field has a default. */
export interface XAsyncTCPClientOptions {
  /** Outgoing only: seconds to establish the connection (default 5). */
  connectTimeoutSec?: number;
  /** Receive buffer size when no `slots` pool is given (default 4096). */
  recvBufLen?: number;
  /** Take the receive buffer from this slot pool (accepted connections always do). */
  slots?: XBufferSlots;
  /**
   * Seconds that queued outgoing bytes may make no progress before the connection is closed with
   * Timeout: the defence against a peer that stops reading (default 30; 0 disables).
   */
  sendTimeoutSec?: number;
  /** Queued outgoing bytes beyond which a further send closes the connection (default 4 MiB). */
  maxSendPending?: number;
  /** Largest `asyncRecvData` size; sizes above the slot get their own buffer (default 16 MiB). */
  maxRecvDataLength?: number;
  /** Seconds a graceful `close()` waits for the peer after flushing, before destroying (default 2). */
  lingerSec?: number;
  /** Disable Nagle's algorithm (default true: with delayed ACKs, Nagle turns small writes into 40 ms stalls). */
  noDelay?: boolean;
}

export interface ResolvedClientOptions {
  connectTimeoutMs: number;
  sendTimeoutMs: number;
  maxSendPending: number;
  maxRecvDataLength: number;
  lingerMs: number;
  noDelay: boolean;
}

export function resolveClientOptions(o: XAsyncTCPClientOptions): ResolvedClientOptions {
  return {
    connectTimeoutMs: assertSeconds('connectTimeoutSec', o.connectTimeoutSec ?? 5) * 1000,
    sendTimeoutMs: assertSeconds('sendTimeoutSec', o.sendTimeoutSec ?? 30) * 1000,
    maxSendPending: assertInt('maxSendPending', o.maxSendPending ?? 4 * 1024 * 1024, 1),
    maxRecvDataLength: assertInt('maxRecvDataLength', o.maxRecvDataLength ?? 16 * 1024 * 1024, 1),
    lingerMs: assertSeconds('lingerSec', o.lingerSec ?? 2) * 1000,
    noDelay: o.noDelay ?? true,
  };
}
