/**
 * Recently built response heads, reused whole when a response has the same field lines as one before
 * it (same status, Date second, Server, type, length, caching and connection lines): most answers of a
 * route are. The lines are cached strings (head-builder.ts), so `===` mostly meets the same string and returns at once. A hit
 * sends one string that already exists; a miss builds it (one concatenation) and keeps it.
 */
export class Memo {
  status = '';
  date = '';
  server = '';
  type = '';
  length = '';
  tail = '';
  head = '';
  /** `head` encoded, made on its second use (a shape used once costs no Buffer): the sink copies it. */
  bytes: Buffer | null = null;
  /** The ASCII body last sent behind this head ('' none), and `head + body` with its bytes (see {@link withBody}). */
  body = '';
  whole = '';
  wholeBytes: Buffer | null = null;
}

/** Bodies up to this length are kept with their head (a route's constant answer, not a page). */
export const MAX_MEMO_BODY = 256;

/**
 * `m`'s head followed by `body` (ASCII, at most MAX_MEMO_BODY characters) as one string and its bytes,
 * encoded on the body's second use behind this head: a route answering the same short text every time
 * (a health check, a constant reply) then costs one copy per response, the body's scan and copy gone.
 * Null bytes on a first use (the caller writes head and body apart).
 */
export function withBody(m: Memo, body: string): Buffer | null {
  if (m.body === body) {
    if (m.wholeBytes === null) m.wholeBytes = Buffer.from(m.whole, 'latin1');
    return m.wholeBytes;
  }
  m.body = body;
  m.whole = m.head + body;
  m.wholeBytes = null;
  return null;
}

/** Direct-mapped by status code and length: a few dozen shapes in use at once keep their heads. */
const SIZE = 64;
const memos: Memo[] = [];
for (let i = 0; i < SIZE; i++) memos.push(new Memo());

/**
 * The memo of `status + date + server + type + length + tail`: the same string as last time when nothing
 * changed, with its bytes from the second use on.
 */
export function memoHead(key: number, status: string, date: string, server: string, type: string, length: string, tail: string): Memo {
  const m = memos[key & (SIZE - 1)]!;
  if (m.status === status && m.date === date && m.length === length && m.type === type && m.tail === tail && m.server === server) {
    if (m.bytes === null) m.bytes = Buffer.from(m.head, 'latin1');
    return m;
  }
  m.status = status;
  m.date = date;
  m.server = server;
  m.type = type;
  m.length = length;
  m.tail = tail;
  m.head = status + date + server + type + length + tail;
  m.bytes = null;
  m.body = '';
  m.whole = '';
  m.wholeBytes = null;
  return m;
}
