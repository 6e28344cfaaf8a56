/**
 * The `Bus`: publish / subscribe of topic → message, the transport under a server's topics. The in-process
 * bus delivers synchronously inside one process; a cross-process bus (Redis, NATS…) implements the same
 * three methods and carries `topic`, `data`, `binary` and `event` of each message, so the WebSockets and
 * SSE modules never change with the transport.
 */
import { invalidOption } from '../base/errors';
import type { TopicMessage } from './message';
import { checkPattern } from './topic-name';
import { TopicTree } from './topic-tree';

/** Receives the messages of a pattern it subscribed to. */
export type BusListener = (message: TopicMessage) => void;

/**
 * A message transport. `subscribe` is called once per distinct pattern a server's subscribers use (not
 * once per subscriber); a listener subscribed under two patterns that both match gets the message twice
 * (the server's topics keep only the first).
 */
export interface Bus {
  /** Sends `message` to every listener whose pattern matches its topic, in publish order. */
  publish(message: TopicMessage): void;
  /** Adds `listener` for `pattern` (MQTT-style `+` / `#`). */
  subscribe(pattern: string, listener: BusListener): void;
  /** Removes what `subscribe` added. */
  unsubscribe(pattern: string, listener: BusListener): void;
}

/** True when `v` has a Bus's three methods. */
export function isBus(v: unknown): v is Bus {
  const b = v as Bus | null;
  return typeof b === 'object' && b !== null && typeof b.publish === 'function' && typeof b.subscribe === 'function' && typeof b.unsubscribe === 'function';
}

/**
 * The default bus: inside one process, synchronous. A publish made while another is being delivered (a
 * subscriber that publishes) is queued and delivered after it, so every subscriber sees every publisher's
 * messages in the order they were published. A listener that throws is reported to `onError` and the
 * others still get the message.
 */
export class InProcessBus implements Bus {
  /** Called with a listener's exception (default: console.error). */
  onError: (err: unknown, message: TopicMessage) => void = (err) => { console.error('InProcessBus listener threw:', err); };
  private readonly _tree = new TopicTree<BusListener>();
  private _delivering = false;
  private _queue: TopicMessage[] = [];

  /** Patterns × listeners held. */
  get size(): number { return this._tree.size; }

  publish(message: TopicMessage): void {
    if (this._delivering) { this._queue.push(message); return; }
    this._delivering = true;
    try {
      this._deliver(message);
      // Index loop: deliveries may queue more while we drain.
      for (let i = 0; i < this._queue.length; i++) this._deliver(this._queue[i]!);
    } finally {
      this._queue = [];
      this._delivering = false;
    }
  }

  subscribe(pattern: string, listener: BusListener): void {
    checkPattern('subscribe pattern', pattern);
    if (typeof listener !== 'function') throw invalidOption('subscribe listener', 'a function (message) => void', listener);
    this._tree.add(pattern, listener);
  }

  unsubscribe(pattern: string, listener: BusListener): void {
    this._tree.remove(pattern, listener);
  }

  private _deliver(message: TopicMessage): void {
    this._tree.forEachMatch(message.topic, (l) => {
      try { l(message); } catch (err) { this.onError(err, message); }
    });
  }
}
