import * as net from 'node:net';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { example, expectPageShowsExample } from './doc-example';

// docs/modules.md: its example (two modules, a route, a connection hand-over) does what the page says.

let srv: SpawnedServer;
let base = '';
let port = 0;

/** A raw TCP client that collects what it receives. */
function rawClient(): Promise<{ sock: net.Socket; text: () => string; until: (s: string) => Promise<void>; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let got = '';
    const waiters: Array<() => void> = [];
    const sock = net.connect(port, '127.0.0.1');
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    sock.on('data', (d) => { got += d.toString('latin1'); for (const w of waiters.splice(0)) w(); });
    const until = async (s: string) => { while (!got.includes(s)) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 50); }); };
    sock.once('error', reject);
    sock.once('connect', () => resolve({ sock, text: () => got, until, ended }));
  });
}

beforeAll(async () => {
  srv = await spawnServer(example('modules.js'));
  base = srv.urls[0];
  port = Number(new URL(base).port);
});

afterAll(async () => {
  await srv.stop();
});

test('docs/modules.md shows the example verbatim', () => {
  expectPageShowsExample('modules.md', 'modules.js');
});

test('a module that passes: the route answers, with the header the first module set', async () => {
  const r = await fetch(base + '/');
  expect(r.status).toBe(200);
  expect(r.headers.get('x-powered-by')).toBe('MicroWebSrv-TS');
  expect(await r.text()).toMatch(/^<p>Hello! \d+ requests so far\.<\/p>$/);
});

test('a module that answers: /stats comes from the module (the header module ran first), counting every request', async () => {
  const first = await (await fetch(base + '/stats')).json() as { requests: number };
  const r = await fetch(base + '/stats');
  expect(r.headers.get('x-powered-by')).toBe('MicroWebSrv-TS');
  expect(r.headers.get('content-type')).toBe('application/json');
  const body = await r.json() as { requests: number; echoes: number; upSec: number };
  expect(body.requests).toBe(first.requests + 1);
  expect(body.echoes).toBe(0);
  expect(body.upSec).toBeGreaterThanOrEqual(0);
  expect((await fetch(base + '/nothing-here')).status).toBe(404); // passed by both modules, no route: 404
});

let echo: Awaited<ReturnType<typeof rawClient>>;

test('hand-over: 101, then the module owns the connection, bytes sent with the request included', async () => {
  echo = await rawClient();
  echo.sock.write('GET /anything HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhello\n');
  await echo.until('echo: hello\n');
  expect(echo.text()).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
  expect(echo.text()).toMatch(/\r\nUpgrade: echo\r\n/i);
  expect(echo.text()).toMatch(/\r\nX-Powered-By: MicroWebSrv-TS\r\n/);
  echo.sock.write('again\n');
  await echo.until('echo: again\n');
  const stats = await (await fetch(base + '/stats')).json() as { echoes: number };
  expect(stats.echoes).toBe(1);
});

test('Ctrl-C: onStop says bye to the taken-over connection, and the server exits with 0', async () => {
  const code = await srv.stop();
  await echo.until('bye\n');
  await echo.ended;
  expect(code).toBe(0);
  expect(srv.output()).toContain('stopped');
});
