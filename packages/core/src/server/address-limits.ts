/**
 * The optional cap of connections per client address (`maxConnectionsPerAddress`): one address, or one
 * network when addresses are grouped by prefix (`addressPrefixV4`, `addressPrefixV6`: an IPv6 client
 * usually holds a whole /64), cannot hold more than its share of the slot pool; beyond it a new
 * connection gets the pre-encoded 503, and other addresses are not affected. Checked per accepted
 * connection, never per request.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The group an address counts in: the address with its host bits cleared, as text. */
export function addressGroup(host: string, v4Prefix: number, v6Prefix: number): string {
  // Counted for every accepted and closed connection: a plain IPv4 address as the kernel gives it (no
  // colon) is its own group with the default prefix, without a check.
  if (v4Prefix >= 32 && host.indexOf(':') < 0) return host;
  // An IPv4 client on a dual-stack listener appears as ::ffff:a.b.c.d.
  const h = host.startsWith('::ffff:') && isIPv4(host.slice(7)) ? host.slice(7) : host;
  if (isIPv4(h)) {
    if (v4Prefix >= 32) return h;
    const p = h.split('.').map(Number);
    const n = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
    const masked = v4Prefix === 0 ? 0 : (n & (~0 << (32 - v4Prefix))) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${v4Prefix}`;
  }
  if (isIPv6(h)) {
    const groups = expandIPv6(h);
    const out: string[] = [];
    for (let i = 0; i < 8; i++) {
      const bits = Math.max(0, Math.min(16, v6Prefix - i * 16));
      out.push((groups[i]! & (bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff)).toString(16));
    }
    return `${out.join(':')}/${v6Prefix}`;
  }
  return h;
}

/** The eight 16-bit groups of an IPv6 address (a zone id and an embedded IPv4 tail handled). */
function expandIPv6(addr: string): number[] {
  let a = addr;
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (tail !== null) {
    const [, b0, b1, b2, b3] = tail.map(Number);
    a = a.slice(0, tail.index) + `${((b0! << 8) | b1!).toString(16)}:${((b2! << 8) | b3!).toString(16)}`;
  }
  const [left, right] = a.includes('::') ? a.split('::') as [string, string] : [a, null];
  const l = left === '' ? [] : left.split(':');
  const r = right === null || right === '' ? [] : right.split(':');
  const fill = right === null ? [] : new Array<string>(8 - l.length - r.length).fill('0');
  return [...l, ...fill, ...r].map((g) => parseInt(g, 16));
}

/** Live connections per address group (with or without a cap). */
export class AddressLimits {
  /** Most connections per group; 0: no cap. */
  max = 0;
  v4Prefix = 32;
  v6Prefix = 64;
  /** Connections refused by the cap. */
  refused = 0;
  private readonly _counts = new Map<string, number>();

  /** May a connection from `host` take a slot? (Counted when it does, by {@link add}.) */
  admit(host: string): boolean {
    if (this.max === 0) return true;
    const n = this._counts.get(addressGroup(host, this.v4Prefix, this.v6Prefix)) ?? 0;
    if (n < this.max) return true;
    this.refused++;
    return false;
  }

  /**
   * How many connections `host`'s group holds: the rank of a newcomer waiting for a slot (xasync's
   * `parkRank`: a crowd from one address does not pass another address's newcomer).
   */
  held(host: string): number {
    return this._counts.get(addressGroup(host, this.v4Prefix, this.v6Prefix)) ?? 0;
  }

  // Counted with or without a cap: the counts also rank the newcomers waiting for a slot (held).
  add(host: string): void {
    const g = addressGroup(host, this.v4Prefix, this.v6Prefix);
    this._counts.set(g, (this._counts.get(g) ?? 0) + 1);
  }

  remove(host: string): void {
    const g = addressGroup(host, this.v4Prefix, this.v6Prefix);
    const n = (this._counts.get(g) ?? 0) - 1;
    if (n > 0) this._counts.set(g, n);
    else this._counts.delete(g);
  }

  /**
   * Counts afresh from the live connections (the server starts: `max` and the prefixes may have changed
   * since the last run, and the counts must be those of the connections there are, whatever happened to
   * the previous run's).
   */
  rebuild(conns: Iterable<{ readonly remoteHost: string }>): void {
    this._counts.clear();
    for (const c of conns) this.add(c.remoteHost);
  }

  /** Forgets every count (the server stopped). */
  clear(): void { this._counts.clear(); }
}
