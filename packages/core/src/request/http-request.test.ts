/**
 * HttpRequest's API over real connections: a MicroWebSrv on 127.0.0.1:0, clients are fetch, raw
 * sockets (for what fetch normalises: HTTP/1.0, repeated fields, chunked bodies) and node:https for TLS.
 */
import { HttpRequest, MicroWebSrv, MwsError } from '../index';
import {
  RawClient, TEST_CERT, TEST_KEY, get, httpsGet, parseRaw, rawExchange, startServer, stopAll, type TestServer,
} from '../__tests__/server-harness';

let ts: TestServer;
/** The last request a capturing route saw (read after the response: values are cached on the head). */
let last: HttpRequest | null = null;
const seen: HttpRequest[] = [];
let jsonError: unknown = null;

function capture(_s: MicroWebSrv, req: HttpRequest): void {
  last = req.keep(); // read after the response (else it goes stale when the handler returns)
  seen.push(req);
  req.response.returnOk('ok');
}

beforeAll(async () => {
  ts = await startServer((srv) => {
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) srv.registerRoute(capture, m, '/r');
    srv.registerRoute(capture, 'GET', '/a b/été');
    srv.registerRoute(capture, 'GET', '/x%41');
    srv.registerRoute((_s, req) => {
      try {
        req.getPostedJSONObject();
        req.response.returnOk('parsed');
      } catch (err) {
        jsonError = err;
        req.response.return(422, 'caught');
      }
    }, 'POST', '/json-caught');
    srv.registerRoute((_s, req) => { req.response.returnOkJSON({ got: req.getPostedJSONObject() }); }, 'POST', '/json');
  });
});
afterAll(stopAll);
beforeEach(() => { last = null; seen.length = 0; jsonError = null; });

function req(): HttpRequest {
  if (last === null) throw new Error('the route did not run');
  return last;
}

describe('request line', () => {
  test('method as sent, for each method', async () => {
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await fetch(ts.url('/r'), { method: m, body: m === 'GET' ? undefined : 'x' });
      expect(r.status).toBe(200);
      await r.text();
      expect(req().method).toBe(m);
    }
  });

  test('path is percent-decoded (UTF-8) once; rawPath keeps the escapes', async () => {
    const r = await fetch(ts.url('/a%20b/%C3%A9t%C3%A9'));
    expect(r.status).toBe(200);
    await r.text();
    expect(req().path).toBe('/a b/été');
    expect(req().rawPath).toBe('/a%20b/%C3%A9t%C3%A9');
  });

  test('path is decoded only once: %2541 becomes %41, not A', async () => {
    const r = await fetch(ts.url('/x%2541?q=1'));
    expect(r.status).toBe(200);
    await r.text();
    expect(req().path).toBe('/x%41');
    expect(req().rawPath).toBe('/x%2541');
    expect(req().target).toBe('/x%2541?q=1');
  });

  test('queryString is the raw text after ?, empty when none', async () => {
    await (await fetch(ts.url('/r?a=1&b=x+y'))).text();
    expect(req().queryString).toBe('a=1&b=x+y');
    expect(req().path).toBe('/r');
    await (await fetch(ts.url('/r'))).text();
    expect(req().queryString).toBe('');
    expect(req().queryParams).toEqual({});
  });

  test("queryParams: '+' is a space, escapes decoded, repeated name keeps the last value, bare name is ''", async () => {
    await (await fetch(ts.url('/r?a=1&b=x+y&c=%C3%A9t%C3%A9%26co&a=2&flag&sp%20ace=v%3Dw'))).text();
    expect({ ...req().queryParams }).toEqual({ a: '2', b: 'x y', c: 'été&co', flag: '', 'sp ace': 'v=w' });
  });

  test("httpVer is '1.1' or '1.0'", async () => {
    await (await fetch(ts.url('/r'))).text();
    expect(req().httpVer).toBe('1.1');
    const { data } = await rawExchange(ts.port, get('/r', '', '1.0'));
    expect(parseRaw(data).status).toBe(200);
    expect(req().httpVer).toBe('1.0');
  });
});

describe('header fields', () => {
  test('headers: lower-case names; repeated fields joined with ", ", Cookie with "; "', async () => {
    const { data } = await rawExchange(ts.port,
      'GET /r HTTP/1.1\r\nHost: h.example\r\nX-Multi: one\r\nX-MULTI: two\r\nCookie: a=1\r\nCookie: b=2\r\nX-Single:   spaced  \r\nConnection: close\r\n\r\n');
    expect(parseRaw(data).status).toBe(200);
    const h = req().headers;
    expect(h['x-multi']).toBe('one, two');
    expect(h.cookie).toBe('a=1; b=2');
    expect(h['x-single']).toBe('spaced');
    expect(h.host).toBe('h.example');
    expect(Object.keys(h).every((k) => k === k.toLowerCase())).toBe(true);
    expect(req().cookies).toEqual(expect.objectContaining({ a: '1', b: '2' }));
  });

  test('getHeader: any case; a repeated field gives the joined value; absent → undefined', async () => {
    await rawExchange(ts.port, 'GET /r HTTP/1.1\r\nHost: h\r\nX-Multi: one\r\nX-Multi: two\r\nX-Token: Abc\r\nConnection: close\r\n\r\n');
    const r = req();
    expect(r.getHeader('X-TOKEN')).toBe('Abc');
    expect(r.getHeader('x-token')).toBe('Abc');
    expect(r.getHeader('X-Multi')).toBe('one, two'); // before `headers` was built
    expect(r.headers['x-multi']).toBe('one, two');
    expect(r.getHeader('X-Absent')).toBeUndefined();
  });

  test('userAddress is the client [host, port]; isSSL false over plain TCP', async () => {
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(get('/r'));
    await c.readResponse();
    expect(req().userAddress).toEqual(['127.0.0.1', c.sock.localPort]);
    expect(req().isSSL).toBe(false);
    c.destroy();
  });

  test('host is the Host field as sent', async () => {
    await (await fetch(ts.url('/r'))).text();
    expect(req().host).toBe(`127.0.0.1:${ts.port}`);
  });

  test('accept / acceptEncodings / acceptLanguages: values sorted best first, q=0 left out; empty when absent', async () => {
    await (await fetch(ts.url('/r'), { headers: {
      Accept: 'application/json;q=0.9 , */*;q=0.1,,text/html, image/png;q=0',
      'Accept-Language': 'fr-CH, fr;q=0.9, en',
    } })).text();
    expect(req().accept).toEqual(['text/html', 'application/json', '*/*']);
    expect(req().acceptLanguages).toEqual(['fr-CH', 'en', 'fr']);
    expect(req().getHeader('accept')).toBe('application/json;q=0.9 , */*;q=0.1,,text/html, image/png;q=0');
    expect(req().acceptsType(['image/png', 'application/json', 'text/html'])).toBe('text/html');
    expect(req().acceptsType(['image/png'])).toBeNull(); // q=0 beats */*: it is the more specific member
    expect(req().acceptsType(['text/plain'])).toBe('text/plain'); // through */*;q=0.1
    expect(req().acceptsLanguage(['de', 'fr', 'en-GB'])).toBe('en-GB'); // en: q=1
    expect(req().acceptsLanguage(['de', 'fr'])).toBe('fr');
    expect(() => req().acceptsType(['text/*'])).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
    await rawExchange(ts.port, 'GET /r HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip;q=0.5,  br ,deflate, identity;q=0\r\nConnection: close\r\n\r\n');
    expect(req().acceptEncodings).toEqual(['br', 'deflate', 'gzip']);
    expect(req().acceptsEncoding(['gzip', 'identity'])).toBe('gzip');
    expect(req().acceptsEncoding(['identity'])).toBeNull();
    expect(req().accept).toEqual([]);
    expect(req().acceptLanguages).toEqual([]);
    expect(req().acceptsType(['application/json', 'text/html'])).toBe('application/json'); // no field: anything
  });

  test('cookies: name=value pairs, quotes removed, values percent-decoded, first of a repeated name wins', async () => {
    await (await fetch(ts.url('/r'), { headers: { Cookie: 'sid=abc123; q="quoted"; sp=x%20y; sid=second; junk' } })).text();
    expect({ ...req().cookies }).toEqual({ sid: 'abc123', q: 'quoted', sp: 'x y' });
    await (await fetch(ts.url('/r'))).text();
    expect({ ...req().cookies }).toEqual({});
  });

  test('contentType: parameters stripped, lower-cased; contentLength as declared', async () => {
    await (await fetch(ts.url('/r'), { method: 'POST', body: 'hello', headers: { 'Content-Type': 'Application/JSON; charset=utf-8' } })).text();
    expect(req().contentType).toBe('application/json');
    expect(req().contentLength).toBe(5);
    await (await fetch(ts.url('/r'))).text();
    expect(req().contentType).toBe('');
    expect(req().contentLength).toBe(0);
  });

  test('contentLength of a chunked body is its decoded size', async () => {
    const { data } = await rawExchange(ts.port,
      'POST /r HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    expect(parseRaw(data).status).toBe(200);
    expect(req().contentLength).toBe(11);
    expect(req().getPostedText()).toBe('hello world');
  });

  test('userAgent, authorization, origin; empty strings when absent', async () => {
    await (await fetch(ts.url('/r'), { headers: { 'User-Agent': 'TestAgent/1.0', Authorization: 'Bearer t0k', Origin: 'https://app.example' } })).text();
    expect(req().userAgent).toBe('TestAgent/1.0');
    expect(req().authorization).toBe('Bearer t0k');
    expect(req().origin).toBe('https://app.example');
    await rawExchange(ts.port, 'GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
    expect(req().userAgent).toBe('');
    expect(req().authorization).toBe('');
    expect(req().origin).toBe('');
  });

  test('isKeepAlive: 1.1 by default, not with Connection: close; 1.0 only with Connection: keep-alive', async () => {
    const cases: Array<[string, boolean]> = [
      ['GET /r HTTP/1.1\r\nHost: h\r\n\r\n', true],
      ['GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n', false],
      ['GET /r HTTP/1.0\r\n\r\n', false],
      ['GET /r HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', true],
    ];
    for (const [raw, expected] of cases) {
      const c = new RawClient(ts.port);
      c.write(raw);
      await c.readResponse();
      expect([raw, req().isKeepAlive]).toEqual([raw, expected]);
      c.destroy();
    }
  });

  test('isUpgrade / upgrade: Connection: Upgrade + Upgrade field; answered without 101, HTTP goes on', async () => {
    const c = new RawClient(ts.port);
    c.write('GET /r HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect((await c.readResponse()).status).toBe(200);
    expect(req().isUpgrade).toBe(true);
    expect(req().upgrade).toBe('websocket');
    c.write(get('/r'));
    expect((await c.readResponse()).status).toBe(200);
    expect(req().isUpgrade).toBe(false);
    expect(req().upgrade).toBe('');
    c.destroy();
  });
});

describe('isSSL over TLS', () => {
  test('a request over HTTPS has isSSL true', async () => {
    let sslReq: HttpRequest | null = null;
    const tts = await startServer((srv) => {
      srv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY });
      srv.registerRoute((_s, r) => { sslReq = r; r.response.returnOk('secure'); }, 'GET', '/s');
    });
    const res = await httpsGet(tts.port, '/s', TEST_CERT);
    expect(res.status).toBe(200);
    expect(res.body).toBe('secure');
    expect(sslReq).not.toBeNull();
    expect(sslReq!.isSSL).toBe(true);
    expect(sslReq!.userAddress[0]).toBe('127.0.0.1');
    await tts.stop();
  });
});

describe('body', () => {
  test('content is a Buffer that stays valid after the handler returned and the slot was reused', async () => {
    const c = new RawClient(ts.port);
    const first = 'first-body-' + 'A'.repeat(100);
    c.write(`POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: ${first.length}\r\n\r\n${first}`);
    await c.readResponse();
    const kept = req().content;
    expect(Buffer.isBuffer(kept)).toBe(true);
    const second = 'SECOND-' + 'Z'.repeat(200);
    c.write(`POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: ${second.length}\r\n\r\n${second}`);
    await c.readResponse();
    expect(req().content.toString()).toBe(second);
    expect(kept.toString()).toBe(first);
    c.destroy();
  });

  test('a body larger than the slot (4 KiB) arrives whole', async () => {
    const big = Buffer.alloc(50_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const r = await fetch(ts.url('/r'), { method: 'PUT', body: big });
    expect(r.status).toBe(200);
    await r.text();
    expect(req().content.equals(big)).toBe(true);
    expect(req().contentLength).toBe(50_000);
  });

  test('content of a request without a body is an empty Buffer', async () => {
    await (await fetch(ts.url('/r'))).text();
    expect(req().content.length).toBe(0);
    expect(req().getPostedText()).toBe('');
  });

  test('getPostedText decodes UTF-8', async () => {
    await (await fetch(ts.url('/r'), { method: 'POST', body: 'héllo wörld ✓' })).text();
    expect(req().getPostedText()).toBe('héllo wörld ✓');
    expect(req().content.length).toBe(Buffer.byteLength('héllo wörld ✓'));
  });

  test('getPostedURLEncodedForm decodes a form; {} for another content type', async () => {
    await (await fetch(ts.url('/r'), {
      method: 'POST', body: 'name=J%C3%A9r%C3%B4me+X&x=1&x=2&e=',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    })).text();
    expect({ ...req().getPostedURLEncodedForm() }).toEqual({ name: 'Jérôme X', x: '2', e: '' });
    await (await fetch(ts.url('/r'), { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'text/plain' } })).text();
    expect({ ...req().getPostedURLEncodedForm() }).toEqual({});
  });

  test('URLSearchParams body (fetch sets the form content type) is decoded', async () => {
    await (await fetch(ts.url('/r'), { method: 'POST', body: new URLSearchParams({ q: 'a b&c', 'n m': 'é' }) })).text();
    expect({ ...req().getPostedURLEncodedForm() }).toEqual({ q: 'a b&c', 'n m': 'é' });
  });

  test('getPostedJSONObject parses JSON', async () => {
    const r = await fetch(ts.url('/json'), { method: 'POST', body: JSON.stringify({ a: [1, 'é'], b: null }), headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ got: { a: [1, 'é'], b: null } });
  });

  test('bad JSON throws MwsError ERR_MWS_BAD_JSON inside the handler', async () => {
    const r = await fetch(ts.url('/json-caught'), { method: 'POST', body: '{"a": ', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(422);
    await r.text();
    expect(jsonError).toBeInstanceOf(MwsError);
    expect((jsonError as MwsError).code).toBe('ERR_MWS_BAD_JSON');
  });

  test('bad JSON that the handler lets go is answered 400 (and logged), the server goes on', async () => {
    const r = await fetch(ts.url('/json'), { method: 'POST', body: 'not json', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    await r.text();
    expect(ts.logs.some((l) => l.type === 'WARNING' && /JSON/.test(l.msg))).toBe(true);
    const ok = await fetch(ts.url('/json'), { method: 'POST', body: '[1]' });
    expect(await ok.json()).toEqual({ got: [1] });
  });
});

describe('authentication', () => {
  const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');

  async function withAuth(authorization: string | null): Promise<HttpRequest> {
    await (await fetch(ts.url('/r'), { headers: authorization === null ? {} : { Authorization: authorization } })).text();
    return req();
  }

  test('checkBasicAuth: right user and password', async () => {
    const r = await withAuth(basic('Alice', 's3cret'));
    expect(r.checkBasicAuth('Alice', 's3cret')).toBe(true);
    expect(r.checkBasicAuth()).toBe(true);
    expect(r.basicAuthUser).toBe('Alice');
  });

  test('checkBasicAuth: wrong password, wrong user, user names are case-sensitive', async () => {
    const r = await withAuth(basic('Alice', 's3cret'));
    expect(r.checkBasicAuth('Alice', 'S3cret')).toBe(false);
    expect(r.checkBasicAuth('Alice', 's3cre')).toBe(false);
    expect(r.checkBasicAuth('Bob', 's3cret')).toBe(false);
    expect(r.checkBasicAuth('alice', 's3cret')).toBe(false);
    expect(r.checkBasicAuth('ALICE', 's3cret')).toBe(false);
  });

  test("checkBasicAuth: a password containing ':' (the user ends at the first colon)", async () => {
    const r = await withAuth(basic('bob', 'a:b::c:'));
    expect(r.checkBasicAuth('bob', 'a:b::c:')).toBe(true);
    expect(r.checkBasicAuth('bob', 'a')).toBe(false);
    expect(r.checkBasicAuth('bob:a', 'b::c:')).toBe(false);
  });

  test('checkBasicAuth: UTF-8 credentials; scheme name is case-insensitive', async () => {
    const r = await withAuth('basic ' + Buffer.from('Zoë:pässwörd').toString('base64'));
    expect(r.checkBasicAuth('Zoë', 'pässwörd')).toBe(true);
  });

  test('checkBasicAuth: false without credentials, with Bearer, or with malformed Basic', async () => {
    expect((await withAuth(null)).checkBasicAuth()).toBe(false);
    expect((await withAuth(null)).checkBasicAuth('a', 'b')).toBe(false);
    expect((await withAuth('Bearer abc')).checkBasicAuth()).toBe(false);
    expect((await withAuth('Basic !!!notbase64')).checkBasicAuth()).toBe(false);
    expect((await withAuth('Basic ' + Buffer.from('nocolon').toString('base64'))).checkBasicAuth()).toBe(false);
  });

  test('checkBearerAuth: right and wrong token, presence, and not fooled by Basic', async () => {
    const r = await withAuth('Bearer tok.en-123');
    expect(r.checkBearerAuth('tok.en-123')).toBe(true);
    expect(r.checkBearerAuth()).toBe(true);
    expect(r.checkBearerAuth('tok.en-12')).toBe(false);
    expect(r.checkBearerAuth('TOK.EN-123')).toBe(false);
    expect((await withAuth(basic('u', 'p'))).checkBearerAuth()).toBe(false);
    expect((await withAuth(null)).checkBearerAuth('x')).toBe(false);
    expect((await withAuth('Bearer ')).checkBearerAuth()).toBe(false);
  });
});

describe('a request kept past its response (fields sliced on first use, issue 19)', () => {
  test('its headers and host are its own after pipelined requests reused the slot', async () => {
    const raw = get('/r', 'X-Id: one\r\nCookie: a=1\r\n') + `GET /r HTTP/1.1\r\nHost: second.example\r\nX-Id: two\r\n\r\n`;
    const { data } = await rawExchange(ts.port, raw);
    expect(data.toString('latin1').match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    // A third exchange on another connection reuses the server's buffers meanwhile.
    await rawExchange(ts.port, get('/r', 'X-Id: three\r\n'));
    expect(seen).toHaveLength(3);
    expect([seen[0]!.getHeader('X-Id'), seen[0]!.host, seen[0]!.cookies.a]).toEqual(['one', '127.0.0.1', '1']);
    expect([seen[1]!.headers['x-id'], seen[1]!.host, seen[1]!.getHeader('cookie')]).toEqual(['two', 'second.example', undefined]);
    expect(seen[2]!.getHeader('x-id')).toBe('three');
  });
});
