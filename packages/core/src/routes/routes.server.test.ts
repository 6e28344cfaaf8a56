import { globalRoutes, registerRoute, RouteTable, WebRoute, type HttpRequest, type MicroWebSrv } from '../index';
import { get, RawClient, startServer, stopAll } from '../__tests__/server-harness';

// The router over real sockets: what a client sees for each routing rule.
afterEach(stopAll);

describe('routes over HTTP', () => {
  test('arguments: integer-looking values arrive as numbers, case and "-" preserved, %2F stays in the argument', async () => {
    const seen: unknown[] = [];
    const ts = await startServer((s) => {
      s.registerRoute((_s, _r, args) => { seen.push(args); return args; }, 'GET', '/users/<id>/files/<name>');
    });
    const r = await fetch(ts.url('/users/42/files/My-File%2FPart.TXT'));
    expect(await r.json()).toEqual({ id: 42, name: 'My-File/Part.TXT' });
    expect(typeof (seen[0] as { id: unknown }).id).toBe('number');
    expect((await fetch(ts.url('/Users/42/files/x'))).status).toBe(404); // matching is case-preserving
  });

  test('typed macros: a mismatch is a non-match (another route may take it, else 404)', async () => {
    const ts = await startServer((s) => {
      s.registerRoute((_s, _r, a) => ['int ' + a.n, 200, 'text/plain'], 'GET', '/n/<n:int>');
      s.registerRoute((_s, _r, a) => ['float ' + a.x, 200, 'text/plain'], 'GET', '/n/<x:float>');
      s.registerRoute((_s, _r, a) => ['rest ' + a.rest, 200, 'text/plain'], 'GET', '/files/<rest:path>');
    });
    expect(await (await fetch(ts.url('/n/7'))).text()).toBe('int 7');
    expect(await (await fetch(ts.url('/n/2.5'))).text()).toBe('float 2.5');
    expect((await fetch(ts.url('/n/abc'))).status).toBe(404);
    expect(await (await fetch(ts.url('/files/a/b/c.txt'))).text()).toBe('rest a/b/c.txt');
  });

  test('a request with a body is matched once when a route has body options (the match made at its head is the one served)', async () => {
    const ts = await startServer((s) => {
      s.registerRoute(async (_s, r, a) => {
        let n = 0;
        for await (const chunk of r.body) n += (chunk as Buffer).length;
        return [`${a.id} ${n}`, 200, 'text/plain'];
      }, 'PUT', '/up/<id:int>', { body: 'stream', maxBodyBytes: 1000 });
      s.registerRoute((_s, r, a) => [`post ${a.name} ${r.content.length}`, 200, 'text/plain'], 'POST', '/form/<name>');
      s.registerRoute(() => 'got', 'GET', '/plain');
    });
    // The one walk of the table: counted (the real one runs).
    const walks = jest.spyOn(RouteTable.prototype as unknown as { _entry(): unknown }, '_entry');
    try {
      const streamed = await fetch(ts.url('/up/7'), { method: 'PUT', body: 'x'.repeat(300) });
      expect(await streamed.text()).toBe('7 300');
      expect(walks).toHaveBeenCalledTimes(1);
      walks.mockClear();
      // A buffered body (its route has no options) is dispatched at its end, with the match of its head.
      expect(await (await fetch(ts.url('/form/a%20b'), { method: 'POST', body: 'abc' })).text()).toBe('post a b 3');
      expect(walks).toHaveBeenCalledTimes(1);
      walks.mockClear();
      // No route for it: the absence is carried too (then the 405 / 404 fallback, which lists methods).
      expect((await fetch(ts.url('/up/7'), { method: 'POST', body: 'abc' })).status).toBe(405);
      expect((await fetch(ts.url('/nowhere'), { method: 'POST', body: 'abc' })).status).toBe(404);
      expect(walks).toHaveBeenCalledTimes(4); // one match each: the server's table, then the global one
      walks.mockClear();
      // GET is matched by the routes stage as before: once.
      expect(await (await fetch(ts.url('/plain'))).text()).toBe('got');
      expect(walks).toHaveBeenCalledTimes(1);
    } finally {
      walks.mockRestore();
    }
  });

  test('HEAD uses the GET route without a body; other methods on a known path get 405 with Allow', async () => {
    const ts = await startServer((s) => {
      s.registerRoute(() => 'hello body', 'GET', '/item/<id>');
      s.registerRoute(() => 'deleted', 'DELETE', '/item/<id>');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(`HEAD /item/1 HTTP/1.1\r\nHost: x\r\n\r\n` + get('/item/1', '', '1.1').replace('GET', 'PUT'));
    const head = await c.readResponse({ noBody: true });
    expect([head.status, head.headers['content-length']]).toEqual([200, '10']);
    const put = await c.readResponse();
    expect(put.status).toBe(405);
    expect(String(put.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    c.destroy();
  });

  test('pathFromRoute builds encoded paths that route back to the same arguments', async () => {
    const ts = await startServer((s) => {
      s.registerRoute((_s, _r, a) => a, 'GET', '/docs/<Section>/<page>', 'doc');
    });
    const p = ts.srv.pathFromRoute('doc', { section: 'a b/c', PAGE: 'é?' });
    expect(p).toBe('/docs/a%20b%2Fc/%C3%A9%3F');
    expect(await (await fetch(ts.url(p))).json()).toEqual({ Section: 'a b/c', page: 'é?' });
    expect(() => ts.srv.pathFromRoute('doc', { section: 'x' })).toThrow(/page/);
  });

  test('global routes (registerRoute, @WebRoute) serve every server; a server\'s own route wins', async () => {
    class Api {
      @WebRoute('GET', '/global-test/hello/<who>', 'global-hello')
      static hello(_s: MicroWebSrv, _r: HttpRequest, args: Record<string, unknown>): string { return `hello ${String(args.who)}`; }
    }
    void Api;
    registerRoute(() => 'global ping', 'GET', '/global-test/ping'); // jest isolates modules per file: no leak
    {
      const a = await startServer();
      const b = await startServer((s) => s.registerRoute(() => 'own ping', 'GET', '/global-test/ping'));
      expect(await (await fetch(a.url('/global-test/hello/Ann'))).text()).toBe('hello Ann');
      expect(await (await fetch(a.url('/global-test/ping'))).text()).toBe('global ping');
      expect(await (await fetch(b.url('/global-test/ping'))).text()).toBe('own ping');
      expect(b.srv.pathFromRoute('global-hello', { who: 'Bo b' })).toBe('/global-test/hello/Bo%20b');
      expect(globalRoutes.size).toBeGreaterThanOrEqual(2);
    }
  });
});
