/**
 * staticResource(request, response, options): picohttp's default handler on core's static machinery,
 * called from a single handler and from a route.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MwsError, staticResource } from '../index';
import { parseRaw, rawExchange, startServer, stopAll } from '../__tests__/server-harness';

let base = '';
let outside = '';

beforeAll(() => {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-resource-'));
  base = path.join(top, 'public');
  outside = path.join(top, 'secret.txt');
  fs.mkdirSync(path.join(base, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(base, 'index.html'), '<h1>home</h1>');
  fs.writeFileSync(path.join(base, 'docs', 'start.html'), '<h1>docs</h1>');
  fs.writeFileSync(path.join(base, 'data.weird'), 'abcdefghij');
  fs.writeFileSync(path.join(base, '.env'), 'SECRET=1');
  fs.writeFileSync(outside, 'outside');
});

afterAll(() => { fs.rmSync(path.dirname(base), { recursive: true, force: true }); });
afterEach(stopAll);

test('serves files under staticBase with validators, 304 and ranges; / serves defaultResource', async () => {
  const t = await startServer((srv) => srv.setRequestHandler((req, res) => staticResource(req, res, { staticBase: base })));
  const home = await fetch(t.url('/'));
  expect([home.status, home.headers.get('content-type'), await home.text()]).toEqual([200, 'text/html; charset=UTF-8', '<h1>home</h1>']);
  const etag = home.headers.get('etag')!;
  expect(etag).toMatch(/^"/);
  expect((await fetch(t.url('/index.html'), { headers: { 'If-None-Match': etag } })).status).toBe(304);
  const part = await fetch(t.url('/data.weird'), { headers: { Range: 'bytes=2-4' } });
  expect([part.status, part.headers.get('content-range'), await part.text()]).toEqual([206, 'bytes 2-4/10', 'cde']);
  // A folder without the slash: 301 to the slash form, as the static stage does.
  const dir = await fetch(t.url('/docs'), { redirect: 'manual' });
  expect([dir.status, dir.headers.get('location')]).toEqual([301, '/docs/']);
});

test('refuses traversal, encoded separators and dotfiles (404 or 400), never reads outside staticBase', async () => {
  const t = await startServer((srv) => srv.setRequestHandler((req, res) => staticResource(req, res, { staticBase: base })));
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/docs/..%2F..%2Fsecret.txt', '/.env']) {
    const r = parseRaw((await rawExchange(t.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).data);
    expect([400, 404]).toContain(r.status);
    expect(r.body.toString()).not.toContain('outside');
    expect(r.body.toString()).not.toContain('SECRET');
  }
});

test('absent → 404 (resolves false); POST → 405 with Allow: GET, HEAD; HEAD has no body', async () => {
  const results: boolean[] = [];
  const t = await startServer((srv) => srv.setRequestHandler(async (req, res) => { results.push(await staticResource(req, res, { staticBase: base })); }));
  expect((await fetch(t.url('/nope.html'))).status).toBe(404);
  const post = await fetch(t.url('/index.html'), { method: 'POST', body: 'x' });
  expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  const head = await fetch(t.url('/index.html'), { method: 'HEAD' });
  expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, '13', '']);
  expect(results).toEqual([false, false, true]);
});

test('defaultResource; the server\'s rootPath by default; from a route, with the path to serve', async () => {
  const h = await startServer((srv) => srv.setRequestHandler((req, res) => staticResource(req, res, { staticBase: path.join(base, 'docs'), defaultResource: 'start.html' })));
  expect(await (await fetch(h.url('/'))).text()).toBe('<h1>docs</h1>');
  const t = await startServer((srv) => {
    srv.rootPath = base;
    // A route's rest argument, re-encoded: the helper takes raw (percent-encoded) paths, as rawPath.
    srv.registerRoute((_s, req, args) => staticResource(req, req.response, { path: '/' + String(args.rest).split('/').map(encodeURIComponent).join('/') }), 'GET', '/files/<rest:path>');
  });
  expect(await (await fetch(t.url('/files/docs/start.html'))).text()).toBe('<h1>docs</h1>');
  expect(await (await fetch(t.url('/files/index.html'))).text()).toBe('<h1>home</h1>');
  expect((await fetch(t.url('/files/none.html'))).status).toBe(404);
});

test('defaultMime types files no table knows', async () => {
  const t = await startServer((srv) => srv.setRequestHandler((req, res) => staticResource(req, res, { staticBase: base, defaultMime: 'text/plain; charset=utf-8' })));
  const r = await fetch(t.url('/data.weird'));
  expect([r.headers.get('content-type'), await r.text()]).toEqual(['text/plain; charset=utf-8', 'abcdefghij']);
  expect((await fetch(t.url('/index.html'))).headers.get('content-type')).toBe('text/html; charset=UTF-8');
});

test('misuse throws at once, naming the option', async () => {
  const errors: string[] = [];
  const t = await startServer((srv) => srv.setRequestHandler((req, res) => {
    for (const [opts, resp] of [
      [{ staticBase: '' }, res], [{ defaultResource: '../x' }, res], [{ defaultMime: 'no type\r\nX: y' }, res], [{ path: 'relative' }, res], [{}, {}], [null, res],
    ] as const) {
      try { staticResource(req, resp as never, opts as never); } catch (e) { expect(e).toBeInstanceOf(MwsError); errors.push((e as MwsError).message.split(' must ')[0]); }
    }
    return 'done';
  }));
  expect(await (await fetch(t.url('/'))).text()).toBe('done');
  expect(errors).toEqual(['staticResource staticBase', 'staticResource defaultResource', 'staticResource defaultMime', 'staticResource path', 'staticResource response', 'staticResource options']);
});
