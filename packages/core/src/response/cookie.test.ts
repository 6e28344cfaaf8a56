/**
 * Set-Cookie serialization: attribute syntax and validation (RFC 6265 §4.1.1, prefixes and SameSite as
 * browsers enforce them), then setCookie / clearCookie on a real server read back with fetch.
 */
import { serializeCookie, type CookieOptions } from '../index';
import { startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import { clearingCookie } from './cookie';

const invalid = (fragment: string) => expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining(fragment) });

describe('serializeCookie', () => {
  test('name=value alone; the value URI-encoded by default', () => {
    expect(serializeCookie('sid', 'abc123')).toBe('sid=abc123');
    expect(serializeCookie('msg', 'a b;c,d"é')).toBe('msg=a%20b%3Bc%2Cd%22%C3%A9');
    expect(serializeCookie('empty', '')).toBe('empty=');
  });

  test('every attribute, in a fixed order', () => {
    const opts: CookieOptions = {
      maxAge: 3600, expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)), domain: 'example.com', path: '/app',
      secure: true, httpOnly: true, sameSite: 'None', partitioned: true,
    };
    expect(serializeCookie('id', 'v', opts)).toBe(
      'id=v; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Domain=example.com; Path=/app; Secure; HttpOnly; SameSite=None; Partitioned');
  });

  test('false attributes are left out; sameSite in any case is written canonically', () => {
    expect(serializeCookie('a', 'b', { secure: false, httpOnly: false, partitioned: false, sameSite: 'lax' as 'Lax' })).toBe('a=b; SameSite=Lax');
    expect(serializeCookie('a', 'b', { sameSite: 'Strict', maxAge: 0 })).toBe('a=b; Max-Age=0; SameSite=Strict');
  });

  test('encode: a function of yours, or false for a raw value (checked as cookie-octets)', () => {
    expect(serializeCookie('a', 'x y', { encode: (v) => Buffer.from(v).toString('base64') })).toBe('a=eCB5');
    expect(serializeCookie('a', '"quoted"', { encode: false })).toBe('a="quoted"');
    expect(serializeCookie('a', '%zz', { encode: false })).toBe('a=%zz');
    expect(() => serializeCookie('a', 'x y', { encode: false })).toThrow(invalid('cookie a value must be cookie-octets'));
    expect(() => serializeCookie('a', 'x', { encode: () => 'a;b' })).toThrow(invalid('cookie a value'));
    expect(() => serializeCookie('a', 'x', { encode: true as unknown as false })).toThrow(invalid('cookie encode'));
  });

  test.each([
    ['', 'cookie name'], ['a b', 'cookie name'], ['a=b', 'cookie name'], ['a;b', 'cookie name'], ['é', 'cookie name'], [7, 'cookie name'],
  ])('a name that is not a token is refused: %p', (name, what) => {
    expect(() => serializeCookie(name as string, 'v')).toThrow(invalid(what));
  });

  test.each<[string, CookieOptions]>([
    ['cookie maxAge', { maxAge: 1.5 }],
    ['cookie maxAge', { maxAge: -1 }],
    ['cookie maxAge', { maxAge: '60' as unknown as number }],
    ['cookie expires', { expires: new Date('nope') }],
    ['cookie expires', { expires: 'Wed, 02 Jan 2030' as unknown as Date }],
    ['cookie path', { path: '/a;b' }],
    ['cookie path', { path: '/a\r\nX: y' }],
    ['cookie path', { path: 'relative' }],
    ['cookie path', { path: '/é' }],
    ['cookie domain', { domain: 'example.com; Secure' }],
    ['cookie domain', { domain: 'exa mple.com' }],
    ['cookie domain', { domain: '-bad.com' }],
    ['cookie secure', { secure: 'yes' as unknown as boolean }],
    ['cookie httpOnly', { httpOnly: 1 as unknown as boolean }],
    ['cookie sameSite', { sameSite: 'Sometimes' as 'Lax' }],
    ['cookie sameSite', { sameSite: 'None' }],
    ['cookie partitioned', { partitioned: true }],
    ['cookie option maxage', { maxage: 5 } as CookieOptions],
  ])('%s: misuse is refused (%p)', (what, opts) => {
    expect(() => serializeCookie('a', 'b', opts)).toThrow(invalid(what));
  });

  test('SameSite=None and Partitioned are fine with Secure', () => {
    expect(serializeCookie('a', 'b', { sameSite: 'None', secure: true })).toBe('a=b; Secure; SameSite=None');
    expect(serializeCookie('a', 'b', { partitioned: true, secure: true })).toBe('a=b; Secure; Partitioned');
  });

  test('prefixes: __Secure- needs secure; __Host- needs secure, path / and no domain', () => {
    expect(() => serializeCookie('__Secure-id', 'v')).toThrow(invalid('cookie secure (for __Secure-id)'));
    expect(serializeCookie('__Secure-id', 'v', { secure: true })).toBe('__Secure-id=v; Secure');
    expect(() => serializeCookie('__host-id', 'v', { secure: true, path: '/', domain: 'a.com' })).toThrow(invalid('cookie domain (for __host-id)'));
    expect(() => serializeCookie('__Host-id', 'v', { secure: true })).toThrow(invalid('cookie path (for __Host-id)'));
    expect(serializeCookie('__Host-id', 'v', { secure: true, path: '/' })).toBe('__Host-id=v; Path=/; Secure');
  });

  test('a name and value over 4096 bytes is refused (browsers drop it)', () => {
    expect(serializeCookie('a', 'x'.repeat(4095))).toHaveLength(4097);
    expect(() => serializeCookie('a', 'x'.repeat(4096))).toThrow(invalid('at most 4096 bytes'));
  });

  test('clearing: empty value, Max-Age=0, Expires in 1970, path and domain kept', () => {
    expect(clearingCookie('sid', { path: '/', domain: 'example.com' })).toBe('sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; Path=/');
    expect(() => clearingCookie('sid', null as unknown as CookieOptions)).toThrow(invalid('cookie options'));
  });
});

describe('setCookie / clearCookie on a real server', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer((srv) => {
      srv.registerRoute((_s, req) => {
        const r = req.response;
        r.setCookie('session', 'a b', { httpOnly: true, sameSite: 'Lax', path: '/' });
        r.setCookie('theme', 'dark', { maxAge: 60 });
        r.clearCookie('old', { path: '/' });
        r.returnOk('ok');
      }, 'GET', '/set');
      srv.registerRoute((_s, req) => {
        try { req.response.setCookie('bad', 'v', { sameSite: 'None' }); } catch (err) { req.response.returnBadRequest((err as Error).message); return; }
        req.response.returnOk('not refused');
      }, 'GET', '/bad');
      srv.registerRoute((_s, req) => req.response.returnOkJSON(req.cookies), 'GET', '/echo');
    });
  });
  afterAll(stopAll);

  test('each cookie is its own Set-Cookie field', async () => {
    const r = await fetch(ts.url('/set'));
    expect(r.status).toBe(200);
    await r.text();
    expect(r.headers.getSetCookie()).toEqual([
      'session=a%20b; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Max-Age=60',
      'old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/',
    ]);
  });

  test('the encoded value comes back decoded in request.cookies', async () => {
    const set = (await fetch(ts.url('/set'))).headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(await (await fetch(ts.url('/echo'), { headers: { Cookie: set } })).json()).toEqual({ session: 'a b', theme: 'dark', old: '' });
  });

  test('misuse throws in the handler, naming the attribute', async () => {
    const r = await fetch(ts.url('/bad'));
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('cookie sameSite must be');
  });
});
