/**
 * Single-handler mode (picohttp's `HttpServer(port, handler, args)`): `setRequestHandler`, its place in
 * the pipeline (what nothing else answered; everything when nothing else is configured), extra
 * arguments, return values, errors, misuse, and the picohttp request view.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv, MwsError, type HttpRequest, type HttpResponse } from '../index';
import { rawExchange, parseRaw, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

function thrown(f: () => unknown): MwsError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(MwsError); return e as MwsError; }
  throw new Error('did not throw');
}

describe('setRequestHandler: where the handler sits', () => {
  test('with nothing else configured it takes every request, any method and path, with its extra arguments', async () => {
    const db = { name: 'db' };
    const cfg = { greeting: 'hi' };
    const seen: string[] = [];
    const t = await startServer((srv) => {
      srv.setRequestHandler((req: HttpRequest, res: HttpResponse, d: typeof db, c: typeof cfg) => {
        seen.push(`${req.method} ${req.rawPath}`);
        res.returnOkJSON({ db: d.name, greeting: c.greeting, path: req.picoView.path });
      }, db, cfg);
    });
    expect(t.srv.stageNames).toEqual(['access', 'routes', 'static', 'options', 'handler', 'fallback']);
    for (const [method, p] of [['GET', '/'], ['POST', '/a/b'], ['DELETE', '/x'], ['OPTIONS', '/y'], ['PATCH', '/index.html']]) {
      const r = await fetch(t.url(p), { method, body: method === 'POST' || method === 'PATCH' ? 'x' : undefined });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ db: 'db', greeting: 'hi', path: p === '/' ? [] : p.slice(1).split('/') });
    }
    expect(seen).toEqual(['GET /', 'POST /a/b', 'DELETE /x', 'OPTIONS /y', 'PATCH /index.html']);
  });

  test('routes, modules, access checks, OPTIONS answers and static files (rootPath set) come first; the handler takes the rest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-handler-'));
    fs.writeFileSync(path.join(dir, 'file.txt'), 'from disk');
    class Stats { onRequest(_s: unknown, req: HttpRequest) { if (req.path === '/stats') req.response.returnOkJSON({ module: true }); } }
    try {
      const t = await startServer((srv) => {
        srv.rootPath = dir;
        srv.loadModule(Stats);
        srv.onAccessCheck = (_s, req) => req.path !== '/secret';
        srv.registerRoute(() => 'route', 'GET', '/route');
        srv.setRequestHandler((req) => `handler ${req.method} ${req.path}`);
      });
      expect(t.srv.stageNames).toEqual(['access', 'module:Stats', 'routes', 'static', 'options', 'handler', 'fallback']);
      expect(await (await fetch(t.url('/route'))).text()).toBe('route');
      expect(await (await fetch(t.url('/stats'))).json()).toEqual({ module: true });
      expect(await (await fetch(t.url('/file.txt'))).text()).toBe('from disk');
      expect((await fetch(t.url('/secret'))).status).toBe(403);
      const opt = await fetch(t.url('/route'), { method: 'OPTIONS' });
      expect([opt.status, opt.headers.get('allow')]).toEqual([204, 'GET, HEAD, OPTIONS']);
      // What nothing answered: an absent file, another method on a route's path, an unknown path.
      expect(await (await fetch(t.url('/absent.txt'))).text()).toBe('handler GET /absent.txt');
      expect(await (await fetch(t.url('/route'), { method: 'POST', body: '' })).text()).toBe('handler POST /route');
      expect(await (await fetch(t.url('/a%20b'))).text()).toBe('handler GET /a b');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without rootPath set, the default www folder is not served before the handler (it serves files itself)', async () => {
    const cwd = process.cwd();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-handler-cwd-'));
    fs.mkdirSync(path.join(dir, 'www'));
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), 'static');
    process.chdir(dir);
    try {
      const t = await startServer((srv) => srv.setRequestHandler(() => 'handler'));
      expect(await (await fetch(t.url('/index.html'))).text()).toBe('handler');
      await t.stop();
      const plain = await startServer();
      expect(await (await fetch(plain.url('/index.html'))).text()).toBe('static');
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('MicroWebSrv.withHandler(handler, args): picohttp\'s constructor shape', async () => {
    const srv = MicroWebSrv.withHandler((req, res, n: number) => { res.returnOk(`n=${n}`); }, [42]);
    srv.onLogging = () => {};
    srv.bindAddress = ['127.0.0.1', 0];
    await srv.startManaged();
    try {
      expect(await (await fetch(`http://127.0.0.1:${srv.address[1]}/anything`)).text()).toBe('n=42');
      expect(srv.requestHandler?.args).toEqual([42]);
    } finally {
      await srv.stop();
    }
  });
});

describe('setRequestHandler: answers', () => {
  test('return values are answered as a route\'s; async handlers; nothing → 501; a throw → 500 and an ERROR line', async () => {
    const t = await startServer((srv) => {
      srv.setRequestHandler(async (req) => {
        await new Promise((r) => setTimeout(r, 5));
        switch (req.path) {
          case '/html': return '<p>x</p>';
          case '/json': return { a: 1 };
          case '/tuple': return ['made', 201, 'text/plain'];
          case '/nothing': return undefined;
          case '/throw': throw new Error('boom');
          default: return Buffer.from('bytes');
        }
      });
    });
    const html = await fetch(t.url('/html'));
    expect([html.status, html.headers.get('content-type'), await html.text()]).toEqual([200, 'text/html; charset=UTF-8', '<p>x</p>']);
    expect(await (await fetch(t.url('/json'))).json()).toEqual({ a: 1 });
    const tuple = await fetch(t.url('/tuple'));
    expect([tuple.status, await tuple.text()]).toEqual([201, 'made']);
    expect((await fetch(t.url('/nothing'))).status).toBe(501);
    expect((await fetch(t.url('/throw'))).status).toBe(500);
    expect(t.logs.some((l) => l.type === 'ERROR' && l.msg.includes('setRequestHandler') && l.msg.includes('boom'))).toBe(true);
    expect(await (await fetch(t.url('/bin'))).text()).toBe('bytes');
  });

  test('more than three extra arguments reach the handler in order', async () => {
    const t = await startServer((srv) => srv.setRequestHandler((_q, res, a: number, b: number, c: number, d: number, e: number) => { res.returnOkJSON([a, b, c, d, e]); }, 1, 2, 3, 4, 5));
    expect(await (await fetch(t.url('/'))).json()).toEqual([1, 2, 3, 4, 5]);
  });

  test('pipelined requests to a sync handler are answered in order on one connection', async () => {
    const t = await startServer((srv) => srv.setRequestHandler((req, res) => { res.returnOk(req.path); }));
    const raw = await rawExchange(t.port, 'GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw.data.toString('latin1').match(/\r\n\r\n\/\d/g)).toEqual(['\r\n\r\n/1', '\r\n\r\n/2', '\r\n\r\n/3']);
  });

  test('replaced by a second call, removed by null (then the fallback 404 answers)', async () => {
    const srv = new MicroWebSrv();
    srv.setRequestHandler(() => 'one');
    srv.setRequestHandler(() => 'two');
    expect(srv.stageNames.filter((n) => n === 'handler')).toHaveLength(1);
    srv.setRequestHandler(null);
    expect(srv.stageNames).not.toContain('handler');
    expect(srv.requestHandler).toBeNull();
    const t = await startServer((s) => { s.setRequestHandler(() => 'x'); s.setRequestHandler(null); });
    expect((await fetch(t.url('/none'))).status).toBe(404);
  });
});

describe('setRequestHandler: misuse throws at once', () => {
  test('a handler that is not a function; args that are not an array; while running; a stage already named handler', async () => {
    const srv = new MicroWebSrv();
    const e1 = thrown(() => srv.setRequestHandler('nope' as never));
    expect(e1.code).toBe('ERR_MWS_INVALID_OPTION');
    expect(e1.message).toMatch(/setRequestHandler handler must be a function/);
    const e2 = thrown(() => MicroWebSrv.withHandler(() => 'x', 'db' as never));
    expect(e2.message).toMatch(/withHandler args must be an array/);
    expect(thrown(() => MicroWebSrv.withHandler(42 as never)).message).toMatch(/withHandler handler must be a function/);
    const other = new MicroWebSrv();
    other.addStage({ name: 'handler', run: () => false });
    expect(thrown(() => other.setRequestHandler(() => 'x')).code).toBe('ERR_MWS_ROUTE_DUPLICATE');
    const t = await startServer();
    expect(thrown(() => t.srv.setRequestHandler(() => 'x')).code).toBe('ERR_MWS_RUNNING');
  });
});

describe('request.picoView (picohttp\'s request)', () => {
  test('path segments decoded one by one (%2F stays inside), query dict, protocol, headers, data', async () => {
    let view: unknown = null;
    const t = await startServer((srv) => srv.setRequestHandler((req) => { view = req.picoView; expect(req.picoView).toBe(view); return 'ok'; }));
    const raw = await rawExchange(t.port, 'POST /a/b%2Fc/%E2%82%AC/?x=1&y=a+b&x=2 HTTP/1.0\r\nHost: h\r\nX-Thing: v\r\nContent-Length: 4\r\n\r\nbody');
    expect(parseRaw(raw.data).status).toBe(200);
    const v = view as { method: string; path: string[]; query: Record<string, string>; protocol: string; headers: Record<string, string>; data: Buffer };
    expect(v.method).toBe('POST');
    expect(v.path).toEqual(['a', 'b/c', '€', '']);
    expect({ ...v.query }).toEqual({ x: '2', y: 'a b' });
    expect(v.protocol).toBe('HTTP/1.0');
    expect(v.headers['x-thing']).toBe('v');
    expect(v.data.toString()).toBe('body');
    expect(Object.isFrozen(v) && Object.isFrozen(v.path)).toBe(true);
  });
});
