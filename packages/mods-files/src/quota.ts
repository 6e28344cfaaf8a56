/**
 * The base folder's size quota (`maxTotalBytes`): bytes counted once at start (the walk that also removes
 * stale temp files), then kept up to date by the module's own writes and deletes. Bytes being uploaded
 * count as they are written, so concurrent uploads cannot overshoot together.
 */
export class Quota {
  /** Bytes in the base (stored files plus uploads in progress). */
  used = 0;
  constructor(readonly max: number) {}

  /** Takes `n` bytes for an upload that will free `credit` (the size of the file it replaces); false when over. */
  take(n: number, credit: number): boolean {
    if (this.max === Number.MAX_SAFE_INTEGER) { this.used += n; return true; }
    if (this.used + n > this.max + credit) return false;
    this.used += n;
    return true;
  }

  /** Gives back `n` bytes (a failed upload, a replaced or deleted file). */
  release(n: number): void { this.used = Math.max(0, this.used - n); }

  /** Would `n` more bytes (freeing `credit`) fit? (a declared Content-Length, checked before reading). */
  fits(n: number, credit: number): boolean { return this.used + n <= this.max + credit; }
}
