/**
 * core's internal interface of a response, on symbol keys (fastify's way): reachable by the engine and
 * the pipeline that import it, invisible to users (not exported from the package).
 */

/** Marks a response as done without sending anything: its connection was taken over (detached). */
export const kMarkFinished: unique symbol = Symbol('mws.response.markFinished');

/**
 * Adds field lines already formatted (`Name: value\r\n`…), written with the fields set so far: a static
 * file's validators, built once per file (static/file-meta.ts). The caller vouches for the lines.
 */
export const kFieldLines: unique symbol = Symbol('mws.response.fieldLines');
