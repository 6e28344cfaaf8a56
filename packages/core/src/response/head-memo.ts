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
  return m;
}
