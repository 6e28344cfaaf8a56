/**
 * MIME types: the server's table over the standard database, unknown types as application/octet-stream
 * or refused (`staticUnknownType`), first as `getMimeTypeFromFilename` answers, then as static files and
 * `returnFile` are served by a real server.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MIME_TYPES, MicroWebSrv } from '../index';
import { startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import { databaseMimeType } from './mime-types';

describe('getMimeTypeFromFilename', () => {
  const s = new MicroWebSrv();

  test.each([
    ['app.mjs', 'text/javascript'], ['app.js', 'text/javascript'], ['m.wasm', 'application/wasm'], ['p.webp', 'image/webp'],
    ['p.avif', 'image/avif'], ['v.mp4', 'video/mp4'], ['a.js.map', 'application/json'], ['README.md', 'text/markdown'],
    ['site.webmanifest', 'application/manifest+json'], ['dir/UPPER.WEBP', 'image/webp'],
  ])('%s is %s (the database)', (name, type) => {
    expect(s.getMimeTypeFromFilename(name)).toBe(type);
  });

  test("MicroWebSrv2's table wins where the database differs (.ts, .ico, .xml)", () => {
    expect([databaseMimeType('.ts'), databaseMimeType('.xml')]).toEqual(['video/mp2t', 'text/xml']);
    expect(s.getMimeTypeFromFilename('main.ts')).toBe('application/typescript');
    expect(s.getMimeTypeFromFilename('favicon.ico')).toBe('image/x-icon');
    expect(s.getMimeTypeFromFilename('feed.xml')).toBe('application/xml');
    for (const [ext, type] of Object.entries(DEFAULT_MIME_TYPES)) expect(s.getMimeTypeFromFilename('f' + ext)).toBe(type);
  });

  test('unknown extensions, no extension and names of Object members are application/octet-stream', () => {
    for (const name of ['x.xyz', 'LICENSE', '.env', 'a.constructor', 'a.__proto__', 'a.toString']) {
      expect([name, s.getMimeTypeFromFilename(name)]).toEqual([name, 'application/octet-stream']);
    }
  });

  test("staticUnknownType = 'refuse': null for unknown types, known ones unchanged", () => {
    const r = new MicroWebSrv();
    expect(r.staticUnknownType).toBe('octet-stream');
    r.staticUnknownType = 'refuse';
    expect([r.getMimeTypeFromFilename('x.xyz'), r.getMimeTypeFromFilename('LICENSE'), r.getMimeTypeFromFilename('a.constructor')]).toEqual([null, null, null]);
    expect(r.getMimeTypeFromFilename('x.wasm')).toBe('application/wasm');
  });

  test('addMimeType wins over the database and the table; mimeTypes shows the table (a copy)', () => {
    const r = new MicroWebSrv();
    r.addMimeType('.md', 'text/plain');
    r.addMimeType('js', 'application/javascript');
    r.addMimeType('xyz', 'chemical/x-xyz');
    expect([r.getMimeTypeFromFilename('a.md'), r.getMimeTypeFromFilename('a.js'), r.getMimeTypeFromFilename('a.xyz')])
      .toEqual(['text/plain', 'application/javascript', 'chemical/x-xyz']);
    const table = r.mimeTypes;
    expect(table).toEqual({ ...DEFAULT_MIME_TYPES, '.md': 'text/plain', '.js': 'application/javascript', '.xyz': 'chemical/x-xyz' });
    table['.md'] = 'changed/by-caller';
    expect(r.getMimeTypeFromFilename('a.md')).toBe('text/plain');
  });

  test.each(['refuse ', 'octet', true, null, 403])('staticUnknownType refuses %p', (v) => {
    expect(() => { s.staticUnknownType = v as 'refuse'; }).toThrow(expect.objectContaining({
      code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining("staticUnknownType must be 'octet-stream'"),
    }));
  });
});

describe('served by a real server', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-mime-'));
  let ts: TestServer;
  const files: Record<string, string> = {
    'app.mjs': 'export const x = 1;\n', 'mod.wasm': '\0asm\x01\0\0\0', 'pic.webp': 'RIFF....WEBP', 'notes.md': '# Notes\n',
    'app.webmanifest': '{"name":"x"}', 'data.xyz': 'unknown stuff', 'LICENSE': 'MIT',
  };

  beforeAll(async () => {
    for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(root, name), body);
    ts = await startServer((srv) => {
      srv.rootPath = root;
      srv.logLevel = 'DEBUG';
      srv.registerRoute((_s, req) => req.response.returnFile(path.join(root, req.queryParams.f)), 'GET', '/file');
    });
  });
  afterAll(async () => {
    await stopAll();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test.each([
    ['/app.mjs', 'text/javascript; charset=UTF-8'], ['/mod.wasm', 'application/wasm'], ['/pic.webp', 'image/webp'],
    ['/notes.md', 'text/markdown; charset=UTF-8'], ['/app.webmanifest', 'application/manifest+json'],
    ['/data.xyz', 'application/octet-stream'], ['/LICENSE', 'application/octet-stream'],
  ])('%s is served as %s', async (target, type) => {
    const r = await fetch(ts.url(target));
    expect([r.status, r.headers.get('content-type'), await r.text()]).toEqual([200, type, files[target.slice(1)]]);
  });

  test("staticUnknownType = 'refuse': 403 and a DEBUG line saying why, for static files and returnFile", async () => {
    ts.srv.staticUnknownType = 'refuse';
    try {
      ts.logs.length = 0;
      const r = await fetch(ts.url('/data.xyz'));
      expect(r.status).toBe(403);
      expect(await r.text()).not.toContain('unknown stuff');
      const viaRoute = await fetch(ts.url('/file?f=LICENSE'));
      expect(viaRoute.status).toBe(403);
      await viaRoute.text();
      const debug = ts.logs.filter((l) => l.type === 'DEBUG').map((l) => l.msg);
      expect(debug).toContain("static file /data.xyz refused with 403: '.xyz' has no MIME type and staticUnknownType is 'refuse' (addMimeType('.xyz', type) serves them)");
      expect(debug).toContainEqual(expect.stringMatching(/^returnFile .*LICENSE refused with 403: files without an extension have no MIME type .*addMimeType\(''/));
      // Known types are still served.
      expect((await fetch(ts.url('/pic.webp'))).status).toBe(200);
    } finally {
      ts.srv.staticUnknownType = 'octet-stream';
    }
  });
});
