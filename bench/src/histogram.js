'use strict';
// A latency histogram with 1 µs buckets up to 100 ms (beyond that: one overflow bucket).
const MAX_US = 100000;

class Histogram {
  constructor() { this.counts = new Uint32Array(MAX_US + 2); this.total = 0; }
  record(us) {
    const i = us < 0 ? 0 : us > MAX_US ? MAX_US + 1 : Math.round(us);
    this.counts[i]++;
    this.total++;
  }
  /** The value (µs) below which `p` percent of the records fall; null when empty. */
  percentile(p) {
    if (this.total === 0) return null;
    const want = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= want) return i;
    }
    return MAX_US + 1;
  }
}

module.exports = { Histogram };
