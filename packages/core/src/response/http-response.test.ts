/**
 * HttpResponse's API over real connections: bodies and their framing, JSON, redirects, the error
 * helpers, fields (setHeader, Set-Cookie, CORS, caching), HEAD/204/304 without a body, Date, onSent.
 * Streams and files: http-response.stream.test.ts; handler outcomes: http-response.handlers.test.ts.
 */
import { HttpResponse, MicroWebSrv, MwsError, type RouteHandler } from '../index';
import { RawClient, get, parseRaw, rawExchange, sleep, startServer, stopAll, type TestServer } from '../__tests__/server-harness';

let ts: TestServer;
const errors: Record<string, unknown> = {};
const sentCalls: Array<{ server: MicroWebSrv; resp: HttpResponse; at: number }> = [];

const routes: Record<string, RouteHandler> = {
  '/ascii': (_s, r) => r.response.returnOk('hello'),
  '/utf8': (_s, r) => r.response.returnOk('héllo → wörld ✓'),
  '/buffer': (_s, r) => r.response.return(201, Buffer.from([0, 1, 2, 255, 254])),
  '/empty': (_s, r) => r.response.returnOk(),
  '/json': (_s, r) => r.response.returnJSON(202, { a: 1, s: 'é', n: null, l: [true] }),
  '/okjson': (_s, r) => r.response.returnOkJSON([1, 'two']),
  '/json-typed': (_s, r) => { r.response.contentType = 'application/vnd.api+json'; r.response.returnOkJSON({}); },
  '/redirect': (_s, r) => r.response.returnRedirect('/target?x=1'),
  '/not-modified': (_s, r) => r.response.returnNotModified(),
  '/304-with-body': (_s, r) => r.response.return(304, 'must not be sent'),
  '/204': (_s, r) => r.response.return(204, 'must not be sent'),
  '/400': (_s, r) => r.response.returnBadRequest('bad <input>'),
  '/401': (_s, r) => r.response.returnUnauthorized('Basic', 'My Realm'),
  '/401-basic': (_s, r) => r.response.returnBasicAuthRequired(),
  '/401-bearer': (_s, r) => r.response.returnBearerAuthRequired('api'),
  '/401-bearer-norealm': (_s, r) => r.response.returnBearerAuthRequired(),
  '/403': (_s, r) => r.response.returnForbidden(),
  '/404': (_s, r) => r.response.returnNotFound(),
  '/405': (_s, r) => r.response.returnMethodNotAllowed(['GET', 'POST']),
  '/413': (_s, r) => r.response.returnEntityTooLarge(),
  '/500': (_s, r) => r.response.returnInternalServerError(),
  '/501': (_s, r) => r.response.returnNotImplemented(),
  '/503': (_s, r) => r.response.returnServiceUnavailable(),
  '/set-header': (_s, r) => {
    r.response.setHeader('X-Thing', 'one');
    r.response.setHeader('x-thing', 'two');
    r.response.setHeader('Set-Cookie', 'a=1; Path=/');
    r.response.setHeader('Set-Cookie', 'b=2; HttpOnly');
    r.response.returnOk('cookies');
  },
  '/crlf': (_s, r) => {
    try { r.response.setHeader('X-Evil', 'ok\r\nX-Injected: yes'); } catch (e) { errors.crlf = e; }
    try { r.response.setHeader('X-Evil2', 'ok\nX-Injected2: yes'); } catch (e) { errors.lf = e; }
    try { r.response.setHeader('Bad Name', 'v'); } catch (e) { errors.name = e; }
    r.response.returnOk('safe');
  },
  '/twice': (_s, r) => {
    r.response.returnOk('first');
    try { r.response.returnOk('second'); } catch (e) { errors.twice = e; }
    try { r.response.returnJSON(200, {}); } catch (e) { errors.twiceJSON = e; }
    try { r.response.setHeader('X-Late', '1'); } catch (e) { errors.lateHeader = e; }
  },
  '/ctype': (_s, r) => { r.response.contentType = 'text/plain'; r.response.returnOk('plain'); },
  '/charset': (_s, r) => { r.response.contentType = 'text/plain'; r.response.contentCharset = 'ISO-8859-1'; r.response.returnOk('latin'); },
  '/nocharset': (_s, r) => { r.response.contentType = 'text/csv'; r.response.contentCharset = null; r.response.returnOk('a,b'); },
  '/cache': (_s, r) => { r.response.allowCaching = true; r.response.returnOk('cacheable'); },
  '/acao': (_s, r) => { r.response.accessControlAllowOrigin = 'https://a.example'; r.response.returnOk('cors'); },
  '/inject-ct': (_s, r) => { r.response.contentType = r.queryParams.t; r.response.returnOk('x'); },
  '/inject-charset': (_s, r) => { r.response.contentType = 'text/plain'; r.response.contentCharset = r.queryParams.t; r.response.returnOk('x'); },
  '/inject-acao': (_s, r) => { r.response.accessControlAllowOrigin = r.queryParams.t; r.response.returnOk('x'); },
  '/bad-code': (_s, r) => {
    try { r.response.return(42, 'x'); } catch (e) { errors.badCode = e; }
    r.response.returnOk('recovered');
  },
  '/onsent-text': (s, r) => { r.response.onSent = (srv, resp) => sentCalls.push({ server: srv, resp, at: Date.now() }); r.response.returnOk('x'); void s; },
  '/onsent-buffer': (_s, r) => { r.response.onSent = (srv, resp) => sentCalls.push({ server: srv, resp, at: Date.now() }); r.response.returnOk(Buffer.alloc(10, 65)); },
  '/onsent-utf8': (_s, r) => { r.response.onSent = (srv, resp) => sentCalls.push({ server: srv, resp, at: Date.now() }); r.response.returnOk('ü'); },
};

beforeAll(async () => {
  ts = await startServer((srv) => {
    for (const [p, h] of Object.entries(routes)) srv.registerRoute(h, 'GET', p);
    srv.registerRoute((_s, r) => r.response.returnOk('posted'), 'POST', '/only-post');
  });
});
afterAll(stopAll);

describe('bodies', () => {
  test('string body: text/html; charset=UTF-8, Content-Length', async () => {
    const r = await fetch(ts.url('/ascii'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(r.headers.get('content-length')).toBe('5');
    expect(await r.text()).toBe('hello');
  });

  test('non-ASCII string: Content-Length counts UTF-8 bytes, body intact', async () => {
    const text = 'héllo → wörld ✓';
    const { data } = await rawExchange(ts.port, get('/utf8', 'Connection: close\r\n'));
    const res = parseRaw(data);
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(text, 'utf8'));
    expect(res.body.toString('utf8')).toBe(text);
  });

  test('Buffer body: bytes as given, application/octet-stream, any status', async () => {
    const r = await fetch(ts.url('/buffer'));
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await r.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255, 254]));
  });

  test('returnOk() without content: 200, Content-Length: 0', async () => {
    const r = await fetch(ts.url('/empty'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe('0');
    expect(await r.text()).toBe('');
  });

  test('returnJSON / returnOkJSON: application/json, serialised body; contentType set first wins', async () => {
    const r = await fetch(ts.url('/json'));
    expect(r.status).toBe(202);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ a: 1, s: 'é', n: null, l: [true] });
    const ok = await fetch(ts.url('/okjson'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([1, 'two']);
    const typed = await fetch(ts.url('/json-typed'));
    expect(typed.headers.get('content-type')).toBe('application/vnd.api+json');
    expect(await typed.json()).toEqual({});
  });

  test('returnRedirect: 307 with Location', async () => {
    const r = await fetch(ts.url('/redirect'), { redirect: 'manual' });
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('/target?x=1');
    await r.text();
  });
});

describe('no body on HEAD, 204, 304', () => {
  test('HEAD: the GET head with its Content-Length, no body; the connection goes on', async () => {
    const c = new RawClient(ts.port);
    c.write('HEAD /utf8 HTTP/1.1\r\nHost: h\r\n\r\n');
    const head = await c.readResponse({ noBody: true });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength('héllo → wörld ✓'));
    c.write(get('/ascii'));
    const next = await c.readResponse();
    expect(next.statusLine).toBe('HTTP/1.1 200 OK');
    expect(next.body.toString()).toBe('hello');
    expect(c.pending.length).toBe(0);
    c.destroy();
  });

  test.each(['/not-modified', '/304-with-body', '/204'])('%s: no body, no Content-Length, connection goes on', async (p) => {
    const c = new RawClient(ts.port);
    c.write(get(p));
    const res = await c.readResponse({ noBody: true });
    expect(res.status).toBe(p === '/204' ? 204 : 304);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers['transfer-encoding']).toBeUndefined();
    c.write(get('/ascii'));
    const next = await c.readResponse();
    expect(next.statusLine).toBe('HTTP/1.1 200 OK');
    expect(next.body.toString()).toBe('hello');
    c.destroy();
  });
});

describe('error helpers', () => {
  test.each([
    ['/400', 400], ['/403', 403], ['/404', 404], ['/413', 413], ['/500', 500], ['/501', 501], ['/503', 503],
  ])('%s answers %i with an HTML page', async (p, code) => {
    const r = await fetch(ts.url(p as string));
    expect(r.status).toBe(code);
    expect(r.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(await r.text()).toContain(`<h1>${code} `);
  });

  test('returnBadRequest detail is HTML-escaped', async () => {
    const body = await (await fetch(ts.url('/400'))).text();
    expect(body).toContain('bad &lt;input&gt;');
    expect(body).not.toContain('<input>');
  });

  test('401 helpers send WWW-Authenticate with the scheme and realm', async () => {
    const cases: Array<[string, string]> = [
      ['/401', 'Basic realm="My Realm"'],
      ['/401-basic', 'Basic realm="Restricted"'],
      ['/401-bearer', 'Bearer realm="api"'],
      ['/401-bearer-norealm', 'Bearer'],
    ];
    for (const [p, expected] of cases) {
      const r = await fetch(ts.url(p));
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(expected);
      await r.text();
    }
  });

  test('405 from a handler carries Allow', async () => {
    const r = await fetch(ts.url('/405'));
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST');
    await r.text();
  });

  test('405 for a path routed for other methods lists them in Allow', async () => {
    const r = await fetch(ts.url('/only-post'), { method: 'PUT', body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    await r.text();
  });

  test('a path without any route is 404', async () => {
    const r = await fetch(ts.url('/no/such/route'));
    expect(r.status).toBe(404);
    await r.text();
  });
});

describe('notFoundURL', () => {
  test('a 404 redirects to notFoundURL; the missing notFoundURL itself is a plain 404 (no loop)', async () => {
    const nts = await startServer((srv) => { srv.notFoundURL = '/missing-page'; });
    const r = await fetch(nts.url('/nope'), { redirect: 'manual' });
    expect(r.status).toBe(307);
    expect(r.headers.get('location')).toBe('/missing-page');
    await r.text();
    const self = await fetch(nts.url('/missing-page'), { redirect: 'manual' });
    expect(self.status).toBe(404);
    expect(self.headers.get('location')).toBeNull();
    await self.text();
    // Followed by fetch: ends on the 404, not in a redirect loop.
    const followed = await fetch(nts.url('/other'));
    expect(followed.status).toBe(404);
    expect(followed.url).toBe(nts.url('/missing-page'));
    await followed.text();
    await nts.stop();
  });
});

describe('fields', () => {
  test('setHeader replaces (any case); Set-Cookie repeats as separate fields', async () => {
    const { data } = await rawExchange(ts.port, get('/set-header', 'Connection: close\r\n'));
    const res = parseRaw(data);
    expect(res.headerList.filter(([n]) => n === 'x-thing').map(([, v]) => v)).toEqual(['two']);
    expect(res.headerList.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    const r = await fetch(ts.url('/set-header'));
    expect(r.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    await r.text();
  });

  test('setHeader with CR/LF in the value (or a bad name) throws; nothing is injected', async () => {
    const { data } = await rawExchange(ts.port, get('/crlf', 'Connection: close\r\n'));
    const res = parseRaw(data);
    expect(res.body.toString()).toBe('safe');
    expect(errors.crlf).toBeInstanceOf(MwsError);
    expect((errors.crlf as MwsError).code).toBe('ERR_MWS_INVALID_OPTION');
    expect(errors.lf).toBeInstanceOf(MwsError);
    expect(errors.name).toBeInstanceOf(MwsError);
    expect(res.headers['x-injected']).toBeUndefined();
    expect(res.headers['x-injected2']).toBeUndefined();
    expect(res.headers['x-evil']).toBeUndefined();
  });

  test('a second return… (and setHeader after sending) throws ERR_MWS_RESPONSE_SENT; the first response stands', async () => {
    const c = new RawClient(ts.port);
    c.write(get('/twice'));
    const res = await c.readResponse();
    expect(res.body.toString()).toBe('first');
    for (const k of ['twice', 'twiceJSON', 'lateHeader']) {
      expect(errors[k]).toBeInstanceOf(MwsError);
      expect((errors[k] as MwsError).code).toBe('ERR_MWS_RESPONSE_SENT');
    }
    c.write(get('/ascii'));
    expect((await c.readResponse()).body.toString()).toBe('hello');
    expect(c.pending.length).toBe(0);
    c.destroy();
  });

  test('contentType / contentCharset / accessControlAllowOrigin with CR/LF cannot inject a field', async () => {
    const evil = encodeURIComponent('text/plain\r\nX-Injected: yes');
    for (const p of ['/inject-ct', '/inject-charset', '/inject-acao']) {
      const { data } = await rawExchange(ts.port, get(`${p}?t=${evil}`, 'Connection: close\r\n'));
      const res = parseRaw(data);
      expect([p, res.headers['x-injected']]).toEqual([p, undefined]);
    }
  });

  test('a status code outside 100..999 throws ERR_MWS_INVALID_OPTION and the response can still be sent', async () => {
    const r = await fetch(ts.url('/bad-code'));
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('recovered');
    expect((errors.badCode as MwsError).code).toBe('ERR_MWS_INVALID_OPTION');
  });

  test('persistence fields: Keep-Alive for 1.1, Connection: keep-alive for a 1.0 keep-alive client, close otherwise', async () => {
    const c = new RawClient(ts.port);
    c.write(get('/ascii'));
    const r11 = await c.readResponse();
    expect(r11.headers['keep-alive']).toBe('timeout=2');
    expect(r11.headers.connection).toBeUndefined();
    c.destroy();
    const c10 = new RawClient(ts.port);
    c10.write('GET /ascii HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const k10 = await c10.readResponse();
    expect(k10.headers.connection).toBe('keep-alive');
    c10.write('GET /ascii HTTP/1.0\r\n\r\n');
    const last = await c10.readResponse();
    expect(last.headers.connection).toBe('close');
    expect(await c10.waitEnd(1000)).toBe(true);
    const { data, closedByServer } = await rawExchange(ts.port, get('/ascii', 'Connection: close\r\n'));
    expect(parseRaw(data).headers.connection).toBe('close');
    expect(closedByServer).toBe(true);
  });

  test('contentType / contentCharset: charset appended to text/* only, replaceable, removable', async () => {
    const plain = await fetch(ts.url('/ctype'));
    expect(plain.headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    await plain.text();
    const latin = await fetch(ts.url('/charset'));
    expect(latin.headers.get('content-type')).toBe('text/plain; charset=ISO-8859-1');
    await latin.text();
    const csv = await fetch(ts.url('/nocharset'));
    expect(csv.headers.get('content-type')).toBe('text/csv');
    await csv.text();
  });

  test('allowCaching: Cache-Control: no-store by default, none when true', async () => {
    const def = await fetch(ts.url('/ascii'));
    expect(def.headers.get('cache-control')).toBe('no-store');
    await def.text();
    const cached = await fetch(ts.url('/cache'));
    expect(cached.headers.get('cache-control')).toBeNull();
    await cached.text();
  });

  test('accessControlAllowOrigin sets Access-Control-Allow-Origin; none by default', async () => {
    const r = await fetch(ts.url('/acao'));
    expect(r.headers.get('access-control-allow-origin')).toBe('https://a.example');
    await r.text();
    const none = await fetch(ts.url('/ascii'), { headers: { Origin: 'https://x.example' } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
    await none.text();
  });

  test('server.allowAllOrigins echoes Origin with Vary: Origin; nothing without Origin', async () => {
    const cts = await startServer((srv) => {
      srv.allowAllOrigins = true;
      srv.registerRoute((_s, r) => r.response.returnOk('x'), 'GET', '/c');
    });
    const r = await fetch(cts.url('/c'), { headers: { Origin: 'https://site.example:8443' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('https://site.example:8443');
    expect(r.headers.get('vary')).toMatch(/\bOrigin\b/);
    await r.text();
    const { data } = await rawExchange(cts.port, get('/c', 'Connection: close\r\n'));
    expect(parseRaw(data).headers['access-control-allow-origin']).toBeUndefined();
    await cts.stop();
  });

  test('Date is present and IMF-fixdate, close to now; Server names the engine', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const r = await fetch(ts.url('/ascii'));
    await r.text();
    const date = r.headers.get('date')!;
    expect(date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const t = Date.parse(date);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now() + 1000);
    expect(r.headers.get('server')).toBe('MicroWebSrv-TS');
  });

  test('Date on error responses too (404)', async () => {
    const r = await fetch(ts.url('/missing'));
    expect(r.status).toBe(404);
    expect(r.headers.get('date')).toMatch(/ GMT$/);
    await r.text();
  });
});

describe('onSent', () => {
  async function onSentOnce(p: string): Promise<void> {
    sentCalls.length = 0;
    const t0 = Date.now();
    const r = await fetch(ts.url(p));
    expect(r.status).toBe(200);
    await r.text();
    await sleep(100);
    expect(sentCalls.length).toBe(1);
    expect(sentCalls[0].server).toBe(ts.srv);
    expect(sentCalls[0].resp.statusCode).toBe(200);
    expect(sentCalls[0].resp.finished).toBe(true);
    expect(sentCalls[0].at).toBeGreaterThanOrEqual(t0);
  }

  test('called once after an ASCII response was sent, with (server, response)', async () => {
    await onSentOnce('/onsent-text');
  });

  test('called once after a Buffer response was sent', async () => {
    await onSentOnce('/onsent-buffer');
  });

  test('called once after a non-ASCII string response was sent', async () => {
    await onSentOnce('/onsent-utf8');
  });
});
