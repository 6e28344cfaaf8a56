import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { LogLevelName } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { HttpResponse } from '../response/http-response';
import type { ConnectionHost } from './connection-host';

/** Bodies up to this size are copied after the head into one buffer (writeBuffer): one write, not a writev. */
const JOIN_MAX = 16 * 1024;

/**
 * The output half of an HTTP connection (its subclass, connection.ts, is the request cycle): the bytes
 * of the responses of one read batched into `_out` and written in one send, Buffers written past it,
 * and the waiters of drain and abort. The plain part of the responses' sink (`ResponseSink`); what
 * depends on the request cycle (finish, abort, keep-alive) stays in the subclass.
 */
export abstract class ConnectionOutput {
  readonly server: ServerRef;
  readonly client: XAsyncTCPClient;
  protected readonly _host: ConnectionHost;
  /** True while the parser runs on a read: responses made meanwhile leave together after it. */
  protected _inExecute = false;
  /** Latin-1 bytes waiting for the next write (heads, small bodies, chunk framing). */
  protected _out = '';
  /** Responses whose `onSent` runs once the batch they are in is written. */
  protected _onSentQueue: HttpResponse[] | null = null;
  protected _drainWaiters: Array<() => void> | null = null;
  protected _abortWaiters: Array<() => void> | null = null;

  constructor(host: ConnectionHost, client: XAsyncTCPClient) {
    this._host = host;
    this.server = host.server;
    this.client = client;
  }

  // ---- sending (ResponseSink) ------------------------------------------------------------------

  writeLatin1(s: string): void {
    this._out += s;
  }

  writeBuffer(b: Uint8Array, onWritten: (() => void) | null = null): boolean {
    const c = this.client;
    const out = this._out;
    if (out !== '' && onWritten === null && b.length <= JOIN_MAX) {
      // A small body (a static file's 200) leaves with the head in one buffer: one direct write (xasync's
      // client-send.ts), where the corked pair went through Node's writev (~1.2 KB of heap per response).
      const joined = Buffer.allocUnsafe(out.length + b.length);
      joined.write(out, 0, 'latin1');
      joined.set(b, out.length);
      this._out = '';
      return c.asyncSendData(joined, null);
    }
    if (out !== '') {
      c.cork();
      c.asyncSendData(out, null, 'latin1');
      this._out = '';
      const ok = c.asyncSendData(b, onWritten);
      c.uncork();
      return ok;
    }
    return c.asyncSendData(b, onWritten);
  }

  log(type: LogLevelName, msg: string): void {
    this._host.logger.log(type, msg);
  }

  flush(): void {
    if (!this._inExecute) this._flush();
  }

  cork(): void { this.client.cork(); }
  uncork(): void { this.client.uncork(); }

  onceDrain(cb: () => void): void {
    (this._drainWaiters ??= []).push(cb);
  }

  onAbort(cb: () => void): void {
    // Already closed (the client left while a handler awaited): no close event will come to call it.
    if (this.client.isClosed) { cb(); return; }
    (this._abortWaiters ??= []).push(cb);
  }

  /** @internal The socket's queue drained (xasync's onSendReady): the drain waiters go on. */
  drained(): void {
    const waiters = this._drainWaiters;
    if (waiters === null) return;
    this._drainWaiters = null;
    for (const w of waiters) w();
  }

  protected _flush(): void {
    const queue = this._onSentQueue;
    if (this._out === '' && queue === null) return;
    this._onSentQueue = null;
    // With onSent waiting and nothing left in the batch (the body went out as a Buffer), an empty
    // write still orders the callback after every byte queued before it.
    this.client.asyncSendData(this._out, queue === null ? null : () => {
      for (const r of queue) { try { r.onSent!(this.server, r); } catch (err) { this._host.logger.log('ERROR', `onSent threw: ${String(err)}`); } }
    }, 'latin1');
    this._out = '';
  }
}
