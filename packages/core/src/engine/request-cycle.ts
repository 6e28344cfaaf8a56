import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import { HttpError } from '../http/errors';
import { releaseHead, type RequestHead } from '../http/head';
import type { HttpRequestParser, ParserHandler } from '../http/parser';
import { errorResponseFor } from '../http/responses';
import type { BodyFlow } from '../request/body-feed';
import { HttpRequest, type RequestOrigin, type RequestState } from '../request/http-request';
import { kRetireRequest } from '../request/internals';
import type { HttpResponse, ResponseSink } from '../response/http-response';
import { kKept } from '../response/internals';
import type { ResponseDefaults } from '../response/response-defaults';
import { BodyIntake, Intake } from './body-intake';
import type { ConnectionHost, ConnectionInfo } from './connection-host';
import { ConnectionOutput } from './connection-output';
import { parserPoolFor, type ParserPool } from './parser-pool';
import type { RateMarks } from './rate-marks';

/** Where a connection is in its request cycle; it decides which timeout applies. */
export const enum Phase {
  /** Waiting for (the rest of) a head: the headers timeout runs from the start of the wait. */
  Head,
  /** Reading a body: the body timeout is re-armed at every arrival (a stall, not a slow upload, is cut). */
  Body,
  /** A handler or a response is in progress: no receive timeout (xasync's send timeout guards writes). */
  Handling,
  /** The connection is closing (error, Connection: close, stop). */
  Closing,
  /** A 101 was sent: the connection belongs to another protocol now. */
  Upgraded,
}

const CONTINUE_100 = 'HTTP/1.1 100 Continue\r\n\r\n';
/**
 * The states of retired requests (answered during their dispatch, nothing kept them: issue 19), shared by every
 * connection of the process: a new request takes over one (HttpRequest's `reuse`), so that
 * only its small request and response objects are made. Bounded; an idle connection keeps none.
 */
const SPARE: RequestState[] = [];
const MAX_SPARE = 64;
const EMPTY = Buffer.alloc(0);
/**
 * Responses waiting to be sent past which a pipelining connection stops reading requests until they
 * drain (RFC 9112 §9.3.2: the server answers pipelined requests in order, and nothing obliges it to read
 * ahead). Without it a client that pipelines faster than it reads — or a TLS socket that drains slower
 * than responses are made — filled the queue to maxSendPending and was closed. Above xasync's 64 KiB
 * direct writes, so the queue is Node's stream's and its 'drain' comes.
 */
const PIPELINE_HWM = 256 * 1024;

/**
 * The request cycle of an HTTP connection (its subclass, connection.ts, is the connection's life: start,
 * graceful stop, upgrade and detach, timeouts and the guards' view, close; its base, connection-output.ts,
 * the output): the parser fed from the slot (taken from the server's pool only while a request is in
 * progress), requests run one at a time (pipelined ones wait in the slot, so responses leave in order),
 * bodies (body-intake.ts), and the end of each response (`finish`), after which the next request is parsed.
 */
export abstract class RequestCycle extends ConnectionOutput implements ParserHandler, ResponseSink<HttpResponse>, RequestOrigin, ConnectionInfo, BodyFlow {
  readonly defaults: ResponseDefaults;
  readonly isSSL: boolean;
  /**
   * Held only while request bytes or a request are in progress; between requests it goes back to the
   * server's pool (an idle connection holds none: issue 19), see _parse and _releaseParser.
   */
  protected _parser: HttpRequestParser | null = null;
  private readonly _parsers: ParserPool;
  /** The connection's slot and the memory it shares with the other slots (null: its own memory). */
  private _slot: Buffer | null = null;
  private _slotMem: ArrayBufferLike | null = null;
  /** The head the current request was made from (bodyLimit makes it before onHead). */
  private _reqHead: RequestHead | null = null;
  /** Where bodies go (made on the first one: most connections never see one). */
  protected _body: BodyIntake | null = null;
  /** performance.now() when the current request's head arrived (only when the host wants durations). */
  protected _startedAt = 0;
  protected _phase = Phase.Head;
  protected _req: HttpRequest | null = null;
  private _armAfterRead = false;
  protected _closeAfter = false;
  protected _served = 0;
  /** @internal The server's rate sweep keeps its marks here (engine/rates.ts); made on first need. */
  marks: RateMarks | null = null;

  constructor(host: ConnectionHost, client: XAsyncTCPClient, isSSL: boolean) {
    super(host, client);
    this.defaults = host.defaults;
    this.isSSL = isSSL;
    const slot = client.recvBuffer;
    this._parsers = parserPoolFor(host, slot.length);
    // The slot's memory, asked once here: when the slot pool's buffers share it, every parser this
    // connection takes compares a repeated head in place without asking again per read (section-scan.ts).
    const mem = slot.buffer;
    if (mem.byteLength >= 2 * slot.length) { this._slot = slot; this._slotMem = mem; }
  }

  /** The peer's address (kept once, by the client). */
  get remoteHost(): string { return this.client.remoteHost; }
  get remotePort(): number { return this.client.remotePort; }

  /** Requests answered on this connection. */
  get served(): number { return this._served; }

  // The connection's life (connection.ts): the rest of the responses' sink, and the hand-over.
  abstract onStop(cb: () => void): void;
  abstract abort(resp: HttpResponse, err: Error): void;
  abstract upgraded(resp: HttpResponse): void;
  abstract detach(): XAsyncTCPClient;

  // ---- receiving (ParserHandler) ---------------------------------------------------------------

  /** @internal The raw receiver (connRecv): parses, then gives the parser back if nothing is left. */
  _receive(buf: Buffer, start: number, end: number): number {
    const n = this._parse(buf, start, end);
    if (n === end - start) this._releaseParser();
    return n;
  }

  private _parse(buf: Buffer, start: number, end: number): number {
    // maxBodyBytes is not used: bodyLimit() gives each body its limit.
    let parser = this._parser;
    if (parser === null) {
      parser = this._parser = this._parsers.take(this, this._host.limits.maxRequestContentLength);
      if (this._slot !== null) parser.useSlot(this._slot, this._slotMem!);
    }
    let n = 0;
    this._inExecute = true;
    try {
      n = parser.execute(buf, start, end);
      // The parser pauses itself after an upgrade request; answered without a 101, the connection
      // goes on as HTTP (RFC 9110 §7.8), so parsing continues.
      while (parser.paused && this._phase === Phase.Head && !this._closeAfter) {
        parser.resume();
        const more = parser.execute(buf, start + n, end);
        n += more;
        if (more === 0 && !parser.paused) break;
      }
    } catch (err) {
      this._releaseBatch();
      throw err;
    } finally {
      this._inExecute = false;
    }
    if (this._armAfterRead) {
      this._armAfterRead = false;
      if (this._phase === Phase.Head) this._enterHead();
    }
    const pending = this._flush();
    if (this._phase === Phase.Head && (pending < 0 ? this.client.sendPending : pending) > PIPELINE_HWM) this._readAfterDrain();
    // A body in progress is finished first (a graceful stop lets in-flight requests complete).
    if (this._closeAfter && this._phase !== Phase.Handling && this._phase !== Phase.Upgraded && this._phase !== Phase.Body) {
      this._phase = Phase.Closing;
      this.client.close();
    }
    return n;
  }

  /**
   * Called by the parser for a head with a body, before the size check: the request is made here so that
   * a module may claim the body (its receiver's own limit then applies instead of maxRequestContentLength).
   */
  bodyLimit(head: RequestHead): number {
    const req = this._newRequest(head);
    const rcv = this._host.bodyReceiver(req);
    if (rcv === null) return this._host.limits.maxRequestContentLength;
    return (this._body ??= this._newIntake()).claim(rcv, req, head, this, this._host.limits.maxRequestContentLength);
  }

  onHead(head: RequestHead): void {
    const req = this._req !== null && this._reqHead === head ? this._req : this._newRequest(head);
    this._reqHead = null; // an idle connection keeps no head (nor the string of its read)
    if (head.contentLength > 0 || head.chunked) {
      const body = (this._body ??= this._newIntake());
      if (!body.begin(req, head)) {
        // The server's budget for buffered bodies is spent: 503 + Retry-After before any byte is read.
        this._parser!.pause();
        this.onError(new HttpError('ERR_MWS_BODY_BUDGET'));
        return;
      }
      this._phase = Phase.Body;
      // A new body starts its own rate window (the sweep's marks are keyed by `served`, which a streamed
      // request counts at its head and a buffered one at its end: a stale window could match).
      if (this.marks !== null) this.marks.bodyOf = -1;
      // Streamed: the handler runs now; the body waits in the slot (then the kernel) until it reads.
      if (body.streamed) { this._parser!.pause(); this.client.setRecvTimeout(0); this._served++; this._host.dispatch(req); return; }
      this.client.setRecvTimeout(this._host.limits.bodyTimeoutSec);
      // RFC 9110 §10.1.1: answer 100 before the client sends the body it is holding back.
      if (head.expectContinue) this.writeLatin1(CONTINUE_100);
    }
  }

  onBody(buf: Buffer, start: number, end: number): void {
    this.client.setRecvTimeout(this._host.limits.bodyTimeoutSec);
    const r = this._body!.data(buf, start, end);
    if (r === Intake.Go) return;
    this._parser!.pause();
    // The receiver's limit was passed: 413 and close (the rest of the body is not read).
    if (r === Intake.TooLarge) this.onError(new HttpError('ERR_MWS_BODY_TOO_LARGE'));
    else if (r === Intake.OverBudget) this.onError(new HttpError('ERR_MWS_BODY_BUDGET'));
    // Paused by the receiver: the wait is ours, not a stalled client; the timeout resumes with the body.
    else this.client.setRecvTimeout(0);
  }

  onMessageComplete(trailers: string[] | null, head: RequestHead): void {
    const req = this._req!;
    if (this._body !== null && this._body.complete(req, trailers, this._host.logger)) {
      // A streamed body's end (its request was dispatched at the head): wait for the response, or go on.
      if (req !== null) { this._phase = Phase.Handling; this._parser!.pause(); } else this._enterHead();
      return;
    }
    // The receive timeout stays armed (re-arming later only moves its deadline, which is cheaper than
    // disarming per request); while Handling, _onTimeout ignores it and the next phase re-arms it.
    this._phase = Phase.Handling;
    this._served++;
    this._host.dispatch(req);
    if (this._req === req && this._phase === Phase.Handling) {
      // The response is not finished yet (async handler, stream, file): later requests wait in the slot.
      this._parser!.pause();
    } else if ((this._phase as Phase) === Phase.Head && this._req === null && !head.chunked && head.contentLength <= 0 && !req.response[kKept]()) {
      // Answered during its dispatch, no body, and nothing declared a later use (an async handler, a
      // stream, onSent, a body reader: kKeep): its objects serve the next request. From now on the old
      // ones throw ERR_MWS_STALE rather than show that request's data.
      const spare = req[kRetireRequest]();
      if (spare !== null && SPARE.length < MAX_SPARE) SPARE.push(spare);
      releaseHead(head);
    }
  }

  onError(err: HttpError): void {
    this._body?.abort(err, this._host.logger);
    const req = this._req;
    this._req = null;
    this._host.logger.log('WARNING', `From ${this.remoteHost}:${this.remotePort} ${this.isSSL ? 'SSL-' : ''}bad request >> [${err.status}] ${err.code}${err.message ? ': ' + err.message : ''}`);
    // Mid-way through a streamed body its handler may have answered already: then only the close.
    if (this._phase !== Phase.Body || (req !== null && !req.response.started)) this.writeLatin1(errorResponseFor(err));
    this._closeAfter = true;
    this._phase = Phase.Closing;
  }

  // ---- sending (ResponseSink) ------------------------------------------------------------------

  canKeepAlive(): boolean {
    return !this._closeAfter && this._req !== null && this._req.isKeepAlive && !this._host.stopping && (this._phase !== Phase.Body || this._body!.canDrain());
  }

  /** BodyFlow: the handler reads a body whose client waits for `100 Continue` (RFC 9110 §10.1.1). */
  sendContinue(): void { this.writeLatin1(CONTINUE_100); this.flush(); }
  /** BodyFlow: a streamed body's declared length is above its limit: 413 before reading it, and close. */
  refuseBody(): void {
    if (this._phase !== Phase.Body) return;
    this.onError(new HttpError('ERR_MWS_BODY_TOO_LARGE'));
    if (!this._inExecute) { this._flush(); this.client.close(); }
  }

  finish(resp: HttpResponse, close: boolean): void {
    if (this._req === null || this._req.response !== resp) return; // a late finish of a response already aborted
    this._host.responded(this, resp, this._startedAt);
    if (resp.onSent !== null) (this._onSentQueue ??= []).push(resp);
    if (close) this._closeAfter = true;
    this._req = null;
    const ws = this._waiters;
    if (ws !== null) { ws.abort = null; ws.stop = null; }
    // A streamed body not read to its end: a short rest is dropped, else the connection closes (RFC 9112 §9.6).
    if (this._phase === Phase.Body && !this._closeAfter && !this._body!.drain()) this._closeAfter = true;
    if (this._closeAfter) {
      this._phase = Phase.Closing;
      this._parser?.pause();
      if (!this._inExecute) { this._flush(); this.client.close(); }
      return;
    }
    if (this._phase === Phase.Body) { if (!this._inExecute) this._flush(); return; }
    this._enterHead();
    if (!this._inExecute) {
      // Finished asynchronously: send it, then parse what waited in the slot meanwhile.
      this._flush();
      this._parser?.resume();
      this.client.resumeReading();
      // Nothing waited in the slot (or it was all parsed meanwhile): the connection is idle again.
      if (this.client.recvPending === 0) this._releaseParser();
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  protected _enterHead(): void {
    this._phase = Phase.Head;
    // Headers timeout runs from the start of the wait: bytes trickling in do not extend it (slowloris).
    // Inside a read, arm once after the whole batch of pipelined requests. Touched: no clock read per
    // request; it counts from the pool timer's next tick (up to two ticks late, never early).
    if (this._inExecute) this._armAfterRead = true;
    else this.client.touchRecvTimeout(this._served === 0 ? this._host.limits.headersTimeoutSec : this._host.limits.keepAliveTimeoutSec);
  }

  /** The connection's body intake, made on its first body (most connections never see one), with its resume callback. */
  private _newIntake(): BodyIntake {
    return new BodyIntake(this._host.bodyBudget, this.client, () => this._resumeBody());
  }

  private _newRequest(head: RequestHead): HttpRequest {
    const req = new HttpRequest(this, head, this, SPARE.pop() ?? null);
    this._req = req;
    this._reqHead = head;
    if (this._host.timing) this._startedAt = performance.now();
    return req;
  }

  /** Stops reading requests until the responses waiting to be sent drain (PIPELINE_HWM). */
  private _readAfterDrain(): void {
    const ws = this._w;
    if (ws.drainPaused) return;
    ws.drainPaused = true;
    this.client.pauseReading();
    this.onceDrain((ws.drainResumer ??= () => {
      ws.drainPaused = false;
      if (this._phase !== Phase.Closing && this._phase !== Phase.Upgraded) this.client.resumeReading();
    }));
  }

  /** Gives the parser back to the server's pool when it holds nothing and the connection waits for a head. */
  private _releaseParser(): void {
    const p = this._parser;
    if (p === null || this._phase !== Phase.Head || this._closeAfter || !p.idle) return;
    this._parser = null;
    this._parsers.give(p);
  }

  /** Resumes a body its receiver paused: parse what waited in the slot, read from the kernel again. */
  private _resumeBody(): void {
    const body = this._body;
    if (body === null || !body.paused || this._phase !== Phase.Body) return;
    body.paused = false;
    this.client.setRecvTimeout(this._host.limits.bodyTimeoutSec);
    this._parser!.resume();
    if (this._inExecute) return; // a handler that read from inside the parser's callback: it goes on by itself
    // The pause may have come with the body's last byte: the message completes with no byte left to
    // deliver, so run the parser once on nothing before reading on.
    this._receive(EMPTY, 0, 0);
    if ((this._phase as Phase) !== Phase.Closing) this.client.resumeReading();
  }
}

/** The raw receiver of every connection (xasync's asyncRecvRaw; a shared function, no closure): the connection is the client's userData. */
export function connRecv(c: XAsyncTCPClient, buf: Buffer, start: number, end: number): number { return (c.userData as RequestCycle)._receive(buf, start, end); }
