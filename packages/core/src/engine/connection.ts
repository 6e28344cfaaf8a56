import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import { XClosedReason } from '@microwebsrv/xasync';
import { MwsError } from '../base/errors';
import type { LogLevelName } from '../base/logger';
import { HttpError } from '../http/errors';
import type { ParserHandler } from '../http/parser';
import { errorResponse } from '../http/responses';
import type { BodyFlow } from '../request/body-feed';
import type { RequestOrigin } from '../request/http-request';
import type { HttpResponse, ResponseSink } from '../response/http-response';
import { Activity } from './activity';
import { abortError } from '../request/body-errors';
import type { ConnectionInfo } from './connection-host';
import { connRecv, Phase, RequestCycle } from './request-cycle';

/**
 * One HTTP connection: binds an XAsyncTCPClient's slot to the request parser, runs requests one at a
 * time (pipelined ones wait in the slot, so responses leave in order), and batches the responses of one
 * read into one write. This file is the connection's life: start, graceful stop, upgrade and detach,
 * timeouts and what the server's guards read (activity, 408); the request cycle is its base
 * (request-cycle.ts: parser, bodies, finish), the output that one's base (connection-output.ts).
 * Implements the parser's handler and the responses' sink.
 */
export class HttpConnection extends RequestCycle implements ParserHandler, ResponseSink<HttpResponse>, RequestOrigin, ConnectionInfo, BodyFlow {
  private _detached = false;

  // ---- start, the guards' view, graceful stop --------------------------------------------------

  /** Starts reading requests. */
  start(): void {
    const c = this.client;
    c.userData = this;
    c.onRecvTimeout = connTimeout;
    c.onSendReady = connDrain;
    c.onClosed = connClosed;
    c.asyncRecvRaw(connRecv, 0);
    // After asyncRecvRaw: bytes that arrived during a TLS handshake may already have been parsed.
    if (this._phase === Phase.Head && this._served === 0 && this._req === null) this._enterHead();
  }

  /** True when nothing is in progress: no request bytes, no handler, no response (graceful stop closes these). */
  get isIdle(): boolean {
    return this._phase === Phase.Head && this.client.recvPending === 0 && this._outputEmpty;
  }

  /** What the connection is doing, for the server's eviction and rate checks (engine/eviction.ts, rates.ts). */
  get activity(): Activity {
    const p = this._phase;
    if (p === Phase.Head) {
      if (this.client.recvPending > 0 || this._served === 0) return Activity.Head;
      // A response still leaving (a slow reader) is not idle: closing it would lose the response.
      if (this.client.sendPending > 0) return Activity.Sending;
      return this._outputEmpty ? Activity.Idle : Activity.Busy;
    }
    // A body its receiver paused waits on us, not on the client.
    if (p === Phase.Body) return this._body === null || !this._body.paused ? Activity.Body : Activity.Busy;
    return p === Phase.Handling && this.client.sendPending > 0 ? Activity.Sending : Activity.Busy;
  }

  /** Graceful stop: close now if idle, else after the response in progress. */
  closeWhenIdle(): void {
    this._closeAfter = true;
    // A connection that has not sent its first request yet was accepted a moment before the stop (under a
    // cluster's rolling restart the primary may have handed it over just then): its client connected to
    // send one, and a close would lose it. It keeps its head timeout to send it, answered with
    // `Connection: close`. Between keep-alive requests the connection is closed now (RFC 9112 §9.3.1:
    // the client may retry a request the close raced with).
    if (this.isIdle && this._served === 0) return;
    if (this.isIdle || this._phase === Phase.Upgraded) { this.client.close(); return; }
    // An open-ended response (events, long poll) would never finish by itself: end it now.
    const ws = this._waiters;
    const waiters = ws === null ? null : ws.stop;
    if (waiters !== null) ws!.stop = null;
    if (waiters !== null) for (const w of waiters) this._runStopWaiter(w);
  }

  /** An open-ended response's stop callback; one that throws must not stop the others (or `stop()`). */
  private _runStopWaiter(w: () => void): void {
    try { w(); } catch (err) { this._host.logger.log('ERROR', `From ${this.remoteHost}:${this.remotePort} an open stream's onStop threw: ${String(err)}`); }
  }

  onStop(cb: () => void): void {
    // Opened after the graceful stop began (a handler that awaited): end it as soon as it is set up.
    if (this._closeAfter && this._host.stopping) { queueMicrotask(() => this._runStopWaiter(cb)); return; }
    (this._w.stop ??= []).push(cb);
  }

  // ---- the end of HTTP on this connection (ResponseSink, RequestOrigin) -------------------------

  abort(resp: HttpResponse, err: Error): void {
    const req = this._req;
    this._host.logger.log('ERROR', `From ${this.remoteHost}:${this.remotePort} ${req?.method ?? '?'} ${req?.path ?? '?'}: response aborted: ${err.message}`);
    this._req = null;
    if (this._waiters !== null) this._waiters.stop = null;
    this._closeAfter = true;
    this._phase = Phase.Closing;
    this._flush();
    this.client.close();
  }

  upgraded(resp: HttpResponse): void {
    this._host.responded(this, resp, this._startedAt);
    this._req = null;
    this._phase = Phase.Upgraded;
    this._parser?.pause();
    // HTTP is over on this connection: the paused parser goes (not back to the pool: it may be mid-message).
    this._parser = null;
    this.client.stopRecvRaw();
    this._flush();
    // Until a module detaches the connection, the idle timeout guards it: an upgrade nobody takes is closed.
    this.client.setRecvTimeout(this._host.limits.keepAliveTimeoutSec);
  }

  /**
   * Hands the connection over to another protocol (a module's `request.detachConnection()`): HTTP
   * processing stops; the bytes that followed the request stay in the slot for the new owner's first
   * receive; the slot stays bound (and counted by the server) until the connection closes.
   */
  detach(): XAsyncTCPClient {
    if (this._detached) throw new MwsError('ERR_MWS_STATE', 'the connection is already detached');
    if (this._phase === Phase.Closing) throw new MwsError('ERR_MWS_STATE', 'the connection is closing: it cannot be detached');
    this._detached = true;
    this._req = null;
    if (this._waiters !== null) this._waiters.stop = null;
    this._phase = Phase.Upgraded;
    this._parser?.pause();
    this._parser = null; // as in upgraded(): a detached connection keeps no parser
    this._flush();
    const c = this.client;
    c.stopRecvRaw();
    c.setRecvTimeout(0);
    c.onRecvTimeout = null;
    c.onSendReady = null;
    c.userData = null;
    const ws = this._waiters;
    if (ws !== null) { ws.abort = null; ws.drain = null; }
    // The new owner sets onClosed; the server's bookkeeping follows the close through whenClosed().
    c.onClosed = null;
    c.whenClosed().then((reason) => this._onClosed(reason));
    return c;
  }

  get isDetached(): boolean { return this._detached; }

  /** An open-ended response (server-sent events, a long poll) runs: it ends only when the client leaves or the server stops. */
  get openEnded(): boolean { return this._waiters !== null && this._waiters.stop !== null; }

  // ---- timeouts and close ----------------------------------------------------------------------

  /** @internal */
  _onTimeout(): boolean {
    const phase = this._phase;
    if (phase === Phase.Upgraded) {
      if (!this._detached) this.client.close();
      return true;
    }
    if (phase === Phase.Handling || phase === Phase.Closing) return true;
    const what = phase === Phase.Body ? 'body stalled' : this.client.recvPending > 0 ? 'headers incomplete' : 'keep-alive idle';
    this.timeOut(phase === Phase.Head && this.client.recvPending === 0 ? 'DEBUG' : 'WARNING', `timeout (${what})`);
    return true;
  }

  /**
   * Ends the request being received with 408 and closes (a timeout, a body below the minimum rate, an
   * eviction): RFC 9110 §15.5.9. A no-op unless a head or a body is being received.
   */
  timeOut(level: LogLevelName, why: string): void {
    const phase = this._phase;
    if (phase !== Phase.Head && phase !== Phase.Body) return;
    if (phase === Phase.Body) this._body?.abort(new HttpError('ERR_MWS_TIMEOUT'), this._host.logger);
    const req = this._req;
    this._req = null;
    this._host.logger.log(level, `From ${this.remoteHost}:${this.remotePort} ${why} >> [408] Request Timeout`);
    this._phase = Phase.Closing;
    // A streamed request's handler may have answered (or begun to): then only the close.
    if (phase !== Phase.Body || (req !== null && !req.response.started)) this.writeLatin1(errorResponse(408));
    this._flush();
    this.client.close();
  }

  /** @internal */
  _onClosed(reason: XClosedReason): void {
    this._phase = Phase.Closing;
    this._body?.abort(abortError(), this._host.logger);
    const ws = this._waiters;
    if (ws !== null) {
      ws.stop = null;
      const waiters = ws.abort;
      ws.abort = null;
      if (waiters) for (const w of waiters) w();
      ws.drain = null;
    }
    this._host.closed(this, reason === XClosedReason.Error ? this.client.error : null);
  }
}

// Shared callbacks (no closures per connection): the connection is the client's userData (the receiver,
// connRecv, is beside what it calls, in request-cycle.ts).
function connTimeout(c: XAsyncTCPClient): boolean { return (c.userData as HttpConnection)._onTimeout(); }
function connDrain(c: XAsyncTCPClient): void { (c.userData as HttpConnection).drained(); }
function connClosed(c: XAsyncTCPClient, reason: XClosedReason): void { (c.userData as HttpConnection)._onClosed(reason); }
