/**
 * `ServerSentEvents`: the MicroWebSrv module for server-sent events (HTML §9.2, `text/event-stream`).
 * `sse.event(url)` mounts an endpoint (uhttpd's `event(url)`, `dispatch(data, event)`); `sse.open(request)`
 * turns any GET route's answer into a stream. Streams subscribe to the server's topics (docs/pubsub.md):
 * a publish is encoded once into one event block with an id, shared by every stream and kept in a bounded
 * history per pattern for clients that reconnect with `Last-Event-ID`.
 */
import type { HttpRequest, MicroWebSrv, MwsModule, PublishData, PublishOptions, TopicMessage, MessageEncoder } from '@microwebsrv/core';
import { checkPattern, invalidOption } from '@microwebsrv/core';
import { EventEndpoint } from './endpoint';
import { EventStream, type StreamHost } from './event-stream';
import { EventHistory, type HistoryOptions, type HistoryStore } from './history';
import { checkHistory, checkModuleOptions, checkStreamOptions, resolveStreamOptions, type EventEndpointOptions, type EventStreamOptions, type ServerSentEventsOptions } from './options';
import { encodePublished } from './wire';

/** The heartbeat clock's period: heartbeats are checked this often (ms). */
const TICK_MS = 250;
const CONTENT_TYPE = 'text/event-stream; charset=utf-8';

interface StreamEntry { heartbeatTicks: number; endpoint: EventEndpoint | null }

export class ServerSentEvents implements MwsModule {
  readonly server: MicroWebSrv;
  private readonly _opts: ServerSentEventsOptions;
  private readonly _maxStreams: number;
  private readonly _endpoints = new Map<string, EventEndpoint>();
  private readonly _streams = new Map<EventStream, StreamEntry>();
  private readonly _histories = new Map<string, EventHistory>();
  private readonly _store: HistoryStore | null;
  private readonly _stored = new Set<string>();
  private _timer: NodeJS.Timeout | null = null;
  private _tick = 0;
  /** Ids: integers from the start time in µs, so they keep increasing across restarts of the server. */
  private _seq = Date.now() * 1000;
  private readonly _ids = new WeakMap<TopicMessage, number>();
  private _lastMsg: TopicMessage | null = null;
  private _lastId = 0;
  private readonly _encoder: MessageEncoder;
  private readonly _host: StreamHost;

  constructor(server: MicroWebSrv, options: ServerSentEventsOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('ServerSentEvents options', 'an object', options);
    checkModuleOptions(options);
    this.server = server;
    this._opts = { ...options };
    this._maxStreams = options.maxStreams ?? 1000;
    this._store = options.historyStore ?? null;
    this._encoder = {
      encode: (m) => {
        // A shared store's id (the same in every process), else ours; ours never go back behind theirs.
        const id = m.id !== 0 ? m.id : ++this._seq;
        if (id > this._seq) this._seq = id;
        this._ids.set(m, id);
        this._lastMsg = m;
        this._lastId = id;
        return encodePublished(m.event, id, m.data, m.binary);
      },
    };
    const self = this;
    this._host = {
      get tick() { return self._tick; },
      block: (m) => this._block(m),
      idOf: (m) => this._idOf(m),
      encoder: this._encoder,
      flushPending: (s) => server.topics.flushPending(s),
      subscribe: (s, p) => server.topics.subscribe(p, s),
      unsubscribe: (s, p) => server.topics.unsubscribe(p, s),
      replay: (s, patterns, last) => this._replay(s, patterns, last),
      closed: (s) => this._closed(s),
      dropped: () => { server.topics.stats.dropped++; },
      error: (what, err) => server.log(`ServerSentEvents ${what} threw: ${err instanceof Error ? err.message : String(err)}`, 'ERROR'),
    };
  }

  /** Open event streams. */
  get count(): number { return this._streams.size; }
  /** The open event streams, as a new array. */
  streams(): EventStream[] { return [...this._streams.keys()]; }
  /** The id the next published event gets, minus one. */
  get lastId(): number { return this._seq; }

  /**
   * Mounts an event-stream endpoint on `url` (uhttpd's `event(url)`): a GET there opens a stream
   * subscribed to `options.topic` (default: the url), replaying what a reconnecting client missed. Returns
   * the endpoint (its `dispatch(data, event)` sends to all its streams).
   */
  event(url: string, options: EventEndpointOptions = {}): EventEndpoint {
    if (typeof url !== 'string' || !url.startsWith('/')) throw invalidOption('event url', 'a path starting with /', url);
    if (this._endpoints.has(url)) throw invalidOption('event url', 'a path not mounted yet', url);
    checkStreamOptions(options, 'event options.');
    const topic = checkPattern('event options.topic', options.topic ?? url);
    if (options.history !== undefined && options.history !== false) checkHistory('event options.history', options.history);
    if (options.maxClients !== undefined && (!Number.isSafeInteger(options.maxClients) || options.maxClients < 1)) throw invalidOption('event options.maxClients', 'an integer >= 1', options.maxClients);
    if (options.onOpen != null && typeof options.onOpen !== 'function') throw invalidOption('event options.onOpen', 'a function (stream, request)', options.onOpen);
    const ep = new EventEndpoint(this.server, url, topic, { ...options });
    if (options.history !== false) this.keepHistory(topic, options.history ?? this._opts.history);
    this._endpoints.set(url, ep);
    return ep;
  }

  /**
   * Keeps a bounded history of what is published on `pattern`, replayed to clients that reconnect with
   * `Last-Event-ID` and subscribe to exactly this pattern. Endpoints keep theirs already.
   */
  keepHistory(pattern: string, options: HistoryOptions = this._opts.history ?? {}): this {
    checkPattern('keepHistory pattern', pattern);
    checkHistory('keepHistory options', options);
    if (this._store !== null) {
      this._store.keep(pattern, options);
      this._stored.add(pattern);
      return this;
    }
    if (this._histories.has(pattern)) return this;
    const h = new EventHistory(this._host, options, this._seq);
    this._histories.set(pattern, h);
    this.server.topics.subscribe(pattern, h);
    return this;
  }

  /**
   * Answers `request` (a GET) with an event stream and returns it; over the cap answers 503 with
   * Retry-After and returns null. Subscribe it (`stream.subscribe(topic)`) or send to it yourself.
   */
  open(request: HttpRequest, options: EventStreamOptions = {}): EventStream | null {
    return this._open(request, options, null);
  }

  /** Publishes on the server's topics (`server.publish`): every subscribed stream and WebSocket gets it. */
  publish(topic: string, data: PublishData, options?: PublishOptions): TopicMessage { return this.server.publish(topic, data, options); }

  /** The pipeline stage: GET/HEAD on a mounted endpoint opens a stream; other methods there get 405. */
  onRequest(server: MicroWebSrv, request: HttpRequest): void | Promise<void> {
    const ep = this._endpoints.get(request.path);
    if (ep === undefined) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') { request.response.returnMethodNotAllowed(['GET', 'HEAD']); return; }
    const es = this._open(request, ep.options, ep);
    if (es === null || es.closed) return;
    es.subscribe(ep.topic);
    if (ep.options.onOpen) return this._opened(ep, es, request);
  }

  private async _opened(ep: EventEndpoint, es: EventStream, request: HttpRequest): Promise<void> {
    try {
      await EventEndpoint.opened(ep, es, request);
    } catch (err) {
      this._host.error(`onOpen of ${ep.url}`, err);
      es.close();
    }
  }

  private _open(request: HttpRequest, options: EventStreamOptions, ep: EventEndpoint | null): EventStream | null {
    if (request === null || typeof request !== 'object' || typeof request.getHeader !== 'function') throw invalidOption('open request', 'the HttpRequest of a route', request);
    checkStreamOptions(options, 'open options.');
    const o = resolveStreamOptions(options, this._opts);
    const response = request.response;
    const full = this._streams.size >= this._maxStreams || (ep !== null && ep.options.maxClients !== undefined && ep.count >= ep.options.maxClients);
    if (full) {
      // RFC 9110 §15.6.4 / §10.2.3: 503 tells the client it is temporary, Retry-After when to come back.
      this.server.log(`event stream ${request.path} refused: ${this._streams.size} streams open >> [503]`, 'WARNING');
      response.setHeader('Retry-After', this._opts.retryAfterSec ?? 5);
      response.return(503, 'Too many event streams');
      return null;
    }
    // HTML §9.2: text/event-stream, never cached (Cache-Control: no-cache instead of the default no-store).
    response.allowCaching = true;
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
    let es: EventStream | null = null;
    const os = response.openStream(200, {
      contentType: CONTENT_TYPE,
      // The server stops: the topic events published before go first, then the user's last words.
      onStop: () => {
        if (es === null) return;
        if (!es.closed) this._host.flushPending(es);
        if (o.onStop !== null) { try { o.onStop(es); } catch (err) { this._host.error('onStop', err); } }
      },
    });
    const stream = new EventStream(os, this._host, request.getHeader('last-event-id') ?? null, o.maxQueue, o.slowPolicy);
    es = stream;
    if (stream.closed) return stream; // HEAD: the head only
    this._streams.set(stream, { heartbeatTicks: o.heartbeatSec === 0 ? 0 : Math.max(1, Math.round((o.heartbeatSec * 1000) / TICK_MS)), endpoint: ep });
    ep?.streams.add(stream);
    if (o.retryMs !== null) stream.writeBlock(Buffer.from(`retry: ${o.retryMs}\n\n`, 'latin1'), 0);
    if (this._timer === null) {
      this._timer = setInterval(() => this._onTick(), TICK_MS);
      this._timer.unref();
    }
    return stream;
  }

  /** Server stopping: the streams' own onStop run (core ends each stream after it). */
  onStop(): void { /* the open streams are ended by core's graceful stop, calling their onStop */ }

  private _block(m: TopicMessage): Buffer { return m.encoded(this._encoder); }

  private _idOf(m: TopicMessage): number {
    if (m === this._lastMsg) return this._lastId;
    m.encoded(this._encoder);
    return m === this._lastMsg ? this._lastId : this._ids.get(m)!;
  }

  /**
   * Last-Event-ID (HTML §9.2.4): the events after it on `patterns`, from their histories, oldest first and
   * each once; when some are gone (beyond the history, an id of another run or server, a pattern without
   * history), a `reset` event instead, carrying the current id so the client does not ask again.
   */
  private _replay(s: EventStream, patterns: string[], last: string): void {
    const id = /^\d{1,16}$/.test(last) ? Number(last) : -1;
    if (this._store !== null) { this._replayStored(s, patterns, last, id); return; }
    if (id === this._seq) return; // nothing published since
    let events: Array<{ id: number; block: Buffer }> | null = id < 0 ? null : [];
    for (const p of patterns) {
      const h = this._histories.get(p);
      const got = h === undefined ? null : h.since(id, this._seq);
      if (got === null) { events = null; break; }
      events!.push(...got);
    }
    if (events === null) { this._reset(s, last); return; }
    if (patterns.length > 1) events.sort((a, b) => a.id - b.id);
    for (const e of events) s.writeBlock(e.block, e.id); // the stream skips an id it already wrote
  }

  private _reset(s: EventStream, last: string): void {
    const data = JSON.stringify({ lastEventId: last, reason: 'the events after lastEventId are no longer kept: reload the state' });
    s.writeBlock(Buffer.from(`event: reset\nid: ${this._seq}\ndata: ${data}\n\n`, 'utf8'), this._seq);
  }

  /** Last-Event-ID from a shared store (asynchronous): live events wait until the replay is written. */
  private _replayStored(s: EventStream, patterns: string[], last: string, id: number): void {
    const known = id >= 0 && patterns.every((p) => this._stored.has(p));
    s.holdLive();
    const done = (msgs: TopicMessage[] | null): void => {
      if (!s.closed) {
        if (msgs === null) this._reset(s, last);
        else for (const m of msgs) s.writeBlock(this._block(m), m.id);
      }
      s.releaseLive();
    };
    if (!known) { done(null); return; }
    this._store!.since(patterns, id).then(done, (err: unknown) => { this._host.error('historyStore.since', err); done(null); });
  }

  private _closed(s: EventStream): void {
    const e = this._streams.get(s);
    if (e === undefined) return;
    this._streams.delete(s);
    e.endpoint?.streams.delete(s);
    this.server.topics.unsubscribeAll(s);
    if (this._streams.size === 0 && this._timer !== null) { clearInterval(this._timer); this._timer = null; }
  }

  /** The coarse clock: heartbeats for idle streams; now and then, histories past their age. */
  private _onTick(): void {
    const t = ++this._tick;
    for (const [s, e] of this._streams) {
      if (e.heartbeatTicks > 0 && t - s.lastWriteTick >= e.heartbeatTicks) s.comment('');
    }
    if ((t & 15) === 0) { const now = Date.now(); for (const h of this._histories.values()) h.prune(now); }
  }
}
