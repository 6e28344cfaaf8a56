import { HttpRequestParser, type ParserHandler, type RequestHead } from '../http/parser';
import type { ConnectionHost } from './connection-host';

/**
 * A server's spare request parsers (issue 19: an idle keep-alive connection costs no more than a bare
 * socket). A connection holds a parser only while it has request bytes or a request in progress; between
 * requests it gives it back here and takes one again when the next bytes arrive. A parser is given back
 * only when it holds nothing (`HttpRequestParser.idle`), so the next connection gets a clean one.
 *
 * Bounded: it never holds more parsers than connections were busy at once (at most the slot count).
 */
export class ParserPool {
  /** The head limit every parser of this pool was made with (the slot size). */
  readonly maxHeadBytes: number;
  private readonly _free: HttpRequestParser[] = [];

  constructor(maxHeadBytes: number) {
    this.maxHeadBytes = maxHeadBytes;
  }

  /** A parser bound to `handler`, in its initial state. */
  take(handler: ParserHandler, maxBodyBytes: number): HttpRequestParser {
    const p = this._free.pop();
    if (p === undefined) return new HttpRequestParser(handler, { maxHeadBytes: this.maxHeadBytes, maxBodyBytes });
    p.rebind(handler);
    return p;
  }

  /** Takes back an idle parser (the caller checked `parser.idle` and drops its reference). */
  give(p: HttpRequestParser): void {
    p.rebind(UNBOUND);
    this._free.push(p);
  }

  /** Spare parsers held now. */
  get spare(): number { return this._free.length; }
}

/** What a spare parser points at: not the connection that gave it back (which may close meanwhile). */
const UNBOUND: ParserHandler = {
  onHead(_head: RequestHead): void {},
  onBody(): void {},
  onMessageComplete(): void {},
  onError(): void {},
};

// One pool per server (the host object is the server's), found once per connection, not per request.
const pools = new WeakMap<ConnectionHost, ParserPool>();

/** The pool of `host`'s connections with slots of `maxHeadBytes` (a restart with another slot size gets a new one). */
export function parserPoolFor(host: ConnectionHost, maxHeadBytes: number): ParserPool {
  let pool = pools.get(host);
  if (pool === undefined || pool.maxHeadBytes !== maxHeadBytes) {
    pool = new ParserPool(maxHeadBytes);
    pools.set(host, pool);
  }
  return pool;
}
