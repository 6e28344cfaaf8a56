import { takeWritten, writeJson } from './json-writer';

/*
 * The body of `returnJSON` (issue 19): the JSON written by json-writer.ts into one process-wide scratch
 * Buffer, handed to the sink as a view that the sink copies before the call returns
 * (`ResponseSink.writeCopy`: into the connection's output batch, or behind the head). A larger body is
 * written on into a Buffer of its own (the writer grows: no getter or toJSON runs twice, as a restart
 * through JSON.stringify would make them), up to JSON_MAX_BYTES; a value the writer leaves alone (a
 * proxy, a boxed primitive, BigInt, nesting beyond 64) goes through JSON.stringify.
 */

/** The scratch's size: JSON bodies up to this many bytes are written without an intermediate string. */
export const JSON_SCRATCH_SIZE = 16 * 1024;
/** Bodies above this go through JSON.stringify (after a partial walk). */
export const JSON_MAX_BYTES = 64 * 1024 * 1024;
/** Views of the scratch kept by length (direct-mapped): a route answering the same shapes makes none. */
const VIEWS = 64;

const scratch = Buffer.allocUnsafeSlow(JSON_SCRATCH_SIZE);
const views: Array<Buffer | undefined> = new Array<Buffer | undefined>(VIEWS).fill(undefined);
/** True while the writer walks: a toJSON or getter that sends JSON itself must not reuse the scratch. */
let busy = false;

/** True when `body` (from {@link jsonBody}) is a view of the scratch, which the sink must copy. */
export function isScratchView(body: Buffer): boolean { return views[body.length & (VIEWS - 1)] === body; }

/**
 * `obj` as JSON: a view of the scratch, valid until the next call (the caller copies it at once; see
 * {@link isScratchView}), a Buffer of its own for a body larger than the scratch, or
 * the string of JSON.stringify when the writer could not (it throws where JSON.stringify throws).
 * `undefined` (and a function or symbol) at the top gives 'null', as returnJSON always sent.
 */
export function jsonBody(obj: unknown): Buffer | string {
  let n = -1;
  let out: Buffer = scratch;
  if (!busy) {
    busy = true;
    try { n = writeJson(obj, scratch, 0, JSON_MAX_BYTES); } finally { out = takeWritten(); busy = false; }
  }
  if (n < 0) return JSON.stringify(obj) ?? 'null';
  if (out !== scratch) return out.subarray(0, n); // grown: a Buffer of its own, not copied again
  const i = n & (VIEWS - 1);
  let v = views[i];
  if (v === undefined || v.length !== n) views[i] = v = scratch.subarray(0, n);
  return v;
}
