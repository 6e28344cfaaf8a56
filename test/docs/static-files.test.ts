import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as core from '@microwebsrv/core';
import { MicroWebSrv, DEFAULT_MIME_TYPES } from '@microwebsrv/core';
import { DOCS, useExample } from './doc-example';

// docs/static-files.md: the example (serving docs/examples/www) run as a user runs it, then the page's
// other claims on an in-process server with a temporary root.

interface Res { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

/** One request with node:http: the path is sent as written, and nothing is decoded or added for us. */
function req(base: string, p: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: p, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    r.end();
  });
}

const WWW = path.join(DOCS, 'examples', 'www');
const file = (name: string) => fs.readFileSync(path.join(WWW, name));

describe('the example', () => {
  let base = '';

  beforeAll(() => {
    // Fixture freshness, not a claim: a checkout may give style.css.gz an older time than style.css, and
    // an older sibling is (rightly) ignored as stale.
    const css = fs.statSync(path.join(WWW, 'style.css'));
    const gz = fs.statSync(path.join(WWW, 'style.css.gz'));
    if (gz.mtimeMs < css.mtimeMs) fs.utimesSync(path.join(WWW, 'style.css.gz'), css.atime, css.mtime);
  });
  useExample('static-files.md', 'static-files.js', (s) => { base = s.urls[0]; });

  test('/ is index.html, with validators and the configured Cache-Control', async () => {
    const r = await req(base, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=UTF-8');
    expect(r.headers['cache-control']).toBe('max-age=600');
    expect(r.headers['accept-ranges']).toBe('bytes');
    expect(r.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(r.headers['last-modified']).toBe(new Date(Math.floor(fs.statSync(path.join(WWW, 'index.html')).mtimeMs / 1000) * 1000).toUTCString());
    expect(r.body.equals(file('index.html'))).toBe(true);
  });

  test('conditional requests: 304 by ETag or date, 412 for a failed If-Match', async () => {
    const first = await req(base, '/data.txt');
    const by304 = await req(base, '/data.txt', { headers: { 'If-None-Match': first.headers.etag! } });
    expect([by304.status, by304.body.length, by304.headers.etag, by304.headers['cache-control']]).toEqual([304, 0, first.headers.etag, 'max-age=600']);
    expect((await req(base, '/data.txt', { headers: { 'If-Modified-Since': first.headers['last-modified']! } })).status).toBe(304);
    expect((await req(base, '/data.txt', { headers: { 'If-Match': '"other"' } })).status).toBe(412);
  });

  test('ranges: 206, multipart, 416, too many → whole file, stale If-Range → whole file', async () => {
    const one = await req(base, '/data.txt', { headers: { Range: 'bytes=0-3' } });
    expect([one.status, one.headers['content-range'], one.body.toString()]).toEqual([206, 'bytes 0-3/37', '0123']);
    const two = await req(base, '/data.txt', { headers: { Range: 'bytes=0-1,5-6' } });
    expect(two.status).toBe(206);
    expect(two.headers['content-type']).toMatch(/^multipart\/byteranges; boundary=/);
    expect(two.body.toString()).toMatch(/Content-Range: bytes 0-1\/37\r\n\r\n01\r\n[\s\S]*Content-Range: bytes 5-6\/37\r\n\r\n56\r\n/);
    const past = await req(base, '/data.txt', { headers: { Range: 'bytes=100-' } });
    expect([past.status, past.headers['content-range']]).toEqual([416, 'bytes */37']);
    const many = await req(base, '/data.txt', { headers: { Range: 'bytes=0-0,2-2,4-4,6-6,8-8' } }); // staticMaxRanges = 4
    expect([many.status, many.body.length]).toEqual([200, 37]);
    const stale = await req(base, '/data.txt', { headers: { Range: 'bytes=0-3', 'If-Range': '"stale"' } });
    expect([stale.status, stale.body.length]).toEqual([200, 37]);
  });

  test('precompressed sibling for gzip clients, with Vary; the file itself otherwise', async () => {
    const gz = await req(base, '/style.css', { headers: { 'Accept-Encoding': 'gzip' } });
    expect([gz.status, gz.headers['content-encoding'], gz.headers.vary, gz.headers['content-type']]).toEqual([200, 'gzip', 'Accept-Encoding', 'text/css; charset=UTF-8']);
    expect(gunzipSync(gz.body).equals(file('style.css'))).toBe(true);
    const plain = await req(base, '/style.css');
    expect([plain.headers['content-encoding'], plain.headers.vary]).toEqual([undefined, 'Accept-Encoding']);
    expect(plain.body.equals(file('style.css'))).toBe(true);
    expect(plain.headers.etag).not.toBe(gz.headers.etag);
  });

  test('folders: 301 to the trailing slash (query kept), then the added default page', async () => {
    const r = await req(base, '/guide?x=1');
    expect([r.status, r.headers.location]).toEqual([301, '/guide/?x=1']);
    const page = await req(base, '/guide/');
    expect(page.body.equals(file('guide/home.html'))).toBe(true);
  });

  test('MIME types: from the database, overridden by addMimeType', async () => {
    expect((await req(base, '/app.webmanifest')).headers['content-type']).toBe('application/manifest+json');
    const md = await req(base, '/notes.md');
    expect([md.status, md.headers['content-type']]).toEqual([200, 'text/plain; charset=UTF-8']);
  });

  test('path safety: dot files 404, traversal 400, nothing outside the root', async () => {
    expect((await req(base, '/.private.txt')).status).toBe(404);
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/guide%2fhome.html', '/guide%5chome.html', '/a\\..\\x']) {
      expect([p, (await req(base, p)).status]).toEqual([p, 400]);
    }
    expect((await req(base, '/missing.html')).status).toBe(404);
  });

  test('routes come first; only GET and HEAD reach files; HEAD has no body and ignores Range', async () => {
    expect(JSON.parse((await req(base, '/api/time')).body.toString())).toHaveProperty('time');
    expect((await req(base, '/data.txt', { method: 'POST' })).status).toBe(404);
    const head = await req(base, '/data.txt', { method: 'HEAD', headers: { Range: 'bytes=0-3' } });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '37', 0]);
  });
});

describe('what the page says beyond the example', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-docs-static-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-docs-outside-'));
  let srv: MicroWebSrv;
  let base = '';

  beforeAll(async () => {
    fs.writeFileSync(path.join(root, 'index.html'), '<p>root</p>');
    fs.writeFileSync(path.join(root, 'a.txt'), 'aaaa');
    fs.writeFileSync(path.join(root, '.env'), 'SECRET=1');
    fs.writeFileSync(path.join(root, '.hidden.txt'), 'hidden');
    fs.mkdirSync(path.join(root, '.well-known'));
    fs.writeFileSync(path.join(root, '.well-known', 'id.txt'), 'id');
    fs.writeFileSync(path.join(root, '.well-known', 'token'), 'no extension');
    fs.writeFileSync(path.join(root, 'old.txt'), 'fresh');
    fs.writeFileSync(path.join(root, 'old.txt.gz'), 'not really gzip');
    const past = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(root, 'old.txt.gz'), past, past); // older than old.txt: stale
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    srv = new MicroWebSrv();
    srv.bindAddress = ['127.0.0.1', 0];
    srv.rootPath = root;
    srv.onLogging = () => undefined;
    await srv.startManaged();
    base = `http://127.0.0.1:${srv.address[1]}`;
  });

  afterAll(async () => {
    await srv.stop();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test("the page's MIME table is DEFAULT_MIME_TYPES, and the defaults in the settings table", () => {
    const md = fs.readFileSync(path.join(DOCS, 'static-files.md'), 'utf8');
    const table: Record<string, string> = {};
    for (const m of md.matchAll(/^\| `(\.\w+)` \| `([^`]+)` \| `(\.\w+)` \| `([^`]+)` \|$/gm)) { table[m[1]] = m[2]; table[m[3]] = m[4]; }
    expect(table).toEqual(DEFAULT_MIME_TYPES);
    const s = new MicroWebSrv();
    expect([s.rootPath, s.defaultPages, s.staticCacheControl, s.staticMaxRanges, s.staticPrecompressed, s.serveDotFiles])
      .toEqual(['www', ['index.html', 'index.htm', 'default.html', 'default.htm'], 'max-age=3600', 16, true, false]);
    expect(s.staticUnknownType).toBe('octet-stream');
    expect(s.mimeTypes).toEqual(DEFAULT_MIME_TYPES);
    expect([s.getMimeTypeFromFilename('x.md'), s.getMimeTypeFromFilename('x.ts'), s.getMimeTypeFromFilename('x.ico')]).toEqual(['text/markdown', 'application/typescript', 'image/x-icon']);
    expect(s.getMimeTypeFromFilename('x.xyz')).toBe('application/octet-stream');
    s.addMimeType('webp', 'image/x-webp');
    expect(s.getMimeTypeFromFilename('a.WEBP')).toBe('image/x-webp');
    s.staticUnknownType = 'refuse';
    expect(s.getMimeTypeFromFilename('x.xyz')).toBeNull();
    expect(() => { s.staticUnknownType = 'deny' as 'refuse'; }).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
    expect(() => s.addMimeType('.x', 'not a type')).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
    expect(() => { s.staticMaxRanges = -1; }).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
  });

  test('a symbolic link out of the root is 404; dot files only with serveDotFiles', async () => {
    expect((await req(base, '/link.txt')).status).toBe(404);
    expect((await req(base, '/.hidden.txt')).status).toBe(404);
    expect((await req(base, '/.well-known/id.txt')).status).toBe(404);
    srv.serveDotFiles = true;
    expect((await req(base, '/.hidden.txt')).body.toString()).toBe('hidden');
    expect((await req(base, '/.well-known/id.txt')).body.toString()).toBe('id');
    // A name without an extension ('.env' has none, for Node's path.extname too) has no type:
    // application/octet-stream, or 403 with staticUnknownType 'refuse'.
    expect((await req(base, '/.env')).headers['content-type']).toBe('application/octet-stream');
    expect((await req(base, '/.well-known/token')).headers['content-type']).toBe('application/octet-stream');
    srv.staticUnknownType = 'refuse';
    expect((await req(base, '/.env')).status).toBe(403);
    expect((await req(base, '/.well-known/token')).status).toBe(403);
    srv.staticUnknownType = 'octet-stream';
    srv.serveDotFiles = false;
    expect((await req(base, '/.hidden.txt')).status).toBe(404);
  });

  test('staticMaxRanges = 0 turns ranges off; staticCacheControl = null sends none', async () => {
    srv.staticMaxRanges = 0;
    srv.staticCacheControl = null;
    const r = await req(base, '/a.txt', { headers: { Range: 'bytes=0-1' } });
    expect([r.status, r.headers['accept-ranges'], r.headers['cache-control'], r.body.toString()]).toEqual([200, 'none', undefined, 'aaaa']);
    srv.staticMaxRanges = 16;
    srv.staticCacheControl = 'max-age=3600';
  });

  test('a sibling older than its file is stale and ignored', async () => {
    const r = await req(base, '/old.txt', { headers: { 'Accept-Encoding': 'gzip' } });
    expect([r.headers['content-encoding'], r.body.toString()]).toEqual([undefined, 'fresh']);
  });

  test("the page's single-page-app fallback with serveStaticFile", async () => {
    const md = fs.readFileSync(path.join(DOCS, 'static-files.md'), 'utf8');
    const snippet = /^```js\n(srv\.registerRoute\(async[\s\S]*?)^```$/m.exec(md)![1];
    await srv.stop();
    new Function('srv', 'serveStaticFile', snippet)(srv, core.serveStaticFile);
    await srv.startManaged();
    base = `http://127.0.0.1:${srv.address[1]}`;
    const r = await req(base, '/app/some/deep/link');
    expect([r.status, r.body.toString()]).toEqual([200, '<p>root</p>']);
    expect((await req(base, '/app/x', { headers: { 'If-None-Match': r.headers.etag! } })).status).toBe(304);
  });
});
