import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import { errText, type Logger } from '../base/logger';
import type { RequestHead } from '../http/head';
import type { BodyReceiver } from '../request/body-receiver';
import { attachRequestBody } from '../request/body-registry';
import type { BodyFlow } from '../request/body-feed';
import { RequestBody } from '../request/body-stream';
import type { HttpRequest } from '../request/http-request';
import { kSetBody } from '../request/internals';
import type { BodyBudget } from './body-budget';
import { READ_BUFFER_SIZE } from './read-buffers';
import type { BodyPolicy } from './connection-host';


/** The first allocation for a Content-Length body: bodies up to this size are allocated once, exactly. */
const FIRST_BODY_BUFFER = 16 * 1024;

/** What `BodyIntake.data` asks of the connection. */
export const enum Intake { Go, Pause, TooLarge, OverBudget }

/**
 * Where the body of the current request goes: into the request's own Buffer (Content-Length), into a
 * list of copies joined at the end (chunked), to a module's {@link BodyReceiver} as it arrives, with
 * its own limit and pauses, or to the request's own {@link RequestBody} (streamed: the handler reads it).
 * One per connection, made on its first body.
 */
export class BodyIntake {
  /** True while the receiver asked for a pause (the connection's parser is paused). */
  paused = false;
  /** The current body is streamed to its request's handler (dispatched at the head, not at the end). */
  streamed = false;
  private _rcv: BodyReceiver | null = null;
  private _bytes = 0;
  private _max = 0;
  private _fill = 0;
  /** The request's own body Buffer being filled (Content-Length), else null; it grows as bytes arrive. */
  private _buf: Buffer | null = null;
  /** The declared Content-Length of the body being filled. */
  private _need = 0;
  private _chunks: Buffer[] | null = null;
  /** The server's budget for buffered bodies, and what this body holds of it. */
  private readonly _budget: BodyBudget;
  private _held = 0;
  /** The connection's client: a streamed body borrows a bigger receive buffer for it. */
  private readonly _client: XAsyncTCPClient;
  /** A read buffer is lent to the client for the current (streamed) body. */
  private _lending = false;
  /** The connection's resume callback, handed to each receiver's `onStart` (one per connection, made with this). */
  private readonly _resume: () => void;

  constructor(budget: BodyBudget, client: XAsyncTCPClient, resume: () => void) {
    this._budget = budget;
    this._client = client;
    this._resume = resume;
  }

  /**
   * A module claimed the coming body, or a route said how to take it: returns the limit that applies
   * (a buffered route's own limit, else `serverMax`; a streamed one's, else none).
   */
  claim(c: BodyReceiver | BodyPolicy, req: HttpRequest, head: RequestHead, flow: BodyFlow, serverMax: number): number {
    this._bytes = 0;
    this.streamed = false;
    if (typeof (c as BodyReceiver).onData === 'function') {
      this._rcv = c as BodyReceiver;
      this._max = this._rcv.maxBytes ?? Number.MAX_SAFE_INTEGER;
      return this._max;
    }
    const p = c as BodyPolicy;
    if (p.body !== 'stream') return p.maxBodyBytes ?? serverMax;
    const rb = RequestBody.streamed(p.maxBodyBytes, head.chunked ? -1 : head.contentLength, head.expectContinue, flow);
    attachRequestBody(req, rb);
    this._rcv = rb;
    this.streamed = true;
    return (this._max = p.maxBodyBytes ?? Number.MAX_SAFE_INTEGER);
  }

  /** The response went out before a streamed body was read whole: drop a short rest (true), or close (false). */
  drain(): boolean {
    const rb = this._rcv as RequestBody;
    if (!rb.canDrain()) return false;
    rb.drain();
    return true;
  }

  /** A streamed body whose rest may be dropped after the response (see {@link drain}). */
  canDrain(): boolean {
    return this.streamed && (this._rcv as RequestBody).canDrain();
  }

  /** The head is in: get ready for its body. False: the server's body budget is spent (answer 503). */
  begin(req: HttpRequest, head: RequestHead): boolean {
    this._fill = 0;
    // A streamed body waits for its first reader: nothing is parsed before (see HttpConnection.onHead).
    this.paused = this.streamed;
    if (this.streamed) this._lend();
    const rcv = this._rcv;
    if (rcv !== null) rcv.onStart?.(this._resume);
    // The parser refused a Content-Length above the limit already (413 before reading).
    else if (head.contentLength > 0) {
      // Not the declared size up front: a client that declares 1 MB and sends 10 bytes would make the
      // server allocate 1 MB per connection before any byte arrived (a memory DoS, issue 18). The buffer
      // starts small and doubles as bytes arrive, capped at the declared length: at most one copy of
      // what was received per doubling.
      this._need = head.contentLength;
      const first = Math.min(head.contentLength, FIRST_BODY_BUFFER);
      if (!this._hold(first)) return false;
      this._buf = Buffer.allocUnsafe(first);
    }
    else this._chunks = [];
    return true;
  }

  /**
   * A streamed body reads through a bigger buffer than the slot while it lasts (fewer, bigger kernel
   * reads; see ReadBuffers). None free, or a closing client: it reads through its slot.
   */
  private _lend(): void {
    const c = this._client;
    // A slot as big as a read buffer (a custom preset) gains nothing from one.
    if (c.isClosing || c.isClosed || c.recvBuffer.length >= READ_BUFFER_SIZE) return;
    const pool = this._budget.readBuffers;
    const b = pool.take();
    if (b === null) return;
    c.lendRecvBuffer(b, pool.giveBack);
    this._lending = true;
  }

  /** The streamed body ended (or will not): the buffer goes back once the bytes in it are consumed. */
  private _endLoan(): void {
    if (!this._lending) return;
    this._lending = false;
    this._client.endRecvBufferLoan();
  }

  /** Takes `n` bytes of the server's body budget for this body. */
  private _hold(n: number): boolean {
    if (!this._budget.reserve(n, this._held)) return false;
    this._held += n;
    return true;
  }

  /** Gives back what this body held of the budget (it completed, or it will not). */
  private _unhold(): void {
    if (this._held === 0) return;
    this._budget.release(this._held);
    this._held = 0;
  }

  /** Body bytes `buf[start, end)` (a view of the slot). */
  data(buf: Buffer, start: number, end: number): Intake {
    const rcv = this._rcv;
    if (rcv !== null) {
      this._bytes += end - start;
      // A chunked body has no declared length: its receiver's limit is checked as it grows (a streamed
      // body's may have been lowered by its handler: `request.bodyLimit`).
      if (this._bytes > (this.streamed ? (rcv as RequestBody).maxBytes : this._max)) return Intake.TooLarge;
      if (rcv.onData(buf.subarray(start, end)) === false) { this.paused = true; return Intake.Pause; }
      return Intake.Go;
    }
    if (this._chunks !== null) {
      if (!this._hold(end - start)) return Intake.OverBudget;
      this._chunks.push(Buffer.from(buf.subarray(start, end)));
    } else {
      const n = end - start;
      if (this._fill + n > this._buf!.length && !this._grow(this._fill + n)) return Intake.OverBudget;
      buf.copy(this._buf!, this._fill, start, end);
      this._fill += n;
    }
    return Intake.Go;
  }

  /** Room for `atLeast` bytes: double, capped at the declared length (the parser never passes it). False: over budget. */
  private _grow(atLeast: number): boolean {
    const old = this._buf!;
    const size = Math.min(this._need, Math.max(atLeast, old.length * 2));
    if (!this._hold(size - old.length)) return false;
    const next = Buffer.allocUnsafe(size);
    old.copy(next, 0, 0, this._fill);
    this._buf = next;
    return true;
  }

  /** The body is complete; true when it was streamed (its request was dispatched at its head). */
  complete(req: HttpRequest | null, trailers: string[] | null, log: Logger): boolean {
    const streamed = this.streamed;
    this.streamed = false;
    this._endLoan();
    // From here the body is the request's (the handler's memory), no longer a body being received.
    this._unhold();
    if (this._buf !== null) req![kSetBody](this._buf);
    this._buf = null;
    if (this._chunks !== null) {
      req![kSetBody](Buffer.concat(this._chunks));
      this._chunks = null;
    }
    const rcv = this._rcv;
    if (rcv === null) return streamed;
    this._rcv = null;
    try { rcv.onEnd(trailers); } catch (err) { log.log('ERROR', `body receiver onEnd threw: ${errText(err)}`); }
    return streamed;
  }

  /** The body will not complete: a receiver, if any, is told. */
  abort(err: Error, log: Logger): void {
    this._unhold();
    this._chunks = null;
    this._buf = null;
    this.streamed = false;
    this._endLoan();
    const rcv = this._rcv;
    if (rcv === null) return;
    this._rcv = null;
    try { rcv.onAbort(err); } catch (e) { log.log('ERROR', `body receiver onAbort threw: ${errText(e)}`); }
  }
}
