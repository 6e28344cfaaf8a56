/**
 * `ClusterBus`: the `Bus` of a cluster worker. Local listeners are served by an `InProcessBus` (a publish
 * reaches this worker's subscribers at once, synchronously); every publish also goes to the primary over
 * the IPC channel, which forwards it to the other workers that subscribed to a matching pattern (their
 * `ClusterBus` delivers it to their local listeners). The primary learns a worker's patterns from it: one
 * `sub` when the first local listener of a pattern arrives, one `unsub` when the last leaves.
 *
 * Order: IPC channels are ordered, and the primary forwards in arrival order, so every subscriber sees
 * each publisher's messages in the order they were published (messages of different publishers may
 * interleave differently in different workers). Delivery is at most once: a worker that dies with
 * messages in its channel loses them, like a client that disconnects.
 *
 * Outside a cluster worker (the primary, a single process) it is a plain local bus.
 */
import cluster from 'node:cluster';
import { invalidOption } from '../base/errors';
import { InProcessBus, type Bus, type BusListener } from '../pubsub/bus';
import { TopicMessage } from '../pubsub/message';
import { checkPattern } from '../pubsub/topic-name';
import { dataOf, isMws, type PrimaryMessage, type PubMessage, type WorkerMessage } from './messages';

/** The worker's end of the IPC channel (`process.send` / `process.on('message')` in a cluster worker). */
export interface ClusterChannel {
  /** Sends `m`; `done` is called once it left (or failed to). */
  send(m: WorkerMessage, done: (err: Error | null) => void): void;
  /** Receives every message of the channel (others' included: filter). */
  onMessage(fn: (m: unknown) => void): void;
}

/** Counters of a ClusterBus. */
export interface ClusterBusStats {
  /** Messages published in this process. */
  published: number;
  /** Messages received from other workers (through the primary). */
  received: number;
  /** Messages not sent because `maxPendingSends` were still in the channel (a stalled primary). */
  dropped: number;
}

/** Sends still in the channel beyond which a publish is dropped (and counted): the channel's bound. */
const MAX_PENDING_SENDS = 10000;

export class ClusterBus implements Bus {
  /** Called with a local listener's exception (default: console.error); the others still get the message. */
  get onError(): (err: unknown, message: TopicMessage) => void { return this._local.onError; }
  set onError(fn: (err: unknown, message: TopicMessage) => void) {
    if (typeof fn !== 'function') throw invalidOption('ClusterBus onError', 'a function (err, message) => void', fn);
    this._local.onError = fn;
  }
  private readonly _local = new InProcessBus();
  private readonly _channel: ClusterChannel | null;
  /** Local listeners per pattern: the primary hears of a pattern's first and last only. */
  private readonly _patterns = new Map<string, number>();
  private _pending = 0;
  private readonly _stats: ClusterBusStats = { published: 0, received: 0, dropped: 0 };
  private readonly _sent = (): void => { this._pending--; };

  /** A bus over `channel`; null: local only (not a cluster worker). Use {@link clusterBus} for the process's own. */
  constructor(channel: ClusterChannel | null) {
    this._channel = channel;
    channel?.onMessage((m) => { if (isMws(m, ['pub'] as const)) this._receive(m as PrimaryMessage as PubMessage); });
  }

  /** True when publishes reach other workers (this process is a cluster worker). */
  get connected(): boolean { return this._channel !== null; }

  get stats(): ClusterBusStats { return { ...this._stats }; }

  publish(message: TopicMessage): void {
    this._stats.published++;
    this._local.publish(message);
    if (this._channel === null) return;
    if (this._pending >= MAX_PENDING_SENDS) { this._stats.dropped++; return; }
    this._pending++;
    this._channel.send({ mws: 'pub', topic: message.topic, data: message.data, binary: message.binary, event: message.event }, this._sent);
  }

  subscribe(pattern: string, listener: BusListener): void {
    checkPattern('subscribe pattern', pattern);
    this._local.subscribe(pattern, listener);
    const n = this._patterns.get(pattern) ?? 0;
    this._patterns.set(pattern, n + 1);
    if (n === 0) this._control({ mws: 'sub', pattern });
  }

  unsubscribe(pattern: string, listener: BusListener): void {
    const before = this._local.size;
    this._local.unsubscribe(pattern, listener);
    if (this._local.size === before) return; // it was not subscribed
    const n = this._patterns.get(pattern) ?? 1;
    if (n > 1) { this._patterns.set(pattern, n - 1); return; }
    this._patterns.delete(pattern);
    this._control({ mws: 'unsub', pattern });
  }

  private _control(m: WorkerMessage): void {
    // Never dropped: the primary's routing must match the worker's patterns.
    this._channel?.send(m, noop);
  }

  private _receive(m: PubMessage): void {
    this._stats.received++;
    this._local.publish(new TopicMessage(m.topic, dataOf(m.data), m.binary === true, typeof m.event === 'string' ? m.event : null));
  }
}

const noop = (): void => undefined;

let processBus: ClusterBus | null = null;

/**
 * This process's `ClusterBus` (one per process, made on the first call): connected to the primary in a
 * cluster worker, local elsewhere. Give it to a server with `srv.topics.bus = clusterBus()` (startCluster
 * does it for every server left on the default bus).
 */
export function clusterBus(): ClusterBus {
  if (processBus !== null) return processBus;
  const send = process.send;
  const isWorker = cluster.isWorker && typeof send === 'function';
  processBus = new ClusterBus(isWorker ? {
    send: (m, done) => { send.call(process, m, undefined, undefined, done); },
    onMessage: (fn) => { process.on('message', fn); },
  } : null);
  return processBus;
}
