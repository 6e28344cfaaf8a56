import { RequestBody } from './body-stream';

/** The body state of requests that asked for it (streamed ones get theirs from the engine at their head). */
const BODIES = new WeakMap<object, RequestBody>();

/** The engine gives a streamed request its body. */
export function attachRequestBody(req: object, body: RequestBody): void {
  BODIES.set(req, body);
}

/** The request's body state, made from `content` on first use for a buffered request. */
export function requestBodyOf(req: object, content: Buffer): RequestBody {
  let b = BODIES.get(req);
  if (b === undefined) BODIES.set(req, (b = RequestBody.buffered(content)));
  return b;
}

/** True when the request's body is streamed. */
export function isStreamed(req: object): boolean {
  return BODIES.get(req)?.streamed ?? false;
}
