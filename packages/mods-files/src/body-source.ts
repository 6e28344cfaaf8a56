/**
 * Where an upload's bytes come from, as the writer sees them: an async iterable of Buffers and an
 * AbortSignal that fires when the client leaves, the body times out or passes its limit. core's streamed
 * request body is one (`request.body`, `request.signal`), and so is a multipart file part (`part.stream`);
 * the writer is tested on the file system with sources of its own.
 */

/** An upload's body: its bytes as they arrive, and the signal that says they never will. */
export interface BodySource {
  readonly chunks: AsyncIterable<Buffer>;
  readonly signal: AbortSignal;
}
