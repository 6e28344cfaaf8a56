import { MwsError, invalidOption } from '../base/errors';
import {
  KIND_OF, convertArg, encodeArg, isMethodToken, parsePattern,
  type ArgSpec, type PatternSegment, type RouteArgs, type RouteArgValue,
} from './route-pattern';

export type { RouteArgs, RouteArgValue, ArgType } from './route-pattern';
export type { RouteBody, RouteOptions } from './route-options';
import { routeOptions, type RouteBody, type RouteOptions } from './route-options';
import { probeOf, type Probe } from './route-probe';
import { CAPS, CAPTURED, FEW_STATICS, collect, newNode, pick, walk, type Node } from './route-tree';

/** A resolved route: MicroWebSrv2's RouteResult (Handler, Method, RoutePath, Name, Args). */
export interface RouteMatch<H = unknown> {
  /** What was registered (the server's tables hold route handlers). */
  readonly handler: H;
  /** The arguments (a shared frozen empty object for routes without any). */
  readonly args: RouteArgs;
  /** `METHOD /pattern` for log lines. */
  readonly label: string;
  /** The route's method: GET when a HEAD request is served by a GET route. */
  readonly method: string;
  /** The route's pattern as registered. */
  readonly path: string;
  readonly name: string | null;
}

interface Entry<H = unknown> extends RouteMatch<H> {
  readonly params: readonly ArgSpec[];
  readonly segments: readonly PatternSegment[];
  readonly bodyOpts: RouteBody | null;
  /** Makes the args object from the converted values (argsFactory); null for a route without arguments. */
  readonly makeArgs: ArgsFactory | null;
}

type ArgsFactory = (v: readonly RouteArgValue[]) => RouteArgs;

/**
 * The function making a route's args object: an object literal with the route's names, compiled once
 * per route. Filled by name in a loop instead, every route's args went through one keyed store site,
 * which V8 makes megamorphic (a generic store per argument, ~450 instructions per JSON-route request,
 * bench/src/instr-count.sh); a literal of its own gives each route one fixed shape. The names are the
 * pattern's, checked by parsePattern (letters, digits, '_' and '-', not __proto__), and are written as
 * JSON string literals, so no name can be anything but a property key.
 */
function argsFactory(params: readonly ArgSpec[]): ArgsFactory | null {
  if (params.length === 0) return null;
  const fields = params.map((p, k) => `${JSON.stringify(p.name)}: v[${k}]`).join(', ');
  return new Function('v', `return { ${fields} };`) as ArgsFactory;
}

const NO_ARGS: RouteArgs = Object.freeze({});

/** A walk's inputs (the path, the method, the table's route count) and outcome (entry, captures). */
interface LastWalk { path: string; method: string; size: number; entry: Entry | null; caps: RouteArgValue[] }
/** A static lookup's inputs (the path's key, the method, the table's route count) and outcome. */
interface LastStatic { key: string; method: string; size: number; entry: Entry | null }

/**
 * `lookup`'s reused RouteMatch: the entry found and this request's args. The entry's fields are read
 * through it rather than copied: each store into this long-lived object costs a write barrier.
 */
class Match implements RouteMatch {
  entry: Entry;
  args: RouteArgs = NO_ARGS;
  constructor(e: Entry) { this.entry = e; }
  get handler(): unknown { return this.entry.handler; }
  get label(): string { return this.entry.label; }
  get method(): string { return this.entry.method; }
  get path(): string { return this.entry.path; }
  get name(): string | null { return this.entry.name; }
}

/**
 * A route table: MicroWebSrv2's routes with its flaws fixed. Patterns are `'/users/<id>'`-style with
 * optional types (`<n:int>`, `<x:float>`, `<d:digit>`, `<s:string>`, `<rest:path>`, see route-pattern.ts).
 * Matching keeps case, runs on the raw path (each segment decoded alone), and costs the same for 10 or
 * 10,000 routes: all-static patterns are one Map lookup on the decoded path; the others live in a tree
 * walked segment by segment (static children in Maps). At a position a static segment beats an argument,
 * and a more specific type beats a looser one. HEAD uses GET's routes; a trailing '/' is significant.
 *
 * A table may have a fallback (a server's table falls back on the global registry): its own routes win,
 * names are looked up there too, and `allowedMethods` is the union of both.
 */
export class RouteTable<H = unknown> {
  /** All-static patterns: decoded path → method → route. */
  private readonly _static = new Map<string, Map<string, Entry>>();
  /**
   * The lengths of the all-static patterns (1 at index n: some pattern is n characters long): a path of
   * another length skips the Map, which would hash the whole path first (a new string per request) only
   * to miss, as every request to a route with arguments does.
   */
  private _staticLens = new Uint8Array(64);
  private readonly _root: Node<Entry> = newNode<Entry>();
  private _treeRoutes = 0;
  private readonly _byName = new Map<string, Entry>();
  private _size = 0;
  /** Routes registered with body options (none: `bodyOptions` has nothing to look up). */
  private _bodyRoutes = 0;
  private readonly _fallback: RouteTable<H> | null;
  /** Matches made at heads with a body for the routes stage (`bodyOptions`, `takeMatch`). */
  private _matched: WeakMap<object, RouteMatch<H> | null> | null = null;
  /** What `lookup` returns for a route with arguments (made on first need). */
  private _match: Match | null = null;
  /** The last tree walk, taken again for the same path, method and routes (see `_entry`). */
  private readonly _lastWalk: LastWalk = { path: '', method: '', size: -1, entry: null, caps: [] };
  /** The last static lookup (key, method, routes → entry or null), taken again the same way. */
  private readonly _lastStatic: LastStatic = { key: '', method: '', size: -1, entry: null };

  /** @param fallback consulted after this table's own routes (the server tables' global registry). */
  constructor(fallback: RouteTable<H> | null = null) {
    this._fallback = fallback;
  }

  /**
   * Registers a route (MicroWebSrv2's RegisterRoute). `method` is upper-cased; `path` is a pattern written
   * decoded. Throws ERR_MWS_INVALID_OPTION on a bad argument and ERR_MWS_ROUTE_DUPLICATE when this table
   * already has the method for the same pattern shape (argument names aside: `/u/<id>` = `/u/<uid>`) or
   * the name. A fallback's routes may be shadowed freely.
   */
  add(handler: H, method: string, path: string, nameOrOptions?: string | RouteOptions | null): void {
    if (typeof handler !== 'function') throw invalidOption('registerRoute handler', 'a function (server, request, args) => …', handler);
    if (!isMethodToken(method)) throw invalidOption('registerRoute method', 'an HTTP method token such as GET or POST', method);
    const { name, body } = routeOptions(nameOrOptions, 'registerRoute');
    const pat = parsePattern(path);
    const m = method.toUpperCase();
    const label = `${m} ${pat.path}`;
    if (name != null && this._byName.has(name)) throw new MwsError('ERR_MWS_ROUTE_DUPLICATE', `a route named "${name}" is already registered (${this._byName.get(name)!.label})`);
    let routes: Map<string, Entry> | undefined | null;
    if (pat.args.length === 0) {
      routes = this._static.get(pat.path);
      if (routes === undefined) {
        this._static.set(pat.path, (routes = new Map()));
        const n = pat.path.length;
        if (n >= this._staticLens.length) {
          const grown = new Uint8Array(2 * n);
          grown.set(this._staticLens);
          this._staticLens = grown;
        }
        this._staticLens[n] = 1;
      }
    } else {
      const node = this._insert(pat.segments);
      routes = node.routes ?? (node.routes = new Map());
    }
    const prev = routes.get(m);
    if (prev !== undefined) throw new MwsError('ERR_MWS_ROUTE_DUPLICATE', `a route for ${label} is already registered (as ${prev.label})`);
    const entry: Entry = {
      handler, args: NO_ARGS, label, method: m, path: pat.path, name, params: pat.args, segments: pat.segments, bodyOpts: body,
      makeArgs: argsFactory(pat.args),
    };
    routes.set(m, entry);
    if (body !== null) this._bodyRoutes++;
    if (pat.args.length !== 0) this._treeRoutes++;
    if (name != null) this._byName.set(name, entry);
    this._size++;
  }

  /**
   * The route serving `method` at `rawPath` (the request's path as sent, still percent-encoded), this
   * table's own routes first, then the fallback's; null when none (see allowedMethods for 405 vs 404).
   * `method` is compared as given (methods are case-sensitive, RFC 9110 §9.1).
   */
  find(method: string, rawPath: string): RouteMatch<H> | null {
    const p = probeOf(rawPath);
    if (p === null) return null;
    return this._find(method, p, false) ?? (this._fallback === null ? null : this._fallback._find(method, p, false));
  }

  /**
   * `find` for the request path: a route with arguments comes in a match object this table reuses, valid
   * until its next lookup (the caller reads it at once). Only `args` is new per request: the handler may
   * keep it.
   */
  lookup(method: string, rawPath: string): RouteMatch<H> | null {
    const p = probeOf(rawPath);
    if (p === null) return null;
    return this._find(method, p, true) ?? (this._fallback === null ? null : this._fallback._find(method, p, true));
  }

  /**
   * The methods having a route whose pattern matches `rawPath` (own and fallback), HEAD added where GET
   * is; empty when none (→ 404). A fresh array: callers may add to it.
   */
  allowedMethods(rawPath: string): string[] {
    const p = probeOf(rawPath);
    if (p === null) return [];
    const set = new Set<string>();
    for (let t: RouteTable<H> | null = this; t !== null; t = t._fallback) t._collect(p, set);
    if (set.has('GET')) set.add('HEAD');
    return [...set];
  }

  /** The route registered under `name` (own, then fallback): its method and pattern, or null. */
  byName(name: string): { method: string; path: string } | null {
    const e = this._named(name);
    return e === null ? null : { method: e.method, path: e.path };
  }

  /**
   * Builds the path of a named route (MicroWebSrv2's PathFromRoute), each argument percent-encoded
   * (encodeURIComponent; a `path` argument per piece). An argument is looked up by its exact name, else
   * by the same name in any case (MicroWebSrv2 code wrote them lower-cased). Throws ERR_MWS_INVALID_OPTION
   * for an unknown name, a missing argument (named in the message), or a value its type refuses.
   */
  pathFromRoute(name: string, args: Readonly<Record<string, unknown>> = {}): string {
    const e = this._named(name);
    if (e === null) throw new MwsError('ERR_MWS_INVALID_OPTION', `pathFromRoute: no route is named ${JSON.stringify(name)}`);
    if (args === null || typeof args !== 'object') throw invalidOption(`pathFromRoute("${name}") args`, 'an object of argument values', args);
    let out = '';
    for (const seg of e.segments) {
      if (seg.arg === null) { out += '/' + seg.encoded; continue; }
      const v = argValue(args, seg.arg.name);
      if (v === undefined || v === null) {
        throw new MwsError('ERR_MWS_INVALID_OPTION', `pathFromRoute("${name}"): argument "${seg.arg.name}" is missing (route ${e.label})`);
      }
      out += '/' + encodeArg(name, seg.arg, v);
    }
    return out === '' ? '/' : out;
  }

  /**
   * The body options of the route serving `method` at `rawPath` (own, then fallback), null when none or no
   * route matches; free when no route has options. Asked for heads with a body: the match (or none) is kept
   * for `request`, and the routes stage takes it ({@link takeMatch}) instead of matching again.
   */
  bodyOptions(method: string, rawPath: string, request: object | null = null): RouteBody | null {
    if (!this.hasBodyRoutes) return null;
    const p = probeOf(rawPath);
    let t: RouteTable<H> = this;
    let e = p === null ? null : this._entry(method, p);
    if (e === null && p !== null && this._fallback !== null) e = (t = this._fallback)._entry(method, p);
    if (request !== null) (this._matched ??= new WeakMap()).set(request, e === null ? null : t._matchOf(e, false));
    return e === null ? null : e.bodyOpts;
  }

  /** Some route here or in the fallback has body options: heads with a body are matched by `bodyOptions`. */
  get hasBodyRoutes(): boolean { return this._bodyRoutes !== 0 || (this._fallback !== null && this._fallback._bodyRoutes !== 0); }

  /** The match `bodyOptions` kept for `request` (taken: once), null for none; undefined when it kept nothing. */
  takeMatch(request: object): RouteMatch<H> | null | undefined {
    const m = this._matched?.get(request);
    if (m !== undefined) this._matched!.delete(request);
    return m;
  }

  /** Routes registered in this table (not counting the fallback's). */
  get size(): number { return this._size; }

  private _named(name: string): Entry | null {
    for (let t: RouteTable<H> | null = this; t !== null; t = t._fallback) {
      const e = t._byName.get(name);
      if (e !== undefined) return e;
    }
    return null;
  }

  private _find(method: string, p: Probe, reuse: boolean): RouteMatch<H> | null {
    const e = this._entry(method, p);
    return e === null ? null : this._matchOf(e, reuse);
  }

  /**
   * The match of `e`, just found by `_entry` (its argument values still in CAPS). `reuse`: the table's one
   * Match object (the routes stage reads it before the next lookup), else a new one.
   */
  private _matchOf(e: Entry, reuse: boolean): RouteMatch<H> {
    // A route without arguments (all of the Map's): args is the shared empty object, nothing to allocate.
    if (e.params.length === 0) return e as RouteMatch<H>;
    // A plain object (names are checked not to be __proto__): V8 keeps it in fast mode, unlike
    // Object.create(null), and the handler reads it on every request.
    const params = e.params;
    for (let k = 0; k < params.length; k++) CAPS[k] = convertArg(params[k].type, CAPS[k]!);
    const args = e.makeArgs!(CAPS);
    for (let k = 0; k < params.length; k++) CAPS[k] = '';
    if (!reuse) return { handler: e.handler as H, args, label: e.label, method: e.method, path: e.path, name: e.name };
    const m = (this._match ??= new Match(e));
    m.entry = e;
    m.args = args;
    return m as RouteMatch<H>;
  }

  /** The entry serving `method`; a tree route's argument values are left in CAPS (see `_find`). */
  private _entry(method: string, p: Probe): Entry | null {
    if (this._static.size !== 0) {
      const key = p.staticKey();
      if (key !== null) {
        const ls = this._lastStatic;
        // The same key and method as the last lookup, no route added since: the same entry, without the
        // two Map lookups (a repeated request's path is the same string, compared at once).
        if (key === ls.key && method === ls.method && this._size === ls.size) {
          if (ls.entry !== null) return ls.entry;
        } else {
          // (A length past the array reads undefined: no pattern that long.)
          const routes = this._staticLens[key.length] !== 1 ? undefined : this._static.get(key);
          const e = routes === undefined ? null : pick(routes, method);
          ls.key = key;
          ls.method = method;
          ls.size = this._size;
          ls.entry = e;
          if (e !== null) return e;
        }
      }
    }
    if (this._treeRoutes === 0) return null;
    const w = this._lastWalk;
    // The same path and method as the last walk, and no route added since: the same outcome (a repeated
    // request; its path is the same string, compared at once).
    if (p.path === w.path && method === w.method && this._size === w.size) {
      const caps = w.caps;
      for (let k = 0; k < caps.length; k++) CAPS[k] = caps[k]!;
      CAPTURED.n = caps.length;
      return w.entry;
    }
    CAPTURED.n = 0;
    const e = walk(this._root, p, 0, method);
    w.path = p.path;
    w.method = method;
    w.size = this._size;
    w.entry = e;
    const n = CAPTURED.n;
    w.caps.length = n;
    for (let k = 0; k < n; k++) w.caps[k] = CAPS[k]!;
    return e;
  }

  private _collect(p: Probe, out: Set<string>): void {
    const key = this._static.size === 0 ? null : p.staticKey();
    const routes = key === null ? undefined : this._static.get(key);
    if (routes !== undefined) for (const m of routes.keys()) out.add(m);
    if (this._treeRoutes !== 0) collect(this._root, p, 0, out);
  }

  private _insert(segments: readonly PatternSegment[]): Node<Entry> {
    let node = this._root;
    for (const seg of segments) {
      if (seg.arg === null) {
        const statics = node.statics ?? (node.statics = new Map());
        let child = statics.get(seg.text);
        if (child === undefined) {
          statics.set(seg.text, (child = newNode()));
          if (statics.size <= FEW_STATICS) {
            (node.fewKeys ??= []).push(seg.text);
            (node.fewNodes ??= []).push(child);
          } else {
            node.fewKeys = null;
            node.fewNodes = null;
          }
        }
        node = child;
      } else {
        const kind = KIND_OF[seg.arg.type];
        const params = node.params ?? (node.params = []);
        let edge = params.find((x) => x.kind === kind);
        if (edge === undefined) {
          edge = { kind, node: newNode() };
          params.push(edge);
          params.sort((a, b) => a.kind - b.kind);
        }
        node = edge.node;
      }
    }
    return node;
  }
}

function argValue(args: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(args, name)) return args[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(args)) if (k.toLowerCase() === lower) return args[k];
  return undefined;
}
