/**
 * A head byte-identical to the parser's previous one is taken without being validated again
 * (RepeatedHead, head.ts): whatever differs, even one byte at the same length, is parsed in full, and
 * a taken head is a head of its own (its values, its field lines, its string).
 */
import { headerValue, PIPELINED_PAUSE } from './head';
import { HttpRequestParser, type RequestHead } from './parser';
import { R, bytes, feed, feedWhole, headData, recordingParser } from './__tests__/harness';

const A = R(['GET /a?x=1 HTTP/1.1', 'Host: h', 'X-Id: 1']);

/**
 * The memory a read lands in. A read that may be the kept head again is compared in place, four bytes at
 * a time, where its buffer shares its memory with others (the slot pool's one allocation) at a 4-aligned
 * offset; else its latin1 copy is compared (section-scan.ts). Every case below runs in each. The shared
 * memory is filled with other bytes, so that a comparison reading past the read would see them.
 */
const MEMORIES: Array<[string, () => Buffer]> = [
  ['its own allocation', () => Buffer.alloc(1024)],
  ['a shared allocation, 4-aligned', () => Buffer.allocUnsafeSlow(8 * 1024).fill(0x5a).subarray(2048, 3072)],
  ['a shared allocation, not aligned', () => Buffer.allocUnsafeSlow(8 * 1024).fill(0x5a).subarray(2049, 3073)],
];
let slotOf = MEMORIES[0]![1];

/** Feeds each string as its own read to one parser; returns the heads, and the error code if any. */
function reads(...inputs: string[]): { heads: RequestHead[]; error: string | null } {
  const { parser, outcome } = recordingParser({ maxHeadBytes: 1024, maxBodyBytes: 1024 });
  const slot = slotOf();
  for (const s of inputs) {
    const n = slot.write(s, 0, 'latin1');
    parser.execute(slot, 0, n);
    if (parser.paused) parser.resume();
  }
  return { heads: outcome.messages.map((m) => m.head), error: outcome.error?.code ?? null };
}

describe.each(MEMORIES)('a repeated head, read in %s', (_name, memory) => {
  beforeAll(() => { slotOf = memory; });
  afterAll(() => { slotOf = MEMORIES[0]![1]; });

  test('a read as long as the kept head that differs only in its last bytes is not taken for it', () => {
    // Heads of each length modulo 4: the bytes after the last whole word are compared one by one.
    for (const pad of ['', 'p', 'pp', 'ppp']) {
      const K = R(['GET /k HTTP/1.1', 'Host: h', `X-Pad: ${pad}`]);
      const unfinished = K.slice(0, -1) + 'x'; // no empty line yet: not a head
      const out = reads(K, K, unfinished);
      expect(out.error).toBeNull();
      expect(out.heads).toHaveLength(2);
      const changed = K.slice(0, -5) + 'q\r\n\r\n'; // the last field value's last byte
      expect(reads(K, K, changed).heads.map((h) => headerValue(h.headers, 'x-pad'))).toEqual([pad, pad, pad.slice(0, -1) + 'q']);
    }
  });

  test('same length, one byte different: each head has its own values, in its own read and pipelined', () => {
    const B = R(['GET /b?x=2 HTTP/1.1', 'Host: h', 'X-Id: 2']);
    expect(B.length).toBe(A.length);
    const expectAB = (heads: RequestHead[]): void => {
      expect(heads.map((h) => [h.path, h.queryString, headerValue(h.headers, 'x-id')])).toEqual([
        ['/a', 'x=1', '1'], ['/a', 'x=1', '1'], ['/b', 'x=2', '2'], ['/b', 'x=2', '2'], ['/a', 'x=1', '1'],
      ]);
    };
    expectAB(reads(A, A, B, B, A).heads);
    const all = bytes(A + A + B + B + A);
    expectAB(feedWhole(all).messages.map((m) => m.head));
    expectAB(feed(all, [A.length, 2 * A.length, 3 * A.length, 4 * A.length]).messages.map((m) => m.head));
  });

  // After a hit, a read holding exactly the kept head is found without searching it (SectionScanner
  // .knownSection); a read as long as it but different, or with more after it, is searched and parsed.
  test('while heads repeat, a read of the same length that differs, or holds more, is still read for what it is', () => {
    const twoInOne = R(['GET / HTTP/1.1', 'Host: h']) + R(['GET /c HTTP/1.1', 'Host: h', 'X-Id: 3']);
    const pad = (id: string): string => R(['GET /a HTTP/1.1', 'Host: h', `X-Id: ${id}`, 'X-Pad: ' + 'p'.repeat(twoInOne.length - 46)]);
    const [K, B] = [pad('1'), pad('2')];
    expect([K.length, B.length]).toEqual([twoInOne.length, twoInOne.length]); // as long as the kept head, but two heads
    const out = reads(K, K, K, B, B, B, K, K, twoInOne, K);
    expect(out.error).toBeNull();
    expect(out.heads.map((h) => `${h.path} ${headerValue(h.headers, 'x-id') ?? '-'}`)).toEqual([
      '/a 1', '/a 1', '/a 1', '/a 2', '/a 2', '/a 2', '/a 1', '/a 1', '/ -', '/c 3', '/a 1',
    ]);
  });

  test('a head of the same length that is invalid is refused after a valid one was taken again', () => {
    const bad = R(['GET /a?x=1 HTTP/1.1', 'Host: h', 'X-Id\x01 1']);
    expect(bad.length).toBe(A.length);
    expect(reads(A, A, bad)).toMatchObject({ heads: { length: 2 }, error: 'ERR_MWS_BAD_HEADER' });
    const dup = R(['GET /a?x=1 HTTP/1.1', 'Host: h', 'Host: 1']);
    expect(dup.length).toBe(A.length);
    expect(reads(A, A, dup).error).toBe('ERR_MWS_HOST_DUPLICATE');
    const pipelined = feedWhole(bytes(A + A + bad));
    expect(pipelined.messages).toHaveLength(2);
    expect(pipelined.error?.code).toBe('ERR_MWS_BAD_HEADER');
  });

  test('framing is taken again: a repeated POST gets its own body each time', () => {
    const post = R(['POST /p HTTP/1.1', 'Host: h', 'Content-Length: 3']);
    const out = feed(bytes(`${post}abc${post}xyz${post}123`), [post.length + 3, 2 * post.length + 6]);
    expect(out.error).toBeNull();
    expect(out.messages.map((m) => [m.head.contentLength, m.body, m.complete])).toEqual([[3, 'abc', true], [3, 'xyz', true], [3, '123', true]]);
  });

  test('a handler that rewrites its head does not change the next identical one', () => {
    const seen: string[] = [];
    const parser = new HttpRequestParser({
      onHead(head) {
        seen.push(`${head.method} ${head.path} ${head.queryString}`);
        head.path = '/rewritten';
        head.method = 'PUT';
        head.queryString = '';
        head.headers = ['x', 'y'];
      },
      onBody() {},
      onMessageComplete() {},
      onError(err) { throw err; },
    }, { maxHeadBytes: 1024, maxBodyBytes: 0 });
    const slot = Buffer.alloc(1024);
    for (let i = 0; i < 3; i++) parser.execute(slot, 0, slot.write(A, 0, 'latin1'));
    expect(seen).toEqual(['GET /a x=1', 'GET /a x=1', 'GET /a x=1']);
  });

  test('a taken head reads its field lines from its own bytes, after the slot was overwritten', () => {
    const { heads } = reads(A, A, A);
    for (const h of heads) expect(headData(h)).toEqual(headData(heads[0]!));
    expect(heads[2]!.headers).toEqual(['host', 'h', 'x-id', '1']);
    expect(heads[2]!.host).toBe('h');
    expect(new Set(heads).size).toBe(3);
  });

  test('pipelined heads that all differ (more than the pause), then repeats: every head has its own values', () => {
    const n = PIPELINED_PAUSE * 3;
    const heads = Array.from({ length: n }, (_, i) => R([`GET /p${String(i).padStart(3, '0')} HTTP/1.1`, 'Host: h']));
    const out = feedWhole(bytes(heads.join('') + A + A + A));
    expect(out.error).toBeNull();
    expect(out.messages.map((m) => m.head.path)).toEqual([...heads.map((_, i) => `/p${String(i).padStart(3, '0')}`), '/a', '/a', '/a']);
  });
});

// A connection tells its parser which slot it reads into and the memory that slot shares (useSlot): reads
// in that slot are compared in place without asking the buffer for its memory. Only while that memory is
// the one the scanner views: a read in another memory makes it view that one, and the slot is no longer
// trusted (its offset would index the wrong memory).
describe('useSlot: the slot the connection said its reads land in', () => {
  const K = R(['GET /k HTTP/1.1', 'Host: h', 'X-Id: 1']);
  const L = R(['GET /l HTTP/1.1', 'Host: h', 'X-Id: 2']); // as long as K, another head

  function twoMemories(): { slot: Buffer; memA: ArrayBufferLike; other: Buffer } {
    const a = Buffer.allocUnsafeSlow(8 * 1024).fill(0x5a);
    const b = Buffer.allocUnsafeSlow(8 * 1024).fill(0x5a);
    const slot = a.subarray(2048, 3072);
    // The other memory holds K where the slot lies in the first: a scanner that kept trusting the slot
    // after switching memories would compare the slot's offset in the wrong memory and find K there.
    const other = b.subarray(2048, 3072);
    other.write(K, 0, 'latin1');
    return { slot, memA: a.buffer, other };
  }

  test('reads in the slot are taken as the kept head when they are it, and parsed when they are not', () => {
    const { slot, memA } = twoMemories();
    const { parser, outcome } = recordingParser({ maxHeadBytes: 1024, maxBodyBytes: 1024 });
    parser.useSlot(slot, memA);
    for (const s of [K, K, K, L, K]) parser.execute(slot, 0, slot.write(s, 0, 'latin1'));
    expect(outcome.error).toBeNull();
    expect(outcome.messages.map((m) => m.head.path)).toEqual(['/k', '/k', '/k', '/l', '/k']);
  });

  test('after a read in another memory, a read in the slot is compared where it really lies', () => {
    const { slot, memA, other } = twoMemories();
    expect(K.length).toBe(L.length);
    const { parser, outcome } = recordingParser({ maxHeadBytes: 1024, maxBodyBytes: 1024 });
    parser.useSlot(slot, memA);
    parser.execute(slot, 0, slot.write(K, 0, 'latin1'));
    parser.execute(slot, 0, slot.write(K, 0, 'latin1')); // K kept, and repeating
    parser.execute(other, 0, K.length); // K again, in the other memory: the scanner now views that one
    parser.execute(slot, 0, slot.write(L, 0, 'latin1')); // L in the slot; the other memory holds K there
    expect(outcome.error).toBeNull();
    expect(outcome.messages.map((m) => m.head.path)).toEqual(['/k', '/k', '/k', '/l']);
  });
});
