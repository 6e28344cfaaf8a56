/** The module's, an endpoint's and a stream's options: defaults and checks (misuse throws at once). */
import { invalidOption, type HttpRequest } from '@microwebsrv/core';
import type { EventStream, SlowPolicy } from './event-stream';
import { isHistoryStore, type HistoryOptions, type HistoryStore } from './history';

/** Options of one stream (`sse.open(request, options)`), defaults from the module's. */
export interface EventStreamOptions {
  /** A comment is sent after this many idle seconds (default 15; 0: none), so proxies keep the stream. */
  heartbeatSec?: number;
  /** Sent first as `retry:`: the client's reconnection delay in ms (default: none, the browser's ~3 s). */
  retryMs?: number | null;
  /** Events waiting for a slow client, at most (default 256). */
  maxQueue?: number;
  /** A full queue drops its oldest event and sends `gap` (default), or closes the stream. */
  slowPolicy?: SlowPolicy;
  /** The server's graceful stop begins: send last events here; the stream is ended right after. */
  onStop?: ((stream: EventStream) => void) | null;
}

/** Options of `loadModule(ServerSentEvents, options)`. */
export interface ServerSentEventsOptions extends EventStreamOptions {
  /** Concurrent event streams, at most (default 1000); beyond: 503 with Retry-After. */
  maxStreams?: number;
  /** Retry-After (s) of that 503 (default 5). */
  retryAfterSec?: number;
  /** Default history of endpoints and `keepHistory` (count 100, 300 s). */
  history?: HistoryOptions;
  /**
   * Where histories are kept: in this process (default), or a store shared by every server process
   * (`RedisBus.history` of @microwebsrv/bus-redis), whose ids become the event ids.
   */
  historyStore?: HistoryStore | null;
}

/** Options of `sse.event(url, options)`. */
export interface EventEndpointOptions extends EventStreamOptions {
  /** The topic (or pattern) its streams subscribe to; `dispatch` publishes on it. Default: the url. */
  topic?: string;
  /** The history replayed to clients that reconnect with Last-Event-ID; false: none. Default: the module's. */
  history?: HistoryOptions | false;
  /** Streams of this endpoint, at most (default: only the module's cap); beyond: 503. */
  maxClients?: number;
  /** A stream opened (after its replay): subscribe it to more, send it a first event. May be async. */
  onOpen?: ((stream: EventStream, request: HttpRequest) => void | Promise<void>) | null;
}

export interface ResolvedStreamOptions {
  heartbeatSec: number;
  retryMs: number | null;
  maxQueue: number;
  slowPolicy: SlowPolicy;
  onStop: ((stream: EventStream) => void) | null;
}

function num(name: string, v: unknown, min: number, int: boolean): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (int && !Number.isSafeInteger(v))) {
    throw invalidOption(name, int ? `an integer >= ${min}` : `a number >= ${min}`, v);
  }
}

/** Checks the stream options present in `o` (`prefix` names where they came from). */
export function checkStreamOptions(o: EventStreamOptions, prefix: string): void {
  if (o === null || typeof o !== 'object') throw invalidOption(prefix.replace(/\.$/, '') || 'options', 'an object', o);
  if (o.heartbeatSec !== undefined) {
    num(`${prefix}heartbeatSec`, o.heartbeatSec, 0, false);
    if (o.heartbeatSec > 0 && o.heartbeatSec < 0.25) throw invalidOption(`${prefix}heartbeatSec`, '0 (none) or at least 0.25 s', o.heartbeatSec);
  }
  if (o.retryMs !== undefined && o.retryMs !== null) num(`${prefix}retryMs`, o.retryMs, 0, true);
  if (o.maxQueue !== undefined) num(`${prefix}maxQueue`, o.maxQueue, 1, true);
  if (o.slowPolicy !== undefined && o.slowPolicy !== 'drop-oldest' && o.slowPolicy !== 'close') throw invalidOption(`${prefix}slowPolicy`, "'drop-oldest' or 'close'", o.slowPolicy);
  if (o.onStop !== undefined && o.onStop !== null && typeof o.onStop !== 'function') throw invalidOption(`${prefix}onStop`, 'a function (stream) => void', o.onStop);
}

export function checkHistory(name: string, h: unknown): void {
  if (h === null || typeof h !== 'object') throw invalidOption(name, 'an object { count?, ageSec? }', h);
  const o = h as HistoryOptions;
  if (o.count !== undefined) num(`${name}.count`, o.count, 0, true);
  if (o.ageSec !== undefined) num(`${name}.ageSec`, o.ageSec, 0, false);
}

export function checkModuleOptions(o: ServerSentEventsOptions): void {
  checkStreamOptions(o, '');
  if (o.maxStreams !== undefined) num('maxStreams', o.maxStreams, 1, true);
  if (o.retryAfterSec !== undefined) num('retryAfterSec', o.retryAfterSec, 0, true);
  if (o.history !== undefined) checkHistory('history', o.history);
  if (o.historyStore != null && !isHistoryStore(o.historyStore)) throw invalidOption('historyStore', 'a HistoryStore (keep, since), e.g. RedisBus.history', o.historyStore);
}

/** A stream's options: its own, else the module's, else the defaults. */
export function resolveStreamOptions(o: EventStreamOptions, mod: EventStreamOptions): ResolvedStreamOptions {
  return {
    heartbeatSec: o.heartbeatSec ?? mod.heartbeatSec ?? 15,
    retryMs: o.retryMs !== undefined ? o.retryMs : mod.retryMs ?? null,
    maxQueue: o.maxQueue ?? mod.maxQueue ?? 256,
    slowPolicy: o.slowPolicy ?? mod.slowPolicy ?? 'drop-oldest',
    onStop: o.onStop !== undefined ? o.onStop : mod.onStop ?? null,
  };
}
