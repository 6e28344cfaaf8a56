/** HttpRequest without a server: a head parsed by the real parser, a literal origin. */
import { MwsError } from '../base/errors';
import { makeRequest, parseHead } from '../__tests__/recording-sink';
import { LAST_GENERATION } from '../response/response-state';
import { HttpRequest } from './http-request';
import { kHead, kRetireRequest } from './internals';

const GET = (target: string, fields = ''): string => `GET ${target} HTTP/1.1\r\nHost: example.test\r\n${fields}\r\n`;

test('the request line: method, decoded path, raw path, query', () => {
  const { req } = makeRequest(GET('/caf%C3%A9/a%2Fb?x=1&y=h%C3%A9+llo&x=2'));
  expect(req.method).toBe('GET');
  expect(req.path).toBe('/café/a/b');
  expect(req.rawPath).toBe('/caf%C3%A9/a%2Fb');
  expect(req.queryString).toBe('x=1&y=h%C3%A9+llo&x=2');
  expect(req.queryParams).toEqual({ x: '2', y: 'hé llo' });
  expect(req.httpVer).toBe('1.1');
  expect(req.host).toBe('example.test');
});

test('fields: case-insensitive, repeated ones joined (cookies with "; ")', () => {
  const { req } = makeRequest(GET('/', 'X-A: 1\r\nx-a: 2\r\nCookie: a=1\r\nCookie: b=%20x\r\nContent-Type: Application/JSON; charset=utf-8\r\n'));
  expect(req.getHeader('X-A')).toBe('1, 2');
  expect(req.headers['x-a']).toBe('1, 2');
  expect(req.cookies).toEqual({ a: '1', b: ' x' });
  expect(req.contentType).toBe('application/json');
  expect(req.getHeader('missing')).toBeUndefined();
});

test('the origin: user address, SSL, the server', () => {
  const { req, origin } = makeRequest(GET('/'));
  expect(req.userAddress).toEqual(['192.0.2.7', 4242]);
  expect(req.isSSL).toBe(false);
  expect(req.server).toBe(origin.server);
});

test('the body: text, JSON (malformed → ERR_MWS_BAD_JSON), URL-encoded form', () => {
  const json = makeRequest('POST /j HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{"a":[1]}').req;
  expect(json.getPostedJSONObject()).toEqual({ a: [1] });
  expect(json.contentLength).toBe(9);
  const bad = makeRequest('POST /j HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{x}').req;
  expect(() => bad.getPostedJSONObject()).toThrow(MwsError);
  try { bad.getPostedJSONObject(); } catch (e) { expect((e as MwsError).code).toBe('ERR_MWS_BAD_JSON'); }
  const form = makeRequest('POST /f HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nn=Ada&m=%21').req;
  expect(form.getPostedURLEncodedForm()).toEqual({ n: 'Ada', m: '!' });
  expect(makeRequest(GET('/')).req.content.length).toBe(0);
});

test('Basic and Bearer credentials, compared exactly', () => {
  const basic = makeRequest(GET('/', `Authorization: Basic ${Buffer.from('ada:pa:ss').toString('base64')}\r\n`)).req;
  expect(basic.checkBasicAuth('ada', 'pa:ss')).toBe(true);
  expect(basic.checkBasicAuth('Ada', 'pa:ss')).toBe(false);
  expect(basic.basicAuthUser).toBe('ada');
  const bearer = makeRequest(GET('/', 'Authorization: Bearer t0k3n\r\n')).req;
  expect(bearer.checkBearerAuth('t0k3n')).toBe(true);
  expect(bearer.checkBearerAuth('t0k3')).toBe(false);
});

test('keep-alive and upgrade flags follow the head (HTTP/1.0 closes unless asked)', () => {
  expect(makeRequest(GET('/')).req.isKeepAlive).toBe(true);
  expect(makeRequest('GET / HTTP/1.0\r\n\r\n').req.isKeepAlive).toBe(false);
  const up = makeRequest(GET('/', 'Connection: Upgrade\r\nUpgrade: websocket\r\n')).req;
  expect(up.isUpgrade).toBe(true);
  expect(up.upgrade).toBe('websocket');
});

test('detachConnection asks the origin once and marks the response finished', () => {
  const { req, origin } = makeRequest(GET('/'));
  req.detachConnection();
  expect(origin.detached).toBe(1);
  expect(req.response.finished).toBe(true);
  expect(req.response.started).toBe(true);
});

describe('a retired request\'s state serves the next one, and generations tell who owns it', () => {
  // kRetireRequest is what the connection calls on a request answered during its handler.
  const retire = (r: HttpRequest): ReturnType<HttpRequest[typeof kRetireRequest]> => r[kRetireRequest]();
  const staleCode = (fn: () => unknown): string | undefined => {
    try { fn(); } catch (e) { return (e as MwsError).code; }
    return undefined;
  };

  test('the old request and response throw ERR_MWS_STALE; the new ones read their own values', () => {
    const { req: a, sink, origin } = makeRequest(GET('/a'));
    a.response.statusCode = 201;
    const spare = retire(a);
    expect(spare).not.toBeNull();
    expect(staleCode(() => a.method)).toBe('ERR_MWS_STALE'); // retired: nobody owns the state yet
    const b = new HttpRequest(origin, parseHead(GET('/b')).head, sink, spare);
    expect(b.rawPath).toBe('/b');
    expect(b.response.statusCode).toBe(0); // a reset response state
    expect(b.response.request).toBe(b);
    expect(staleCode(() => a.rawPath)).toBe('ERR_MWS_STALE');
    expect(staleCode(() => a.response.statusCode)).toBe('ERR_MWS_STALE');
    expect(staleCode(() => a.response.request)).toBe('ERR_MWS_STALE');
    // The stages' internal read of the head checks the owner as the getters do.
    expect(b[kHead]().path).toBe('/b');
    expect(staleCode(() => a[kHead]())).toBe('ERR_MWS_STALE');
    // Retiring a stale request again leaves the state to its owner, and gives nothing to reuse.
    expect(retire(a)).toBeNull();
    expect(b.rawPath).toBe('/b');
    expect(b.response.request).toBe(b);
  });

  test('a state at its last generation is not reused: the next request gets a fresh one, the old stay stale', () => {
    const { req: a, sink, origin } = makeRequest(GET('/a'));
    // Poke the generations to the limit (tests only: 2^30 requests on one state would take hours).
    const st = (a as any)._st;
    const rst = (a.response as any)._st;
    st.gen = LAST_GENERATION - 1; (a as any)._gen = LAST_GENERATION - 1;
    rst.gen = LAST_GENERATION - 1; (a.response as any)._gen = LAST_GENERATION - 1;
    expect(a.rawPath).toBe('/a');
    const b = new HttpRequest(origin, parseHead(GET('/b')).head, sink, retire(a));
    expect((b as any)._st).not.toBe(st);
    expect((b.response as any)._st).not.toBe(rst);
    expect(b.rawPath).toBe('/b');
    expect(staleCode(() => a.rawPath)).toBe('ERR_MWS_STALE');
    expect(staleCode(() => a.response.statusCode)).toBe('ERR_MWS_STALE');
  });
});
