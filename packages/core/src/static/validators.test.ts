/**
 * Validators and conditional requests (RFC 9110 §8.8, §13): unit tables for dates, entity-tag lists and
 * the §13.2.2 evaluation order, then the same cases against a real server.
 */
import * as fs from 'node:fs';
import type { BigIntStats } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stopAll, type TestServer } from '../__tests__/server-harness';
import { buildFixture, FIXED_LAST_MODIFIED, HELLO, request, startStatic, type Fixture } from './__tests__/static-harness';
import { evaluatePreconditions, ifRangeAllows, parseETagList, parseHttpDate, validatorsOf, type Conditions } from './validators';

const T = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;

describe('parseHttpDate', () => {
  test.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', T],
    ['Sunday, 06-Nov-94 08:49:37 GMT', T],
    ['Sun Nov  6 08:49:37 1994', T],
    ['Thu, 02 Jan 2020 03:04:05 GMT', Date.UTC(2020, 0, 2, 3, 4, 5) / 1000],
  ])('%s', (s, want) => expect(parseHttpDate(s)).toBe(want));

  test.each([
    '1', 'x 2020', '', 'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 6 Nov 1994 08:49:37 GMT', 'sun, 06 nov 1994 08:49:37 GMT',
    'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', '1994-11-06T08:49:37Z', 'Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT',
  ])('rejects %j', (s) => expect(parseHttpDate(s)).toBeNull());
});

describe('parseETagList', () => {
  test.each([
    ['*', '*'],
    ['"a"', [{ weak: false, opaque: '"a"' }]],
    [' W/"a" , "b",,', [{ weak: true, opaque: '"a"' }, { weak: false, opaque: '"b"' }]],
    ['"a", junk, "b"', [{ weak: false, opaque: '"a"' }]],
    ['unquoted', []],
    ['"*"', [{ weak: false, opaque: '"*"' }]],
  ])('%j', (v, want) => expect(parseETagList(v)).toEqual(want));
});

describe('evaluatePreconditions (§13.2.2 order)', () => {
  const st = { size: 14n, mtimeNs: 1577934245_000_000_000n, ino: 42n, dev: 7n } as unknown as BigIntStats;
  const v = validatorsOf(st, Date.UTC(2024, 0, 1));
  const E = v.etag;
  const LM = FIXED_LAST_MODIFIED;
  const before = 'Thu, 02 Jan 2020 03:04:04 GMT';

  test('the ETag is strong, quoted, stable, and does not show the inode', () => {
    expect(E).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(validatorsOf(st, Date.UTC(2024, 0, 1)).etag).toBe(E);
    expect(validatorsOf({ ...st, ino: 43n } as BigIntStats).etag).not.toBe(E);
    // A microsecond later (the time is the float mtimeMs, ~0.25 µs resolution; kernels stamp files from a
    // coarse clock, milliseconds apart): another ETag.
    expect(validatorsOf({ ...st, mtimeNs: st.mtimeNs + 1000n } as BigIntStats).etag).not.toBe(E);
    expect(validatorsOf({ ...st, size: 15n } as BigIntStats).etag).not.toBe(E);
  });

  test('number stats (the static path) and BigIntStats (mods-files) of one file give the same ETag', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-etag-'));
    try {
      const f = path.join(dir, 'a.txt');
      fs.writeFileSync(f, 'x');
      fs.utimesSync(f, 1577934245.123456, 1577934245.123456);
      expect(validatorsOf(fs.statSync(f)).etag).toBe(validatorsOf(fs.statSync(f, { bigint: true })).etag);
      fs.writeFileSync(f, 'y');
      const later = validatorsOf(fs.statSync(f));
      expect(later.etag).toBe(validatorsOf(fs.statSync(f, { bigint: true })).etag);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(E).not.toContain('42');
    expect(v.lastModified).toBe(LM);
  });

  test('a modification time in the future is replaced by now (§8.8.2.1), and is then a weak date', () => {
    const now = Date.UTC(2019, 0, 1);
    const f = validatorsOf(st, now);
    expect(f.lastModifiedSec).toBe(now / 1000);
    expect(f.dateIsStrong).toBe(false);
  });

  test.each<[string, Conditions, boolean, 'ok' | 304 | 412]>([
    ['If-Match equal', { ifMatch: E }, true, 'ok'],
    ['If-Match weak (strong comparison fails)', { ifMatch: 'W/' + E }, true, 412],
    ['If-Match other', { ifMatch: '"x"' }, true, 412],
    ['If-Match *', { ifMatch: '*' }, true, 'ok'],
    ['If-Match in a list', { ifMatch: `"x", ${E}` }, true, 'ok'],
    ['If-Unmodified-Since before', { ifUnmodifiedSince: before }, true, 412],
    ['If-Unmodified-Since equal', { ifUnmodifiedSince: LM }, true, 'ok'],
    ['If-Unmodified-Since invalid: ignored', { ifUnmodifiedSince: 'yesterday' }, true, 'ok'],
    ['If-Unmodified-Since ignored with If-Match', { ifMatch: E, ifUnmodifiedSince: before }, true, 'ok'],
    ['If-None-Match equal', { ifNoneMatch: E }, true, 304],
    ['If-None-Match weak (weak comparison matches)', { ifNoneMatch: 'W/' + E }, true, 304],
    ['If-None-Match *', { ifNoneMatch: '*' }, true, 304],
    ['If-None-Match other', { ifNoneMatch: '"x"' }, true, 'ok'],
    ['If-None-Match equal, not GET/HEAD', { ifNoneMatch: E }, false, 412],
    ['If-Modified-Since equal', { ifModifiedSince: LM }, true, 304],
    ['If-Modified-Since before', { ifModifiedSince: before }, true, 'ok'],
    ['If-Modified-Since not for other methods', { ifModifiedSince: LM }, false, 'ok'],
    ['If-Modified-Since ignored with If-None-Match', { ifNoneMatch: '"x"', ifModifiedSince: LM }, true, 'ok'],
    ['If-Match fails before If-None-Match', { ifMatch: '"x"', ifNoneMatch: E }, true, 412],
    ['If-Unmodified-Since fails before If-None-Match', { ifUnmodifiedSince: before, ifNoneMatch: E }, true, 412],
  ])('%s', (_n, c, getOrHead, want) => expect(evaluatePreconditions(c, v, getOrHead)).toBe(want));

  test.each([
    [E, true], ['W/' + E, false], ['"x"', false], [LM, true], [before, false], ['garbage', false], [`${E}, "x"`, false],
  ])('If-Range %s → %s', (ir, want) => expect(ifRangeAllows(ir, v)).toBe(want));
});

describe('conditional requests on a real server', () => {
  let fx: Fixture;
  let ts: TestServer;
  let E: string;
  beforeAll(async () => {
    fx = buildFixture();
    ts = await startStatic(fx.root);
    const first = await request(ts.port, '/hello.txt');
    E = first.headers['etag'];
  });
  afterAll(async () => {
    await stopAll();
    fx.cleanup();
  });

  test('200 carries a strong ETag, Last-Modified, Cache-Control and Accept-Ranges', async () => {
    const res = await request(ts.port, '/hello.txt');
    expect(res.status).toBe(200);
    expect(res.headers['etag']).toMatch(/^"[^"]+"$/);
    expect(res.headers['etag']).toBe(E);
    expect(res.headers['last-modified']).toBe(FIXED_LAST_MODIFIED);
    expect(res.headers['cache-control']).toBe('max-age=3600');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.body.toString()).toBe(HELLO);
  });

  const before = 'Thu, 02 Jan 2020 03:04:04 GMT';
  test.each<[string, () => Record<string, string>, number]>([
    ['If-None-Match: the ETag', () => ({ 'If-None-Match': E }), 304],
    ['If-None-Match: W/ the ETag', () => ({ 'If-None-Match': 'W/' + E }), 304],
    ['If-None-Match: *', () => ({ 'If-None-Match': '*' }), 304],
    ['If-None-Match: another', () => ({ 'If-None-Match': '"nope"' }), 200],
    ['If-None-Match: a list with it', () => ({ 'If-None-Match': `"nope", ${E}` }), 304],
    ['If-Match: the ETag', () => ({ 'If-Match': E }), 200],
    ['If-Match: W/ the ETag', () => ({ 'If-Match': 'W/' + E }), 412],
    ['If-Match: another', () => ({ 'If-Match': '"nope"' }), 412],
    ['If-Match: *', () => ({ 'If-Match': '*' }), 200],
    ['If-Modified-Since: Last-Modified', () => ({ 'If-Modified-Since': FIXED_LAST_MODIFIED }), 304],
    ['If-Modified-Since: rfc850 form', () => ({ 'If-Modified-Since': 'Thursday, 02-Jan-20 03:04:05 GMT' }), 304],
    ['If-Modified-Since: asctime form', () => ({ 'If-Modified-Since': 'Thu Jan  2 03:04:05 2020' }), 304],
    ['If-Modified-Since: a second before', () => ({ 'If-Modified-Since': before }), 200],
    ['If-Modified-Since: invalid', () => ({ 'If-Modified-Since': 'not a date' }), 200],
    ['If-Unmodified-Since: a second before', () => ({ 'If-Unmodified-Since': before }), 412],
    ['If-Unmodified-Since: Last-Modified', () => ({ 'If-Unmodified-Since': FIXED_LAST_MODIFIED }), 200],
    ['If-Match ok + If-Unmodified-Since failing (ignored)', () => ({ 'If-Match': E, 'If-Unmodified-Since': before }), 200],
    ['If-Match failing + If-None-Match matching → 412 first', () => ({ 'If-Match': '"nope"', 'If-None-Match': E }), 412],
    ['If-None-Match other + If-Modified-Since matching (ignored)', () => ({ 'If-None-Match': '"nope"', 'If-Modified-Since': FIXED_LAST_MODIFIED }), 200],
    ['If-None-Match matching + Range → 304, not 206', () => ({ 'If-None-Match': E, Range: 'bytes=0-1' }), 304],
    ['If-Match ok + Range → 206', () => ({ 'If-Match': E, Range: 'bytes=0-1' }), 206],
  ])('%s → %i', async (_n, headers, status) => {
    const res = await request(ts.port, '/hello.txt', headers());
    expect(res.status).toBe(status);
    if (status === 304) {
      // §15.4.5: no content; ETag and Cache-Control as a 200 would have them; no other metadata.
      expect(res.body.length).toBe(0);
      expect(res.headers['etag']).toBe(E);
      expect(res.headers['cache-control']).toBe('max-age=3600');
      expect(res.headers['last-modified']).toBeUndefined();
      expect(res.headers['content-length']).toBeUndefined();
    }
    if (status === 412) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['etag']).toBeUndefined();
    }
    if (status === 200) expect(res.body.toString()).toBe(HELLO);
  });

  test('HEAD with If-None-Match: 304 too', async () => {
    const res = await request(ts.port, '/hello.txt', { 'If-None-Match': E }, 'HEAD');
    expect(res.status).toBe(304);
  });

  test('a default page has its own validators and revalidates', async () => {
    const first = await request(ts.port, '/');
    expect(first.status).toBe(200);
    expect(first.headers['etag']).not.toBe(E);
    const again = await request(ts.port, '/', { 'If-None-Match': first.headers['etag'] });
    expect(again.status).toBe(304);
  });
});
