/**
 * The primary's side of the cluster bus: which worker subscribed to which patterns, and the forwarding of
 * each published message to the other workers with a matching pattern — once per worker, even when
 * several of its patterns match (its own ClusterBus then hands it to the right local listeners). Knows
 * the workers only by id and a send function.
 */
import { TopicTree } from '../pubsub/topic-tree';
import type { PubMessage } from './messages';

/** Sends a message to worker `id`; false when it could not (gone, or its channel is full): counted as dropped. */
export type SendToWorker = (id: number, m: PubMessage) => boolean;

export class BusRouter {
  private readonly _tree = new TopicTree<number>();
  private readonly _byWorker = new Map<number, Set<string>>();
  private readonly _send: SendToWorker;
  /** Messages forwarded (one per receiving worker) and those that could not be. */
  forwarded = 0;
  dropped = 0;

  constructor(send: SendToWorker) { this._send = send; }

  subscribe(worker: number, pattern: string): void {
    let set = this._byWorker.get(worker);
    if (set === undefined) { set = new Set(); this._byWorker.set(worker, set); }
    if (set.has(pattern)) return;
    set.add(pattern);
    this._tree.add(pattern, worker);
  }

  unsubscribe(worker: number, pattern: string): void {
    const set = this._byWorker.get(worker);
    if (set === undefined || !set.delete(pattern)) return;
    this._tree.remove(pattern, worker);
  }

  /** A worker is gone: its patterns go with it. */
  removeWorker(worker: number): void {
    const set = this._byWorker.get(worker);
    if (set === undefined) return;
    for (const p of set) this._tree.remove(p, worker);
    this._byWorker.delete(worker);
  }

  /** Forwards `m`, published in worker `from` (which delivered it locally already), to every other matching worker. */
  route(from: number, m: PubMessage): void {
    for (const w of this._tree.matching(m.topic)) {
      if (w === from) continue;
      if (this._send(w, m)) this.forwarded++;
      else this.dropped++;
    }
  }
}
