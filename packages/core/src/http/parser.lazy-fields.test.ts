/**
 * Field values are sliced on first use from the head's own latin1 string (issue 19), not at parse time:
 * a head read after its slot bytes were overwritten (by the next pipelined request, by the next read)
 * must still return its own values.
 */
import { HttpRequestParser, type RequestHead } from './parser';
import { bytes } from './__tests__/harness';

function parserInto(heads: RequestHead[], maxHeadBytes = 1024): HttpRequestParser {
  return new HttpRequestParser({
    onHead: (h) => { heads.push(h); },
    onBody: () => undefined,
    onMessageComplete: () => undefined,
    onError: (e) => { throw e; },
  }, { maxHeadBytes, maxBodyBytes: 1024 });
}

describe('lazily materialised request fields', () => {
  test('a head read after the slot was reused by the next request returns its own values', () => {
    const heads: RequestHead[] = [];
    const parser = parserInto(heads);
    const slot = Buffer.alloc(1024);
    const first = bytes('GET /one HTTP/1.1\r\nHost: first.example\r\nX-Token: aaaa\r\n\r\n');
    first.copy(slot);
    expect(parser.execute(slot, 0, first.length)).toBe(first.length);
    // The next read lands at the same place in the slot, over the first head's bytes.
    const second = bytes('GET /two HTTP/1.1\r\nHost: second.example\r\nX-Token: bbbb\r\n\r\n');
    slot.fill(0x78);
    second.copy(slot);
    expect(parser.execute(slot, 0, second.length)).toBe(second.length);
    slot.fill(0);
    expect(heads.map((h) => [h.path, h.host, h.headers])).toEqual([
      ['/one', 'first.example', ['host', 'first.example', 'x-token', 'aaaa']],
      ['/two', 'second.example', ['host', 'second.example', 'x-token', 'bbbb']],
    ]);
  });

  test('pipelined heads parsed in one read each keep their own fields', () => {
    const heads: RequestHead[] = [];
    const parser = parserInto(heads);
    const raw = bytes('GET /a HTTP/1.1\r\nHost: h\r\nCookie: c=1\r\n\r\nGET /b HTTP/1.1\r\nHOST: other\r\nCookie: c=2\r\nCookie: d=3\r\n\r\n');
    expect(parser.execute(raw, 0, raw.length)).toBe(raw.length);
    raw.fill(0);
    expect(heads[0]!.headers).toEqual(['host', 'h', 'cookie', 'c=1']);
    expect(heads[1]!.host).toBe('other');
    expect(heads[1]!.headers).toEqual(['host', 'other', 'cookie', 'c=2', 'cookie', 'd=3']);
  });

  test('a head completed over several reads (its own string) reads right after the slot changed', () => {
    const heads: RequestHead[] = [];
    const parser = parserInto(heads);
    const slot = Buffer.alloc(1024);
    const raw = bytes('GET /s HTTP/1.1\r\nHost: split.example\r\nAccept:  text/plain \t\r\n\r\n');
    let len = 0;
    for (let i = 0; i < raw.length; i++) {
      slot[len++] = raw[i]!;
      const n = parser.execute(slot, 0, len);
      slot.copy(slot, 0, n, len);
      len -= n;
    }
    slot.fill(0x41);
    expect(heads).toHaveLength(1);
    expect(heads[0]!.host).toBe('split.example');
    expect(heads[0]!.headers).toEqual(['host', 'split.example', 'accept', 'text/plain']);
  });

  test('the authority of an absolute-form target is the host, whatever Host says (RFC 9112 §3.2.2)', () => {
    const heads: RequestHead[] = [];
    const parser = parserInto(heads);
    const raw = bytes('GET https://a.example:8443?q HTTP/1.1\r\nHost: b.example\r\n\r\nCONNECT c.example:443 HTTP/1.1\r\nHost: c.example:443\r\n\r\n');
    parser.execute(raw, 0, raw.length);
    expect(heads[0]!.host).toBe('a.example:8443');
    expect(heads[0]!.headers).toEqual(['host', 'b.example']);
    expect(heads[1]!.host).toBe('c.example:443');
  });

  test('flags and setters keep the head a plain record to tests and modules', () => {
    const heads: RequestHead[] = [];
    const parser = parserInto(heads);
    const raw = bytes('POST /p HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n');
    parser.execute(raw, 0, raw.length);
    const h = heads[0]!;
    expect([h.versionMinor, h.keepAlive, h.chunked, h.expectContinue, h.upgrade, h.host]).toEqual([0, true, false, false, false, '']);
    h.keepAlive = false;
    h.headers = ['x', 'y'];
    expect([h.keepAlive, h.versionMinor, h.headers]).toEqual([false, 0, ['x', 'y']]);
  });
});
