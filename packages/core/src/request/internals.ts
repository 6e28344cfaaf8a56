/**
 * core's internal interface of a request, on symbol keys (fastify's way): the engine that builds a
 * request sets its body through it; users cannot reach it (not exported from the package).
 */

/** The request's own body Buffer (null: none), filled by the connection as the bytes arrive. */
export const kBody: unique symbol = Symbol('mws.request.body');
