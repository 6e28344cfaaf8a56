import type { XClosedReason } from './closed-reason';
import type { CoarseTimer } from './coarse-timer';

/*
 * The contract between the pool and its members, below both: pool.ts knows its members only as
 * `PoolMember`, and a member (socket.ts) knows of its pool only `MemberPool`. The internal operations
 * are on symbol keys, so they stay off the public API without an `_underscore` member read across files.
 */

/** A member's "end now, without grace" (the pool's stop after its grace period; timeouts; errors). */
export const kDestroyNow: unique symbol = Symbol('xasync.destroyNow');
/** The pool's side of a member's life: a member joins when it is created and leaves once closed. */
export const kJoin: unique symbol = Symbol('xasync.join');
export const kLeave: unique symbol = Symbol('xasync.leave');

/** What the pool knows of a member (servers, connections, datagram sockets). */
export interface PoolMember {
  /** True once the member is fully closed and its slot (if any) released. */
  readonly isClosed: boolean;
  /** The reason it closed (or is closing for), null while open. */
  readonly closedReason: XClosedReason | null;
  /** Closes gracefully (the pool's `stop()`). */
  close(): void;
  /** @internal Ends the member now, without grace. */
  [kDestroyNow](): void;
}

/** What a member needs of its pool: the shared timer, the error sink for user callbacks, registration. */
export interface MemberPool {
  readonly timer: CoarseTimer;
  readonly onCallbackError: (err: unknown, socket: object) => void;
  /** @internal */
  [kJoin](member: PoolMember): void;
  /** @internal */
  [kLeave](member: PoolMember): void;
}
