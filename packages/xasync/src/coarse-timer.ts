/**
 * One shared, coarse timer for every timeout of a pool (undici's lesson: a timer per socket costs more
 * than the timeouts are worth). Entries carry an absolute deadline; one interval, running only while
 * something is armed, fires the ones that are due. Precision is the tick (default 250 ms), which is
 * plenty for timeouts counted in seconds.
 */
export class TimerEntry {
  /** Absolute deadline in ms (Date.now() clock); 0 when not armed. */
  deadline = 0;
  /**
   * @param target receives `onTimer(kind)`: one method per owner instead of a closure per entry keeps
   *   idle connections small.
   */
  constructor(readonly target: { onTimer(kind: number): void }, readonly kind = 0) {}
  onTimeout(): void { this.target.onTimer(this.kind); }
}

export class CoarseTimer {
  readonly tickMs: number;
  private readonly _armed = new Set<TimerEntry>();
  private _interval: NodeJS.Timeout | null = null;

  constructor(tickMs = 250) {
    this.tickMs = tickMs;
  }

  /** Arms (or re-arms) `entry` to fire in `ms` milliseconds. */
  arm(entry: TimerEntry, ms: number): void {
    // Re-arming an armed entry only moves its deadline: no Set traffic on the hot path.
    if (entry.deadline === 0) {
      if (this._armed.size === 0) this._start();
      this._armed.add(entry);
    }
    entry.deadline = Date.now() + ms;
  }

  disarm(entry: TimerEntry): void {
    if (entry.deadline === 0) return;
    entry.deadline = 0;
    this._armed.delete(entry);
    if (this._armed.size === 0) this._stop();
  }

  get armedCount(): number { return this._armed.size; }

  /** Stops the interval and forgets every entry (pool stop). */
  clear(): void {
    for (const e of this._armed) e.deadline = 0;
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
    const now = Date.now();
    let due: TimerEntry[] | null = null;
    for (const e of this._armed) {
      if (e.deadline <= now) (due ??= []).push(e);
    }
    if (due === null) return;
    for (const e of due) {
      // A callback may have disarmed or re-armed an entry fired in the same tick: honour that.
      if (e.deadline === 0 || e.deadline > now) continue;
      this._armed.delete(e);
      e.deadline = 0;
      e.onTimeout();
    }
    if (this._armed.size === 0) this._stop();
  }
}
