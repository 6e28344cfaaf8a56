/**
 * The tree of a route table's patterns with arguments, and its two searches: `walk` (the route serving a
 * method at a path, its argument values captured in CAPS) and `collect` (every method whose pattern
 * matches: the Allow of a 405). Generic over what a route is (the table's entries); the table
 * (route-table.ts) builds the tree and owns the rest.
 */
import { Kind, decodePathRest, kindValue, type RouteArgValue } from './route-pattern';
import type { Probe } from './route-probe';

export interface Node<E> {
  /** Children by static segment (decoded text): tried first, so static beats an argument here. */
  statics: Map<string, Node<E>> | null;
  /**
   * The same children while there are few (up to FEW_STATICS), as parallel arrays scanned with `===`:
   * a request's segment is a new string, which a Map must hash first (one pass over it, then the probe);
   * comparing a few keys stops at the first differing length or character. Null beyond that.
   */
  fewKeys: string[] | null;
  fewNodes: Node<E>[] | null;
  /** Children by argument kind, most specific first (digit, int, float, segment, path). */
  params: { kind: Kind; node: Node<E> }[] | null;
  /** Routes ending here, by method. */
  routes: Map<string, E> | null;
}

export const newNode = <E>(): Node<E> => ({ statics: null, fewKeys: null, fewNodes: null, params: null, routes: null });
/** Static children scanned rather than hashed up to this many (see Node.fewKeys). */
export const FEW_STATICS = 8;

/** The static child of `node` named `d`, or undefined. */
export function staticChild<E>(node: Node<E>, d: string): Node<E> | undefined {
  const keys = node.fewKeys;
  if (keys !== null) {
    for (let k = 0; k < keys.length; k++) if (keys[k] === d) return node.fewNodes![k];
    return undefined;
  }
  return node.statics === null ? undefined : node.statics.get(d);
}

/** The route for `method` among one position's routes; HEAD uses GET's when it has none of its own. */
export function pick<E>(routes: Map<string, E>, method: string): E | null {
  return routes.get(method) ?? (method === 'HEAD' ? routes.get('GET') ?? null : null);
}

/**
 * Depth-first search for the route of `method`: at each position the static child first, then the
 * argument kinds from the most specific; a branch that fails deeper (or has no route for the method)
 * gives way to the next, so a type mismatch lets another route serve the path. The work depends on the
 * path's depth and the few kinds at each position, not on the number of routes.
 */
export function walk<E>(node: Node<E>, p: Probe, i: number, method: string): E | null {
  const segs = p.segs;
  const n = p.count;
  if (i === n) return node.routes === null ? null : pick(node.routes, method);
  const d = p.dec(i);
  if (d === null) return null;
  if (node.statics !== null) {
    const child = staticChild(node, d);
    if (child !== undefined) {
      const r = walk(child, p, i + 1, method);
      if (r !== null) return r;
    }
  }
  const params = node.params;
  if (params === null) return null;
  for (let k = 0; k < params.length; k++) {
    const edge = params[k];
    if (edge.kind === Kind.Path) {
      const e = edge.node.routes === null ? null : pick(edge.node.routes, method);
      const v = e === null ? null : decodePathRest(segs, i, n);
      if (v === null) continue;
      CAPS[CAPTURED.n++] = v;
      return e;
    }
    const v = kindValue(edge.kind, d);
    if (v === undefined) continue;
    CAPS[CAPTURED.n++] = v;
    const r = walk(edge.node, p, i + 1, method);
    if (r !== null) return r;
    CAPTURED.n--;
  }
  return null;
}

/**
 * The argument values `walk` captured, in pattern order: one array reused by every lookup (lookups are
 * synchronous and never nested), read into the route's args object right after the walk.
 */
export const CAPS: RouteArgValue[] = [];
/** How many of CAPS the last walk filled (an object: a module's `let` cannot be set from another). */
export const CAPTURED = { n: 0 };

/** Every method of every route whose pattern matches the path (the 405 answer's Allow). */
export function collect<E>(node: Node<E>, p: Probe, i: number, out: Set<string>): void {
  const segs = p.segs;
  const n = p.count;
  if (i === n) {
    if (node.routes !== null) for (const m of node.routes.keys()) out.add(m);
    return;
  }
  const d = p.dec(i);
  if (d === null) return;
  const child = node.statics?.get(d);
  if (child !== undefined) collect(child, p, i + 1, out);
  if (node.params === null) return;
  for (const edge of node.params) {
    if (edge.kind === Kind.Path) {
      if (edge.node.routes !== null && decodePathRest(segs, i, n) !== null) for (const m of edge.node.routes.keys()) out.add(m);
    } else if (kindValue(edge.kind, d) !== undefined) {
      collect(edge.node, p, i + 1, out);
    }
  }
}
