'use strict';
// The server's memory, for the `memory` scenario: process.memoryUsage() and the V8 heap's used bytes,
// read after full GCs when the process runs with --expose-gc (the runner starts servers with it in that
// scenario), plus whatever the server script registers with setMemInfo() (microwebsrv: its slot pool).
// The runner asks over IPC ({cmd: 'mem'} -> {ev: 'mem', ...}); by hand, `kill -USR2 <pid>` prints
// `MEM <json>` on stdout (see ./lifecycle.js).
const v8 = require('node:v8');
const fs = require('node:fs');

let infoFn = null;

const newSpaceSize = () => {
  const sp = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return sp ? sp.space_size : null;
};
// The young generation's size when this module loads (its minimum, 1 MiB on Node 20 x64). An idle process
// flips between 1× and 2× that from one full GC to the next: a settled snapshot waits for <= 2×.
const NEW_SPACE_FLOOR = newSpaceSize();
const SETTLE_MAX_MS = 15000;
// Every full GC also ages the bytecode of functions not run since; V8 flushes it after a few GCs. A settled
// snapshot runs at least this many GCs, so that flushing is done in "before" as much as in "after".
const SETTLE_MIN_GCS = 8;

/** `fn()` returns a JSON-able object added to every snapshot as `info` (e.g. the slot pool's figures). */
function setMemInfo(fn) {
  infoFn = fn;
}

const tick = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** RssAnon / RssFile from /proc/self/status, in bytes (null where not readable). */
function rssParts() {
  try {
    const status = fs.readFileSync('/proc/self/status', 'latin1');
    const kb = (name) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : null;
    };
    return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') };
  } catch {
    return { rssAnon: null, rssFile: null };
  }
}

/**
 * With `settle`: full GCs every 250 ms (at least 8) until the young generation is back at its idle size,
 * <= 2 × its initial size, at three GCs in a row (at most 15 s). A burst of allocation (accepting N connections)
 * grows V8's semi-spaces, up to 2 × 16 MiB, and they stay grown; V8 shrinks them at a full GC once the
 * recent allocation rate is low: a few seconds after a burst, nothing when there was none.
 * Resolves {settleMs, settled} (settleMs null: no global.gc).
 */
async function settleYoungGeneration() {
  if (typeof global.gc !== 'function' || NEW_SPACE_FLOOR === null) return { settleMs: null, settled: false };
  const t0 = Date.now();
  let atFloor = 0;
  for (let gcs = 1; Date.now() - t0 < SETTLE_MAX_MS; gcs++) {
    global.gc();
    atFloor = newSpaceSize() <= 2 * NEW_SPACE_FLOOR ? atFloor + 1 : 0;
    if (atFloor >= 3 && gcs >= SETTLE_MIN_GCS) return { settleMs: Date.now() - t0, settled: true }; // a few more GCs: the freed semi-space is uncommitted
    await tick(250);
  }
  return { settleMs: Date.now() - t0, settled: false };
}

/**
 * A snapshot after two full GCs (when global.gc exists), with a pause between and after them so the
 * concurrent sweeper has finished and freed pages are given back before RSS is read. `settle`: first
 * wait for the young generation to shrink back to its floor (settleYoungGeneration()).
 */
async function memSnapshot({ settle = false } = {}) {
  const gc = typeof global.gc === 'function';
  const st = settle ? await settleYoungGeneration() : { settleMs: null, settled: null };
  if (gc) {
    global.gc();
    await tick(50);
    global.gc();
    await tick(150);
  }
  const mu = process.memoryUsage();
  const hs = v8.getHeapStatistics();
  // physical (resident) bytes of each V8 heap space: the young generation's semi-spaces grow under a burst
  // of allocation (accepting N connections) and stay grown for a while; that is not memory a connection holds
  const spaces = {};
  for (const sp of v8.getHeapSpaceStatistics()) spaces[sp.space_name] = { size: sp.space_size, used: sp.space_used_size, physical: sp.physical_space_size };
  let info = null;
  try { info = infoFn ? infoFn() : null; } catch (err) { info = { error: String(err && err.message ? err.message : err) }; }
  return {
    gc,
    ...st,
    rss: mu.rss,
    heapTotal: mu.heapTotal,
    heapUsed: mu.heapUsed,
    usedHeapSize: hs.used_heap_size,
    external: mu.external, // includes arrayBuffers
    arrayBuffers: mu.arrayBuffers,
    mallocedMemory: hs.malloced_memory,
    heapPhysical: hs.total_physical_size,
    newSpacePhysical: spaces.new_space ? spaces.new_space.physical : null,
    spaces,
    ...rssParts(),
    info,
  };
}

module.exports = { memSnapshot, setMemInfo };
