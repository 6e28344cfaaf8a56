import { mkdtempSync, rmSync, writeFileSync, utimesSync, mkdirSync, copyFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { MicroWebSrv } from '@microwebsrv/core';
import { TemplatePages, type TemplatePagesOptions } from './template-pages';

let dir: string;
let srv: MicroWebSrv;
let mod: TemplatePages;
let base: string;

function put(name: string, text: string): void {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

async function start(options: TemplatePagesOptions = {}, setup?: (s: MicroWebSrv, m: TemplatePages) => void): Promise<void> {
  srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'ERROR';
  srv.rootPath = dir;
  // Errors are logged at ERROR on purpose in some tests: keep the test output quiet.
  (srv as unknown as { _log: () => void })._log = () => undefined;
  mod = srv.loadModule(TemplatePages, options);
  setup?.(srv, mod);
  await srv.startManaged();
  base = `http://127.0.0.1:${srv.address[1]}`;
}

beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'mws-tpl-')); });
afterEach(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(p: string, init?: RequestInit): Promise<{ status: number; body: string; type: string | null; headers: Headers }> {
  const r = await fetch(base + p, init);
  return { status: r.status, body: await r.text(), type: r.headers.get('content-type'), headers: r.headers };
}

/** Status of a GET sent byte for byte (no client-side path normalisation). */
function rawStatus(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(srv.address[1] as number, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => { data += d.toString('latin1'); });
    sock.on('error', reject);
    sock.on('close', () => resolve(Number(data.split(' ')[1])));
    sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

describe('TemplatePages: serving pages', () => {
  test('GET renders a .jshtml page with the request; HEAD sends the head only', async () => {
    put('a/page.jshtml', '<p>{{ request.method }} {{ request.path }} {{ request.queryParams.x }}</p>');
    await start();
    const r = await get('/a/page.jshtml?x=%3Cb%3E');
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/html; charset=UTF-8');
    expect(r.body).toBe('<p>GET /a/page.jshtml &lt;b&gt;</p>');
    const h = await get('/a/page.jshtml', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.body).toBe('');
    expect(h.headers.get('content-length')).toBe(String(Buffer.byteLength('<p>HEAD /a/page.jshtml </p>')));
  });

  test('a value holding <script> shows as text', async () => {
    put('x.jshtml', '{{ request.queryParams.q }}|{{{ "<i>ok</i>" }}}');
    await start();
    const r = await get('/x.jshtml?q=' + encodeURIComponent('<script>alert(1)</script>'));
    expect(r.body).toBe('&lt;script&gt;alert(1)&lt;/script&gt;|<i>ok</i>');
  });

  test('native .eta pages; a configurable extension', async () => {
    put('n.eta', '<%= it.request.method %> <%= it.g %> <%= "<" %>');
    put('p.tpl', '{{ g }}');
    put('q.jshtml', 'not a page here');
    await start({ extension: '.tpl', globals: { g: 'G' } });
    expect((await get('/n.eta')).body).toBe('GET G &lt;');
    expect((await get('/p.tpl')).body).toBe('G');
    // Not a page with extension '.tpl': a static file of unknown type, never rendered (core sends it as
    // application/octet-stream, or refuses it with staticUnknownType 'refuse').
    const q = await get('/q.jshtml');
    expect([q.type, q.body]).toEqual(['application/octet-stream', 'not a page here']);
  });

  test('absent pages, traversal and dotfiles are refused as the static module does', async () => {
    put('.hidden.jshtml', 'secret');
    put('ok.jshtml', 'ok');
    await start();
    expect((await get('/missing.jshtml')).status).toBe(404);
    expect((await get('/.hidden.jshtml')).status).toBe(404);
    // fetch would normalise these paths: sent as is on a socket.
    expect(await rawStatus('/%2e%2e/ok.jshtml')).toBe(400);
    expect(await rawStatus('/a/../ok.jshtml')).toBe(400);
    expect(await rawStatus('/a%2f..%2fok.jshtml')).toBe(400);
    expect((await get('/ok.jshtml')).body).toBe('ok');
  });

  test('POST passes on (no page rendering)', async () => {
    put('ok.jshtml', 'ok');
    await start();
    const r = await get('/ok.jshtml', { method: 'POST', body: 'x' });
    expect(r.status).toBe(404);
    expect(r.body).not.toBe('ok');
  });
});

describe('TemplatePages: variables', () => {
  test('globals, per-render variables of returnTemplate, nothing leaks between requests', async () => {
    put('v.jshtml', '{{ js }} var seen = typeof secret === "undefined" ? "none" : secret {{ end }}{{ site }}/{{ who }}/{{ seen }}');
    await start({}, (s, m) => {
      m.setGlobalVar('site', 'S');
      s.registerRoute(async (_s, req, args) => {
        await m.returnTemplate(req, '/v.jshtml', args.n === 1 ? { who: 'one', secret: 'S1' } : { who: 'two' });
      }, 'GET', '/r/<n>');
    });
    expect(mod.getGlobalVar('site')).toBe('S');
    expect(mod.getGlobalVar('nope')).toBeNull();
    expect((await get('/r/1')).body).toBe('S/one/S1');
    expect((await get('/r/2')).body).toBe('S/two/none');
    mod.setGlobalVar('site', 'T');
    expect((await get('/r/2')).body).toBe('T/two/none');
    expect(() => mod.setGlobalVar('bad name', 1)).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining('setGlobalVar name') }));
    expect(() => mod.setGlobalVar('class', 1)).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
    expect(() => mod.getGlobalVar('')).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
    expect(() => new MicroWebSrv().loadModule(TemplatePages, { extension: 'jshtml' })).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining('extension') }));
  });

  test('returnTemplate of an absent page: 404; render() returns the HTML', async () => {
    put('r.jshtml', '[{{ a }}]');
    await start({}, (s, m) => {
      s.registerRoute(async (_s, req) => { await m.returnTemplate(req, 'nope.jshtml'); }, 'GET', '/none');
    });
    expect((await get('/none')).status).toBe(404);
    expect(await mod.render('r.jshtml', { a: '<' })).toBe('[&lt;]');
  });
});

describe('TemplatePages: includes', () => {
  test('relative and root includes, extra variables, nested, extension added', async () => {
    put('inc/main.jshtml', 'M[{{ include "part" }}|{{ include "/top.jshtml", { y: 2 } }}]');
    put('inc/part.jshtml', 'P{{ x }}{{ include "sub/leaf" }}');
    put('inc/sub/leaf.jshtml', 'L{{ x }}');
    put('top.jshtml', 'T{{ x }}{{ y }}');
    await start({ globals: { x: 1 } });
    expect((await get('/inc/main.jshtml')).body).toBe('M[P1L1|T12]');
  });

  test('an include outside the root fails; a self-include stops', async () => {
    put('out.jshtml', '{{ include "../../etc/passwd" }}');
    put('loop.jshtml', 'x{{ include "loop" }}');
    await start({ showDebug: true });
    const r = await get('/out.jshtml');
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('root:');
    const l = await get('/loop.jshtml');
    expect(l.status).toBe(500);
    expect(l.body).toContain('nested includes');
  });
});

describe('TemplatePages: cache', () => {
  test('a compiled page is reused, and recompiled when its file (or a partial) changes', async () => {
    put('c.jshtml', 'v1 {{ include "cp" }}');
    put('cp.jshtml', 'p1');
    await start();
    expect((await get('/c.jshtml')).body).toBe('v1 p1');
    const compile = jest.spyOn((mod as unknown as { eta: { compile: () => unknown } }).eta, 'compile');
    expect((await get('/c.jshtml')).body).toBe('v1 p1');
    expect(compile).not.toHaveBeenCalled();
    put('c.jshtml', 'v2!{{ include "cp" }}');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dir, 'c.jshtml'), later, later);
    expect((await get('/c.jshtml')).body).toBe('v2!p1');
    put('cp.jshtml', 'p2');
    utimesSync(path.join(dir, 'cp.jshtml'), later, later);
    expect((await get('/c.jshtml')).body).toBe('v2!p2');
    expect(compile).toHaveBeenCalledTimes(2);
  });

  test('a cached page that is deleted answers 404, and is found again when it comes back', async () => {
    put('d.jshtml', 'here');
    await start();
    expect((await get('/d.jshtml')).body).toBe('here');
    rmSync(path.join(dir, 'd.jshtml'));
    expect((await get('/d.jshtml')).status).toBe(404);
    put('d.jshtml', 'back');
    expect((await get('/d.jshtml')).body).toBe('back');
  });

  test('changing showDebug recompiles (markers only in debug builds)', async () => {
    put('s.jshtml', '{{ x.y }}');
    await start();
    expect((await get('/s.jshtml')).body).not.toContain('line 1');
    mod.showDebug = true;
    expect((await get('/s.jshtml')).body).toContain('/s.jshtml, line 1, column 1');
  });
});

describe('TemplatePages: errors', () => {
  const page = 'line1\n<p>\n  {{ request.nothing.deeper }}\n</p>\n';

  test('showDebug: the message, file, line, column and lines around, escaped', async () => {
    put('e/err.jshtml', page);
    put('e/syn.jshtml', 'a\nb\n{{ if x < }}\n{{ end }}');
    put('e/xss.jshtml', '<b>\n{{ js }} throw new Error("<img src=x onerror=alert(1)>") {{ end }}');
    await start({ showDebug: true });
    const r = await get('/e/err.jshtml');
    expect(r.status).toBe(500);
    expect(r.type).toBe('text/html; charset=UTF-8');
    expect(r.body).toContain('/e/err.jshtml, line 3, column 3');
    expect(r.body).toContain('TypeError');
    expect(r.body).toContain('<tr class="here"><td>3</td><td><pre>  {{ request.nothing.deeper }}</pre>');
    expect(r.body).toContain('<td>1</td><td><pre>line1</pre>');
    const s = await get('/e/syn.jshtml');
    expect(s.status).toBe(500);
    expect(s.body).toContain('line 3, column 1');
    expect(s.body).toContain('TemplateSyntaxError');
    const x = await get('/e/xss.jshtml');
    expect(x.body).not.toContain('<img');
    expect(x.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(x.body).toContain('<td>1</td><td><pre>&lt;b&gt;</pre>');
  });

  test('an error inside an include names the included page', async () => {
    put('i.jshtml', 'x\n{{ include "bad" }}');
    put('bad.jshtml', 'ok\nok\n{{ nope() }}');
    await start({ showDebug: true });
    const r = await get('/i.jshtml');
    expect(r.status).toBe(500);
    expect(r.body).toContain('/bad.jshtml, line 3, column 1');
    expect(r.body).toContain('ReferenceError');
  });

  test('without showDebug: a plain 500 with nothing of the page', async () => {
    put('err.jshtml', page);
    put('syn.jshtml', '{{ if }}');
    await start();
    for (const p of ['/err.jshtml', '/syn.jshtml']) {
      const r = await get(p);
      expect(r.status).toBe(500);
      expect(r.body).not.toContain('deeper');
      expect(r.body).not.toContain('line');
    }
  });
});

describe('TemplatePages: the demo page', () => {
  test('renders every feature and the request', async () => {
    // The demo application's page (demo/www), rendered here as the module sees it.
    const www = path.join(__dirname, '..', '..', '..', 'demo', 'www');
    copyFileSync(path.join(www, 'template.jshtml'), path.join(dir, 'demo.jshtml'));
    copyFileSync(path.join(www, '_demo-header.jshtml'), path.join(dir, '_demo-header.jshtml'));
    await start({ showDebug: true }, (_s, m) => m.setGlobalVar('visits', 42));
    const r = await get('/demo.jshtml?name=%3Cx%3E', { headers: { cookie: 'a=b' } });
    expect(r.status).toBe(200);
    const b = r.body;
    expect(b).toContain('<h1>MicroWebSrv</h1>');
    expect(b).toContain('1 + 2 = 3; 3 fruits; null prints [].');
    expect(b).toContain('&lt;script&gt;alert(&quot;not run&quot;)&lt;/script&gt;');
    expect(b).toContain('<em>emphasis</em>');
    expect(b).toMatch(/alice:\s+great/);
    expect(b).toMatch(/bob:\s+fine/);
    expect(b).toMatch(/carol:\s+no points yet/);
    expect(b).toContain('<li>apple</li><li>banana</li><li>cherry</li>');
    expect(b).toContain('<li>key alice</li>');
    expect(b).toContain('Visits of this server: 42');
    expect(b).toContain('<td>/demo.jshtml</td>');
    expect(b).toContain('{&quot;name&quot;:&quot;&lt;x&gt;&quot;}');
    expect(b).toContain('{&quot;a&quot;:&quot;b&quot;}');
    expect(b).toContain('request: GET');
  });
});
