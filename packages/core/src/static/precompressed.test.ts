/**
 * Precompressed siblings: `file.br` / `file.gz` chosen by Accept-Encoding (RFC 9110 §12.5.3), with
 * Content-Encoding, the original's Content-Type, Vary, and their own validators and ranges.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { curl, stopAll, type TestServer } from '../__tests__/server-harness';
import { APP_JS, buildFixture, FIXED_MTIME, HELLO, request, SECRET, startStatic, type Fixture } from './__tests__/static-harness';
import { chooseSibling, codingWeight, parseAcceptEncoding, SIBLING_CODINGS } from './encoding';
import { defaultStaticOptions } from './options';

describe('Accept-Encoding', () => {
  test.each<[string | undefined, 'br' | 'gzip' | null]>([
    ['br', 'br'], ['gzip', 'gzip'], ['gzip, br', 'br'], ['br;q=0.5, gzip', 'gzip'], ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', null], ['*', 'br'], ['*;q=0, gzip', 'gzip'], ['gzip;q=0, *', 'br'], ['x-gzip', 'gzip'],
    ['BR', 'br'], ['br; Q=0', null], ['br;q=1.5', null], ['br;q=0.0001', null], ['identity', null], ['deflate', null],
    ['', null], [undefined, null], ['br, br;q=0', null], ['gzip;q=0.001, br;q=0.001', 'br'],
  ])('%j → %s', (value, want) => {
    expect(chooseSibling(parseAcceptEncoding(value), SIBLING_CODINGS)?.coding ?? null).toBe(want);
  });

  test('q-values and the wildcard', () => {
    const a = parseAcceptEncoding('gzip;q=0.3, *;q=0.1');
    expect(codingWeight(a, 'gzip')).toBe(0.3);
    expect(codingWeight(a, 'br')).toBe(0.1);
    expect(codingWeight(parseAcceptEncoding('gzip'), 'br')).toBe(0);
  });
});

describe('precompressed siblings on a real server', () => {
  let fx: Fixture;
  let ts: TestServer;
  let br: Buffer;
  let gz: Buffer;
  beforeAll(async () => {
    fx = buildFixture();
    // A sibling that is a symlink out of the root must never be served (nor count for Vary).
    fs.writeFileSync(path.join(fx.root, 'leak.js'), 'safe');
    fs.utimesSync(path.join(fx.root, 'leak.js'), FIXED_MTIME, FIXED_MTIME);
    fs.symlinkSync(path.join(fx.base, 'outside', 'secret.txt'), path.join(fx.root, 'leak.js.gz'));
    br = fs.readFileSync(path.join(fx.root, 'app.js.br'));
    gz = fs.readFileSync(path.join(fx.root, 'app.js.gz'));
    ts = await startStatic(fx.root);
  });
  afterAll(async () => {
    await stopAll();
    fx.cleanup();
  });

  const decode = (coding: string | undefined, body: Buffer) =>
    (coding === 'br' ? zlib.brotliDecompressSync(body) : coding === 'gzip' ? zlib.gunzipSync(body) : body).toString();

  test.each<[string | null, string | undefined]>([
    ['br', 'br'], ['gzip', 'gzip'], ['gzip, deflate, br', 'br'], ['br;q=0, gzip', 'gzip'], ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'], ['identity', undefined], [null, undefined],
  ])('/app.js with Accept-Encoding %j → %s', async (ae, coding) => {
    const res = await request(ts.port, '/app.js', ae === null ? {} : { 'Accept-Encoding': ae });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(coding);
    expect(res.headers['content-type']).toBe('text/javascript; charset=UTF-8');
    expect(res.headers['vary']).toBe('Accept-Encoding'); // also when the client got the file as it is
    const expected = coding === 'br' ? br : coding === 'gzip' ? gz : Buffer.from(APP_JS);
    expect(res.headers['content-length']).toBe(String(expected.length));
    expect(res.body.equals(expected)).toBe(true);
    expect(decode(coding, res.body)).toBe(APP_JS);
  });

  test('only a .gz sibling: br-only clients get the file, with Vary', async () => {
    const g = await request(ts.port, '/style.css', { 'Accept-Encoding': 'br, gzip' });
    expect(g.headers['content-encoding']).toBe('gzip');
    expect(g.headers['content-type']).toBe('text/css; charset=UTF-8');
    const b = await request(ts.port, '/style.css', { 'Accept-Encoding': 'br' });
    expect(b.headers['content-encoding']).toBeUndefined();
    expect(b.headers['vary']).toBe('Accept-Encoding');
  });

  test('a sibling older than the file is stale: never served, no Vary', async () => {
    const res = await request(ts.port, '/stale.css', { 'Accept-Encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBeUndefined();
    expect(res.body.toString()).toBe('new content\n');
  });

  test('no sibling: no Vary', async () => {
    const res = await request(ts.port, '/hello.txt', { 'Accept-Encoding': 'gzip, br' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBeUndefined();
    expect(res.body.toString()).toBe(HELLO);
  });

  test('a sibling that is a symlink out of the root is ignored', async () => {
    const res = await request(ts.port, '/leak.js', { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe('safe');
    expect(res.body.toString()).not.toContain(SECRET);
  });

  test('each representation has its own ETag; conditionals compare with the one selected', async () => {
    const id = await request(ts.port, '/app.js');
    const b = await request(ts.port, '/app.js', { 'Accept-Encoding': 'br' });
    const g = await request(ts.port, '/app.js', { 'Accept-Encoding': 'gzip' });
    expect(new Set([id.headers['etag'], b.headers['etag'], g.headers['etag']]).size).toBe(3);
    expect((await request(ts.port, '/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': id.headers['etag'] })).status).toBe(200);
    const nm = await request(ts.port, '/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': b.headers['etag'] });
    expect(nm.status).toBe(304);
    expect(nm.headers['vary']).toBe('Accept-Encoding');
  });

  test('ranges count the encoded bytes; several ranges of an encoded file → the whole of it (200)', async () => {
    const one = await request(ts.port, '/app.js', { 'Accept-Encoding': 'br', Range: 'bytes=0-9' });
    expect(one.status).toBe(206);
    expect(one.headers['content-encoding']).toBe('br');
    expect(one.headers['content-range']).toBe(`bytes 0-9/${br.length}`);
    expect(one.body.equals(br.subarray(0, 10))).toBe(true);
    const two = await request(ts.port, '/app.js', { 'Accept-Encoding': 'br', Range: 'bytes=0-9,20-29' });
    expect(two.status).toBe(200);
    expect(two.body.equals(br)).toBe(true);
    const id = await request(ts.port, '/app.js', { Range: 'bytes=0-9,20-29' });
    expect(id.status).toBe(206); // the identity file still gets multipart
  });

  test('HEAD: Content-Encoding and the encoded length, no body', async () => {
    const res = await request(ts.port, '/app.js', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-length']).toBe(String(gz.length));
    expect(res.body.length).toBe(0);
  });

  test('curl --compressed decodes what it is sent; plain curl gets the file as it is', async () => {
    const c = await curl(['--compressed', '-D', '-', ts.url('/app.js')]);
    const text = c.stdout.toString();
    expect(text).toMatch(/content-encoding: (br|gzip)/i);
    expect(text.endsWith(APP_JS)).toBe(true);
    const plain = await curl([ts.url('/app.js')]);
    expect(plain.stdout.toString()).toBe(APP_JS);
  });

  test('staticPrecompressed false: siblings are not looked for', async () => {
    const off = await startStatic(fx.root, { ...defaultStaticOptions(), precompressed: false });
    const res = await request(off.port, '/app.js', { 'Accept-Encoding': 'br, gzip' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBeUndefined();
    expect(res.body.toString()).toBe(APP_JS);
  });
});
