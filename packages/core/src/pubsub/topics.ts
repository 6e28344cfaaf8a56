/**
 * `Topics`: a server's side of pub/sub. Local subscribers (WebSockets, event streams, anything with a
 * `deliver` method) subscribe to patterns here; `Topics` subscribes to its {@link Bus} once per distinct
 * pattern, and hands each message the bus delivers to the subscribers of that pattern — once per
 * subscriber, even when several of its patterns match. Publishing goes through the bus, so several servers
 * (an HTTP and an HTTPS one) sharing a bus share their topics, and a cross-process bus spans processes.
 * Subscribers that take batches (`deliverBatch`, a WebSocket) get a turn's messages in the loop's check
 * phase (two turns' while publishing is continuous), in one call with one shared buffer (pattern-entry.ts).
 */
import { invalidOption } from '../base/errors';
import { type Bus, InProcessBus, isBus } from './bus';
import { makeMessage, type PublishData, type PublishOptions, type TopicMessage } from './message';
import { checkPattern, checkTopic, topicMatches } from './topic-name';
import { PatternEntry, SubscriberRecord, type TopicSubscriber } from './pattern-entry';

export type { TopicSubscriber } from './pattern-entry';

/** Counters of a server's topics (`srv.topics.stats`), for metrics. */
export interface TopicsStats {
  /** Publishes made through these topics (`publish`). */
  published: number;
  /** Messages handed to local subscribers (one per subscriber per message; observers such as SSE histories not counted). */
  delivered: number;
  /** Messages a subscriber could not take (a slow client's full queue): subscribers add to it. */
  dropped: number;
}

export class Topics {
  /** Called when a subscriber's `deliver` throws (default: console.error); the others still get the message. */
  onError: (err: unknown) => void = (err) => { console.error('topic subscriber threw:', err); };
  /** Published, delivered and dropped messages (see {@link TopicsStats}). */
  readonly stats: TopicsStats = { published: 0, delivered: 0, dropped: 0 };
  private _bus: Bus;
  private readonly _patterns = new Map<string, PatternEntry>();
  private readonly _records = new Map<TopicSubscriber, SubscriberRecord>();
  /** Entries with batched messages not yet flushed. */
  private _dirty: PatternEntry[] = [];
  /** A flush ran and publishing has not paused for a whole loop turn since (see `_enlist`). */
  private _hot = false;
  private _coolScheduled = false;
  private readonly _enlist = (e: PatternEntry): void => {
    // Batched messages are written in the check phase (setImmediate), not after each callback: the
    // messages that the callbacks of one poll phase publish (a chat's incoming messages) leave in one
    // write per subscriber, as uWebSockets.js drains its topic tree once per loop iteration.
    // Flush consolidation (as Netty's FlushConsolidationHandler): while publishing is continuous — a
    // flush ran and no loop turn has passed without a publish since — the flush waits one more turn, so
    // each subscriber gets two turns' messages in one write. A subscriber's write costs about the same for
    // 1 KiB as for 2 KiB (a system call and the loopback or NIC path): under load this halves the
    // fan-out's system calls (bench/README.md, "The floor under a fan-out"), at the cost of one loop turn
    // of delay, which under load is the duration of a turn. Publishing that pauses never waits for it.
    // The flush is queued once the publishing callback has returned (a microtask), so that it runs behind
    // the immediates that callback queued: a producer that publishes a batch and yields with setImmediate
    // to publish the next one gets both batches into one write, in the same check phase (no later).
    if (this._dirty.length === 0) queueMicrotask(this._schedule);
    this._dirty.push(e);
  };
  private readonly _schedule = (): void => { setImmediate(this._hot ? this._flushNextTurn : this._flushTurn); };
  /** The flush goes one loop turn later (continuous publishing). */
  private readonly _flushNextTurn = (): void => { setImmediate(this._flushTurn); };
  private readonly _flushTurn = (): void => { this.flush(); };
  /** A loop turn after a flush: publishing paused if nothing waits to be flushed. */
  private readonly _cool = (): void => {
    this._coolScheduled = false;
    if (this._dirty.length === 0) this._hot = false;
    else this._scheduleCool();
  };

  constructor(bus: Bus = new InProcessBus()) {
    if (!isBus(bus)) throw invalidOption('Topics bus', 'a Bus (publish, subscribe, unsubscribe)', bus);
    this._bus = bus;
  }

  /** The transport. Setting another moves every pattern's subscription to it (e.g. a bus shared by servers). */
  get bus(): Bus { return this._bus; }
  set bus(bus: Bus) {
    if (!isBus(bus)) throw invalidOption('bus', 'a Bus (publish, subscribe, unsubscribe)', bus);
    if (bus === this._bus) return;
    for (const [p, e] of this._patterns) { this._bus.unsubscribe(p, e.listener); bus.subscribe(p, e.listener); }
    this._bus = bus;
  }

  /**
   * Publishes `data` on `topic` (strings as text, bytes as binary, other values as JSON text). Every
   * subscriber of a matching pattern, on every server sharing the bus, gets it once. Returns the message.
   */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage {
    const m = makeMessage(topic, data, options);
    this.stats.published++;
    this._bus.publish(m);
    return m;
  }

  /** Subscribes `sub` to `pattern` (MQTT-style `+` / `#`). False when it already was. */
  subscribe(pattern: string, sub: TopicSubscriber): boolean {
    checkPattern('subscribe topic', pattern);
    if (sub === null || typeof sub !== 'object' || typeof sub.deliver !== 'function') throw invalidOption('subscriber', 'an object with deliver(message)', sub);
    let rec = this._records.get(sub);
    if (rec === undefined) { rec = new SubscriberRecord(sub); this._records.set(sub, rec); }
    if (rec.patterns.has(pattern)) return false;
    rec.patterns.add(pattern);
    let e = this._patterns.get(pattern);
    if (e === undefined) {
      e = new PatternEntry((err) => this.onError(err), this.stats, this._enlist);
      this._patterns.set(pattern, e);
      this._bus.subscribe(pattern, e.listener);
    }
    // A second pattern: per message from now on (one delivery per message across patterns), after what its batch holds.
    const prev = rec.batchedIn;
    if (prev !== null) { prev.remove(rec); prev.add(rec, false); }
    e.add(rec, rec.batchable && rec.patterns.size === 1);
    return true;
  }

  /** Unsubscribes `sub` from `pattern`. False when it was not subscribed. */
  unsubscribe(pattern: string, sub: TopicSubscriber): boolean {
    const rec = this._records.get(sub);
    if (rec === undefined || !rec.patterns.delete(pattern)) return false;
    if (rec.patterns.size === 0) this._records.delete(sub);
    const e = this._patterns.get(pattern)!;
    e.remove(rec);
    if (e.records.size === 0) { this._patterns.delete(pattern); this._bus.unsubscribe(pattern, e.listener); }
    if (rec.batchable && rec.patterns.size === 1) {
      // Back to one pattern: batched again, from the messages that come after this point.
      const only = this._patterns.get(rec.patterns.values().next().value!)!;
      only.remove(rec);
      only.add(rec, true);
    }
    return true;
  }

  /** Unsubscribes `sub` from everything (a closed connection). Returns how many patterns it had. */
  unsubscribeAll(sub: TopicSubscriber): number {
    const rec = this._records.get(sub);
    if (rec === undefined) return 0;
    const n = rec.patterns.size;
    for (const p of [...rec.patterns]) this.unsubscribe(p, sub);
    return n;
  }

  /**
   * Writes now what the batched subscribers have not had yet (it is otherwise written at the end of this
   * or the next loop turn). The server calls it when its graceful `stop()` begins, so that nothing
   * published before is lost when the connections close.
   */
  flush(): void {
    if (this._dirty.length === 0) return;
    const list = this._dirty;
    try {
      // Index loop: a delivery that publishes enlists entries of the next batch here too.
      for (let i = 0; i < list.length; i++) {
        try { list[i]!.flush(); } catch (err) { this.onError(err); }
      }
    } finally {
      // Reset even when onError throws: else no flush would ever be scheduled again.
      this._dirty = [];
      this._hot = true;
      this._scheduleCool();
    }
  }

  private _scheduleCool(): void {
    if (this._coolScheduled) return;
    this._coolScheduled = true;
    setImmediate(this._cool);
  }

  /**
   * Hands `sub` now the messages of this turn it takes in a batch and has not had yet. A subscriber that
   * writes something else (a WebSocket's own send, a close) calls it first, so its messages keep their order.
   */
  flushPending(sub: TopicSubscriber): void {
    const rec = this._records.get(sub);
    if (rec !== undefined && rec.batchedIn !== null) rec.batchedIn.flushOne(rec);
  }

  /** The patterns `sub` is subscribed to. */
  subscriptions(sub: TopicSubscriber): string[] {
    return [...(this._records.get(sub)?.patterns ?? [])];
  }

  /** How many local subscribers would get a message published on `topic` (each counted once). */
  subscribers(topic: string): number {
    checkTopic('subscribers topic', topic);
    const all = new Set<SubscriberRecord>();
    let n = 0;
    for (const [p, e] of this._patterns) {
      if (!topicMatches(p, topic)) continue;
      for (const r of e.records) if (r.counted && !all.has(r)) { all.add(r); n++; }
    }
    return n;
  }

  /** Local subscribers (with at least one pattern), observers included. */
  get size(): number { return this._records.size; }
}
