/**
 * Takes a request body as it arrives instead of having it buffered (the module interface's body hook,
 * `MwsModule.onRequestBody`). The engine hands each piece of decoded body (Content-Length or chunked) to
 * `onData`; `request.content` then stays empty. When the body is complete, `onEnd` runs and the request
 * goes down the pipeline as usual, so the module (or a route) answers it. Modules are asked after the
 * `requireBasicAuth` check (a request it refuses is never claimed) and before `onAccessCheck`, which
 * runs with the pipeline: a module that takes bodies checks what it needs in `onRequestBody`.
 */
export interface BodyReceiver {
  /**
   * A piece of the body. `chunk` is a view of the connection's slot, valid only during the call: copy
   * what you keep. Return false to pause reading (backpressure reaches the socket once the slot is
   * full); call the `resume` given to {@link BodyReceiver.onStart} to go on.
   */
  onData(chunk: Buffer): boolean | void;
  /** The whole body arrived (trailers of a chunked body, if any, as name/value pairs). */
  onEnd(trailers: string[] | null): void;
  /**
   * The body will not complete (the client left, a timeout, a framing error, a size over `maxBytes` —
   * then possibly before `onStart`, when the declared Content-Length is already too large).
   */
  onAbort(err: Error): void;
  /** Called once, before any data, with the function that resumes a paused body. */
  onStart?(resume: () => void): void;
  /**
   * Most body bytes accepted (default: no limit beyond this receiver's; the server's
   * maxRequestContentLength does not apply to a claimed body). More → 413 and close.
   */
  readonly maxBytes?: number;
}
