/**
 * One shared, coarse timer for every timeout of a pool (undici's lesson: a timer per socket costs more
 * than the timeouts are worth). Entries carry an absolute deadline; one interval, running only while
 * something is armed, fires the ones that are due. Precision is the tick (default 250 ms), which is
 * plenty for timeouts counted in seconds.
 */
/**
 * What the coarse timer fires: a deadline and what to do then. A connection's receive timeout is its
 * timers object itself (client-timers.ts): no entry object of its own per idle connection.
 */
export abstract class Timed {
  /**
   * When it fires, in ms on its timer's clock ({@link CoarseTimer.toEpoch} makes it a `Date.now()` time);
   * 0 when not armed. A small integer (ms since the timer was made): V8 keeps it unboxed, where an epoch
   * time, above 2^31, would be a heap number of its own per entry.
   */
  deadline = 0;
  /**
   * Set by {@link CoarseTimer.touch}: the timeout (ms) to count again from the next tick, 0 when none.
   * The deadline stays as it was until then.
   */
  touchMs = 0;
  abstract onTimeout(): void;
}

export class TimerEntry extends Timed {
  /**
   * @param target receives `onTimer(kind)`: one method per owner instead of a closure per entry keeps
   *   idle connections small.
   */
  constructor(readonly target: { onTimer(kind: number): void }, readonly kind = 0) { super(); }
  onTimeout(): void { this.target.onTimer(this.kind); }
}

/** A deadline past this (ms on a timer's clock, ~6 days) moves the clock's origin forward (see _rebase). */
const REBASE_AFTER = 2 ** 29;

/** `x` as an int32 when it is one (V8 then stores it in the field itself, no heap number). */
function small(x: number): number { return x < 0x7fffffff ? x | 0 : x; }

export class CoarseTimer {
  readonly tickMs: number;
  private readonly _armed = new Set<Timed>();
  private _interval: NodeJS.Timeout | null = null;
  /** The clock's origin: deadlines count from here (1 ms back, so that an armed deadline is never 0). */
  private _origin = Date.now() - 1;

  constructor(tickMs = 250) {
    this.tickMs = tickMs;
  }

  /** Arms (or re-arms) `entry` to fire in `ms` milliseconds. */
  arm(entry: Timed, ms: number): void {
    // Re-arming an armed entry only moves its deadline: no Set traffic on the hot path.
    if (entry.deadline === 0) {
      if (this._armed.size === 0) this._start();
      this._armed.add(entry);
    }
    entry.deadline = small(Date.now() - this._origin + ms);
    entry.touchMs = 0;
  }

  /**
   * Re-arms an armed `entry` to fire `ms` after now, counted from the next tick: no clock read here (a
   * connection's receive timeout is moved once per request, and `Date.now()` was ~2% of a small request's
   * instructions). It then fires between `ms` and `ms` + two ticks from now, never before; until that
   * tick its deadline is the one it had. Not armed: armed as by {@link arm}.
   */
  touch(entry: Timed, ms: number): void {
    if (entry.deadline === 0) this.arm(entry, ms);
    else entry.touchMs = ms;
  }

  disarm(entry: Timed): void {
    entry.touchMs = 0;
    if (entry.deadline === 0) return;
    entry.deadline = 0;
    this._armed.delete(entry);
    if (this._armed.size === 0) this._stop();
  }

  get armedCount(): number { return this._armed.size; }

  /**
   * When `entry` fires, as a `Date.now()` time (0: not armed); a touched entry's is counted from now, as
   * the next tick will count it.
   */
  dueAt(entry: Timed): number {
    return entry.touchMs !== 0 ? Date.now() + entry.touchMs : this.toEpoch(entry.deadline);
  }

  /** A deadline as a `Date.now()` time (0 stays 0: not armed). */
  toEpoch(deadline: number): number { return deadline === 0 ? 0 : deadline + this._origin; }

  /** Stops the interval and forgets every entry (pool stop). */
  clear(): void {
    for (const e of this._armed) { e.deadline = 0; e.touchMs = 0; }
    this._armed.clear();
    this._stop();
  }

  private _start(): void {
    if (this._interval !== null) return;
    this._interval = setInterval(() => this._tick(), this.tickMs);
    // The sockets whose timeouts these are keep the process alive; the timer alone must not.
    this._interval.unref();
  }

  private _stop(): void {
    if (this._interval === null) return;
    clearInterval(this._interval);
    this._interval = null;
  }

  private _tick(): void {
    const now = Date.now() - this._origin;
    let due: Timed[] | null = null;
    for (const e of this._armed) {
      // Touched since the last tick: its timeout counts from now (late by at most this tick, never early).
      if (e.touchMs !== 0) { e.deadline = small(now + e.touchMs); e.touchMs = 0; }
      if (e.deadline <= now) (due ??= []).push(e);
    }
    if (due !== null) {
      for (const e of due) {
        // A callback may have disarmed or re-armed an entry fired in the same tick: honour that.
        if (e.deadline === 0 || e.deadline > now) continue;
        this._armed.delete(e);
        e.deadline = 0;
        e.onTimeout();
      }
    }
    if (now > REBASE_AFTER) this._rebase(now);
    if (this._armed.size === 0) this._stop();
  }

  /**
   * Moves the clock's origin `by` ms forward so that deadlines stay small integers. Runs after the due
   * entries fired: every armed deadline is past `by`, so it stays at least 1 (armed).
   */
  private _rebase(by: number): void {
    for (const e of this._armed) e.deadline = small(e.deadline > by ? e.deadline - by : 1);
    this._origin += by;
  }
}
