/**
 * Range requests (RFC 9110 §14): the planning table, then a real server — single ranges (206), 416,
 * multipart/byteranges, ignored sets (→ 200), If-Range, HEAD, the 5 MB file, and curl as a real client.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { curl, stopAll, type TestServer } from '../__tests__/server-harness';
import { BIG_SIZE, buildFixture, DIGITS, FIXED_LAST_MODIFIED, parseMultipart, request, startStatic, type Fixture } from './__tests__/static-harness';
import { defaultStaticOptions } from './options';
import { multipartByteranges, planRanges, type RangePlan } from './ranges';

const many = (n: number) => 'bytes=' + Array.from({ length: n }, (_, i) => `${i * 4}-${i * 4 + 1}`).join(',');

describe('planRanges (size 100, at most 16 ranges)', () => {
  const r = (...pairs: Array<[number, number]>): RangePlan => ({ kind: 'ranges', ranges: pairs.map(([start, end]) => ({ start, end })) });
  test.each<[string, RangePlan]>([
    ['bytes=0-9', r([0, 9])],
    ['bytes=90-', r([90, 99])],
    ['bytes=-10', r([90, 99])],
    ['bytes=-200', r([0, 99])],
    ['bytes=95-200', r([95, 99])],
    ['bytes=99999999999999999999-', { kind: 'unsatisfiable' }],
    ['bytes=0-99999999999999999999', r([0, 99])],
    ['BYTES = 0-0', r([0, 0])],
    ['bytes= 0-4 , 10-14', r([0, 4], [10, 14])],
    ['bytes=0-4,,10-14', r([0, 4], [10, 14])],
    ['bytes=50-59,0-9', r([50, 59], [0, 9])],
    ['bytes=0-9,200-300', r([0, 9])],
    ['bytes=0-9,10-19', r([0, 9], [10, 19])],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=200-300,150-', { kind: 'unsatisfiable' }],
    ['bytes=10-5', { kind: 'full' }],
    ['bytes=abc', { kind: 'full' }],
    ['bytes=0x10-20', { kind: 'full' }],
    ['bytes=1e1-20', { kind: 'full' }],
    ['bytes=-', { kind: 'full' }],
    ['bytes=', { kind: 'full' }],
    ['bytes=0-9,5-14', { kind: 'full' }],
    ['bytes=0-0,0-0', { kind: 'full' }],
    ['items=0-5', { kind: 'full' }],
    ['0-5', { kind: 'full' }],
    [many(16), r(...Array.from({ length: 16 }, (_, i): [number, number] => [i * 4, i * 4 + 1]))],
    [many(17), { kind: 'full' }],
  ])('%s', (value, want) => expect(planRanges(value, 100, 16)).toEqual(want));

  test('an empty file is sent whole; maxRanges 1 allows single ranges only', () => {
    expect(planRanges('bytes=-5', 0, 16)).toEqual({ kind: 'full' });
    expect(planRanges('bytes=0-0', 0, 16)).toEqual({ kind: 'full' });
    expect(planRanges('bytes=0-0,5-6', 100, 1)).toEqual({ kind: 'full' });
    expect(planRanges('bytes=5-6', 100, 1)).toEqual({ kind: 'ranges', ranges: [{ start: 5, end: 6 }] });
  });

  test('the multipart length is exact and the boundary random', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-mp-'));
    try {
      const f = path.join(dir, 'd.txt');
      fs.writeFileSync(f, DIGITS);
      const ranges = [{ start: 0, end: 0 }, { start: 50, end: 59 }];
      const mp = multipartByteranges(ranges, 100, 'text/plain');
      expect(multipartByteranges(ranges, 100, 'text/plain').contentType).not.toBe(mp.contentType);
      const chunks: Buffer[] = [];
      for await (const c of mp.open(fs.openSync(f, 'r'))) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      expect(body.length).toBe(mp.length);
      expect(body.toString()).toContain('Content-Range: bytes 50-59/100\r\n\r\n0123456789\r\n--');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('range requests on a real server', () => {
  let fx: Fixture;
  let ts: TestServer;
  let E: string;
  beforeAll(async () => {
    fx = buildFixture();
    ts = await startStatic(fx.root);
    E = (await request(ts.port, '/digits.txt')).headers['etag'];
  });
  afterAll(async () => {
    await stopAll();
    fx.cleanup();
  });

  test.each<[string, number, number, number]>([
    ['bytes=0-9', 206, 0, 9],
    ['bytes=90-', 206, 90, 99],
    ['bytes=-10', 206, 90, 99],
    ['bytes=-200', 206, 0, 99],
    ['bytes=95-200', 206, 95, 99],
    ['bytes=0-9,200-300', 206, 0, 9],
  ])('Range: %s → %i', async (range, status, start, end) => {
    const res = await request(ts.port, '/digits.txt', { Range: range });
    expect(res.status).toBe(status);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/100`);
    expect(res.headers['content-length']).toBe(String(end - start + 1));
    expect(res.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(res.headers['etag']).toBe(E);
    expect(res.body.toString()).toBe(DIGITS.slice(start, end + 1));
  });

  test.each(['bytes=100-', 'bytes=-0', 'bytes=200-300,150-'])('Range: %s → 416 with Content-Range bytes */100', async (range) => {
    const res = await request(ts.port, '/digits.txt', { Range: range });
    expect(res.status).toBe(416);
    expect(res.headers['content-range']).toBe('bytes */100');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test.each([
    ['malformed', 'bytes=10-5'], ['unknown unit', 'items=0-5'], ['overlapping', 'bytes=0-9,5-14'], ['more than 16 ranges', many(17)],
  ])('ignored (%s: %s) → 200 with the whole file', async (_n, range) => {
    const res = await request(ts.port, '/digits.txt', { Range: range });
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
    expect(res.body.toString()).toBe(DIGITS);
  });

  test('several ranges → multipart/byteranges, parts in the order asked', async () => {
    const res = await request(ts.port, '/digits.txt', { Range: 'bytes=50-54,0-0,-3' });
    expect(res.status).toBe(206);
    expect(res.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=[0-9a-f]{24}$/);
    expect(res.headers['content-range']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    const parts = parseMultipart(res);
    expect(parts.map((p) => p.headers['content-range'])).toEqual(['bytes 50-54/100', 'bytes 0-0/100', 'bytes 97-99/100']);
    expect(parts.map((p) => p.body.toString())).toEqual([DIGITS.slice(50, 55), DIGITS.slice(0, 1), DIGITS.slice(97)]);
    expect(parts.every((p) => p.headers['content-type'] === 'text/plain; charset=UTF-8')).toBe(true);
  });

  test('16 ranges are served as 16 parts', async () => {
    const res = await request(ts.port, '/digits.txt', { Range: many(16) });
    expect(res.status).toBe(206);
    expect(parseMultipart(res)).toHaveLength(16);
  });

  test.each<[string, () => string, number]>([
    ['the ETag', () => E, 206],
    ['a weak ETag', () => 'W/' + E, 200],
    ['another ETag', () => '"nope"', 200],
    ['Last-Modified exactly', () => FIXED_LAST_MODIFIED, 206],
    ['another date', () => 'Thu, 02 Jan 2020 03:04:06 GMT', 200],
    ['garbage', () => 'whatever', 200],
  ])('If-Range: %s → %i', async (_n, ifRange, status) => {
    const res = await request(ts.port, '/digits.txt', { Range: 'bytes=0-9', 'If-Range': ifRange() });
    expect(res.status).toBe(status);
    expect(res.body.toString()).toBe(status === 206 ? DIGITS.slice(0, 10) : DIGITS);
  });

  test('If-Range without Range is ignored; a Range on HEAD is ignored (§14.2)', async () => {
    expect((await request(ts.port, '/digits.txt', { 'If-Range': '"nope"' })).status).toBe(200);
    const head = await request(ts.port, '/digits.txt', { Range: 'bytes=0-9' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('100');
    expect(head.body.length).toBe(0);
  });

  test('an empty file with a Range → 200, empty', async () => {
    const res = await request(ts.port, '/empty.txt', { Range: 'bytes=0-0' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('0');
  });

  test('the 5 MB file: a range across 64 KiB reads, a suffix, and curl -r', async () => {
    const start = 4 * 1024 * 1024 - 100;
    const res = await request(ts.port, '/big.pdf', { Range: `bytes=${start}-${start + 200_000}` });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes ${start}-${start + 200_000}/${BIG_SIZE}`);
    expect(res.body.equals(fx.big.subarray(start, start + 200_001))).toBe(true);
    const tail = await request(ts.port, '/big.pdf', { Range: 'bytes=-1000' });
    expect(tail.body.equals(fx.big.subarray(BIG_SIZE - 1000))).toBe(true);
    const c = await curl(['-r', '1000-1999', ts.url('/big.pdf')]);
    expect(c.stdout.equals(fx.big.subarray(1000, 2000))).toBe(true);
  });

  test('curl resumes a partial download (-C -) into the exact file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-resume-'));
    try {
      const out = path.join(dir, 'big.pdf');
      fs.writeFileSync(out, fx.big.subarray(0, 1_234_567));
      const c = await curl(['-C', '-', '-o', out, '-w', '%{http_code}', ts.url('/big.pdf')]);
      expect(c.stdout.toString()).toBe('206');
      expect(createHash('sha256').update(fs.readFileSync(out)).digest('hex')).toBe(fx.bigSha256);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('maxRanges 0 turns ranges off (Accept-Ranges: none); maxRanges 1 sends 200 for several ranges', async () => {
    const off = await startStatic(fx.root, { ...defaultStaticOptions(), maxRanges: 0 });
    const r0 = await request(off.port, '/digits.txt', { Range: 'bytes=0-9' });
    expect(r0.status).toBe(200);
    expect(r0.headers['accept-ranges']).toBe('none');
    const one = await startStatic(fx.root, { ...defaultStaticOptions(), maxRanges: 1 });
    expect((await request(one.port, '/digits.txt', { Range: 'bytes=0-1,5-6' })).status).toBe(200);
    expect((await request(one.port, '/digits.txt', { Range: 'bytes=5-6' })).status).toBe(206);
  });
});
