/**
 * Asynchronous message handlers and reading: while `max` handlers' promises are pending, the socket stops
 * reading (TCP's window fills, the peer slows down), so a slow handler never makes messages pile up in
 * memory. Messages already parsed from the read under way are still delivered (at most one slot's worth).
 */
import { isThenableLike } from './thenable';

/** What the flow needs of its socket. */
export interface FlowSocket {
  /** Stop reading (idempotent with the socket's other reasons to pause). */
  pause(): void;
  /** Reading may go on as far as this flow is concerned. */
  resume(): void;
  /** A handler's promise rejected. */
  failed(err: unknown): void;
}

export class HandlerFlow {
  private readonly _sock: FlowSocket;
  private readonly _max: number;
  private _pending = 0;
  private _paused = false;
  private readonly _ok = (): void => this._settled();
  private readonly _err = (err: unknown): void => { this._settled(); this._sock.failed(err); };

  constructor(sock: FlowSocket, max: number) {
    this._sock = sock;
    this._max = max;
  }

  /** True while reading is held back by pending handlers. */
  get paused(): boolean { return this._paused; }
  /** Handlers whose promise has not settled. */
  get pending(): number { return this._pending; }

  /** A handler returned `result`: a promise holds reading back (at `max` pending) until it settles. */
  track(result: unknown): void {
    if (!isThenableLike(result)) return;
    this._pending++;
    if (this._pending >= this._max && !this._paused) { this._paused = true; this._sock.pause(); }
    result.then(this._ok, this._err);
  }

  private _settled(): void {
    this._pending--;
    if (this._paused && this._pending < this._max) { this._paused = false; this._sock.resume(); }
  }
}
