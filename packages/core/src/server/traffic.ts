/**
 * Bytes in and out of a server (`srv.traffic`): the connections closed so far are summed when they close,
 * the open ones are read when asked, so no write path counts anything.
 */

/** What a counted connection offers: its socket's byte counters (XAsyncTCPClient). */
interface Counted { readonly client: { readonly bytesRead: number; readonly bytesWritten: number } }

/** Bytes received and sent on a server's connections since it was made (headers, bodies, WebSocket frames; TLS: the socket's bytes). */
export interface TrafficStats {
  bytesIn: number;
  bytesOut: number;
}

export class TrafficCounter {
  private _in = 0;
  private _out = 0;

  /** A connection closed: its totals join the closed ones. */
  closed(conn: Counted): void {
    this._in += conn.client.bytesRead || 0;
    this._out += conn.client.bytesWritten || 0;
  }

  /** The closed connections' totals plus those of the connections open now. */
  total(open: Iterable<Counted>): TrafficStats {
    let i = this._in;
    let o = this._out;
    for (const c of open) { i += c.client.bytesRead || 0; o += c.client.bytesWritten || 0; }
    return { bytesIn: i, bytesOut: o };
  }
}
