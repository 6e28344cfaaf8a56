/**
 * When to start a dead worker again: after a delay that doubles with each death still inside the window
 * (100 ms, 200 ms, … up to maxDelayMs), and not at all once more than maxRestarts deaths fall inside it —
 * a crash loop, which restarting would only feed.
 */
import type { RestartOptions } from './options';

/** The decision for one death: restart after `delayMs`, or give up (`loop`: the deaths in the window). */
export type RestartDecision = { restart: true; delayMs: number } | { restart: false; deaths: number };

export class RestartPolicy {
  private readonly _o: Required<RestartOptions>;
  private _deaths: number[] = [];

  constructor(options: Required<RestartOptions>) { this._o = options; }

  /** Records a death at `now` (ms) and decides. */
  onDeath(now: number): RestartDecision {
    const from = now - this._o.windowSec * 1000;
    this._deaths = this._deaths.filter((t) => t > from);
    this._deaths.push(now);
    const n = this._deaths.length;
    if (n > this._o.maxRestarts) return { restart: false, deaths: n };
    return { restart: true, delayMs: Math.min(this._o.maxDelayMs, this._o.initialDelayMs * 2 ** (n - 1)) };
  }
}
