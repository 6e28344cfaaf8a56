import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv, serializeCookie, type CookieOptions, type HttpRequest, type MwsError } from '@microwebsrv/core';
import { DOCS, example, raw, useExample } from './doc-example';

// docs/request-response.md: the example run as a user runs it, then the page's other claims about
// HttpRequest / HttpResponse and server-wide access control on an in-process server.

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('the example', () => {
  let base = '';

  useExample('request-response.md', 'request-response.js', (s) => { base = s.urls[0]; });

  test('what a request tells', async () => {
    const r = await fetch(base + '/echo?a=1&b=x+y&c=%C3%A9', {
      headers: { 'X-Custom': 'hi', Cookie: 'k=v; z=1', Accept: 'text/html, application/json;q=0.9' },
    });
    expect(r.headers.get('cache-control')).toBe('no-store');
    const u = new URL(base);
    expect(await r.json()).toMatchObject({
      method: 'GET', path: '/echo', queryParams: { a: '1', b: 'x y', c: 'é' }, httpVer: '1.1', host: u.host,
      accept: ['text/html', 'application/json'], cookies: { k: 'v', z: '1' }, custom: 'hi',
      userAddress: ['127.0.0.1', expect.any(Number)], isSSL: false, prefers: 'text/html',
    });
    // The page's curl lines: no Accept from us (fetch sends */*), then text/html over application/json;q=0.5.
    expect(await (await fetch(base + '/echo', { headers: { Accept: '*/*' } })).json()).toMatchObject({ accept: ['*/*'], prefers: 'application/json' });
    expect(await (await fetch(base + '/echo', { headers: { Accept: 'text/html, application/json;q=0.5' } })).json())
      .toMatchObject({ accept: ['text/html', 'application/json'], prefers: 'text/html' });
  });

  test('posted forms and JSON; malformed JSON is a 400', async () => {
    const form = await fetch(base + '/form', { method: 'POST', body: new URLSearchParams({ name: 'Ada L' }) });
    expect(await form.json()).toEqual({ hello: 'Ada L' });
    const notForm = await fetch(base + '/form', { method: 'POST', body: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    expect(await notForm.json()).toEqual({ hello: null });
    const json = await fetch(base + '/json', { method: 'POST', body: '{"a":[1,2]}', headers: { 'Content-Type': 'application/json' } });
    expect([json.status, await json.json()]).toEqual([201, { received: { a: [1, 2] }, bytes: 11 }]);
    expect((await fetch(base + '/json', { method: 'POST', body: '{oops' })).status).toBe(400);
  });

  test('Basic auth, Set-Cookie repeated, content type with charset', async () => {
    const no = await fetch(base + '/admin');
    expect([no.status, no.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="admin area"']);
    expect((await fetch(base + '/admin', { headers: { Authorization: basic('admin', 'wrong') } })).status).toBe(401);
    const ok = await fetch(base + '/admin', { headers: { Authorization: basic('admin', 'secret') } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect(ok.headers.getSetCookie()).toEqual(['session=abc123; Path=/; HttpOnly; SameSite=Lax', 'theme=dark; Max-Age=86400; Path=/']);
    expect(await ok.text()).toBe('welcome, admin\n');
  });

  test('redirect, download, stream', async () => {
    const redir = await fetch(base + '/old', { redirect: 'manual' });
    expect([redir.status, redir.headers.get('location')]).toEqual([307, '/echo?from=old']);
    const dl = await fetch(base + '/download');
    expect(dl.headers.get('content-disposition')).toBe('attachment; filename="example.js"');
    expect(dl.headers.get('content-type')).toBe('text/javascript; charset=UTF-8');
    expect(dl.headers.get('last-modified')).toBeTruthy();
    expect(await dl.text()).toBe(readFileSync(example('request-response.js'), 'utf8'));
    const st = await fetch(base + '/stream');
    expect(st.headers.get('transfer-encoding')).toBe('chunked');
    expect(await st.text()).toBe('one\ntwo\nthree\n');
    // HTTP/1.0 has no chunked coding: the body ends when the connection closes.
    const old = await raw(base, 'GET /stream HTTP/1.0\r\n\r\n');
    expect(old).not.toMatch(/transfer-encoding/i);
    expect(old).toMatch(/\r\nConnection: close\r\n\r\none\ntwo\nthree\n$/);
  });
});

describe('what the page says beyond the example', () => {
  let srv: MicroWebSrv;
  let base = '';
  const tmp = path.join(os.tmpdir(), `mws-docs-rr-${process.pid}`);
  const sent: number[] = [];
  const handlerErrors: string[] = [];
  let lastReq: HttpRequest | null = null;

  beforeAll(async () => {
    const fs = await import('node:fs/promises');
    await fs.mkdir(tmp, { recursive: true });
    await fs.writeFile(path.join(tmp, 'data.xyz'), 'x');
    srv = new MicroWebSrv();
    srv.bindAddress = ['127.0.0.1', 0];
    srv.onLogging = () => undefined;
    srv.registerRoute((_s, req) => {
      lastReq = req.keep(); // read after the response (docs/request-response.md, "Keeping a request")
      return {
        q: req.queryParams, joined: req.headers['x-rep'], cookies: req.cookies, absent: req.getHeader('x-none') ?? 'undefined',
        referer: req.referer, contentType: req.contentType, text: req.getPostedText(), anyBasic: req.checkBasicAuth(),
        user: req.basicAuthUser, bearer: req.checkBearerAuth('t0k:en'),
      };
    }, 'POST', '/inspect');
    srv.registerRoute((_s, req) => {
      const r = req.response;
      const errors = handlerErrors;
      try { r.setHeader('X-Bad', 'a\r\nInjected: 1'); } catch (e) { errors.push((e as MwsError).code); }
      r.allowCaching = true;
      r.setHeader('Cache-Control', 'max-age=60');
      r.setHeader('X-One', '1');
      r.setHeader('x-one', '2'); // same name: replaced
      r.appendHeader('Link', '</a>; rel=preload');
      r.appendHeader('Link', '</b>; rel=preload');
      r.onSent = (_srv, resp) => { sent.push(resp.statusCode); };
      r.returnOkJSON({ errors });
      try { r.returnOk('again'); } catch (e) { errors.push((e as MwsError).code); }
    }, 'GET', '/headers');
    srv.registerRoute((_s, req) => req.response.returnFile(path.join(tmp, 'missing.txt')), 'GET', '/file/missing');
    srv.registerRoute((_s, req) => req.response.returnFile(path.join(tmp, 'data.xyz')), 'GET', '/file/unknown-type');
    srv.registerRoute((_s, req) => req.response.returnBadRequest('<script>'), 'GET', '/bad');
    srv.registerRoute((_s, req) => req.response.returnNotFound(), 'GET', '/gone');
    srv.registerRoute(() => 'home', 'GET', '/home');
    await srv.startManaged();
    base = `http://127.0.0.1:${srv.address[1]}`;
  });

  afterAll(async () => {
    await srv.stop();
    const fs = await import('node:fs/promises');
    await fs.rm(tmp, { recursive: true, force: true });
  });

  test('request values: last query value, joined fields, first cookie, empty strings, auth helpers', async () => {
    const headers = new Headers({ Cookie: 'a=1; a=2; q="quoted%20v"', 'Content-Type': 'Text/Plain; charset=utf-8', Authorization: 'Bearer t0k:en' });
    headers.append('X-Rep', 'one');
    headers.append('X-Rep', 'two');
    const r = await fetch(base + '/inspect?x=1&x=2&sp=a+b', { method: 'POST', body: 'héllo', headers });
    expect(await r.json()).toEqual({
      q: { x: '2', sp: 'a b' }, joined: 'one, two', cookies: { a: '1', q: 'quoted v' }, absent: 'undefined', referer: '',
      contentType: 'text/plain', text: 'héllo', anyBasic: false, user: null, bearer: true,
    });
    const r2 = await fetch(base + '/inspect', { method: 'POST', headers: { Authorization: basic('u', 'p:a:ss') } });
    expect(await r2.json()).toMatchObject({ anyBasic: true, user: 'u' });
    expect(lastReq!.checkBasicAuth('u', 'p:a:ss')).toBe(true); // ':' allowed in passwords
  });

  test('headers: CR/LF refused, one response only, allowCaching, replace vs append, onSent', async () => {
    const r = await fetch(base + '/headers');
    expect(await r.json()).toEqual({ errors: ['ERR_MWS_INVALID_OPTION'] });
    expect(r.headers.get('cache-control')).toBe('max-age=60');
    expect(r.headers.get('x-one')).toBe('2');
    expect(r.headers.get('link')).toBe('</a>; rel=preload, </b>; rel=preload');
    expect(r.headers.get('injected')).toBeNull();
    expect(sent).toEqual([200]);
    expect(handlerErrors).toEqual(['ERR_MWS_INVALID_OPTION', 'ERR_MWS_RESPONSE_SENT']);
  });

  test("returnFile: 404 when missing, an unknown type as octet-stream (403 with staticUnknownType 'refuse'); escaped error details", async () => {
    expect((await fetch(base + '/file/missing')).status).toBe(404);
    const unknown = await fetch(base + '/file/unknown-type');
    expect([unknown.status, unknown.headers.get('content-type'), await unknown.text()]).toEqual([200, 'application/octet-stream', 'x']);
    srv.staticUnknownType = 'refuse';
    expect((await fetch(base + '/file/unknown-type')).status).toBe(403);
    srv.staticUnknownType = 'octet-stream';
    const bad = await fetch(base + '/bad');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&lt;script&gt;');
  });

  test("cookies: serializeCookie is exported; what browsers would drop throws, naming the attribute", () => {
    expect(serializeCookie('a', 'x y', { maxAge: 0, secure: true, sameSite: 'None' })).toBe('a=x%20y; Max-Age=0; Secure; SameSite=None');
    expect(serializeCookie('a', 'raw', { encode: false })).toBe('a=raw');
    for (const [opts, what] of [
      [{ sameSite: 'None' }, 'cookie sameSite'], [{ partitioned: true }, 'cookie partitioned'], [{ maxage: 1 }, 'cookie option maxage'],
      [{ path: 'x' }, 'cookie path'], [{ maxAge: 1.5 }, 'cookie maxAge'],
    ] as Array<[CookieOptions, string]>) {
      expect(() => serializeCookie('a', 'b', opts)).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining(what) }));
    }
    expect(() => serializeCookie('__Host-a', 'b', { secure: true, path: '/', domain: 'a.com' })).toThrow(/cookie domain/);
    expect(() => serializeCookie('a', 'b'.repeat(4096))).toThrow(/4096/);
  });

  test("content negotiation: the page's rules and its /answer route", async () => {
    const md = readFileSync(path.join(DOCS, 'request-response.md'), 'utf8');
    const snippet = /^```js\n(srv\.registerRoute\(\(_server, req\) => \{\n  const type = req\.acceptsType[\s\S]*?)^```$/m.exec(md)![1];
    const s = new MicroWebSrv();
    s.bindAddress = ['127.0.0.1', 0];
    s.onLogging = () => undefined;
    new Function('srv', snippet)(s);
    s.registerRoute((_s, req) => ({
      accept: req.accept, languages: req.acceptLanguages, encodings: req.acceptEncodings,
      lang: req.acceptsLanguage(['en-GB', 'fr']), enc: req.acceptsEncoding(['gzip', 'identity']),
    }), 'GET', '/lists');
    await s.startManaged();
    try {
      const at = `http://127.0.0.1:${s.address[1]}`;
      const answer = async (accept?: string) => {
        const r = await fetch(at + '/answer', { headers: accept === undefined ? {} : { Accept: accept } });
        return [r.status, await r.text()];
      };
      expect(await answer('application/json;q=0.9, text/html')).toEqual([200, '<p>42</p>']);
      expect(await answer('text/*, application/json')).toEqual([200, '{"answer":42}']); // equal q: the more specific
      expect(await answer('image/png')).toEqual([406, 'application/json or text/html only']);
      expect(await answer('text/html;q=2, application/json;q=0.1')).toEqual([200, '{"answer":42}']); // malformed q: member ignored
      const lists = await (await fetch(at + '/lists', { headers: {
        Accept: 'text/*, text/plain;q=0, */*;q=0.1, text/html;level=1', 'Accept-Language': 'en, fr;q=0.5, *;q=0.1',
        'Accept-Encoding': 'x-gzip;q=0.5, br, identity;q=0',
      } })).json();
      expect(lists).toEqual({
        accept: ['text/html', 'text/*', '*/*'], languages: ['en', 'fr', '*'], encodings: ['br', 'gzip'], lang: 'en-GB', enc: 'gzip',
      });
      // Without the fields (fetch would add Accept-Language: *): anything for types and languages, identity only.
      const none = await raw(at, 'GET /lists HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(JSON.parse(none.slice(none.indexOf('\r\n\r\n') + 4))).toEqual({ accept: [], languages: [], encodings: [], lang: 'en-GB', enc: 'identity' });
    } finally {
      await s.stop();
    }
  });

  test('HEAD never carries a body', async () => {
    const h = await raw(base, 'HEAD /home HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(h).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 4\r\n[\s\S]*\r\n\r\n$/);
  });

  test('server-wide: notFoundURL, allowAllOrigins, corsAllowAll, requireBasicAuth, onAccessCheck', async () => {
    srv.notFoundURL = '/home';
    const gone = await fetch(base + '/gone', { redirect: 'manual' });
    expect([gone.status, gone.headers.get('location')]).toEqual([307, '/home']);
    srv.notFoundURL = null;

    srv.allowAllOrigins = true;
    const cors = await fetch(base + '/home', { headers: { Origin: 'http://app.example' } });
    expect([cors.headers.get('access-control-allow-origin'), cors.headers.get('vary')]).toEqual(['http://app.example', 'Origin']);
    srv.allowAllOrigins = false;

    srv.corsAllowAll = true;
    const pre = await fetch(base + '/home', { method: 'OPTIONS', headers: { Origin: 'http://app.example', 'Access-Control-Request-Method': 'PUT' } });
    expect([pre.status, pre.headers.get('access-control-allow-origin'), pre.headers.get('access-control-allow-methods'), pre.headers.get('access-control-max-age')])
      .toEqual([204, '*', 'PUT', '86400']);
    srv.corsAllowAll = false;

    srv.requireBasicAuth('ops', 'pw', 'ops area');
    const denied = await fetch(base + '/home');
    expect([denied.status, denied.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="ops area"']);
    expect((await fetch(base + '/home', { headers: { Authorization: basic('ops', 'pw') } })).status).toBe(200);
    srv.requireBasicAuth(null);
    expect(() => srv.requireBasicAuth('a:b', 'x')).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));

    srv.onAccessCheck = async (_s, req) => req.getHeader('x-key') === 'k';
    expect((await fetch(base + '/home')).status).toBe(403);
    expect((await fetch(base + '/home', { headers: { 'X-Key': 'k' } })).status).toBe(200);
    srv.onAccessCheck = null;
  });
});
