/**
 * `EventStream`: one server-sent events connection (HTML §9.2) over core's open-ended response. Writes go
 * straight to the connection while it keeps up; behind it they wait in a bounded queue (events, not
 * bytes: each is one block, shared with every other stream when it comes from a publish). A full queue
 * drops its oldest event and tells the client with a `gap` event before the next one, or closes the stream
 * (`slowPolicy`): a slow client never grows the server's memory without bound nor holds up the others.
 */
import { invalidOption, type MessageEncoder, type OpenStream, type TopicMessage, type TopicSubscriber } from '@microwebsrv/core';
import { encodeComment, encodeEvent, type EventMessage } from './wire';

/** What to do with a stream whose queue is full. */
export type SlowPolicy = 'drop-oldest' | 'close';

/** What a stream needs of its module (a narrow interface: the stream never sees the module). */
export interface StreamHost {
  /** The coarse clock of heartbeats: increases once per tick. */
  readonly tick: number;
  block(message: TopicMessage): Buffer;
  idOf(message: TopicMessage): number;
  /** The module's event-block encoder (a batch of a turn's messages joins its blocks). */
  readonly encoder: MessageEncoder;
  /** Writes now the topic messages batched for `stream` in this turn (before a write of its own). */
  flushPending(stream: EventStream): void;
  subscribe(stream: EventStream, pattern: string): boolean;
  unsubscribe(stream: EventStream, pattern: string): boolean;
  /** Replays what `lastEventId` missed on `patterns` (or writes `reset`); see module.ts. */
  replay(stream: EventStream, patterns: string[], lastEventId: string): void;
  closed(stream: EventStream): void;
  /** Reports an application callback that threw. */
  error(what: string, err: unknown): void;
  /** A published event this stream dropped (slow client), for the server's pub/sub counters. */
  dropped(): void;
}

interface Queued { block: Buffer; id: number; done: ((ok: boolean) => void) | null }

function abortError(): Error {
  const e = new Error('the event stream is closed (the client left, or the server stopped)');
  e.name = 'AbortError';
  return e;
}

export class EventStream implements TopicSubscriber {
  /** The `Last-Event-ID` the client sent (a reconnection), or null. */
  readonly lastEventId: string | null;
  /** Called once when the stream closes (client gone, `close()`, server stop). */
  onClose: ((stream: EventStream) => void) | null = null;
  /** Free for the application. */
  userData: unknown = null;
  /** @internal The module's encoder: Topics joins a turn's event blocks with it ({@link deliverBatch}). */
  readonly batchEncoder: MessageEncoder;
  /** The heartbeat tick of the last write (see StreamHost.tick). */
  lastWriteTick: number;
  private readonly _os: OpenStream;
  private readonly _host: StreamHost;
  private readonly _maxQueue: number;
  private readonly _policy: SlowPolicy;
  private _queue: Queued[] = [];
  private _blocked = false;
  private _dropped = 0;
  /** Events dropped since the last write: a `gap` event goes before the next one. */
  private _gap = 0;
  /** Highest published id written or queued: never write an older one (replay, then live). */
  private _lastId = 0;
  /** The id the client saw last before a gap (what it reconnects with), 0 when none. */
  private _lastWrittenId = 0;
  private _closed = false;
  private _replayed = false;
  /** Live messages waiting for an asynchronous replay to be written, or null. */
  private _held: TopicMessage[] | null = null;
  private readonly _onDrain = (): void => this._drain();

  /** @internal Made by the ServerSentEvents module. */
  constructor(os: OpenStream, host: StreamHost, lastEventId: string | null, maxQueue: number, policy: SlowPolicy) {
    this._os = os;
    this._host = host;
    this.lastEventId = lastEventId;
    this._maxQueue = maxQueue;
    this._policy = policy;
    this.lastWriteTick = host.tick;
    this.batchEncoder = host.encoder;
    os.signal.addEventListener('abort', () => this._onClosed(), { once: true });
  }

  /** Aborted when the client leaves or the stream ends: stop a `while (…) await es.send(…)` loop with it. */
  get signal(): AbortSignal { return this._os.signal; }
  /** True once closed. */
  get closed(): boolean { return this._closed; }
  /** Events waiting for the client to read (the bounded queue). */
  get queued(): number { return this._queue.length; }
  /** Events dropped so far by the drop-oldest policy. */
  get dropped(): number { return this._dropped; }
  /** Body bytes written. */
  get bytesWritten(): number { return this._os.bytesWritten; }

  /**
   * Sends one event. Resolves true once its bytes are handed to the connection, false if the slow-client
   * policy dropped it; rejects with an AbortError once the client has gone. A bad `event`/`id`/`retry`
   * throws at once (nothing is sent).
   */
  send(message: EventMessage): Promise<boolean> {
    const block = Buffer.from(encodeEvent(message), 'utf8');
    if (this._closed) return Promise.reject(abortError());
    this._host.flushPending(this); // the topic events of this turn before it
    return new Promise((resolve, reject) => {
      this._push(block, 0, (ok) => (this._closed && !ok ? reject(abortError()) : resolve(ok)));
    });
  }

  /** Writes a comment (ignored by clients). False when closed. */
  comment(text = ''): boolean {
    const block = Buffer.from(encodeComment(text), 'utf8');
    if (this._closed) return false;
    this._host.flushPending(this);
    this._push(block, 0, null);
    return true;
  }

  /**
   * Subscribes to `pattern` (or several), MQTT-style (`+`, `#`): every message published on a matching
   * topic reaches this stream as an event with an id. The first subscribe of a stream whose client sent
   * `Last-Event-ID` first replays what it missed from the patterns' history (or sends `reset`).
   */
  subscribe(pattern: string | string[]): this {
    const list = Array.isArray(pattern) ? pattern : [pattern];
    if (list.length === 0) throw invalidOption('subscribe pattern', 'a topic pattern or a non-empty array of them', pattern);
    if (this._closed) return this;
    if (!this._replayed) {
      this._replayed = true;
      if (this.lastEventId !== null) this._host.replay(this, list, this.lastEventId);
    }
    for (const p of list) this._host.subscribe(this, p);
    return this;
  }

  /** Unsubscribes from `pattern`. */
  unsubscribe(pattern: string): boolean { return this._host.unsubscribe(this, pattern); }

  /** Ends the stream (the client's EventSource reconnects after its retry delay unless told otherwise). */
  close(): void {
    if (!this._closed) this._host.flushPending(this); // the topic events of this turn go before the end
    this._os.end();
  }

  /** @internal A published message (Topics): the shared block, queued behind what waits. */
  deliver(message: TopicMessage): void {
    if (this._held !== null) { this._hold(message); return; }
    const id = this._host.idOf(message);
    if (id <= this._lastId) return;
    this._push(this._host.block(message), id, null);
  }

  /**
   * @internal A turn's published messages at once (Topics, while the stream has one pattern): their event
   * blocks joined once and shared by every stream, written in one write when the stream is keeping up
   * and has none of them yet; otherwise one by one as {@link deliver} (queue, drop-oldest, held replay).
   */
  deliverBatch(joined: Buffer | null, messages: readonly TopicMessage[], from: number, to: number): void {
    if (joined !== null && this._held === null && !this._blocked && !this._closed) {
      // Ids increase with publish order: all of them are new to this stream when the first one is. Not so
      // when a pattern mixes topics numbered by a shared history store and locally numbered ones (the last
      // below the first): then message by message, so the stream's last id never goes back.
      const first = this._host.idOf(messages[from]!);
      const last = this._host.idOf(messages[to - 1]!);
      if (first > this._lastId && last >= first) {
        this._lastId = last;
        this._write(joined, last);
        return;
      }
    }
    for (let i = from; i < to; i++) this.deliver(messages[i]!);
  }

  /**
   * @internal An asynchronous replay (a shared history store) begins: live messages wait, so that the
   * replayed (older) events go first and each event is written once (a live one the replay also holds
   * is skipped by its id).
   */
  holdLive(): void { this._held ??= []; }

  /** @internal The replay is written: the live messages that waited follow. */
  releaseLive(): void {
    const held = this._held;
    this._held = null;
    if (held !== null) for (const m of held) this.deliver(m);
  }

  private _hold(m: TopicMessage): void {
    // Bounded like the queue: beyond maxQueue the oldest goes, and the client hears of the gap.
    if (this._held!.length >= this._maxQueue) { this._held!.shift(); this._dropped++; this._gap++; this._host.dropped(); }
    this._held!.push(m);
  }

  /** @internal A block of the history (a replay) or the module's own (`reset`, heartbeat). */
  writeBlock(block: Buffer, id: number): void {
    if (id !== 0 && id <= this._lastId) return;
    this._host.flushPending(this);
    this._push(block, id, null);
  }

  private _push(block: Buffer, id: number, done: ((ok: boolean) => void) | null): void {
    if (this._closed) { done?.(false); return; }
    if (id !== 0) this._lastId = id;
    if (!this._blocked) {
      this._write(block, id);
      done?.(true);
      return;
    }
    if (this._queue.length >= this._maxQueue) {
      if (this._policy === 'close') {
        done?.(false);
        this.close();
        return;
      }
      const old = this._queue.shift()!;
      this._dropped++;
      if (old.id !== 0) this._host.dropped();
      this._gap++;
      old.done?.(false);
    }
    this._queue.push({ block, id, done });
  }

  private _write(block: Buffer, id: number): void {
    if (this._gap > 0) {
      // The events dropped: tell the client before the next one. Reconnecting (its EventSource sends
      // the last id it saw, `after`) fills the gap from the history.
      const n = this._gap;
      this._gap = 0;
      const after = this._lastWrittenId === 0 ? '' : String(this._lastWrittenId);
      this._os.write(`event: gap\ndata: {"dropped":${n},"after":${JSON.stringify(after)}}\n\n`);
    }
    if (id !== 0) this._lastWrittenId = id;
    this.lastWriteTick = this._host.tick;
    if (!this._os.write(block) && !this._os.closed) {
      this._blocked = true;
      this._os.onceDrain(this._onDrain);
    }
  }

  private _drain(): void {
    this._blocked = false;
    while (this._queue.length > 0 && !this._blocked && !this._closed) {
      const q = this._queue.shift()!;
      this._write(q.block, q.id);
      q.done?.(true);
    }
  }

  private _onClosed(): void {
    if (this._closed) return;
    this._closed = true;
    const q = this._queue;
    this._queue = [];
    for (const item of q) item.done?.(false);
    this._host.closed(this);
    const cb = this.onClose;
    if (cb) { try { cb(this); } catch (err) { this._host.error('onClose', err); } }
  }
}
