import { MwsError, invalidOption } from '../errors';
import type { HttpRequest } from '../request/http-request';
import type { MicroWebSrv } from '../server/micro-web-srv';

/** A route handler, MicroWebSrv2's `(microWebSrv2, request)` plus the route's arguments. May be async. */
export type RouteHandler = (server: MicroWebSrv, request: HttpRequest, args: Record<string, string | number>) => unknown;

export interface RouteMatch {
  handler: RouteHandler;
  args: Record<string, string | number>;
  /** `METHOD /path` for log lines. */
  label: string;
}

interface Entry extends RouteMatch {
  method: string;
  path: string;
  name: string | null;
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NO_ARGS: Record<string, string | number> = Object.freeze(Object.create(null));

/**
 * Routes at their simplest: method + exact path, found with two Map lookups (the cost does not grow with
 * the number of routes). HEAD uses the GET route when it has none of its own (its body is dropped by the
 * response). `<arg>` segments, typed arguments and path building come with the full router.
 */
export class RouteTable {
  private readonly _byPath = new Map<string, Map<string, Entry>>();
  private readonly _byName = new Map<string, Entry>();

  add(handler: RouteHandler, method: string, path: string, name?: string): void {
    if (typeof handler !== 'function') throw invalidOption('registerRoute handler', 'a function (server, request, args) => …', handler);
    if (typeof method !== 'string' || !METHOD.test(method)) throw invalidOption('registerRoute method', 'an HTTP method token such as GET or POST', method);
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalidOption('registerRoute path', "a path starting with '/'", path);
    const m = method.toUpperCase();
    let methods = this._byPath.get(path);
    if (methods?.has(m)) throw new MwsError('ERR_MWS_ROUTE_DUPLICATE', `a route for ${m} ${path} is already registered`);
    if (name !== undefined && this._byName.has(name)) throw new MwsError('ERR_MWS_ROUTE_DUPLICATE', `a route named "${name}" is already registered`);
    const entry: Entry = { handler, args: NO_ARGS, label: `${m} ${path}`, method: m, path, name: name ?? null };
    if (!methods) this._byPath.set(path, (methods = new Map()));
    methods.set(m, entry);
    if (name !== undefined) this._byName.set(name, entry);
  }

  find(method: string, path: string): RouteMatch | null {
    const methods = this._byPath.get(path);
    if (methods === undefined) return null;
    return methods.get(method) ?? (method === 'HEAD' ? methods.get('GET') ?? null : null);
  }

  /** The methods a path has routes for (for 405's Allow), HEAD included where GET is. */
  allowedMethods(path: string): string[] {
    const methods = this._byPath.get(path);
    if (methods === undefined) return [];
    const out = [...methods.keys()];
    if (methods.has('GET') && !methods.has('HEAD')) out.push('HEAD');
    return out;
  }

  /** The route registered under `name`: its method and path. */
  byName(name: string): { method: string; path: string } | null {
    const e = this._byName.get(name);
    return e ? { method: e.method, path: e.path } : null;
  }

  get size(): number {
    let n = 0;
    for (const m of this._byPath.values()) n += m.size;
    return n;
  }
}
