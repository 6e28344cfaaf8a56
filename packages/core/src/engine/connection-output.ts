import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { LogLevelName } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { HttpResponse } from '../response/http-response';
import type { ConnectionHost } from './connection-host';
import { ConnectionWaiters } from './connection-waiters';
import { batch, COPY_MAX } from './output-batch';

/** Bodies up to this size are copied after the head into one buffer (writeBuffer): one write, not a writev. */
const JOIN_MAX = 16 * 1024;

/**
 * The output half of an HTTP connection (its subclass, request-cycle.ts, is the request cycle): the bytes
 * of the responses of one read batched into `_out` and written in one send, Buffers written past it,
 * and the waiters of drain and abort. The plain part of the responses' sink (`ResponseSink`); what
 * depends on the request cycle (finish, keep-alive; abort) stays in the subclasses (request-cycle.ts, connection.ts).
 */
export abstract class ConnectionOutput {
  readonly client: XAsyncTCPClient;
  protected readonly _host: ConnectionHost;
  /** True while the parser runs on a read: responses made meanwhile leave together after it. */
  protected _inExecute = false;
  /** Latin-1 bytes waiting for the next write (heads, small bodies, chunk framing). */
  protected _out = '';
  /** Responses whose `onSent` runs once the batch they are in is written. */
  protected _onSentQueue: HttpResponse[] | null = null;
  /** Drain, abort and stop callbacks, the pipelining pause: made on first need (most connections never). */
  protected _waiters: ConnectionWaiters | null = null;

  constructor(host: ConnectionHost, client: XAsyncTCPClient) {
    this._host = host;
    this.client = client;
  }

  /** The server (`request.server`, `onSent`'s first argument): the host's, not a field of each connection (issue 19). */
  get server(): ServerRef { return this._host.server; }

  // ---- sending (ResponseSink) ------------------------------------------------------------------

  /**
   * Queues latin1 `s` (`encoded`: the same bytes, encoded once by the caller). Inside a read the bytes go
   * into the shared batch (output-batch.ts), else (or when it is full) onto the `_out` string.
   */
  writeLatin1(s: string, encoded: Uint8Array | null = null): void {
    const bt = batch;
    if (bt.owner === this) {
      if (bt.latin1(s, encoded)) return;
      this._out = bt.takeString(); // full: what it holds goes first, as a string
    } else if (bt.owner === null && this._inExecute && this._out === '' && !this.client.isSSL) {
      bt.owner = this;
      if (bt.latin1(s, encoded)) return;
      bt.owner = null;
    }
    this._out += s;
  }

  writeBuffer(b: Uint8Array, onWritten: (() => void) | null = null): boolean {
    return this._writeBytes(b, onWritten, false);
  }

  /** Queues a copy of `b` (returnJSON's scratch): into the batch or behind the head, else a copy is sent. */
  writeCopy(b: Uint8Array): void {
    this._writeBytes(b, null, true);
  }

  /** `b` sent, copied when `copy` (the caller reuses it) or when it joins the batch or the head. */
  private _writeBytes(b: Uint8Array, onWritten: (() => void) | null, copy: boolean): boolean {
    const bt = batch;
    // A buffer with a write callback (a file chunk going back to its pool once written) is never copied.
    if (bt.owner === this) {
      if (onWritten === null && b.length <= COPY_MAX && bt.bytes(b)) return true;
      this._out = bt.takeString();
    } else if (onWritten === null && bt.owner === null && this._inExecute && this._out === '' && b.length <= COPY_MAX && !this.client.isSSL) {
      bt.owner = this;
      if (bt.bytes(b)) return true;
      bt.owner = null;
    }
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
      const ok = c.asyncSendData(copy ? Buffer.from(b) : b, onWritten);
      c.uncork();
      return ok;
    }
    // A queued write keeps a view of its Buffer (libuv, Node's queue): never one of the caller's scratch.
    return c.asyncSendData(copy ? Buffer.from(b) : b, onWritten);
  }

  log(type: LogLevelName, msg: string): void {
    this._host.logger.log(type, msg);
  }

  flush(): void {
    if (!this._inExecute) this._flush();
  }

  cork(): void { this.client.cork(); }
  uncork(): void { this.client.uncork(); }

  /** The waiters, made on first need. */
  protected get _w(): ConnectionWaiters { return (this._waiters ??= new ConnectionWaiters()); }

  onceDrain(cb: () => void): void {
    (this._w.drain ??= []).push(cb);
  }

  onAbort(cb: () => void): void {
    // Already closed (the client left while a handler awaited): no close event will come to call it.
    if (this.client.isClosed) { cb(); return; }
    (this._w.abort ??= []).push(cb);
  }

  /** @internal The socket's queue drained (xasync's onSendReady): the drain waiters go on. */
  drained(): void {
    const ws = this._waiters;
    const waiters = ws === null ? null : ws.drain;
    if (waiters === null) return;
    ws!.drain = null;
    for (const w of waiters) w();
  }

  /** True when nothing waits to be sent (in the batch or the string). */
  protected get _outputEmpty(): boolean {
    return this._out === '' && batch.owner !== this;
  }

  /** A read's parse failed half-way: what this connection put in the shared batch moves to its own string. */
  protected _releaseBatch(): void {
    if (batch.owner === this) this._out = batch.takeString();
  }

  /**
   * Sends what waits. Returns the bytes still queued after it when it looked (the batch's write), else
   * -1: a caller that needs that count asks the client only then (issue 19: one look per read, not two).
   */
  protected _flush(): number {
    const queue = this._onSentQueue;
    const bt = batch;
    if (bt.owner === this) {
      if (queue === null) {
        // The common end of a read: one write of the batch's bytes (invariant: `_out` is '' meanwhile).
        const bytes = bt.take();
        const c = this.client;
        c.asyncSendData(bytes);
        // Not all taken by the kernel: the queued write holds a view of the Buffer, which it keeps.
        const pending = c.sendPending;
        if (pending > 0 && bytes.buffer === bt.buf.buffer) bt.handOver();
        return pending;
      }
      this._out = bt.takeString(); // onSent waits for its bytes' write: they go as before
    }
    if (this._out === '' && queue === null) return -1;
    this._onSentQueue = null;
    // With onSent waiting and nothing left in the batch (the body went out as a Buffer), an empty
    // write still orders the callback after every byte queued before it.
    this.client.asyncSendData(this._out, queue === null ? null : sentCallback(this._host, this.server, queue), 'latin1');
    this._out = '';
    return -1;
  }
}

/** The callback running the `onSent` of `queue` (made apart: a closure in `_flush` would cost a context per call). */
function sentCallback(host: ConnectionHost, server: ServerRef, queue: HttpResponse[]): () => void {
  return () => {
    for (const r of queue) { try { r.onSent!(server, r); } catch (err) { host.logger.log('ERROR', `onSent threw: ${String(err)}`); } }
  };
}
