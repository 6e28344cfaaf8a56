import { invalidOption } from '../base/errors';

/*
 * The fourth argument of `registerRoute` / `WebRoute`: a route's name, or its name and how it takes its
 * request body (buffered or streamed, and its size limit). Checked once, at registration.
 */

/** The fourth argument of `registerRoute` / `WebRoute` when more than a name is given. */
export interface RouteOptions {
  /** The route's name, for `pathFromRoute`. */
  name?: string;
  /**
   * How the handler gets the request body: `'buffer'` (the default: read whole, up to maxRequestContentLength,
   * before the handler runs) or `'stream'` (the handler runs as soon as the head is in, after the access
   * checks, and reads the body itself: `request.read()`, `request.body`, `request.pipeTo()`, `request.multipart()`).
   */
  body?: 'buffer' | 'stream';
  /**
   * Most body bytes accepted on this route (more → 413 and close). Buffered: replaces
   * maxRequestContentLength for this route; streamed: the default of `request.bodyLimit` (none when unset).
   */
  maxBodyBytes?: number;
}

/** What a route says of its request body (checked and frozen at registration; null on routes without options). */
export interface RouteBody {
  readonly body: 'buffer' | 'stream';
  /** Most bytes, or undefined: the server's maxRequestContentLength (buffered) / no limit (streamed). */
  readonly maxBodyBytes?: number;
}

/** Splits the fourth argument of `registerRoute` into the name and the body options (checked). */
export function routeOptions(arg: string | RouteOptions | null | undefined, what: string): { name: string | null; body: RouteBody | null } {
  if (arg === undefined || arg === null) return { name: null, body: null };
  if (typeof arg === 'string') {
    if (arg.length === 0) throw invalidOption(`${what} name`, 'a non-empty string', arg);
    return { name: arg, body: null };
  }
  if (typeof arg !== 'object') throw invalidOption(`${what} name or options`, 'a non-empty string or { name?, body?, maxBodyBytes? }', arg);
  for (const k of Object.keys(arg)) {
    if (k !== 'name' && k !== 'body' && k !== 'maxBodyBytes') throw invalidOption(`${what} options`, 'an object with name, body, maxBodyBytes only', k);
  }
  const { name, body, maxBodyBytes } = arg;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw invalidOption(`${what} options.name`, 'a non-empty string', name);
  if (body !== undefined && body !== 'buffer' && body !== 'stream') throw invalidOption(`${what} options.body`, "'buffer' or 'stream'", body);
  if (maxBodyBytes !== undefined && (typeof maxBodyBytes !== 'number' || !Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)) {
    throw invalidOption(`${what} options.maxBodyBytes`, `an integer from 0 to ${Number.MAX_SAFE_INTEGER}`, maxBodyBytes);
  }
  const opts = body === undefined && maxBodyBytes === undefined ? null
    : Object.freeze(maxBodyBytes === undefined ? { body: body ?? 'buffer' } : { body: body ?? 'buffer', maxBodyBytes });
  return { name: name ?? null, body: opts };
}

/** Checks the fourth argument of `registerRoute` / `WebRoute` (at once, before any registration). */
export function checkRouteOptions(arg: unknown, what: string): void {
  routeOptions(arg as string | RouteOptions | null | undefined, what);
}

/** A position in the tree of parametrised patterns. */
