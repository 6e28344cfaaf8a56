import { invalidOption } from '../base/errors';
import type { HttpRequest } from '../request/http-request';
import type { RouteHandler } from '../pipeline/route-stage';
import { isMethodToken, parsePattern, type RouteArgs } from '../routes/route-pattern';
import { RouteTable, type RouteMatch, type RouteOptions } from '../routes/route-table';
import { checkRouteOptions } from '../routes/route-options';
import type { ServerRef } from '../base/refs';

/**
 * The global registry, MicroWebSrv2's module-level route list: routes registered with {@link WebRoute}
 * or {@link registerRoute} go here and every server sees them, after the server's own routes.
 */
export const globalRoutes = new RouteTable<RouteHandler>();

/**
 * Registers a global route (MicroWebSrv2's `RegisterRoute`); see {@link RouteTable.add}. The fourth
 * argument is the route's name, or {@link RouteOptions} (`{ name?, body?: 'buffer' | 'stream', maxBodyBytes? }`).
 */
export function registerRoute(handler: RouteHandler, method: string, path: string, nameOrOptions?: string | RouteOptions): void {
  globalRoutes.add(handler, method, path, nameOrOptions);
}

/**
 * Resolves a global route (MicroWebSrv2's `ResolveRoute`): `path` as sent on the wire (percent-encoded;
 * plain text without '%' reads the same). `method` is upper-cased. Null when none matches.
 */
export function resolveRoute(method: string, path: string): RouteMatch<RouteHandler> | null {
  return globalRoutes.find(String(method).toUpperCase(), path);
}

/** Builds the path of a named global route (MicroWebSrv2's `PathFromRoute`); see {@link RouteTable.pathFromRoute}. */
export function pathFromRoute(name: string, args?: Readonly<Record<string, unknown>>): string {
  return globalRoutes.pathFromRoute(name, args);
}

/** A method a route decorator accepts: `(server, request, args)` with any `this`. */
export type RouteMethod<This> = (this: This, server: ServerRef, request: HttpRequest, args: RouteArgs) => unknown;

/** What `WebRoute(...)` returns: a standard (TC39 / TypeScript 5+) method decorator, or a plain call on a function. */
export interface RouteDecorator {
  <This, F extends RouteMethod<This>>(value: F, context: ClassMethodDecoratorContext<This, F>): void;
  /** MicroWebSrv2's `WebRoute(GET, '/x')(handler)` form: registers a plain function and returns it. */
  <F extends RouteHandler>(handler: F): F;
}

/**
 * MicroWebSrv2's `@WebRoute(method, routePath, name=None)` as a TypeScript 5+ standard decorator on a
 * class method; the route goes to the global registry.
 *
 * ```ts
 * class Api {
 *   @WebRoute('GET', '/users/<id>', 'user')
 *   static user(server: MicroWebSrv, req: HttpRequest, args: RouteArgs) { … }   // this = Api
 *
 *   constructor(private readonly db: Db) {}
 *   @WebRoute('POST', '/users')
 *   create(server: MicroWebSrv, req: HttpRequest) { this.db… }                   // this = the instance
 * }
 * new Api(db); // registers POST /users, bound to this instance
 * ```
 *
 * - A static method is registered when the class is defined; it runs with `this` = the class.
 * - An instance method is registered when an instance is constructed (the decorator's initializer runs
 *   at the start of the constructor), bound to that instance: routes need one receiver, so constructing
 *   a second instance throws ERR_MWS_ROUTE_DUPLICATE. Use a static method for receiver-less handlers.
 * - The third argument is the name, or {@link RouteOptions}: `@WebRoute('PUT', '/up', { body: 'stream' })`.
 * - The arguments are checked at once (ERR_MWS_INVALID_OPTION), even for instance methods.
 *
 * Needs standard decorators: tsc as is (without `experimentalDecorators`); swc with
 * `jsc.parser.decorators: true` and `jsc.transform.decoratorVersion: '2022-03'`. Legacy
 * (`experimentalDecorators`) calls are refused with an error that says so.
 */
export function WebRoute(method: string, path: string, nameOrOptions?: string | RouteOptions): RouteDecorator {
  return createWebRoute(globalRoutes)(method, path, nameOrOptions);
}

/**
 * A `WebRoute` bound to another `RouteTable` than the global one: for tests that must not touch the global
 * registry, or a table an application resolves itself (`table.resolve(method, path)`). Servers look up
 * only their own routes and the global registry, not such a table.
 */
export function createWebRoute(table: RouteTable<RouteHandler>): (method: string, path: string, nameOrOptions?: string | RouteOptions) => RouteDecorator {
  return (method, path, name) => {
    // Check now, so that a bad pattern on an instance method fails at class definition, not at `new`.
    if (!isMethodToken(method)) throw invalidOption('WebRoute method', 'an HTTP method token such as GET or POST', method);
    parsePattern(path, 'WebRoute path');
    checkRouteOptions(name, 'WebRoute');
    const decorator = (value: unknown, context?: unknown): unknown => {
      const ctx = context as ClassMethodDecoratorContext | undefined;
      if (ctx !== undefined && (typeof ctx !== 'object' || ctx === null || typeof ctx.addInitializer !== 'function')) {
        // experimentalDecorators calls (target, key, descriptor): no way to bind instance methods there.
        throw invalidOption('WebRoute', 'used as a standard decorator (TypeScript 5+ without experimentalDecorators; swc: decoratorVersion 2022-03)', typeof context);
      }
      if (typeof value !== 'function') throw invalidOption('WebRoute target', 'a method or a function', value);
      if (ctx === undefined) {
        table.add(value as RouteHandler, method, path, name);
        return value;
      }
      if (ctx.kind !== 'method') throw invalidOption('WebRoute target', 'a method', ctx.kind);
      const fn = value as (...a: unknown[]) => unknown;
      ctx.addInitializer(function (this: unknown) {
        // Static: `this` is the class, once, at definition. Instance: `this` is the new instance.
        const self = this;
        table.add((server, request, args) => fn.call(self, server, request, args), method, path, name);
      });
      return undefined;
    };
    return decorator as RouteDecorator;
  };
}
