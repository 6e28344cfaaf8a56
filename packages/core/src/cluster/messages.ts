/**
 * The IPC messages between the primary and its workers. Every one carries `mws` (its kind), so other
 * users of the channel (prom-client's cluster aggregation, the application's own messages) pass by.
 */

/** A worker's servers all listen: their addresses (host, port), in setup's order. */
export interface ReadyMessage { mws: 'ready'; addresses: Array<[string, number]> }
/** The primary asks a worker to drain (graceful stop of every server) and exit 0. */
export interface StopMessage { mws: 'stop' }
/** A worker's ClusterBus subscribes to a pattern (its first local listener) or leaves it (its last). */
export interface SubMessage { mws: 'sub' | 'unsub'; pattern: string }
/** A published message: worker → primary (to route), primary → the workers whose patterns match. */
export interface PubMessage { mws: 'pub'; topic: string; data: Uint8Array; binary: boolean; event: string | null }

export type WorkerMessage = ReadyMessage | SubMessage | PubMessage;
export type PrimaryMessage = StopMessage | PubMessage;

/** True for a message of ours whose `mws` is one of `kinds`. */
export function isMws<K extends string>(m: unknown, kinds: readonly K[]): m is { mws: K } {
  return typeof m === 'object' && m !== null && kinds.includes((m as { mws?: K }).mws as K);
}

/**
 * The bytes of a message's data as a Buffer. The primary sets up `serialization: 'advanced'`, which keeps
 * Buffers; with Node's JSON channel (a primary not made by startCluster) they arrive as `{ type, data }`.
 */
export function dataOf(d: unknown): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (d instanceof Uint8Array) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const j = d as { type?: string; data?: number[] } | null;
  if (j !== null && typeof j === 'object' && j.type === 'Buffer' && Array.isArray(j.data)) return Buffer.from(j.data);
  return Buffer.alloc(0);
}
