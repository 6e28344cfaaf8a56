/**
 * `RedisBus`: core's `Bus` over Redis pub/sub, so that a publish on any server process (on any machine)
 * reaches the WebSockets and event streams of every process sharing the Redis server.
 *
 * - A plain topic is a Redis channel (`prefix + topic`, SUBSCRIBE); a pattern with `+` / `#` is one
 *   PSUBSCRIBE (glob.ts). One Redis subscription per distinct pattern per process, whatever the number of
 *   servers and clients under it (core's `Topics` already subscribes once per pattern).
 * - While Redis is up, a publish goes to Redis only, and comes back to this process like to any other:
 *   every process (this one included) delivers it once, in the order Redis received it, so each
 *   publisher's order holds everywhere. Local delivery is by an `InProcessBus` (exact MQTT matching).
 * - While Redis is down (not connected, reconnecting), a publish is delivered to this process's own
 *   subscribers only; other processes never get it (at-most-once). Connections retry with back-off; each
 *   change of state is logged once and reported to `onStateChange`.
 * - Publishes without a history made in one turn of the event loop go to Redis as one command when the
 *   turn ends (a PUBLISH for one, a script publishing them in order for several, at most
 *   `MAX_BATCH` messages or `MAX_BATCH_BYTES` per command): a client command per message costs the
 *   publishing process several times what Redis spends on the message (bench/README.md, "Fan-out
 *   through Redis"), so without batching the publisher, not Redis, is the limit.
 * - Topics with a history (`history.keep`, used by mods-sse's Last-Event-ID replay) are published by a
 *   Lua script that also appends the message to a Redis stream per history pattern (XADD MAXLEN ~), with
 *   an id every process sees (`TopicMessage.id`).
 */
import { InProcessBus, checkPattern, invalidOption, type Bus, type BusListener, type TopicMessage } from '@microwebsrv/core';
import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { KEY_BYTES, decode, encodeParts, encodeWhole, keepKey, samePublish } from './codec';
import { isPattern, patternToGlob } from './glob';
import { RedisHistory } from './redis-history';
import { PUBLISH_MANY, PUBLISH_WITH_HISTORY } from './script';

/** `connecting` (first connection), `ready`, `down` (lost, retrying with back-off), `closed` (`close()`). */
export type RedisBusState = 'connecting' | 'ready' | 'down' | 'closed';

export type RedisBusLog = (msg: string, level: 'INFO' | 'WARNING' | 'ERROR') => void;

export interface RedisBusOptions {
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prefix of every channel and key (default `mws:`): several applications can share one Redis. */
  prefix?: string;
  /** Longest wait between reconnection attempts, ms (default 5000; the first waits 100 ms, doubling). */
  maxRetryDelayMs?: number;
  /** Where the state changes are logged, e.g. `(msg, level) => srv.log(msg, level)`. Default: the console. */
  log?: RedisBusLog | null;
  /** Called on every change of state (after the log line). */
  onStateChange?: ((state: RedisBusState, error: Error | null) => void) | null;
  /** More ioredis options for both connections (TLS, password, …); the bus's own settings win. */
  redis?: RedisOptions;
}

/** Counters of a bus (`bus.stats`). */
export interface RedisBusStats {
  /** Publishes made in this process. */
  published: number;
  /** Publishes sent to Redis. */
  sent: number;
  /** Publishes made while Redis was down, delivered to this process only (the others never got them). */
  localOnly: number;
  /** Publishes Redis did not take (an error reply, or the connection lost in flight): delivered locally only. */
  failed: number;
  /** Messages received from Redis and delivered to this process's subscribers. */
  received: number;
  /** Received bytes that were not a message of ours (ignored). */
  malformed: number;
  /** Times the state became `ready` after `down`. */
  reconnects: number;
}

/** Most messages one batched publish command carries (bounds how long the script holds Redis). */
const MAX_BATCH = 512;
/** Most payload bytes one batched publish command carries. */
const MAX_BATCH_BYTES = 512 * 1024;

function defaultLog(msg: string, level: 'INFO' | 'WARNING' | 'ERROR'): void {
  (level === 'INFO' ? console.log : console.warn)(`RedisBus ${level}: ${msg}`);
}

/**
 * Errors meaning Redis refused EVAL itself, so the script never ran: NOPERM (an ACL without EVAL; a PUBLISH
 * refused inside the script is caught by its pcall and never makes EVAL fail), EVAL unknown (renamed away,
 * a proxy or server that does not offer it), scripting disabled or not supported.
 */
function scriptRefused(err: Error): boolean {
  return /^(NOPERM|ERR unknown command)/.test(err.message) || /script(ing)?\b.*\b(disabled|not supported)|\b(disabled|not supported)\b.*script/i.test(err.message);
}

export class RedisBus implements Bus {
  /** The channel and key prefix. */
  readonly prefix: string;
  /** Replay store for mods-sse (`loadModule(ServerSentEvents, { historyStore: bus.history })`). */
  readonly history: RedisHistory;
  readonly stats: RedisBusStats = { published: 0, sent: 0, localOnly: 0, failed: 0, received: 0, malformed: 0, reconnects: 0 };
  /** Called when a local subscriber throws (default: console.error). */
  onError: (err: unknown, message: TopicMessage) => void = (err) => { console.error('RedisBus listener threw:', err); };
  onStateChange: ((state: RedisBusState, error: Error | null) => void) | null;
  private readonly _pub: Redis;
  private readonly _sub: Redis;
  private readonly _local = new InProcessBus();
  private readonly _log: RedisBusLog;
  /** Listeners per pattern (a Redis subscription exists while > 0). */
  private readonly _patterns = new Map<string, number>();
  private readonly _publisher = randomBytes(8);
  private _seq = 0;
  private _state: RedisBusState = 'connecting';
  private _lastError: Error | null = null;
  private _wasDown = false;
  /** The publish last received: Redis sends one notification per matching subscription, back to back. */
  private readonly _lastKey = Buffer.alloc(KEY_BYTES);
  private _hasLastKey = false;
  /** This turn's publishes without history, not sent yet: channel, payload, channel, payload… */
  private _batchArgs: Array<string | Buffer> = [];
  /** Their messages (delivered locally if the batch fails). */
  private _batchMessages: TopicMessage[] = [];
  private _batchBytes = 0;
  private _flushQueued = false;
  /** False once Redis refused the batch script itself (an ACL without EVAL, EVAL unknown): batches are then pipelined PUBLISHes. */
  private _scripts = true;
  /** The text of the last publish refusal logged (each distinct refusal is logged once in a row). */
  private _lastRefusal = '';
  /** Sends the batch (queued with process.nextTick: the end of the current turn, before any I/O). */
  private readonly _flush = (): void => { this._flushQueued = false; this._sendBatch(); };

  constructor(options: RedisBusOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('RedisBus options', 'an object', options);
    const url = options.url ?? 'redis://127.0.0.1:6379';
    if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw invalidOption('RedisBus options.url', 'a redis:// or rediss:// URL', url);
    const prefix = options.prefix ?? 'mws:';
    if (typeof prefix !== 'string' || prefix.length > 64) throw invalidOption('RedisBus options.prefix', 'a string of at most 64 characters', prefix);
    const maxDelay = options.maxRetryDelayMs ?? 5000;
    if (!Number.isSafeInteger(maxDelay) || maxDelay < 100) throw invalidOption('RedisBus options.maxRetryDelayMs', 'an integer >= 100', maxDelay);
    if (options.log != null && typeof options.log !== 'function') throw invalidOption('RedisBus options.log', 'a function (msg, level)', options.log);
    if (options.onStateChange != null && typeof options.onStateChange !== 'function') throw invalidOption('RedisBus options.onStateChange', 'a function (state, error)', options.onStateChange);
    this.prefix = prefix;
    this._log = options.log ?? defaultLog;
    this.onStateChange = options.onStateChange ?? null;
    this._local.onError = (err, m) => this.onError(err, m);
    const common: RedisOptions = {
      ...options.redis,
      lazyConnect: false,
      disconnectTimeout: 200,
      // Back-off: 100 ms doubling up to maxRetryDelayMs, never giving up (the bus lives as long as the process).
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 16), maxDelay),
    };
    // Commands fail at once while disconnected (no queue that would send stale publishes on reconnect).
    this._pub = new Redis(url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectionName: 'mws-bus-pub' });
    // The subscriber re-subscribes by itself after a reconnection; (un)subscribes made meanwhile wait.
    this._sub = new Redis(url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: true, connectionName: 'mws-bus-sub' });
    for (const c of [this._pub, this._sub]) {
      c.on('error', (err: Error) => { this._lastError = err; this._update(); });
      c.on('ready', () => this._update());
      c.on('close', () => this._update());
      c.on('end', () => this._update());
    }
    this._sub.on('messageBuffer', (channel: Buffer, msg: Buffer) => this._received(channel, msg));
    this._sub.on('pmessageBuffer', (_glob: Buffer, channel: Buffer, msg: Buffer) => this._received(channel, msg));
    this.history = new RedisHistory(this._pub, prefix, () => this._state === 'ready');
  }

  /** The connection state (both connections ready → `ready`). */
  get state(): RedisBusState { return this._state; }

  /** Resolves once the bus is ready (or rejects after `timeoutMs`). */
  ready(timeoutMs = 10000): Promise<void> {
    if (this._state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this._state === 'ready') { clearInterval(t); clearTimeout(to); resolve(); }
      };
      const t = setInterval(check, 10);
      const to = setTimeout(() => { clearInterval(t); reject(new Error(`RedisBus not ready after ${timeoutMs} ms (${this._state}${this._lastError ? `: ${this._lastError.message}` : ''})`)); }, timeoutMs);
    });
  }

  publish(message: TopicMessage): void {
    this.stats.published++;
    if (this._state !== 'ready') { this.stats.localOnly++; this._local.publish(message); return; }
    this.stats.sent++;
    const channel = this.prefix + message.topic;
    const streams = this.history.streamsFor(message.topic);
    if (streams === null) {
      const payload = encodeWhole(message, this._publisher, ++this._seq);
      this._batchArgs.push(channel, payload);
      this._batchMessages.push(message);
      this._batchBytes += payload.length;
      if (this._batchMessages.length >= MAX_BATCH || this._batchBytes >= MAX_BATCH_BYTES) this._sendBatch();
      else if (!this._flushQueued) { this._flushQueued = true; process.nextTick(this._flush); }
      return;
    }
    // A publish with history: after the batch (one connection, so Redis keeps this order).
    this._sendBatch();
    const parts = encodeParts(message, this._publisher, ++this._seq);
    const keys = [this.history.lastIdKey, ...streams.keys];
    this._pub.eval(PUBLISH_WITH_HISTORY, keys.length, ...keys, channel, message.topic, parts.head, parts.rest, ...streams.maxLens)
      .catch((err: Error) => this._failed([message], err));
  }

  /** Sends the pending publishes as one command (PUBLISH for one message, PUBLISH_MANY for several). */
  private _sendBatch(): void {
    const messages = this._batchMessages;
    if (messages.length === 0) return;
    const args = this._batchArgs;
    this._batchArgs = [];
    this._batchMessages = [];
    this._batchBytes = 0;
    if (messages.length === 1) { this._pub.publish(args[0]!, args[1]!).catch((err: Error) => this._failed(messages, err)); return; }
    if (!this._scripts) { this._pipelined(args, messages); return; }
    this._pub.eval(PUBLISH_MANY, 0, ...args).then((reply) => this._batchDone(reply, messages), (err: Error) => {
      // Redis refused the script itself, so none of it ran (an ACL without EVAL, EVAL renamed away or not
      // offered): the same publishes as plain PUBLISHes, from now on. (A batch sent while the answer was on
      // its way may arrive before this one.) Any other error (BUSY, the connection lost) may or may not
      // have published: delivered locally only, never sent again (a resend could duplicate).
      if (err instanceof ReplyError && this._state === 'ready' && scriptRefused(err)) {
        if (this._scripts) {
          this._scripts = false;
          this._log(`Redis refused the publish batch script (${err.message}): publishing one PUBLISH per message, pipelined`, 'WARNING');
        }
        this._pipelined(args, messages);
        return;
      }
      this._failed(messages, err);
    });
  }

  /** The script's reply: the PUBLISHes Redis refused (index, error, …); the others went out. */
  private _batchDone(reply: unknown, messages: TopicMessage[]): void {
    if (!Array.isArray(reply) || reply.length === 0) return;
    const refused: TopicMessage[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const m = messages[Number(reply[i]) - 1];
      if (m !== undefined) refused.push(m);
    }
    this._failed(refused, new ReplyError(String(reply[1])));
  }

  /** The batch as pipelined PUBLISHes (one write, one command per message); what Redis refuses is delivered locally. */
  private _pipelined(args: Array<string | Buffer>, messages: TopicMessage[]): void {
    const p = this._pub.pipeline();
    for (let i = 0; i < args.length; i += 2) p.publish(args[i]!, args[i + 1]!);
    p.exec().then((results) => {
      const refused = results === null ? messages : messages.filter((_, i) => results[i]?.[0] != null);
      if (refused.length > 0) this._failed(refused, (results?.find((r) => r[0] != null)?.[0] as Error | undefined) ?? new Error('pipeline not executed'));
    }, (err: Error) => this._failed(messages, err));
  }

  /**
   * Redis did not take these publishes (an error reply, the connection lost): this process still gets
   * them. A refusal by Redis (an ACL channel restriction…) is logged when its text differs from the last
   * one logged, so a publisher refused again and again logs once.
   */
  private _failed(messages: TopicMessage[], err: Error): void {
    if (messages.length === 0) return;
    this.stats.failed += messages.length;
    this._lastError = err;
    if (err instanceof ReplyError && err.message !== this._lastRefusal) {
      this._lastRefusal = err.message;
      this._log(`Redis refused a publish (${err.message}): delivered to this process only`, 'WARNING');
    }
    for (const m of messages) this._local.publish(m);
  }

  subscribe(pattern: string, listener: BusListener): void {
    checkPattern('subscribe pattern', pattern);
    if (typeof listener !== 'function') throw invalidOption('subscribe listener', 'a function (message) => void', listener);
    this._local.subscribe(pattern, listener);
    const n = this._patterns.get(pattern) ?? 0;
    this._patterns.set(pattern, n + 1);
    if (n === 0) this._redisSubscribe(pattern, true);
  }

  unsubscribe(pattern: string, listener: BusListener): void {
    const before = this._local.size;
    this._local.unsubscribe(pattern, listener);
    if (this._local.size === before) return; // it was not subscribed
    const n = this._patterns.get(pattern)! - 1;
    if (n > 0) { this._patterns.set(pattern, n); return; }
    this._patterns.delete(pattern);
    this._redisSubscribe(pattern, false);
  }

  /** Patterns with a Redis subscription in this process. */
  get patterns(): string[] { return [...this._patterns.keys()]; }

  /** Closes both connections (pending publishes are sent first). The bus delivers nothing afterwards. */
  async close(): Promise<void> {
    if (this._state === 'closed') return;
    this._sendBatch(); // this turn's publishes go before QUIT
    this._setState('closed');
    await Promise.all([this._pub, this._sub].map(async (c) => {
      // quit() sends what is queued first; a connection that is not up has nothing to send (and would wait).
      if (c.status !== 'ready') { c.disconnect(); return; }
      try { await c.quit(); } catch { c.disconnect(); }
    }));
  }

  private _redisSubscribe(pattern: string, on: boolean): void {
    const c = this._sub;
    const p = isPattern(pattern)
      ? (on ? c.psubscribe(patternToGlob(this.prefix, pattern)) : c.punsubscribe(patternToGlob(this.prefix, pattern)))
      : (on ? c.subscribe(this.prefix + pattern) : c.unsubscribe(this.prefix + pattern));
    // Offline, the command waits for the reconnection; a failure then is logged (resubscription retries it).
    p.catch((err: Error) => this._log(`${on ? '' : 'un'}subscribe ${pattern}: ${err.message}`, 'WARNING'));
  }

  private _received(channel: Buffer, msg: Buffer): void {
    if (this._state === 'closed') return;
    const topic = channel.toString('utf8', Buffer.byteLength(this.prefix));
    const m = decode(topic, msg);
    if (m === null) { this.stats.malformed++; return; }
    if (this._hasLastKey && samePublish(msg, this._lastKey)) return; // the same publish, through another of our subscriptions
    keepKey(msg, this._lastKey);
    this._hasLastKey = true;
    this.stats.received++;
    this._local.publish(m);
  }

  private _update(): void {
    if (this._state === 'closed') return;
    const ready = this._pub.status === 'ready' && this._sub.status === 'ready';
    if (ready) {
      if (this._state !== 'ready') this.history.markStarts();
      this._setState('ready');
      return;
    }
    // A lost connection, or a first connection that fails: logged once, then silent until it changes.
    if (this._state === 'ready' || (this._state === 'connecting' && this._lastError !== null)) this._setState('down');
  }

  private _setState(s: RedisBusState): void {
    if (s === this._state) return;
    const prev = this._state;
    this._state = s;
    const err = s === 'down' ? this._lastError : null;
    if (s === 'ready') {
      if (this._wasDown) this.stats.reconnects++;
      this._log(prev === 'connecting' ? 'connected to Redis' : 'Redis reachable again: publishing across processes', 'INFO');
      this._lastError = null;
    } else if (s === 'down') {
      this._wasDown = true;
      this._log(`Redis unreachable${err ? ` (${err.message})` : ''}: publishes reach this process only until it is back; retrying with back-off`, 'WARNING');
    }
    if (this.onStateChange !== null) {
      try { this.onStateChange(s, err); } catch (e) { this._log(`onStateChange threw: ${e instanceof Error ? e.message : String(e)}`, 'ERROR'); }
    }
  }
}
