/**
 * Names the lower layers use for objects of the layers above, without importing them (an import would
 * close a cycle). Each is an empty interface here; the file that defines the real class merges it in by
 * declaration merging (`declare module '../base/refs' { interface ServerRef extends MicroWebSrv {} }`),
 * so a user sees the full type: `request.server` is a MicroWebSrv, `response.request` an HttpRequest.
 * The lower layer itself never relies on a member it does not receive through its own narrow interface.
 */

/** The server a request belongs to (server/micro-web-srv.ts merges `MicroWebSrv` into it). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ServerRef {}

/** The request a response answers (request/http-request.ts merges `HttpRequest` into it). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RequestRef {}
