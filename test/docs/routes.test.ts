import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { transformSync } from '@swc/core';
import * as core from '@microwebsrv/core';
import { MicroWebSrv } from '@microwebsrv/core';
import { codeOf, DOCS, useExample } from './doc-example';

// docs/routes.md: the example run as a user runs it, then the claims it does not show (the decorator
// snippet, return values, failures, registration errors) on in-process servers.

describe('the example', () => {
  let base = '';

  useExample('routes.md', 'routes.js', (s) => { base = s.urls[0]; });

  const get = async (p: string, init?: RequestInit) => {
    const r = await fetch(base + p, init);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text(), headers: r.headers };
  };

  test('<id>: integer-looking values arrive as numbers, others as strings', async () => {
    expect(JSON.parse((await get('/users/42')).text)).toEqual({ id: 42, type: 'number' });
    expect(JSON.parse((await get('/users/ada')).text)).toEqual({ id: 'ada', type: 'string' });
    expect((await get('/users/')).status).toBe(404); // an empty value never matches
  });

  test('typed arguments: a mismatch is a non-match; a tuple sets status and type', async () => {
    expect(await get('/double/21')).toMatchObject({ status: 200, text: '42\n', type: 'text/plain; charset=UTF-8' });
    expect((await get('/double/x')).status).toBe(404);
    expect(JSON.parse((await get('/files/a/b%20c.txt')).text)).toEqual({ file: 'a/b c.txt' });
    expect((await get('/hello/42')).text).toBe('Hello 42\n'); // <name:string> is never converted
  });

  test('pathFromRoute builds an encoded path that leads back to the route', async () => {
    const { link } = JSON.parse((await get('/link')).text) as { link: string };
    expect(link).toBe('/users/ada%20lovelace');
    expect(JSON.parse((await get(link)).text)).toEqual({ id: 'ada lovelace', type: 'string' });
  });

  test('async handlers answer when ready', async () => {
    const r = await get('/slow');
    expect(r.status).toBe(200);
    expect((JSON.parse(r.text) as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(45);
  });

  test('global routes (registerRoute, WebRoute on a function) are served', async () => {
    expect((await get('/ping')).text).toBe('pong\n');
    expect((await get('/hello/Bob')).text).toBe('Hello Bob\n');
  });

  test('HEAD uses the GET route without a body; 405 with Allow; OPTIONS; 404', async () => {
    const head = await get('/users/1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('content-length')).toBe(String(JSON.stringify({ id: 1, type: 'number' }).length));
    const post = await get('/users/1', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, DELETE, HEAD');
    const options = await get('/users/1', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, DELETE, HEAD, OPTIONS');
    expect((await get('/users/7', { method: 'DELETE' })).text).toBe('deleted 7\n');
    expect((await get('/nope')).status).toBe(404);
  });
});

describe('what the page says beyond the example', () => {
  let srv: MicroWebSrv;
  let base = '';

  beforeAll(async () => {
    srv = new MicroWebSrv();
    srv.bindAddress = ['127.0.0.1', 0];
    srv.onLogging = () => undefined;
    srv.registerRoute(() => 'hi', 'GET', '/string');
    srv.registerRoute(() => Buffer.from([1, 2]), 'GET', '/buffer');
    srv.registerRoute(() => [{ made: true }, 201], 'GET', '/tuple');
    srv.registerRoute(() => [1, 2], 'GET', '/array'); // not a tuple: JSON
    srv.registerRoute(() => undefined, 'GET', '/nothing');
    srv.registerRoute(() => { throw new Error('boom'); }, 'GET', '/throws');
    srv.registerRoute(async () => { throw new Error('boom'); }, 'GET', '/rejects');
    srv.registerRoute((_s, req) => req.getPostedJSONObject() as object, 'POST', '/json');
    srv.registerRoute((_s, _r, args) => args, 'GET', '/t/<d:digit>');
    srv.registerRoute((_s, _r, args) => args, 'GET', '/t/<n:int>');
    srv.registerRoute((_s, _r, args) => args, 'GET', '/t/<x:float>');
    srv.registerRoute((_s, _r, args) => args, 'GET', '/t/<s>');
    srv.registerRoute(() => 'static', 'GET', '/t/fixed');
    srv.registerRoute(() => 'slash', 'GET', '/t/fixed/');
    srv.registerRoute((_s, _r, args) => args, 'GET', '/seg/<a>/end', 'seg');
    await srv.startManaged();
    base = `http://127.0.0.1:${srv.address[1]}`;
  });

  afterAll(() => srv.stop());

  test('return values', async () => {
    const r1 = await fetch(base + '/string');
    expect([r1.status, r1.headers.get('content-type'), await r1.text()]).toEqual([200, 'text/html; charset=UTF-8', 'hi']);
    const r2 = await fetch(base + '/buffer');
    expect([r2.headers.get('content-type'), [...new Uint8Array(await r2.arrayBuffer())]]).toEqual(['application/octet-stream', [1, 2]]);
    const r3 = await fetch(base + '/tuple');
    expect([r3.status, r3.headers.get('content-type'), await r3.json()]).toEqual([201, 'application/json', { made: true }]);
    expect(await (await fetch(base + '/array')).json()).toEqual([1, 2]);
    expect((await fetch(base + '/nothing')).status).toBe(501);
    expect((await fetch(base + '/throws')).status).toBe(500);
    expect((await fetch(base + '/rejects')).status).toBe(500);
    expect((await fetch(base + '/json', { method: 'POST', body: '{oops' })).status).toBe(400);
  });

  test('matching: the most specific type wins, static beats arguments, a trailing slash is significant', async () => {
    expect(await (await fetch(base + '/t/007')).json()).toEqual({ d: '007' });
    expect(await (await fetch(base + '/t/-7')).json()).toEqual({ n: -7 });
    expect(await (await fetch(base + '/t/1.5')).json()).toEqual({ x: 1.5 });
    expect(await (await fetch(base + '/t/abc')).json()).toEqual({ s: 'abc' });
    expect(await (await fetch(base + '/t/a%2Fb')).json()).toEqual({ s: 'a/b' }); // %2F stays in its argument
    expect(await (await fetch(base + '/t/fixed')).text()).toBe('static');
    expect(await (await fetch(base + '/t/fixed/')).text()).toBe('slash');
  });

  test('resolveRoute and pathFromRoute', () => {
    const m = srv.resolveRoute('head', '/seg/x%20y/end');
    expect(m).toMatchObject({ method: 'GET', path: '/seg/<a>/end', name: 'seg', args: { a: 'x y' } });
    expect(srv.resolveRoute('GET', '/seg/x')).toBeNull();
    expect(srv.pathFromRoute('seg', { A: 'x/y' })).toBe('/seg/x%2Fy/end'); // names in any case
    expect(codeOf(() => srv.pathFromRoute('nope'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => srv.pathFromRoute('seg', {}))).toBe('ERR_MWS_INVALID_OPTION');
  });

  test('registration errors', () => {
    const s = new MicroWebSrv();
    s.registerRoute(() => 1, 'GET', '/u/<id>', 'u');
    expect(codeOf(() => s.registerRoute(() => 1, 'get', '/u/<uid>'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(codeOf(() => s.registerRoute(() => 1, 'POST', '/other', 'u'))).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(codeOf(() => s.registerRoute(() => 1, 'GET', 'no-slash'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => s.registerRoute(() => 1, 'GET', '/file-<id>'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => s.registerRoute(() => 1, 'GET', '/a/<x:uuid>'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => s.registerRoute(() => 1, 'GET', '/a/<p:path>/b'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => s.registerRoute(() => 1, 'GET', '/a/<x>/<X>'))).toBe('ERR_MWS_INVALID_OPTION');
    expect(codeOf(() => s.registerRoute(() => 1, 'GE T', '/a'))).toBe('ERR_MWS_INVALID_OPTION');
  });

  test("the page's @WebRoute snippet (TypeScript, standard decorators) registers global routes", async () => {
    const md = readFileSync(path.join(DOCS, 'routes.md'), 'utf8');
    const ts = /^```ts\n([\s\S]*?)^```$/m.exec(md)![1];
    const { code } = transformSync(ts, {
      jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022', transform: { decoratorVersion: '2022-03' } },
      module: { type: 'commonjs' },
    });
    const mod = { exports: {} as Record<string, unknown> };
    const req = (id: string): unknown => (id === '@microwebsrv/core' ? core : require(id));
    new Function('require', 'module', 'exports', code)(req, mod, mod.exports);
    expect(await (await fetch(base + '/api/items/3')).json()).toEqual({ id: 3 });
    expect(await (await fetch(base + '/api/names/1')).json()).toEqual({ name: 'Ada' });
    expect(core.pathFromRoute('item', { id: 9 })).toBe('/api/items/9');
    // A second instance registers the instance method's route again.
    const Api = mod.exports.Api as new (m: Map<number, string>) => unknown;
    expect(codeOf(() => new Api(new Map()))).toBe('ERR_MWS_ROUTE_DUPLICATE');
  });
});
