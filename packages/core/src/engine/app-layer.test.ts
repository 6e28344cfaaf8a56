import { get, RawClient, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

describe('handler return values (Thimble style)', () => {
  test('string → 200 text/html, object → JSON, tuple → status and type, Buffer → octet-stream, nothing → 501', async () => {
    const ts = await startServer((s) => {
      s.registerRoute(() => '<b>hi</b>', 'GET', '/s');
      s.registerRoute(async () => ({ a: 1 }), 'GET', '/o');
      s.registerRoute(() => ['created', 201, 'text/plain'], 'POST', '/t');
      s.registerRoute(() => [{ error: 'nope' }, 422], 'GET', '/t2');
      s.registerRoute(() => Buffer.from([1, 2, 3]), 'GET', '/b');
      s.registerRoute(() => [1, 2, 3], 'GET', '/arr');
      s.registerRoute(() => undefined, 'GET', '/none');
    });
    const s = await fetch(ts.url('/s'));
    expect([s.status, s.headers.get('content-type'), await s.text()]).toEqual([200, 'text/html; charset=UTF-8', '<b>hi</b>']);
    const o = await fetch(ts.url('/o'));
    expect([o.status, o.headers.get('content-type'), await o.json()]).toEqual([200, 'application/json', { a: 1 }]);
    const t = await fetch(ts.url('/t'), { method: 'POST' });
    expect([t.status, t.headers.get('content-type'), await t.text()]).toEqual([201, 'text/plain; charset=UTF-8', 'created']);
    const t2 = await fetch(ts.url('/t2'));
    expect([t2.status, await t2.json()]).toEqual([422, { error: 'nope' }]);
    const b = await fetch(ts.url('/b'));
    expect([b.headers.get('content-type'), [...new Uint8Array(await b.arrayBuffer())]]).toEqual(['application/octet-stream', [1, 2, 3]]);
    expect(await (await fetch(ts.url('/arr'))).json()).toEqual([1, 2, 3]); // not a tuple: JSON
    expect((await fetch(ts.url('/none'))).status).toBe(501);
  });
});

describe('CORS', () => {
  test('corsAllowAll answers a pre-flight as asked, with a wildcard origin and no credentials', async () => {
    const ts = await startServer((s) => {
      s.corsAllowAll = true;
      s.registerRoute(() => 'ok', 'PUT', '/api');
    });
    const r = await fetch(ts.url('/api'), { method: 'OPTIONS', headers: { Origin: 'https://a.example', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'x-token, content-type' } });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('access-control-allow-methods')).toBe('PUT');
    expect(r.headers.get('access-control-allow-headers')).toBe('x-token, content-type');
    expect(r.headers.get('access-control-max-age')).toBe('86400');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const actual = await fetch(ts.url('/api'), { method: 'PUT', headers: { Origin: 'https://a.example' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('with allowAllOrigins the origin is echoed with Vary: Origin, and credentials are allowed', async () => {
    const ts = await startServer((s) => {
      s.corsAllowAll = true;
      s.allowAllOrigins = true;
      s.registerRoute(() => 'ok', 'POST', '/api');
    });
    const r = await fetch(ts.url('/api'), { method: 'OPTIONS', headers: { Origin: 'https://b.example', 'Access-Control-Request-Method': 'POST' } });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    expect(r.headers.get('vary')).toMatch(/Origin/);
  });

  test('without corsAllowAll: OPTIONS on a known path → 204 with Allow; unknown path → 404', async () => {
    const ts = await startServer((s) => s.registerRoute(() => 'ok', 'GET', '/g'));
    const r = await fetch(ts.url('/g'), { method: 'OPTIONS' });
    expect([r.status, r.headers.get('allow')]).toEqual([204, 'GET, HEAD, OPTIONS']);
    expect((await fetch(ts.url('/nothing'), { method: 'OPTIONS' })).status).toBe(404);
  });
});

describe('server-wide access control', () => {
  test('requireBasicAuth: 401 with the realm without credentials, through with them (also before modules)', async () => {
    const ts = await startServer((s) => {
      s.requireBasicAuth('admin', 'pa:ss', 'Device');
      s.registerRoute(() => 'secret', 'GET', '/s');
    });
    const no = await fetch(ts.url('/s'));
    expect([no.status, no.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="Device"']);
    const bad = await fetch(ts.url('/s'), { headers: { Authorization: 'Basic ' + Buffer.from('admin:wrong').toString('base64') } });
    expect(bad.status).toBe(401);
    const ok = await fetch(ts.url('/s'), { headers: { Authorization: 'Basic ' + Buffer.from('admin:pa:ss').toString('base64') } });
    expect([ok.status, await ok.text()]).toEqual([200, 'secret']);
    expect(() => ts.srv.requireBasicAuth('a:b', 'x')).toThrow(/without ':'/);
  });

  test('onAccessCheck: false → 403, true → through, async checks awaited, a check may answer itself', async () => {
    const ts = await startServer((s) => {
      s.onAccessCheck = async (_s, req) => {
        if (req.path === '/teapot') { req.response.return(418, 'short and stout'); return false; }
        return req.getHeader('x-key') === 'k';
      };
      s.registerRoute(() => 'in', 'GET', '/in');
    });
    expect((await fetch(ts.url('/in'))).status).toBe(403);
    expect(await (await fetch(ts.url('/in'), { headers: { 'x-key': 'k' } })).text()).toBe('in');
    const t = await fetch(ts.url('/teapot'));
    expect([t.status, await t.text()]).toEqual([418, 'short and stout']);
  });

  test('a denied request keeps the keep-alive connection usable', async () => {
    const ts = await startServer((s) => {
      s.onAccessCheck = (_s, req) => req.path !== '/no';
      s.registerRoute(() => 'yes', 'GET', '/yes');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(get('/no') + get('/yes'));
    expect((await c.readResponse()).status).toBe(403);
    const second = await c.readResponse();
    expect([second.status, second.body.toString()]).toEqual([200, 'yes']);
    c.destroy();
  });
});
