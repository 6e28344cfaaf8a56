import type { XBufferSlotsStats } from '@microwebsrv/xasync';
import type { GuardStats } from './guards';
import type { DurationStats, RequestCounts } from './request-stats';

/** Connection and request counters (`srv.stats`), with the defences' counters of docs/availability.md. */
export interface ServerStats extends GuardStats {
  /** Connections open now (HTTP, and detached ones such as WebSockets until they close). */
  connections: number;
  /** Responses sent since start. */
  requests: number;
  /** Connections refused for want of a free slot (none could be evicted). */
  refused: number;
  /** The slot pool's counters, null before start. */
  slots: XBufferSlotsStats | null;
  /** Connections accepted since start (refused ones not included). */
  accepted: number;
  /** Responses by method and status class, e.g. `byMethod.GET['2xx']`. */
  byMethod: RequestCounts;
  /** Request durations (head received → response handed to the socket), while `measureDurations` is on. */
  durations: DurationStats;
  /**
   * How accepted connections read (xasync's `zeroCopy` / `copied` counters, since start): into their slot
   * through Node's `onread` re-wrap, or copied from `'data'` chunks (the fallback, taken by itself when
   * the re-wrap is not possible, e.g. on a handle a cluster primary passed over IPC on some Node).
   */
  readPath: { zeroCopy: number; copied: number };
}
