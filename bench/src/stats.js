'use strict';
// Medians over rounds.
function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The median of each numeric field over `samples` (objects with the same keys). */
function medians(samples) {
  const out = {};
  for (const key of Object.keys(samples[0] || {})) {
    if (typeof samples[0][key] === 'number' || samples[0][key] === null) out[key] = median(samples.map((s) => s[key]));
  }
  return out;
}

module.exports = { median, medians };
