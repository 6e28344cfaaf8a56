/**
 * core's internal interface of a request, on symbol keys (fastify's way): the engine that builds a
 * request sets its body through it; users cannot reach it (not exported from the package).
 */

/**
 * Gives the request its own body Buffer (filled by the connection as the bytes arrive). A method on the
 * prototype, not a symbol-keyed field: V8 gives objects with a computed-key field a slower shape (it
 * cost ~50 B of heap per request when measured).
 */
export const kSetBody: unique symbol = Symbol('mws.request.setBody');

/**
 * Retires an answered request nothing kept (issue 19): it and its response go stale (ERR_MWS_STALE on
 * use), and it returns their state (with the response's) for a later request; null when it was stale already.
 */
export const kRetireRequest: unique symbol = Symbol('mws.request.retire');

/**
 * The request's parsed head, checked current once (ERR_MWS_STALE otherwise): core's stages read the
 * method and path through one call instead of two public getters, each checking (issue 19: a getter
 * chain TurboFan did not inline into the pipeline cost ~35 instructions a call).
 */
export const kHead: unique symbol = Symbol('mws.request.head');
