/**
 * Serving files end to end: default pages and the directory redirect, MIME types and 403, Cache-Control,
 * HEAD, notFoundURL, settings, and errors (precompressed siblings: precompressed.test.ts; streaming:
 * large-files.test.ts).
 */
import * as fs from 'node:fs';
// The module object itself (a namespace import is a copy under swc's interop): what serve-static calls.
const realFs: typeof fs = jest.requireActual('node:fs');
import { get, RawClient, type TestServer } from '../__tests__/server-harness';
import { DOT_SECRET, FIXED_LAST_MODIFIED, HELLO, request, startStatic, type Fixture, useStaticServer } from './__tests__/static-harness';
import {
  checkBoolean, checkDefaultPage, checkDefaultPages, checkStaticCacheControl, checkStaticFileChunkSize, checkStaticMaxRanges, defaultStaticOptions, DEFAULT_PAGES,
} from './options';
import { MicroWebSrv } from '../server/micro-web-srv';
import { serveStatic } from './serve-static';

let fx: Fixture;
let ts: TestServer;
useStaticServer((f, t) => { fx = f; ts = t; });

describe('default pages and directories', () => {
  test.each([
    ['/', '<h1>home</h1>', 'text/html; charset=UTF-8'],
    ['/sub/', '<p>sub index.htm</p>', 'text/html; charset=UTF-8'],
    ['/sub/deeper/', '<p>deeper default.html</p>', 'text/html; charset=UTF-8'],
    ['/sub/deeper/?q=1', '<p>deeper default.html</p>', 'text/html; charset=UTF-8'],
  ])('%s → its first default page', async (target, body, type) => {
    const res = await request(ts.port, target);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(body);
    expect(res.headers['content-type']).toBe(type);
  });

  test('a folder without a default page is a 404 (no listing)', async () => {
    const res = await request(ts.port, '/emptydir/');
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('index');
  });

  test.each([
    ['/sub', '/sub/'],
    ['/sub/deeper?x=1&y=%20', '/sub/deeper/?x=1&y=%20'],
    ['//sub', '/sub/'], // never '//sub/': a protocol-relative Location would be an open redirect
    ['/s%75b', '/sub/'],
    ['/emptydir', '/emptydir/'],
  ])('%s → 301 to %s', async (target, location) => {
    const res = await request(ts.port, target);
    expect(res.status).toBe(301);
    expect(res.headers['location']).toBe(location);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  test('addDefaultPage order: a custom list picks index.txt first', async () => {
    const custom = await startStatic(fx.root, { ...defaultStaticOptions(), defaultPages: ['index.txt', 'default.html'] });
    const res = await request(custom.port, '/sub/deeper/');
    expect(res.body.toString()).toBe('custom default page');
    expect(res.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect((await request(custom.port, '/')).status).toBe(404); // index.html is no longer a default page
  });
});

describe('types, caching, methods', () => {
  test.each([
    ['/hello.txt', 'text/plain; charset=UTF-8'],
    ['/data.json', 'application/json'],
    ['/app.js', 'text/javascript; charset=UTF-8'],
    ['/big.pdf', 'application/pdf'],
  ])('%s is %s', async (target, type) => {
    const res = await request(ts.port, target, {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
  });

  test.each([
    ['/secret.bin', 'application/octet-stream'], ['/app.js.gz', 'application/gzip'], ['/app.js.br', 'application/octet-stream'],
  ])('%s: a type outside the table comes from the database, or is application/octet-stream', async (target, type) => {
    const res = await request(ts.port, target);
    expect([res.status, res.headers['content-type'], res.headers['content-encoding']]).toEqual([200, type, undefined]);
    expect(res.headers['etag']).toBeDefined();
  });

  test('addMimeType wins over the database', async () => {
    const s = await startStatic(fx.root, undefined, (srv) => srv.addMimeType('.bin', 'application/x-custom'));
    const res = await request(s.port, '/secret.bin');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-custom');
  });

  test("a file without an extension is application/octet-stream, until addMimeType('') maps such files", async () => {
    expect((await request(ts.port, '/LICENSE')).headers['content-type']).toBe('application/octet-stream');
    const s = await startStatic(fx.root, undefined, (srv) => srv.addMimeType('', 'text/plain'));
    const res = await request(s.port, '/LICENSE');
    expect([res.status, res.headers['content-type'], res.body.toString()]).toEqual([200, 'text/plain; charset=UTF-8', 'a file without an extension']);
    expect((await request(s.port, '/secret.bin')).headers['content-type']).toBe('application/octet-stream'); // '' maps only the extensionless
  });

  test('staticCacheControl: custom value, or null for no field', async () => {
    const custom = await startStatic(fx.root, { ...defaultStaticOptions(), cacheControl: 'no-cache' });
    expect((await request(custom.port, '/hello.txt')).headers['cache-control']).toBe('no-cache');
    const none = await startStatic(fx.root, { ...defaultStaticOptions(), cacheControl: null });
    const res = await request(none.port, '/hello.txt');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBeUndefined();
  });

  test('HEAD: the same fields as GET, no body, and the connection goes on', async () => {
    const c = new RawClient(ts.port);
    await c.connected();
    try {
      c.write(get('/hello.txt'));
      const g = await c.readResponse();
      c.write(`HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n`);
      const h = await c.readResponse({ noBody: true });
      for (const f of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'accept-ranges']) expect(h.headers[f]).toBe(g.headers[f]);
      c.write(get('/data.json'));
      const next = await c.readResponse();
      expect(next.status).toBe(200);
      expect(next.body.toString()).toBe('{"a":1}'); // no stray body bytes from the HEAD before it
    } finally {
      c.destroy();
    }
  });

  test('HTTP/1.0: Content-Length framing', async () => {
    const c = new RawClient(ts.port);
    await c.connected();
    try {
      c.write(get('/hello.txt', '', '1.0'));
      const res = await c.readResponse();
      expect(res.headers['content-length']).toBe(String(HELLO.length));
      expect(res.headers['transfer-encoding']).toBeUndefined();
      expect(res.body.toString()).toBe(HELLO);
    } finally {
      c.destroy();
    }
  });

  test('other methods are not served: serveStatic returns false, the pipeline answers 404', async () => {
    expect((await request(ts.port, '/hello.txt', { 'Content-Length': '0' }, 'POST')).status).toBe(404);
    expect((await request(ts.port, '/hello.txt', {}, 'DELETE')).status).toBe(404);
    const fake = { method: 'POST' } as unknown as Parameters<typeof serveStatic>[1];
    expect(serveStatic(ts.srv, fake)).toBe(false);
  });

  test('a route on the same path wins over the file (routes come first)', async () => {
    const s = await startStatic(fx.root, undefined, (srv) => srv.registerRoute((_s, req) => req.response.returnOk('from route'), 'GET', '/hello.txt'));
    expect((await request(s.port, '/hello.txt')).body.toString()).toBe('from route');
  });

  test('serveDotFiles: dotfiles served when asked, dot-segments still refused', async () => {
    const dots = await startStatic(fx.root, { ...defaultStaticOptions(), serveDotFiles: true });
    const res = await request(dots.port, '/.hidden/file.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(DOT_SECRET);
    // The type comes from the name asked for: '/link-dot.txt' (→ .env) is text; '/.env' has no extension.
    const link = await request(dots.port, '/link-dot.txt');
    expect([link.headers['content-type'], link.body.toString()]).toEqual(['text/plain; charset=UTF-8', DOT_SECRET]);
    expect((await request(dots.port, '/.env')).headers['content-type']).toBe('application/octet-stream');
    expect((await request(dots.port, '/.hidden/../.env')).status).toBe(400);
  });
});

describe('notFoundURL', () => {
  test('a missing file redirects to notFoundURL, which is then served as a file', async () => {
    const s = await startStatic(fx.root, undefined, (srv) => { srv.notFoundURL = '/404.html'; });
    const miss = await request(s.port, '/nope.html');
    expect(miss.status).toBe(307);
    expect(miss.headers['location']).toBe('/404.html');
    const page = await request(s.port, '/404.html');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe('<h1>custom not found</h1>');
    // hidden and outside files go the same way: nothing tells them apart from absent ones
    expect((await request(s.port, '/.env')).headers['location']).toBe('/404.html');
    expect((await request(s.port, '/link-out.txt')).headers['location']).toBe('/404.html');
  });

  test('a notFoundURL that is itself missing ends in a plain 404, not a loop', async () => {
    const s = await startStatic(fx.root, undefined, (srv) => { srv.notFoundURL = '/missing-404.html'; });
    expect((await request(s.port, '/nope')).status).toBe(307);
    const res = await request(s.port, '/missing-404.html');
    expect(res.status).toBe(404);
    expect(res.headers['location']).toBeUndefined();
  });
});

describe('errors and settings', () => {
  test('a root that does not exist: every path is a 404', async () => {
    const s = await startStatic(fx.root + '-missing');
    expect((await request(s.port, '/hello.txt')).status).toBe(404);
    expect((await request(s.port, '/')).status).toBe(404);
  });

  test('an unexpected fs error (EMFILE) answers 500 and logs an ERROR; the server goes on', async () => {
    const s = await startStatic(fx.root);
    const spy = jest.spyOn(realFs, 'openSync').mockImplementationOnce(() => { throw Object.assign(new Error('too many open files'), { code: 'EMFILE' }); });
    try {
      expect((await request(s.port, '/hello.txt')).status).toBe(500);
      expect(s.logs.some((l) => l.type === 'ERROR' && l.msg.includes('too many open files'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect((await request(s.port, '/hello.txt')).status).toBe(200);
  });

  test('Last-Modified is the file time in IMF-fixdate', async () => {
    expect((await request(ts.port, '/data.json')).headers['last-modified']).toBe(FIXED_LAST_MODIFIED);
  });

  test('defaults and the checks the server setters use', () => {
    expect(ts.srv.staticOptions).toEqual(defaultStaticOptions());
    expect(defaultStaticOptions()).toEqual({ defaultPages: [...DEFAULT_PAGES], cacheControl: 'max-age=3600', serveDotFiles: false, maxRanges: 16, precompressed: true, fileChunkSize: 64 * 1024 });
    expect(DEFAULT_PAGES).toEqual(['index.html', 'index.htm', 'default.html', 'default.htm']);
    expect(checkDefaultPage('home.html')).toBe('home.html');
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0', 'x'.repeat(256), 3]) expect(() => checkDefaultPage(bad)).toThrow(/addDefaultPage name/);
    expect(checkDefaultPages(['a.html', 'b.html', 'a.html'])).toEqual(['a.html', 'b.html']);
    expect(() => checkDefaultPages('a.html')).toThrow(/defaultPages/);
    expect(checkStaticCacheControl(null)).toBeNull();
    expect(checkStaticCacheControl('no-cache')).toBe('no-cache');
    for (const bad of ['', '  ', 'max-age=1\r\nX-Evil: 1', 5]) expect(() => checkStaticCacheControl(bad)).toThrow(/staticCacheControl/);
    expect(checkStaticMaxRanges(0)).toBe(0);
    for (const bad of [-1, 1.5, 1001, '3']) expect(() => checkStaticMaxRanges(bad)).toThrow(/staticMaxRanges/);
    expect(checkBoolean('serveDotFiles', true)).toBe(true);
    expect(() => checkBoolean('serveDotFiles', 'yes')).toThrow(/serveDotFiles must be a boolean/);
    expect(checkStaticFileChunkSize(16384)).toBe(16384);
    for (const bad of [4095, 1024 * 1024 + 1, 1.5, '65536']) expect(() => checkStaticFileChunkSize(bad)).toThrow(/staticFileChunkSize/);
  });

  test('staticFileChunkSize follows the preset (a paused slow reader holds one chunk) and can be set', () => {
    const srv = new MicroWebSrv();
    expect(srv.staticFileChunkSize).toBe(64 * 1024);
    srv.setLightConfig();
    expect(srv.staticFileChunkSize).toBe(32 * 1024);
    srv.setEmbeddedConfig();
    expect(srv.staticFileChunkSize).toBe(4 * 1024);
    srv.staticFileChunkSize = 32 * 1024;
    expect(srv.staticOptions.fileChunkSize).toBe(32 * 1024);
    expect(() => { srv.staticFileChunkSize = 100; }).toThrow(/staticFileChunkSize must be an integer from 4096 to 1048576/);
  });
});
