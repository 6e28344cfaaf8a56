import * as path from 'node:path';
import WebSocket from 'ws';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// The README's first command starts this demo: check that it serves what its index promises. It runs
// from the built packages (dist/), which the test command builds first.
const DEMO = path.resolve(__dirname, '../../demo/main.js');

let demo: SpawnedServer;
let base = '';

beforeAll(async () => {
  demo = await spawnServer(DEMO);
  base = demo.urls[0];
});

afterAll(async () => {
  await demo.stop(); // the demo stops gracefully on Ctrl-C
});

test('the index is a static page with validators, and revalidates to 304', async () => {
  const r = await fetch(base + '/');
  expect(r.status).toBe(200);
  expect(await r.text()).toContain('MicroWebSrv-TS demo');
  const etag = r.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  expect((await fetch(base + '/', { headers: { 'If-None-Match': etag! } })).status).toBe(304);
});

test('the form round-trips, escaped', async () => {
  const r = await fetch(base + '/test-post', { method: 'POST', body: 'firstname=%3Cb%3EAda%3C%2Fb%3E&lastname=L', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const html = await r.text();
  expect(html).toContain('&lt;b&gt;Ada&lt;/b&gt; L');
  expect(html).not.toContain('<b>Ada</b>');
});

test('JSON routes (two route arguments, a query), redirect and download', async () => {
  expect(await (await fetch(base + '/api/hello/Ada%20L/2')).json()).toEqual({ greeting: ['hello Ada L', 'hello Ada L'], name: 'Ada L', times: 2 });
  expect((await fetch(base + '/api/hello/Ada/two')).status).toBe(404); // <times:int> takes only an integer
  expect(await (await fetch(base + '/api/info?name=x')).json()).toMatchObject({ name: 'x', server: 'MicroWebSrv-TS', example: '/api/hello/Ada%20Lovelace/2' });
  const redir = await fetch(base + '/test-redir', { redirect: 'manual' });
  expect([redir.status, redir.headers.get('location')]).toEqual([307, '/download']);
  const dl = await fetch(base + '/download');
  expect(dl.headers.get('content-disposition')).toBe('attachment; filename="hello.txt"');
  expect(await dl.text()).toContain('Hello from the MicroWebSrv-TS demo');
});

test('the template page renders every feature, escaped, with the request and a module-set global', async () => {
  const r = await fetch(base + '/template.jshtml?name=%3Cx%3E');
  expect(r.status).toBe(200);
  const html = await r.text();
  expect(html).toContain('1 + 2 = 3');
  expect(html).toContain('&lt;script&gt;alert(&quot;not run&quot;)&lt;/script&gt;');
  expect(html).toMatch(/Visits of this server: \d+/);
});

test('WebSocket echo, and two chat clients talk to each other', async () => {
  const wsBase = base.replace('http://', 'ws://');
  const open = (p: string) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(wsBase + p);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const next = (ws: WebSocket, match: RegExp) => new Promise<string>((resolve) => {
    const on = (m: WebSocket.RawData) => { const t = String(m); if (match.test(t)) { ws.off('message', on); resolve(t); } };
    ws.on('message', on);
  });
  const echo = await open('/ws-echo');
  const echoed = next(echo, /^echo: /);
  echo.send('hi');
  expect(await echoed).toBe('echo: hi');
  const alice = await open('/ws-chat');
  const bob = await open('/ws-chat');
  const heard = next(bob, /: hello bob$/);
  alice.send('hello bob');
  expect(await heard).toMatch(/^127\.0\.0\.1:\d+: hello bob$/);
  const closed = Promise.all([echo, alice, bob].map((w) => new Promise((r) => { w.once('close', r); w.close(); })));
  await closed;
  const page = await (await fetch(base + '/wschat.html')).text();
  expect(page).toContain("connectLog('/ws-chat'");
});

test('Ctrl-C stops it gracefully', async () => {
  expect(await demo.stop('SIGINT')).toBe(0);
});
