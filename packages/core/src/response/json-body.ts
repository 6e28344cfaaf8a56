import { writeJson } from './json-writer';

/*
 * The body of `returnJSON` (issue 19): the JSON written by json-writer.ts into one process-wide scratch
 * Buffer, handed to the sink as a view that the sink copies before the call returns
 * (`ResponseSink.writeCopy`: into the connection's output batch, or behind the head). The scratch is
 * bounded: a larger body, or a value the writer leaves alone, goes through JSON.stringify as before.
 */

/** The scratch's size: JSON bodies up to this many bytes are written without an intermediate string. */
export const JSON_SCRATCH_SIZE = 16 * 1024;
/** Views of the scratch kept by length (direct-mapped): a route answering the same shapes makes none. */
const VIEWS = 64;

const scratch = Buffer.allocUnsafeSlow(JSON_SCRATCH_SIZE);
const views: Array<Buffer | undefined> = new Array<Buffer | undefined>(VIEWS).fill(undefined);
/** True while the writer walks: a toJSON or getter that sends JSON itself must not reuse the scratch. */
let busy = false;

/**
 * `obj` as JSON: a view of the scratch, valid until the next call (the caller copies it at once), or
 * the string of JSON.stringify when the writer could not (it throws where JSON.stringify throws).
 * `undefined` (and a function or symbol) at the top gives 'null', as returnJSON always sent.
 */
export function jsonBody(obj: unknown): Buffer | string {
  let n = -1;
  if (!busy) {
    busy = true;
    try { n = writeJson(obj, scratch, 0); } finally { busy = false; }
  }
  if (n < 0) return JSON.stringify(obj) ?? 'null';
  const i = n & (VIEWS - 1);
  let v = views[i];
  if (v === undefined || v.length !== n) views[i] = v = scratch.subarray(0, n);
  return v;
}
