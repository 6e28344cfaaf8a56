/**
 * The newcomers waiting for a slot (`poolFullWaitMs`): in the order they are served when slots come back.
 *
 * Newest first (adaptive LIFO, as overloaded services queue): a burst that filled the queue — an
 * attacker's reconnections, a crowd of downloads — is older than the legitimate newcomer that just
 * arrived, which therefore waits only for the next free slot instead of behind all of them; the old ones
 * reach their deadline and are refused.
 *
 * Before that, by the owner's rank (`parkRank`, lower first): core ranks a newcomer by how many
 * connections its address group holds, so a crowd from one address that arrives just after another
 * address's newcomer does not pass it (newest first alone let a batch of 40 downloads that came 10 ms
 * after a legitimate request take every slot that came back for ~400 ms: bench/src/static-burst.js).
 */
import type * as net from 'node:net';

/** One waiting newcomer. */
export interface Parked {
  readonly sock: net.Socket;
  /** Refused when still waiting at this time (ms since the epoch). */
  readonly until: number;
  /** Its remote address, as the rank reads it. */
  readonly host: string;
  /** Arrival order (set by the queue). */
  seq?: number;
}

/**
 * Newcomers waiting at most (each holds a descriptor and a socket object, no slot): beyond, the oldest
 * waiting one is refused, so a flood cannot grow the wait list without end (and, newest first, the
 * newcomer that just arrived keeps its chance).
 */
export const MAX_PARKED = 256;

export class ParkQueue {
  /** Arrival order. */
  private _list: Parked[] = [];
  private _seq = 0;

  get length(): number { return this._list.length; }

  /** Adds `p`; returns the oldest waiting one when the queue was full (the caller refuses it), else null. */
  push(p: Parked): Parked | null {
    const old = this._list.length >= MAX_PARKED ? this._list.shift()! : null;
    p.seq = this._seq++;
    this._list.push(p);
    return old;
  }

  /**
   * Takes every waiting newcomer out, in serving order: lowest `rank` first, newest first among equals.
   * Those not served go back with {@link putBack}; newcomers parked meanwhile wait in the queue.
   */
  takeAll(rank: ((host: string) => number) | null, onError: (err: unknown) => void): Parked[] {
    const list = this._list;
    list.reverse();
    if (rank !== null && list.length > 1) {
      // Ranked once per pass (a rank changes as the pass binds newcomers, but one pass is a moment); a rank
      // that throws counts as 0, and nobody leaves the queue without being served, kept or refused.
      const keyed = list.map((p, i) => {
        let r = 0;
        try { r = rank(p.host); } catch (err) { onError(err); }
        return { p, r, i };
      });
      keyed.sort((a, b) => a.r - b.r || a.i - b.i); // newest first among equals
      for (let k = 0; k < keyed.length; k++) list[k] = keyed[k]!.p;
    }
    this._list = [];
    return list;
  }

  /**
   * Those of a pass still waiting (`kept`, in serving order) go back, ahead of the newcomers parked
   * meanwhile in arrival order (they are older).
   */
  putBack(kept: Parked[]): void {
    if (kept.length === 0) return;
    kept.sort((a, b) => a.seq! - b.seq!);
    this._list = kept.concat(this._list);
  }

  /** Takes every waiting newcomer out, in arrival order (the listener closes). */
  drain(): Parked[] {
    const list = this._list;
    this._list = [];
    return list;
  }
}
