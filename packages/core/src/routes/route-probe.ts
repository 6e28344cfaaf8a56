import { decodeSegment } from './route-pattern';

const HAS_ENCODED_SLASH = /%2f/i;

/**
 * One request path, split and decoded lazily and at most once, shared by a table and its fallback.
 * Matching works on the RAW path split on '/', each segment decoded on its own: an encoded slash (%2F)
 * stays inside its argument instead of splitting it.
 */
export class Probe {
  path = '';
  hasPct = false;
  /** The segments, in an array kept from lookup to lookup (a new one grew a backing store per request). */
  private readonly _segs: string[] = [];
  /** Segments of this path in `_segs` (-1: not split yet). */
  private _n = -1;
  private _dec: (string | null | undefined)[] | null = null;
  private _key: string | null | undefined = undefined;

  /** Makes this the probe of `path` (one probe serves every lookup: a lookup never runs inside another). */
  reset(path: string): this {
    // Everything below derives from the path alone: for the same path as the last lookup (a repeated
    // request: its head, and so its path string, taken again by the parser) the split and the decoded
    // segments still hold.
    if (path === this.path && path !== '') return this;
    this.path = path;
    this.hasPct = path.indexOf('%') !== -1;
    this._n = -1;
    this._dec = null;
    this._key = undefined;
    return this;
  }

  /** The segments (only the first `count` are this path's). */
  get segs(): readonly string[] {
    if (this._n === -1) this._n = splitPath(this.path, this._segs);
    return this._segs;
  }

  /** How many segments the path has. */
  get count(): number {
    if (this._n === -1) this._n = splitPath(this.path, this._segs);
    return this._n;
  }

  /** Segment i decoded, null when its escapes are invalid (a non-match for every kind of segment). */
  dec(i: number): string | null {
    if (!this.hasPct) return this.segs[i];
    if (this._dec === null) this._dec = new Array(this.count);
    let d = this._dec[i];
    if (d === undefined) this._dec[i] = d = decodeSegment(this.segs[i]);
    return d;
  }

  /**
   * The key of the all-static map: the decoded path. None when an escape hides a '/' (no static route
   * can match a segment holding a slash, and the whole-path decoding would move the segment borders) or
   * the escapes are invalid.
   */
  staticKey(): string | null {
    if (!this.hasPct) return this.path;
    if (this._key === undefined) this._key = HAS_ENCODED_SLASH.test(this.path) ? null : decodeSegment(this.path);
    return this._key;
  }
}

/**
 * '/a/b' → 'a', 'b' into `out[0..]`, returning the count ('/' → 0). An indexOf loop: about twice as fast as
 * slice(1).split('/'). Entries past the count are stale (left there: the array keeps its capacity).
 */
function splitPath(p: string, out: string[]): number {
  if (p.length === 1) return 0;
  let n = 0;
  let start = 1;
  for (;;) {
    const j = p.indexOf('/', start);
    if (j === -1) { setAt(out, n++, p.slice(start)); return n; }
    setAt(out, n++, p.slice(start, j));
    start = j + 1;
  }
}

function setAt(a: string[], i: number, s: string): void {
  if (i < a.length) a[i] = s;
  else a.push(s);
}

/** The probe every lookup reuses (lookups are synchronous and never nested). */
const PROBE = new Probe();

/** The shared probe of `rawPath`, or null for a target that is not a path ('*', authority-form). */
export function probeOf(rawPath: string): Probe | null {
  if (typeof rawPath !== 'string' || rawPath.charCodeAt(0) !== 0x2f) return null; // '*', authority-form
  return PROBE.reset(rawPath);
}
