'use strict';
// Bytes allocated on the V8 heap between allocStart() and allocStop(). Node 20's v8 has no cumulative
// "total allocated" counter, so: allocated = used_end - used_start + sum over GCs of (used before -
// used after), with every GC of the window reported by v8.GCProfiler. Off-heap memory (Buffer/ArrayBuffer
// backing stores, kernel socket buffers) is NOT counted. The profiler costs a little per GC only.
const v8 = require('node:v8');

let profiler = null;
let used0 = 0;

function allocStart() {
  if (profiler) profiler.stop();
  profiler = new v8.GCProfiler();
  used0 = v8.getHeapStatistics().used_heap_size;
  profiler.start();
}

function allocStop() {
  if (!profiler) return { heapBytes: null, gcs: 0, rss: process.memoryUsage.rss() };
  const report = profiler.stop();
  profiler = null;
  const used1 = v8.getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const gc of report.statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return { heapBytes: used1 - used0 + freed, gcs: report.statistics.length, rss: process.memoryUsage.rss() };
}

module.exports = { allocStart, allocStop };
