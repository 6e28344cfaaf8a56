/**
 * What waits on an HTTP connection's events, apart from the connection (engine/connection-output.ts
 * holds one, made on first need): callbacks for the socket's drain, the connection's close (abort) and
 * a graceful stop, and the pipelining pause that a drain ends. A plain request sets none of them, so an
 * idle connection keeps one field (null) instead of five (issue 19: an idle connection's memory).
 */
export class ConnectionWaiters {
  /** Run once when the socket's queue drains (xasync's onSendReady). */
  drain: Array<() => void> | null = null;
  /** Run when the connection closes under a request (its handler's `onAbort`). */
  abort: Array<() => void> | null = null;
  /** Open-ended responses' callbacks, run when a graceful stop begins. */
  stop: Array<() => void> | null = null;
  /** Reading stopped until the queued responses drain (request-cycle.ts, PIPELINE_HWM). */
  drainPaused = false;
  /** What resumes that reading (made on first need, kept). */
  drainResumer: (() => void) | null = null;
}
