/**
 * `TopicTree<S>`: subscribers by pattern, matched against published topics. Like uWebSockets' TopicTree
 * it knows its subscribers only as opaque values of type `S` (a bus listener, a WebSocket, an event
 * stream): whoever holds the tree decides what delivering means. A tree of levels: each node has its exact
 * children, a `+` child and the subscribers of `…/#` at that point, so a publish walks only the branches
 * that can match (MQTT 3.1.1 §4.7).
 */

class TopicNode<S> {
  children: Map<string, TopicNode<S>> | null = null;
  plus: TopicNode<S> | null = null;
  /** Subscribers of the pattern ending here. */
  subs: Set<S> | null = null;
  /** Subscribers of the pattern ending here followed by `/#` (or of `#` at the root). */
  hash: Set<S> | null = null;

  get isEmpty(): boolean {
    return (this.children === null || this.children.size === 0) && this.plus === null && this.subs === null && this.hash === null;
  }
}

export class TopicTree<S> {
  private readonly _root = new TopicNode<S>();
  private _count = 0;

  /** Subscriptions (pattern, subscriber pairs) held. */
  get size(): number { return this._count; }

  /** Adds `sub` under `pattern` (checked by the caller, see topic-name.ts). False when it was there. */
  add(pattern: string, sub: S): boolean {
    const levels = pattern.split('/');
    const hash = levels[levels.length - 1] === '#';
    const n = hash ? levels.length - 1 : levels.length;
    let node = this._root;
    for (let i = 0; i < n; i++) {
      const l = levels[i]!;
      if (l === '+') { node = node.plus ??= new TopicNode<S>(); continue; }
      const map = node.children ??= new Map();
      let next = map.get(l);
      if (next === undefined) { next = new TopicNode<S>(); map.set(l, next); }
      node = next;
    }
    const set = hash ? (node.hash ??= new Set()) : (node.subs ??= new Set());
    if (set.has(sub)) return false;
    set.add(sub);
    this._count++;
    return true;
  }

  /** Removes `sub` from `pattern`; prunes the nodes left empty. False when it was not there. */
  remove(pattern: string, sub: S): boolean {
    const levels = pattern.split('/');
    const hash = levels[levels.length - 1] === '#';
    const n = hash ? levels.length - 1 : levels.length;
    const path: Array<[TopicNode<S>, string]> = [];
    let node: TopicNode<S> | null | undefined = this._root;
    for (let i = 0; i < n && node; i++) {
      const l = levels[i]!;
      path.push([node, l]);
      node = l === '+' ? node.plus : node.children?.get(l);
    }
    if (!node) return false;
    const set = hash ? node.hash : node.subs;
    if (!set || !set.delete(sub)) return false;
    this._count--;
    if (set.size === 0) { if (hash) node.hash = null; else node.subs = null; }
    // Prune from the leaf up: a tree of many short-lived topics must not keep their nodes.
    for (let i = path.length - 1; i >= 0 && node.isEmpty; i--) {
      const [parent, l] = path[i]!;
      if (l === '+') parent.plus = null; else parent.children!.delete(l);
      node = parent;
    }
    return true;
  }

  /**
   * Calls `fn(sub, pattern-set)` for each subscription matching `topic`. A subscriber under two matching
   * patterns is called twice: the caller dedups when it must (see Topics).
   */
  forEachMatch(topic: string, fn: (sub: S) => void): void {
    const levels = topic.split('/');
    // MQTT §4.7.2: `+` and `#` at the first level do not match topics starting with `$`.
    this._walk(this._root, levels, 0, fn, topic.charCodeAt(0) === 36 /* $ */);
  }

  /** The distinct subscribers matching `topic`. */
  matching(topic: string): Set<S> {
    const out = new Set<S>();
    this.forEachMatch(topic, (s) => out.add(s));
    return out;
  }

  private _walk(node: TopicNode<S>, levels: string[], i: number, fn: (sub: S) => void, dollar: boolean): void {
    const wild = !(dollar && i === 0);
    if (node.hash !== null && wild) for (const s of node.hash) fn(s);
    if (i === levels.length) {
      if (node.subs !== null) for (const s of node.subs) fn(s);
      return;
    }
    const next = node.children?.get(levels[i]!);
    if (next !== undefined) this._walk(next, levels, i + 1, fn, dollar);
    if (node.plus !== null && wild) this._walk(node.plus, levels, i + 1, fn, dollar);
  }
}
