/**
 * A pattern's bounded history of published events, for clients that reconnect with `Last-Event-ID`
 * (HTML §9.2.4: the client sends the last id it saw). Bounded by count and by age; what falls out is
 * remembered only as the highest id dropped, so a client that asks for older events than that learns it
 * cannot be served (a `reset` event) instead of silently missing some.
 */
import type { TopicMessage, TopicSubscriber } from '@microwebsrv/core';

/** History limits. */
export interface HistoryOptions {
  /** Events kept (default 100; 0: none). */
  count?: number;
  /** Seconds an event is kept (default 300). */
  ageSec?: number;
}

interface Entry { id: number; block: Buffer; at: number }

/**
 * A history kept outside the process, shared by every server process (`ServerSentEventsOptions.
 * historyStore`; @microwebsrv/bus-redis's `RedisBus.history` is one, on Redis streams). The messages it
 * returns carry the ids it gave them (`TopicMessage.id`, the same in every process), which become the
 * event ids, so a client may reconnect to any process with its Last-Event-ID.
 */
export interface HistoryStore {
  /** Keeps what is published on `pattern` from now on (called again for the same pattern: no-op or larger limits). */
  keep(pattern: string, options: HistoryOptions): void;
  /**
   * The messages published on `patterns` after the event `lastId`, oldest first, each once; null when
   * some may be missing (beyond the history, an id it never gave, unreachable): the client gets `reset`.
   */
  since(patterns: readonly string[], lastId: number): Promise<TopicMessage[] | null>;
}

/** True when `v` looks like a {@link HistoryStore}. */
export function isHistoryStore(v: unknown): v is HistoryStore {
  const h = v as HistoryStore | null;
  return typeof h === 'object' && h !== null && typeof h.keep === 'function' && typeof h.since === 'function';
}

/** What a history needs of its module: the shared encoding of a message and its id. */
export interface BlockSource {
  block(message: TopicMessage): Buffer;
  idOf(message: TopicMessage): number;
}

export class EventHistory implements TopicSubscriber {
  /** Not an audience: `srv.subscribers()` does not count it. */
  readonly observer = true;
  private readonly _entries: Entry[] = [];
  private _head = 0;
  private readonly _count: number;
  private readonly _ageMs: number;
  private readonly _src: BlockSource;
  /** Every event with an id up to this one is no longer here (or was before the history existed). */
  private _droppedUpTo: number;

  constructor(src: BlockSource, options: HistoryOptions, startId: number) {
    this._src = src;
    this._count = options.count ?? 100;
    this._ageMs = (options.ageSec ?? 300) * 1000;
    this._droppedUpTo = startId;
  }

  get size(): number { return this._entries.length - this._head; }

  deliver(message: TopicMessage): void {
    const block = this._src.block(message);
    const id = this._src.idOf(message);
    if (this._count === 0) { this._droppedUpTo = id; return; }
    this._entries.push({ id, block, at: Date.now() });
    if (this.size > this._count) this._dropOne();
  }

  /** Drops what is older than the age limit. */
  prune(now: number): void {
    const limit = now - this._ageMs;
    while (this._head < this._entries.length && this._entries[this._head]!.at < limit) this._dropOne();
  }

  /**
   * The events after `lastId`, oldest first, or null when some of them are gone (or `lastId` is newer
   * than anything handed out: a client of another server or of an earlier run).
   */
  since(lastId: number, newest: number): Entry[] | null {
    this.prune(Date.now());
    if (lastId < this._droppedUpTo || lastId > newest) return null;
    const out: Entry[] = [];
    for (let i = this._head; i < this._entries.length; i++) if (this._entries[i]!.id > lastId) out.push(this._entries[i]!);
    return out;
  }

  private _dropOne(): void {
    this._droppedUpTo = this._entries[this._head]!.id;
    this._head++;
    // Compact now and then: shift() on every drop would copy the array each time.
    if (this._head > 64 && this._head * 2 > this._entries.length) { this._entries.splice(0, this._head); this._head = 0; }
  }
}
