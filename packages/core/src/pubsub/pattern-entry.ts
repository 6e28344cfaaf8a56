/**
 * One pattern of a server's topics: its listener on the bus, and its subscribers, in two groups.
 *
 * - **Per message** (`each`): `deliver(message)` is called for every message, at once. Subscribers under
 *   several patterns are here (a message matching two of their patterns reaches them once), and any
 *   subscriber without `deliverBatch`.
 * - **Per turn** (`batched`): subscribers with `deliverBatch` and exactly one pattern. A publish only
 *   appends the message to the pattern's list (O(1), whatever the number of subscribers); at the flush
 *   (topics.ts: the loop's check phase, or the next one while publishing is continuous) the messages'
 *   encodings are joined once per encoder and every subscriber gets that one shared buffer in one call —
 *   one write per subscriber per flush instead of a call per message per subscriber (uWebSockets.js
 *   drains its topic tree the same way).
 *
 * Order: a batched subscriber has a single pattern, so the turn's list is exactly its messages, in publish
 * order. Anything else it writes in between (a WebSocket's own send) first takes what the list holds for it
 * ({@link PatternEntry.flushOne}), and a subscriber that joins mid-turn starts at the list's current end.
 */
import type { MessageEncoder, TopicMessage } from './message';

/** Turns with more bytes than this are handed over unjoined (`deliverBatch` gets null and the messages). */
export const BATCH_JOIN_MAX_BYTES = 256 * 1024;

/** Anything that receives messages: `deliver` is called once per matching message, in publish order. */
export interface TopicSubscriber {
  deliver(message: TopicMessage): void;
  /** True for an observer that is not an audience (e.g. an SSE history keeper): not counted by `subscribers()`. */
  readonly observer?: boolean;
  /**
   * Optional, with {@link deliverBatch}: the encoder whose bytes a batch joins (a WebSocket frame). Every
   * subscriber with the same encoder and the same messages gets the same Buffer.
   */
  readonly batchEncoder?: MessageEncoder;
  /**
   * Optional: takes the messages of one event-loop turn at once, `messages[from, to)`, instead of a
   * `deliver` per message (used while the subscriber has exactly one pattern). `joined`: their encodings
   * by `batchEncoder`, joined — shared, never to be modified — or null when they are too many bytes to join.
   */
  deliverBatch?(joined: Buffer | null, messages: readonly TopicMessage[], from: number, to: number): void;
}

/** One subscriber's record: its patterns, the last message it got (the dedup across patterns), its batch place. */
export class SubscriberRecord {
  readonly sub: TopicSubscriber;
  readonly patterns = new Set<string>();
  readonly counted: boolean;
  /** It can take batches (`deliverBatch` and `batchEncoder`). */
  readonly batchable: boolean;
  last: TopicMessage | null = null;
  /** The entry whose `batched` group holds it, or null (per message). */
  batchedIn: PatternEntry | null = null;
  /** The entry's turn it joined or was last flushed in, and the position in that turn's list it starts at. */
  turn = 0;
  from = 0;
  constructor(sub: TopicSubscriber) {
    this.sub = sub;
    this.counted = sub.observer !== true;
    this.batchable = typeof sub.deliverBatch === 'function' && typeof sub.batchEncoder === 'object' && sub.batchEncoder !== null;
  }
}

/** The counters a pattern updates (Topics' stats). */
export interface DeliveryStats { delivered: number }

/** The encodings of `messages[from, to)` joined, or null past {@link BATCH_JOIN_MAX_BYTES}. */
export function joinEncoded(messages: readonly TopicMessage[], from: number, to: number, encoder: MessageEncoder): Buffer | null {
  if (to - from === 1) return messages[from]!.encoded(encoder);
  let total = 0;
  for (let i = from; i < to; i++) total += messages[i]!.encoded(encoder).length;
  if (total > BATCH_JOIN_MAX_BYTES) return null;
  const out = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = from; i < to; i++) { const b = messages[i]!.encoded(encoder); b.copy(out, off); off += b.length; }
  return out;
}

export class PatternEntry {
  /** Every subscriber of the pattern. */
  readonly records = new Set<SubscriberRecord>();
  /** Those that get each message at once. */
  readonly each = new Set<SubscriberRecord>();
  /** Those that get the turn's messages at its end. */
  readonly batched = new Set<SubscriberRecord>();
  readonly listener: (message: TopicMessage) => void;
  /** The turn being gathered (increases at each flush) and its messages. */
  turnNo = 1;
  turn: TopicMessage[] = [];
  private _batchedCounted = 0;
  /** The batch encoders of the batched subscribers, with how many use each. */
  private readonly _encoders = new Map<MessageEncoder, number>();
  /** The messages of the turn being flushed, while its loop runs. */
  private _flushing: TopicMessage[] | null = null;
  /**
   * The last part joined for one subscriber ahead of the flush (`flushOne`: its own write, a broadcast, a
   * ping), shared by the next subscriber that asks for the same part: a broadcast to every socket while
   * messages wait for the flush joins them once, not once per socket.
   */
  private _oneMsgs: readonly TopicMessage[] | null = null;
  private _oneFrom = 0;
  private _oneTo = 0;
  private _oneEnc: MessageEncoder | null = null;
  private _oneBuf: Buffer | null = null;
  private readonly _onError: (err: unknown) => void;
  private readonly _stats: DeliveryStats;

  /** `enlist`: called with the entry when its turn gets a first message (the owner flushes it: topics.ts). */
  constructor(onError: (err: unknown) => void, stats: DeliveryStats, enlist: (e: PatternEntry) => void) {
    this._onError = onError;
    this._stats = stats;
    const each = this.each;
    this.listener = (message: TopicMessage): void => {
      if (this.batched.size > 0) {
        if (this.turn.length === 0) enlist(this);
        this.turn.push(message);
        stats.delivered += this._batchedCounted;
        // Encoded now, once per encoder as per-message delivery would: an encoding may number the message
        // (SSE event ids), and numbers must follow publish order across patterns, not flush order.
        for (const e of this._encoders.keys()) message.encoded(e);
      }
      for (const r of each) {
        if (r.last === message) continue; // already delivered under another matching pattern
        r.last = message;
        if (r.counted) stats.delivered++;
        try { r.sub.deliver(message); } catch (err) { onError(err); }
      }
    };
  }

  /** Adds `r` to the per-message group, or (batchable, one pattern) to the per-turn group from the turn's current end. */
  add(r: SubscriberRecord, batched: boolean): void {
    this.records.add(r);
    if (!batched) { this.each.add(r); return; }
    r.batchedIn = this;
    r.turn = this.turnNo;
    r.from = this.turn.length;
    this.batched.add(r);
    if (r.counted) this._batchedCounted++;
    const e = r.sub.batchEncoder!;
    this._encoders.set(e, (this._encoders.get(e) ?? 0) + 1);
  }

  /** Removes `r` from the entry; a batched one first gets what the turn holds for it. */
  remove(r: SubscriberRecord): void {
    this.records.delete(r);
    if (r.batchedIn !== this) { this.each.delete(r); return; }
    this.flushOne(r);
    r.batchedIn = null;
    this.batched.delete(r);
    if (r.counted) this._batchedCounted--;
    const e = r.sub.batchEncoder!;
    const n = this._encoders.get(e)! - 1;
    if (n === 0) this._encoders.delete(e); else this._encoders.set(e, n);
  }

  /** A batched `r` gets now what the turn holds for it (before another write of its own, or leaving). */
  flushOne(r: SubscriberRecord): void {
    const fm = this._flushing;
    if (fm !== null && r.turn < this.turnNo) {
      // Called while the previous turn is being flushed and before `r`'s place in it: that part goes first.
      const from = r.turn === this.turnNo - 1 ? r.from : 0;
      r.turn = this.turnNo;
      r.from = 0;
      if (from < fm.length) this._give(r, fm, from, fm.length, null, false);
    }
    const msgs = this.turn;
    const n = msgs.length;
    const from = r.turn === this.turnNo ? r.from : 0;
    r.turn = this.turnNo;
    r.from = n; // set first: the delivery may write again (a close), which flushes again
    if (from < n) this._give(r, msgs, from, n, null, false);
  }

  /** `messages[from, to)` to `r`: `bytes` when `known`, else joined here. */
  private _give(r: SubscriberRecord, msgs: readonly TopicMessage[], from: number, to: number, bytes: Buffer | null, known: boolean): void {
    if (!known && msgs[from] === r.last) { this._skip(r); if (++from === to) return; }
    // The dedup marker, as per-message delivery sets it: a pattern added during this publish's dispatch
    // (a subscriber switching to per-message delivery) must not give the last of these again.
    r.last = msgs[to - 1]!;
    const joined = known ? bytes : this._joined(msgs, from, to, r.sub.batchEncoder!);
    try { r.sub.deliverBatch!(joined, msgs, from, to); } catch (err) { this._onError(err); }
  }

  /** `messages[from, to)` joined with `enc`: the last part joined is shared by the next one that asks for it. */
  private _joined(msgs: readonly TopicMessage[], from: number, to: number, enc: MessageEncoder): Buffer | null {
    if (msgs === this._oneMsgs && from === this._oneFrom && to === this._oneTo && enc === this._oneEnc) return this._oneBuf;
    const b = joinEncoded(msgs, from, to, enc);
    this._oneMsgs = msgs;
    this._oneFrom = from;
    this._oneTo = to;
    this._oneEnc = enc;
    this._oneBuf = b;
    return b;
  }

  /**
   * The first message of `r`'s part is the one it last got per message: its patterns changed while that
   * message was being dispatched (it was taken off a per-message pattern and batched again, before the
   * message reached this pattern). It is skipped, and was counted once too often.
   */
  private _skip(r: SubscriberRecord): void {
    if (r.counted) this._stats.delivered--;
  }

  /** The turn ends: every batched subscriber gets its messages of the turn; subscribers with one encoder from the start share one Buffer. */
  flush(): void {
    const msgs = this.turn;
    const n = msgs.length;
    const t = this.turnNo;
    // A new turn first: messages published during these deliveries, and subscribers joining now, belong to it.
    this.turn = [];
    this.turnNo = t + 1;
    let enc: MessageEncoder | null = null;
    let shared: Buffer | null = null;
    this._flushing = msgs;
    try {
      for (const r of this.batched) {
        if (r.turn > t) continue; // joined during this flush, or already given its part (flushOne)
        let from = r.turn === t ? r.from : 0;
        r.turn = t + 1;
        r.from = 0;
        if (from >= n) continue;
        if (msgs[from] === r.last) { this._skip(r); if (++from === n) continue; }
        const e = r.sub.batchEncoder!;
        if (from === 0 && e === enc) { this._give(r, msgs, 0, n, shared, true); continue; }
        // Sockets that took the same part ahead of the flush (a broadcast to all) share one join.
        const bytes = from === 0 ? joinEncoded(msgs, 0, n, e) : this._joined(msgs, from, n, e);
        if (from === 0 && enc === null) { enc = e; shared = bytes; }
        this._give(r, msgs, from, n, bytes, true);
      }
    } finally {
      this._flushing = null;
      this._oneMsgs = null; // the turn's parts are written: let them go
      this._oneBuf = null;
    }
  }
}
