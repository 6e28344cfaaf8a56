/**
 * `RedisHistory`: the history of published events kept in Redis streams, one per history pattern
 * (`prefix + 'h:' + pattern`), appended by the publish script (script.ts) with MAXLEN ~ count. It is the
 * `historyStore` of mods-sse: a client that reconnects with `Last-Event-ID` to any server process gets
 * what it missed, in order, each once, from the stream (event ids are the entries' ids).
 *
 * Every process that publishes must keep the same history patterns (the same code does): a publisher
 * appends to the streams of the patterns *it* knows.
 */
import { checkPattern, invalidOption, topicMatches, type TopicMessage } from '@microwebsrv/core';
import type { Redis } from 'ioredis';
import { decode } from './codec';
import { MARK_STARTS } from './script';

/** History limits, as mods-sse's `HistoryOptions`. */
export interface RedisHistoryOptions {
  /** Entries kept per pattern (default 100; Redis trims to about this, `MAXLEN ~`). 0: none. */
  count?: number;
  /** Seconds an entry counts as kept (default 300): older ids are answered as gone. */
  ageSec?: number;
}

interface Kept { key: string; startKey: string; count: number; ageUs: number }

/** The streams and MAXLENs one publish appends to. */
export interface StreamTargets { keys: string[]; maxLens: string[] }

export class RedisHistory {
  /** The key of the last id given out (the script keeps ids strictly increasing). */
  readonly lastIdKey: string;
  private readonly _redis: Redis;
  private readonly _prefix: string;
  private readonly _kept = new Map<string, Kept>();
  private readonly _ready: () => boolean;

  /** @internal Made by RedisBus. */
  constructor(redis: Redis, prefix: string, ready: () => boolean) {
    this._redis = redis;
    this._prefix = prefix;
    this._ready = ready;
    this.lastIdKey = `${prefix}h:lastid`;
  }

  /** Keeps the history of `pattern` (again: the larger limits win). */
  keep(pattern: string, options: RedisHistoryOptions = {}): void {
    checkPattern('history pattern', pattern);
    const count = options.count ?? 100;
    const ageSec = options.ageSec ?? 300;
    if (!Number.isSafeInteger(count) || count < 0) throw invalidOption('history count', 'an integer >= 0', count);
    if (typeof ageSec !== 'number' || !(ageSec >= 0)) throw invalidOption('history ageSec', 'a number >= 0', ageSec);
    const prev = this._kept.get(pattern);
    this._kept.set(pattern, { key: `${this._prefix}h:${pattern}`, startKey: `${this._prefix}hs:${pattern}`, count: Math.max(count, prev?.count ?? 0), ageUs: Math.max(ageSec * 1e6, prev?.ageUs ?? 0) });
    if (prev === undefined && this._ready()) this.markStarts();
  }

  /** @internal Marks where the kept histories begin (see MARK_STARTS); on every (re)connection. */
  markStarts(): void {
    if (this._kept.size === 0) return;
    const keys = [...this._kept.values()].map((k) => k.startKey);
    this._redis.eval(MARK_STARTS, keys.length, ...keys).catch(() => { /* down again: marked on the next connection */ });
  }

  /** Patterns kept. */
  get patterns(): string[] { return [...this._kept.keys()]; }

  /** @internal The streams a message on `topic` goes to, or null (a plain PUBLISH). */
  streamsFor(topic: string): StreamTargets | null {
    let out: StreamTargets | null = null;
    for (const [p, k] of this._kept) {
      if (k.count === 0 || !topicMatches(p, topic)) continue;
      (out ??= { keys: [], maxLens: [] }).keys.push(k.key);
      out.maxLens.push(String(k.count));
    }
    return out;
  }

  /**
   * The messages published on `patterns` after the event `lastId`, oldest first, each once (a message in
   * two patterns' streams has one id); null when some may be gone: a pattern without history, Redis down,
   * `lastId` older than a stream's oldest entry or than the age limit, or newer than its newest (an id
   * this history never gave: another run, or a publish made while Redis was down).
   */
  async since(patterns: readonly string[], lastId: number): Promise<TopicMessage[] | null> {
    if (!this._ready()) return null;
    const cutoff = Date.now() * 1000;
    const byId = new Map<number, TopicMessage>();
    try {
      for (const p of patterns) {
        const k = this._kept.get(p);
        if (k === undefined || k.count === 0 || lastId < cutoff - k.ageUs) return null;
        const [start, newest, info, after] = (await this._redis.multi()
          .get(k.startKey)
          .get(this.lastIdKey)
          .xinfo('STREAM', k.key)
          .xrangeBuffer(k.key, `(${lastId}-0`, '+')
          .exec())!;
        // Where the history begins: its start mark, or past what trimming removed (Redis >= 7).
        const floor = Math.max(Number(start![1] ?? NaN), idOf(infoField(info![0] === null ? info![1] : null, 'max-deleted-entry-id')));
        const top = Number(newest![1] ?? 0);
        if (!(lastId >= floor) || lastId > top) return null;
        for (const [, fields] of after![1] as Array<[Buffer, Buffer[]]>) {
          const topic = fieldOf(fields, 't');
          const msg = fieldOf(fields, 'm');
          if (topic === null || msg === null) continue;
          const d = decode(topic.toString('utf8'), msg);
          if (d !== null && d.id > lastId) byId.set(d.id, d);
        }
      }
    } catch {
      return null; // Redis went away meanwhile: the client is told to reload (reset)
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}

function idOf(streamId: string | undefined): number {
  if (streamId === undefined) return 0;
  const dash = streamId.indexOf('-');
  return Number(dash < 0 ? streamId : streamId.slice(0, dash));
}

/** A field of XINFO STREAM's flat reply (none when the stream does not exist yet: nothing published). */
function infoField(reply: unknown, name: string): string | undefined {
  if (!Array.isArray(reply)) return undefined;
  for (let i = 0; i + 1 < reply.length; i += 2) if (reply[i] === name) return String(reply[i + 1]);
  return undefined;
}

function fieldOf(fields: Buffer[], name: string): Buffer | null {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString('latin1') === name) return fields[i + 1]!;
  return null;
}
