import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { example, expectPageShowsExample } from './doc-example';

// docs/benchmarks.md: its example is a server to point a load tool at. Check that it answers its routes,
// keeps the access log quiet, and reports its requests and CPU per request on Ctrl-C.

let srv: SpawnedServer;
let base = '';

beforeAll(async () => {
  srv = await spawnServer(example('benchmarks.js'));
  base = new URL(srv.urls[0]).origin;
});

afterAll(async () => {
  await srv.stop();
});

test('docs/benchmarks.md shows the example verbatim', () => {
  expectPageShowsExample('benchmarks.md', 'benchmarks.js');
});

test('it prints its URL and the load command for it', async () => {
  for (let i = 0; i < 100 && !srv.output().includes('autocannon'); i++) await new Promise((r) => setTimeout(r, 10));
  expect(srv.output()).toContain(`listening on ${base}/users/42`);
  expect(srv.output()).toContain(`npx autocannon -c 50 -d 10 ${base}/users/42`);
});

test('the routes to measure answer: plaintext, a typed route argument as JSON, a body echo', async () => {
  const hello = await fetch(base + '/');
  expect([hello.status, await hello.text()]).toEqual([200, 'Hello World!']);
  const user = await fetch(base + '/users/42');
  expect(user.headers.get('content-type')).toBe('application/json');
  expect(await user.json()).toEqual({ id: 42, name: 'user 42', double: 84 });
  expect((await fetch(base + '/users/ada')).status).toBe(404); // <id:int>: not an integer, no match
  const body = Buffer.from([0, 1, 2, 3, 250, 255]);
  const echo = await fetch(base + '/echo', { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
  expect(echo.headers.get('content-type')).toBe('application/octet-stream');
  expect(Buffer.from(await echo.arrayBuffer())).toEqual(body);
});

test('no access-log line per request (logLevel WARNING)', () => {
  expect(srv.output()).not.toMatch(/From 127\.0\.0\.1:\d+ /);
  expect(srv.output()).not.toContain('MWS INFO');
});

test('Ctrl-C: it stops with exit code 0 and reports the requests served and the CPU per request', async () => {
  expect(await srv.stop()).toBe(0);
  expect(srv.output()).toMatch(/stopped: 4 requests served, \d+\.\d\d µs of CPU per request/);
});
