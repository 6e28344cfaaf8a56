/**
 * MicroWebSrv2's presets, numbers kept for slots / slot size / max request content; the listen backlog
 * raised to Node's default (511) so a burst of connections is not held back by SYN retries (issue 18),
 * and the defences of docs/availability.md sized to each.
 * The slot pool is the memory budget: bufferSlotsCount × bufferSlotSize bytes, and as many live connections.
 */
export interface PresetValues {
  connQueueCapacity: number;
  bufferSlotsCount: number;
  bufferSlotSize: number;
  keepAllocBufferSlots: boolean;
  maxRequestContentLength: number;
  /** Memory all request bodies being buffered may hold at once (0: no budget). */
  maxBufferedBodyBytes: number;
  /** A request body must keep this rate after the grace period (0: off). */
  minBodyRateBytesPerSec: number;
  bodyRateGraceSec: number;
  /** A response must drain at this rate, measured over windows of sendRateWindowSec (0: off). */
  minSendRateBytesPerSec: number;
  sendRateWindowSec: number;
  /** Most connections per client address group (0: no cap). */
  maxConnectionsPerAddress: number;
  /** A newcomer that finds the pool full and nothing to evict waits this long for a slot, then 503 (0: 503 at once). */
  poolFullWaitSec: number;
}

/** The defences, by pool size: 500 B/s is mod_reqtimeout's default MinRate. */
const GUARDS_SMALL = { minBodyRateBytesPerSec: 500, bodyRateGraceSec: 3, minSendRateBytesPerSec: 1024, sendRateWindowSec: 3, maxConnectionsPerAddress: 0, poolFullWaitSec: 1 };
const GUARDS = { minBodyRateBytesPerSec: 500, bodyRateGraceSec: 5, minSendRateBytesPerSec: 1024, sendRateWindowSec: 5, maxConnectionsPerAddress: 0, poolFullWaitSec: 1 };

export const PRESETS = {
  Embedded: { connQueueCapacity: 64, bufferSlotsCount: 16, bufferSlotSize: 1024, keepAllocBufferSlots: true, maxRequestContentLength: 16 * 1024, maxBufferedBodyBytes: 64 * 1024, ...GUARDS_SMALL },
  Light: { connQueueCapacity: 511, bufferSlotsCount: 128, bufferSlotSize: 1024, keepAllocBufferSlots: true, maxRequestContentLength: 512 * 1024, maxBufferedBodyBytes: 8 * 1024 * 1024, ...GUARDS_SMALL },
  Normal: { connQueueCapacity: 511, bufferSlotsCount: 512, bufferSlotSize: 4 * 1024, keepAllocBufferSlots: true, maxRequestContentLength: 2 * 1024 * 1024, maxBufferedBodyBytes: 64 * 1024 * 1024, ...GUARDS },
  Large: { connQueueCapacity: 1024, bufferSlotsCount: 2048, bufferSlotSize: 16 * 1024, keepAllocBufferSlots: true, maxRequestContentLength: 8 * 1024 * 1024, maxBufferedBodyBytes: 256 * 1024 * 1024, ...GUARDS },
} as const satisfies Record<string, PresetValues>;

export type PresetName = keyof typeof PRESETS;
