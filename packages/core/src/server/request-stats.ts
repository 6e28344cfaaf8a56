/**
 * Requests by method and status class, and the request duration histogram (`srv.stats.requests…`).
 * Counted in the server's existing `responded` call with no allocation: counters in a Float64Array
 * indexed by method × status class, and (only while `srv.measureDurations` is on, e.g. the metrics module
 * loaded) the durations in fixed buckets — the numbers a Prometheus histogram wants, cheap to keep.
 */

/** The methods counted by name; anything else is `OTHER`. */
export const COUNTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'OTHER'] as const;
export type CountedMethod = (typeof COUNTED_METHODS)[number];
/** Status classes: index 1..5 is `1xx`..`5xx`; 0 collects anything else (never sent today). */
export const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
/** Upper bounds (seconds) of the duration buckets, Prometheus' default ones with 0.5 ms and 1 ms added. */
export const DURATION_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Request durations: counts per bucket (not cumulative; the last one is above the largest bound). */
export interface DurationStats {
  /** Upper bounds in seconds, as DURATION_BUCKETS. */
  bounds: readonly number[];
  /** counts[i]: durations ≤ bounds[i] and > bounds[i-1]; counts[bounds.length]: above the last bound. */
  counts: number[];
  /** Sum of the durations, seconds. */
  sum: number;
  count: number;
}

/** Responses by method and status class, e.g. `byMethod.GET['2xx']`. */
export type RequestCounts = Record<CountedMethod, Record<StatusClass, number>>;

function methodIndex(m: string): number {
  switch (m) {
    case 'GET': return 0;
    case 'HEAD': return 1;
    case 'POST': return 2;
    case 'PUT': return 3;
    case 'DELETE': return 4;
    case 'PATCH': return 5;
    case 'OPTIONS': return 6;
    default: return 7;
  }
}

const NC = STATUS_CLASSES.length;

export class RequestStats {
  private readonly _counts = new Float64Array(COUNTED_METHODS.length * NC);
  private readonly _buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  private _sum = 0;
  private _n = 0;

  /** One response. */
  count(method: string, status: number): void {
    const c = (status / 100) | 0;
    this._counts[methodIndex(method) * NC + (c >= 1 && c <= 5 ? c : 0)]++;
  }

  /** One duration, seconds. */
  observe(sec: number): void {
    const b = DURATION_BUCKETS;
    let i = 0;
    while (i < b.length && sec > b[i]!) i++;
    this._buckets[i]++;
    this._sum += sec;
    this._n++;
  }

  /** The counters as plain objects (made when asked, never on the request path). */
  byMethod(): RequestCounts {
    const out = {} as RequestCounts;
    for (let m = 0; m < COUNTED_METHODS.length; m++) {
      const row = {} as Record<StatusClass, number>;
      for (let c = 0; c < NC; c++) row[STATUS_CLASSES[c]!] = this._counts[m * NC + c]!;
      out[COUNTED_METHODS[m]!] = row;
    }
    return out;
  }

  durations(): DurationStats {
    return { bounds: DURATION_BUCKETS, counts: Array.from(this._buckets), sum: this._sum, count: this._n };
  }
}
