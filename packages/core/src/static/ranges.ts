/**
 * Byte ranges (RFC 9110 §14): parsing the Range field against a representation's size, and the
 * multipart/byteranges body (§14.6) streamed from an open file.
 */
import { randomBytes } from 'node:crypto';
import { close as fsClose, read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';

/** An inclusive byte range [start, end] of the representation. */
export interface ByteRange { start: number; end: number }

/**
 * What to send for a Range field:
 * - `full`: ignore it and send 200 (absent, not 'bytes', malformed, too many ranges, overlapping ranges,
 *   an empty file);
 * - `unsatisfiable`: 416, whose Content-Range is 'bytes *' then '/' and the size (§14.4);
 * - `ranges`: 206, one range (Content-Range) or several (multipart/byteranges), in the order asked.
 */
export type RangePlan = { kind: 'full' } | { kind: 'unsatisfiable' } | { kind: 'ranges'; ranges: ByteRange[] };

const FULL: RangePlan = { kind: 'full' };
const DIGITS = /^[0-9]+$/;

/**
 * Plans the answer to `Range: <value>` for a representation of `size` bytes.
 *
 * RFC 9110 §14.2 lets a server ignore a Range field, and asks it to distrust "a ranges-specifier with
 * more than two overlapping ranges, or a set of many small ranges": this one ignores (→ 200) any set of
 * more than `maxRanges` specs and any set whose satisfiable ranges overlap. 200 rather than 416: the
 * answer stays correct for a legitimate client, and costs an abuser one sequential read instead of
 * thousands of seeks and part headers. A syntactically invalid set is ignored too (§14.2 allows it).
 * Unsatisfiable specs among satisfiable ones are dropped (§14.1.1); none satisfiable → 416.
 */
export function planRanges(value: string, size: number, maxRanges: number): RangePlan {
  const eq = value.indexOf('=');
  // The unit is case-insensitive (§14.1); an unknown unit MUST be ignored (§14.2).
  if (eq === -1 || value.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const specs = value.slice(eq + 1).split(',');
  let count = 0;
  const ranges: ByteRange[] = [];
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec.length === 0) continue; // empty list elements are allowed and ignored (§5.6.1)
    if (++count > maxRanges) return FULL;
    const dash = spec.indexOf('-');
    if (dash === -1) return FULL;
    const first = spec.slice(0, dash);
    const last = spec.slice(dash + 1);
    if (first.length === 0) {
      // suffix-range: the last N bytes (all of them when N ≥ size); N = 0 is unsatisfiable (§14.1.2).
      if (!DIGITS.test(last)) return FULL;
      const n = Number(last);
      if (n > 0 && size > 0) ranges.push({ start: Math.max(0, size - n), end: size - 1 });
      continue;
    }
    if (!DIGITS.test(first) || (last.length > 0 && !DIGITS.test(last))) return FULL;
    const start = Number(first);
    const end = last.length > 0 ? Number(last) : Infinity;
    if (end < start) return FULL; // invalid range-spec (§14.1.1)
    if (start < size) ranges.push({ start, end: Math.min(end, size - 1) });
  }
  if (count === 0) return FULL;
  // An empty representation has no byte to name, and Content-Range cannot express zero bytes: send it whole.
  if (size === 0) return FULL;
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  if (ranges.length > 1) {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) if (sorted[i].start <= sorted[i - 1].end) return FULL;
  }
  return { kind: 'ranges', ranges };
}

/** A multipart/byteranges body: its Content-Type, exact length and a stream factory. */
export interface Multipart {
  contentType: string;
  length: number;
  /** Streams the parts from descriptor `fd` and closes it at the end, on error, or when the stream is destroyed. */
  open(fd: number): Readable;
}

const CHUNK = 64 * 1024;
const readAt = promisify(fsRead);

/**
 * Builds the multipart/byteranges body (RFC 9110 §14.6) of `ranges` of a `size`-byte file of type
 * `partType`. The boundary is random (24 hex characters): it cannot be predicted, so file content cannot
 * forge a part. The length is known in advance, so the response has a Content-Length.
 */
export function multipartByteranges(ranges: ByteRange[], size: number, partType: string): Multipart {
  const boundary = randomBytes(12).toString('hex');
  const heads = ranges.map((r) => Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${partType}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`, 'latin1'));
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  let length = tail.length;
  for (let i = 0; i < ranges.length; i++) length += heads[i].length + ranges[i].end - ranges[i].start + 1;
  return {
    contentType: `multipart/byteranges; boundary=${boundary}`,
    length,
    open(fd: number): Readable {
      let closed = false;
      const close = () => { if (!closed) { closed = true; fsClose(fd, () => undefined); } };
      // Explicit positional reads, one at a time: nothing reads ahead, and Readable.from pulls only as
      // fast as the socket drains (stream-body pauses it on backpressure).
      async function* parts(): AsyncGenerator<Buffer> {
        try {
          for (let i = 0; i < ranges.length; i++) {
            yield heads[i];
            let pos = ranges[i].start;
            const end = ranges[i].end;
            while (pos <= end) {
              const want = Math.min(CHUNK, end - pos + 1);
              const { bytesRead, buffer } = await readAt(fd, Buffer.allocUnsafe(want), 0, want, pos);
              if (bytesRead === 0) throw new Error('the file shrank while its ranges were sent');
              pos += bytesRead;
              yield buffer.subarray(0, bytesRead);
            }
          }
          yield tail;
        } finally {
          close();
        }
      }
      const stream = Readable.from(parts(), { objectMode: false, highWaterMark: CHUNK });
      // A stream destroyed before its first pull never runs the generator (nor its finally). 'close'
      // comes after Readable.from awaited the generator's return(), i.e. after any read in flight.
      stream.once('close', close);
      return stream;
    },
  };
}
