/**
 * Failed logins per client address: after each failure the next attempt must wait (exponential back-off);
 * after `maxAttempts` failures in a row the address is locked out for `lockoutSec`. A success forgets the
 * address. The table is bounded: beyond MAX_ENTRIES, the entry least recently failed is forgotten first
 * (a Map keeps insertion order; a failure re-inserts its entry at the end).
 */

const MAX_ENTRIES = 10_000;

export interface RateLimitSettings {
  /** Failures in a row before a lock-out. */
  maxAttempts: number;
  /** Wait after the first failure (ms); doubled after each next one, up to the lock-out. */
  backoffMs: number;
  /** Lock-out length (s). */
  lockoutSec: number;
}

interface Entry { failures: number; until: number }

/** What a failure led to: the wait before the next attempt, and whether it is the lock-out. */
export interface FailureVerdict { failures: number; waitMs: number; lockedOut: boolean }

export class LoginRateLimit {
  private readonly _entries = new Map<string, Entry>();
  private readonly _s: RateLimitSettings;
  private readonly _now: () => number;

  constructor(settings: RateLimitSettings, now: () => number = Date.now) {
    this._s = settings;
    this._now = now;
  }

  /** 0 when `address` may try now, else the milliseconds it must still wait. */
  waitMs(address: string): number {
    const e = this._entries.get(address);
    if (e === undefined) return 0;
    const left = e.until - this._now();
    if (left > 0) return left;
    // A lock-out that ran out starts the count afresh; a back-off keeps counting towards the lock-out.
    if (e.failures >= this._s.maxAttempts) this._entries.delete(address);
    return 0;
  }

  fail(address: string): FailureVerdict {
    const prev = this._entries.get(address);
    const failures = (prev?.failures ?? 0) + 1;
    const lockedOut = failures >= this._s.maxAttempts;
    const waitMs = lockedOut ? this._s.lockoutSec * 1000 : this._s.backoffMs * 2 ** (failures - 1);
    this._entries.delete(address);
    if (this._entries.size >= MAX_ENTRIES) this._entries.delete(this._entries.keys().next().value as string);
    this._entries.set(address, { failures, until: this._now() + waitMs });
    return { failures, waitMs, lockedOut };
  }

  succeed(address: string): void {
    this._entries.delete(address);
  }

  get size(): number { return this._entries.size; }
}
