/**
 * Property tests: pipelined valid requests fed through a slot in arbitrary splits give the same result
 * as one read, and the result the requests were built from; damaged input never throws, never stalls
 * the slot, and its outcome does not depend on the splits either.
 */
import fc from 'fast-check';
import type { ParserLimits } from './parser';
import { bytes, feed, feedWhole, summary } from './__tests__/harness';

const LIMITS: ParserLimits = { maxHeadBytes: 4096, maxBodyBytes: 4096, maxHeaders: 100 };

const range = (a: number, b: number): string[] => Array.from({ length: b - a + 1 }, (_, i) => String.fromCharCode(a + i));
const ALNUM = [...range(0x30, 0x39), ...range(0x41, 0x5a), ...range(0x61, 0x7a)];
const TOKEN = [...ALNUM, ..."!#$%&'*+-.^_`|~"];
const PCHAR = [...ALNUM, ..."-._~!$&'()*+,;=:@%"];
const FIELD_CHAR = [...range(0x21, 0x7e), ...range(0x80, 0xff), ' ', '\t'];
const SPECIAL = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect']);

const str = (units: string[], minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...units), minLength, maxLength });
const latin1 = (maxLength: number, minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength, maxLength });
const ows = fc.constantFrom('', ' ', '\t', ' \t ');
const trimOws = (v: string): string => v.replace(/^[ \t]+|[ \t]+$/g, '');

/** A field line: raw text and the [lowerName, value] the parser must report. */
const fieldArb = fc.record({ name: str(TOKEN, 1, 16), value: str(FIELD_CHAR, 0, 40), pre: ows, post: ows })
  .filter((f) => !SPECIAL.has(f.name.toLowerCase()))
  .map((f) => ({ raw: `${f.name}:${f.pre}${f.value}${f.post}`, name: f.name.toLowerCase(), value: trimOws(f.value) }));

const extArb = fc.constantFrom('', ';a', ';name=value', ' ;q="x; y"', ';a=1;b');

interface ModelRequest {
  raw: string;
  method: string;
  path: string;
  queryString: string;
  versionMinor: 0 | 1;
  headers: string[];
  contentLength: number;
  chunked: boolean;
  keepAlive: boolean;
  body: string;
  trailers: string[] | null;
}

const requestArb: fc.Arbitrary<ModelRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'X-CUSTOM'),
  segments: fc.array(str(PCHAR, 0, 10), { minLength: 1, maxLength: 4 }),
  query: fc.option(str([...PCHAR, '/', '?'], 0, 20), { nil: undefined }),
  versionMinor: fc.constantFrom<0 | 1>(0, 1, 1),
  fields: fc.array(fieldArb, { maxLength: 6 }),
  // now and then a head past the parser's first 1 KiB slice
  big: fc.option(str(TOKEN, 900, 1500), { freq: 5, nil: undefined }),
  connection: fc.constantFrom('', 'close', 'keep-alive', 'Keep-Alive, foo'),
  framing: fc.constantFrom('none', 'cl', 'chunked'),
  chunks: fc.array(fc.record({ data: latin1(200, 1), ext: extArb, upper: fc.boolean() }), { maxLength: 5 }),
  lastExt: extArb,
  trailers: fc.array(fieldArb, { maxLength: 2 }),
  body: latin1(300),
}).map((g) => {
  const framing = g.versionMinor === 0 && g.framing === 'chunked' ? 'cl' : g.framing; // no TE in 1.0
  const path = '/' + g.segments.join('/');
  const lines = [`${g.method} ${path}${g.query === undefined ? '' : '?' + g.query} HTTP/1.${g.versionMinor}`];
  const headers: string[] = [];
  const add = (raw: string, name: string, value: string): void => {
    lines.push(raw);
    headers.push(name, value);
  };
  if (g.versionMinor === 1) add('Host: example.test:8080', 'host', 'example.test:8080');
  for (const f of g.fields) add(f.raw, f.name, f.value);
  if (g.big !== undefined) add(`X-Big: ${g.big}`, 'x-big', g.big);
  if (g.connection !== '') add(`Connection: ${g.connection}`, 'connection', g.connection);
  let body = '';
  let encoded = '';
  let trailers: string[] | null = null;
  if (framing === 'cl') {
    body = encoded = g.body;
    add(`content-length: ${body.length}`, 'content-length', String(body.length));
  } else if (framing === 'chunked') {
    add('Transfer-Encoding: chunked', 'transfer-encoding', 'chunked');
    for (const c of g.chunks) {
      const size = c.data.length.toString(16);
      encoded += `${c.upper ? size.toUpperCase() : size}${c.ext}\r\n${c.data}\r\n`;
      body += c.data;
    }
    encoded += `0${g.lastExt}\r\n`;
    for (const t of g.trailers) encoded += t.raw + '\r\n';
    encoded += '\r\n';
    if (g.trailers.length > 0) trailers = g.trailers.flatMap((t) => [t.name, t.value]);
  }
  const close = /close/i.test(g.connection);
  return {
    raw: lines.join('\r\n') + '\r\n\r\n' + encoded,
    method: g.method,
    path,
    queryString: g.query ?? '',
    versionMinor: g.versionMinor,
    headers,
    contentLength: framing === 'cl' ? body.length : -1,
    chunked: framing === 'chunked',
    keepAlive: g.versionMinor === 1 ? !close : /keep-alive/i.test(g.connection),
    body,
    trailers,
  };
});

const cutsArb = fc.array(fc.nat(), { maxLength: 24 });
const toCuts = (seeds: number[], length: number): number[] => seeds.map((s) => s % (length + 1)).sort((a, b) => a - b);

describe('parser properties', () => {
  test('pipelined valid requests: any split through the slot = one read = the model', () => {
    fc.assert(fc.property(fc.array(requestArb, { minLength: 1, maxLength: 6 }), cutsArb, (reqs, seeds) => {
      const input = bytes(reqs.map((r) => r.raw).join(''));
      const whole = feedWhole(input, LIMITS);
      const split = feed(input, toCuts(seeds, input.length), LIMITS);
      expect(summary(split)).toEqual(summary(whole));
      expect(whole.error).toBeNull();
      expect(whole.leftover).toBe(0);
      expect(whole.messages).toHaveLength(reqs.length);
      whole.messages.forEach((m, i) => {
        const r = reqs[i]!;
        expect(m.complete).toBe(true);
        expect(m.head).toMatchObject({
          method: r.method, path: r.path, queryString: r.queryString, versionMinor: r.versionMinor,
          headers: r.headers, contentLength: r.contentLength, chunked: r.chunked, keepAlive: r.keepAlive,
        });
        expect(m.body).toBe(r.body);
        expect(m.trailers).toEqual(r.trailers);
      });
    }), { numRuns: 400 });
  });

  const damage = fc.array(fc.record({ at: fc.nat(), byte: fc.constantFrom(0x0d, 0x0a, 0x20, 0x09, 0x3a, 0x00, 0x3b, 0x30, 0x61, 0x2c, 0xff, 0x7f) }), { minLength: 1, maxLength: 4 });

  test('damaged input: never throws or stalls, and the outcome does not depend on the splits', () => {
    fc.assert(fc.property(fc.array(requestArb, { minLength: 1, maxLength: 4 }), damage, cutsArb, (reqs, hits, seeds) => {
      const input = bytes(reqs.map((r) => r.raw).join(''));
      for (const h of hits) input[h.at % input.length] = h.byte;
      const whole = feedWhole(input, LIMITS);
      const split = feed(input, toCuts(seeds, input.length), LIMITS);
      expect(summary(split)).toEqual(summary(whole));
      if (whole.error !== null) expect(whole.error.status).toBeGreaterThanOrEqual(400);
    }), { numRuns: 400 });
  });

  test('random bytes: never throws or stalls, and the outcome does not depend on the splits', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), cutsArb, (arr, seeds) => {
      const input = Buffer.from(arr);
      const limits = { ...LIMITS, maxHeadBytes: 256 };
      const whole = feedWhole(input, limits);
      expect(summary(feed(input, toCuts(seeds, input.length), limits))).toEqual(summary(whole));
    }), { numRuns: 300 });
  });
});
