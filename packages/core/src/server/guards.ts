/**
 * A server's defences of its slot pool under attack (docs/availability.md): eviction when the pool is
 * full, the minimum-rate sweep, the per-address cap and the buffered-body budget, wired to the listener
 * and counted for `srv.stats`. The HTTP classification lives in engine/ (eviction.ts, rates.ts); xasync
 * only asks `onAdmit` / `onPoolFull`.
 */
import type { XAsyncTCPClient, XAsyncTCPServer } from '@microwebsrv/xasync';
import type { Logger } from '../base/logger';
import { BodyBudget } from '../engine/body-budget';
import type { HttpConnection } from '../engine/connection';
import type { ConnectionLimits } from '../engine/connection-host';
import { evictOne, type EvictionCounts, type FairShare } from '../engine/eviction';
import { SWEEP_MS, sweepRates, type RateCounts, type RateLimits } from '../engine/rates';
import { AddressLimits } from './address-limits';

/** Sent to a connection refused for want of a free slot (RFC 9110 §15.6.4); no Date: 5xx may omit it. */
const POOL_FULL_BODY = '503 Server too busy';
export const POOL_FULL_503 = Buffer.from(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${POOL_FULL_BODY.length}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n${POOL_FULL_BODY}`, 'latin1');

/** The guards' settings (the server's, read when they act). */
export interface GuardSettings extends RateLimits {
  readonly evictWhenPoolFull: boolean;
  readonly fairShareEviction: boolean;
}

/** What `srv.stats` shows of the guards. */
export interface GuardStats {
  /** Connections closed to make room for a new one when the pool was full. */
  evicted: number;
  /** …of which idle keep-alive (FIN), incomplete head (408), body below the minimum rate (408), response drained below the minimum rate (closed). */
  evictedBy: EvictionCounts;
  /** Connections refused by `maxConnectionsPerAddress` (503). */
  refusedByAddress: number;
  /** Connections closed below a minimum rate: request bodies (408) and responses (slow readers). */
  rateClosed: number;
  rateClosedBy: RateCounts;
  /** Requests refused because `maxBufferedBodyBytes` was spent (503 + Retry-After). */
  bodyBudgetRefused: number;
  /** Bytes held now by request bodies being buffered. */
  bufferedBodyBytes: number;
  /** 64 KiB read buffers lent now to connections receiving a streamed body (at most 8). */
  readBuffersLent: number;
}

export class ServerGuards {
  readonly budget = new BodyBudget();
  readonly addresses = new AddressLimits();
  private readonly _evicted: EvictionCounts = { idle: 0, head: 0, body: 0, send: 0, share: 0 };
  private readonly _rateClosed: RateCounts = { body: 0, send: 0 };
  private _sweep: NodeJS.Timeout | null = null;

  constructor(private readonly _conns: ReadonlySet<HttpConnection>, private readonly _settings: GuardSettings,
    private readonly _limits: ConnectionLimits, private readonly _log: Logger) {}

  /** Settings that hold while the server runs, read at start. */
  configure(cfg: { maxBufferedBodyBytes: number; maxConnectionsPerAddress: number }, prefixes: readonly [number, number]): void {
    this.budget.limit = cfg.maxBufferedBodyBytes;
    this.addresses.max = cfg.maxConnectionsPerAddress;
    this.addresses.v4Prefix = prefixes[0];
    this.addresses.v6Prefix = prefixes[1];
    this.addresses.rebuild(this._conns);
  }

  /** xasync's `onAdmit`: the per-address cap (set with the listener's other callbacks, before it listens). */
  readonly onAdmit = (_s: XAsyncTCPServer, host: string): boolean => {
    const addrs = this.addresses;
    if (addrs.admit(host)) return true;
    this._log.log('WARNING', `From ${host} refused: ${addrs.max} connections from its address group (maxConnectionsPerAddress) >> [503]`);
    return false;
  };

  /** xasync's `parkRank`: newcomers waiting for a slot, those whose address group holds fewer connections first. */
  readonly parkRank = (host: string): number => this.addresses.held(host);

  /** xasync's `onPoolFull`: the connection that matters least; null: none (the newcomer waits, then 503); false: 503 now (engine/eviction.ts). */
  readonly onPoolFull = (_s: XAsyncTCPServer, host: string): XAsyncTCPClient | null | false => {
    const st = this._settings;
    if (!st.evictWhenPoolFull) return null;
    const share = st.fairShareEviction ? this._share(host, _s.slots.count) : null;
    return evictOne(this._conns, this._limits, st.minBodyRateBytesPerSec, st.minSendRateBytesPerSec, Date.now(), this._evicted, share);
  };

  /** The newcomer's group against the others (engine/eviction.ts rule 5), reused: one eviction at a time. */
  private readonly _fair = { newcomerHeld: 0, slots: 0, held: (h: string): number => this.addresses.held(h) };
  private _share(host: string, slots: number): FairShare {
    const f = this._fair;
    f.newcomerHeld = this.addresses.held(host);
    f.slots = slots;
    return f;
  }

  /** The server started: the minimum-rate sweep. */
  attach(): void {
    this._sweep = setInterval(() => sweepRates(this._conns, this._settings, Date.now(), this._rateClosed), SWEEP_MS);
    // The connections keep the process alive; the sweep alone must not.
    this._sweep.unref();
  }

  /** The server stopped. */
  detach(): void {
    if (this._sweep !== null) clearInterval(this._sweep);
    this._sweep = null;
    this.addresses.clear();
  }

  accepted(conn: HttpConnection): void { this.addresses.add(conn.remoteHost); }
  closed(conn: HttpConnection): void { this.addresses.remove(conn.remoteHost); }

  get stats(): GuardStats {
    const e = this._evicted;
    const r = this._rateClosed;
    return {
      evicted: e.idle + e.head + e.body + e.send + e.share, evictedBy: { ...e }, refusedByAddress: this.addresses.refused,
      rateClosed: r.body + r.send, rateClosedBy: { ...r }, bodyBudgetRefused: this.budget.refused, bufferedBodyBytes: this.budget.used,
      readBuffersLent: this.budget.readBuffers.lent,
    };
  }
}
