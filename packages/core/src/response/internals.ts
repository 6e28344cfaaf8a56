/**
 * core's internal interface of a response, on symbol keys (fastify's way): reachable by the engine and
 * the pipeline that import it, invisible to users (not exported from the package).
 */

/** Marks a response as done without sending anything: its connection was taken over (detached). */
export const kMarkFinished: unique symbol = Symbol('mws.response.markFinished');

/**
 * Marks the exchange as kept: something will use the request or the response after its handler returns
 * (an async handler, a stream, onSent, a body reader): its connection must not reuse their objects.
 */
export const kKeep: unique symbol = Symbol('mws.response.keep');
/** True when the exchange was kept (see kKeep). */
export const kKept: unique symbol = Symbol('mws.response.kept');
/** Makes this response and its request stale (their objects go to the connection's next request). */
export const kRetire: unique symbol = Symbol('mws.response.retire');
/**
 * Adds field lines already formatted (`Name: value\r\n`…), written with the fields set so far: a static
 * file's validators, built once per file (static/file-meta.ts). The caller vouches for the lines.
 */
export const kFieldLines: unique symbol = Symbol('mws.response.fieldLines');
