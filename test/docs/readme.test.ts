import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { DOCS, ROOT, codeBlocks, example, expectPageShowsExample, useExample } from './doc-example';

// The README's code: every JavaScript block is a file of docs/examples/ shown verbatim, started here as
// a user starts it (node, PORT=0) and asked what the README says it answers. And every command the
// README and the docs give runs on a new user's machine, where pnpm is not installed: `npx -y pnpm@…`.

describe('"Embedding in 20 lines" (docs/examples/embedding.js)', () => {
  let base = '';

  useExample('../README.md', 'embedding.js', (s) => { base = s.urls[0]; });

  test('GET /hello answers JSON, with the query parameter', async () => {
    expect(await (await fetch(base + '/hello?name=Ada')).json()).toEqual({ hello: 'Ada' });
    const r = await fetch(base + '/hello');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(await r.json()).toEqual({ hello: 'world' });
  });

  test('POST /notes keeps JSON bodies; malformed JSON is a 400', async () => {
    const post = (body: string) => fetch(base + '/notes', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const first = await (await post('{"x":1}')).json() as { saved: number };
    expect(await (await post('{"x":2}')).json()).toEqual({ saved: first.saved + 1 });
    expect((await post('{"x":')).status).toBe(400);
  });
});

test('embedding.js stops on SIGTERM too (stopOnSignals): exit code 0', async () => {
  const srv = await spawnServer(example('embedding.js'));
  expect(await srv.stop('SIGTERM')).toBe(0);
});

describe('"xasync in 20 lines" (docs/examples/embedding-xasync.js)', () => {
  let srv: SpawnedServer;
  let port = 0;

  beforeAll(async () => {
    expectPageShowsExample('../README.md', 'embedding-xasync.js');
    srv = await spawnServer(example('embedding-xasync.js'), { urlCount: 0 });
    port = Number(/tcp:\/\/localhost:(\d+)\//.exec(await srv.waitForOutput(/tcp:\/\/localhost:\d+\//))![1]);
  });

  afterAll(async () => { await srv.stop('SIGKILL'); });

  test('echoes lines; a closed connection is logged with its reason; SIGTERM stops it with exit code 0', async () => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => { got += d.toString(); });
    await new Promise((r) => sock.once('connect', r));
    sock.write('hi\nthere\n');
    for (let i = 0; i < 300 && !got.includes('echo there\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe('echo hi\necho there\n');
    sock.end();
    await srv.waitForOutput('closed: ClosedByPeer');
    expect(await srv.stop('SIGTERM')).toBe(0);
  });
});

test('every JavaScript block of the README is a file of docs/examples/ (so the tests run it)', () => {
  const examples = readdirSync(path.join(DOCS, 'examples')).filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(example(f), 'utf8').replace(/\s+$/, ''));
  const blocks = codeBlocks(path.join(ROOT, 'README.md')).filter((b) => ['js', 'ts', 'mjs', 'javascript', 'typescript'].includes(b.lang));
  expect(blocks.length).toBeGreaterThanOrEqual(2);
  for (const b of blocks) {
    if (!examples.includes(b.code)) throw new Error(`a README code block is not a docs/examples/ file:\n${b.code.slice(0, 300)}`);
  }
});

/**
 * Code blocks of docs/ pages that are fragments of a program rather than a file of docs/examples/, by
 * their first line, with the test that takes each from its page and runs it as written.
 */
const FRAGMENTS: Record<string, string> = {
  "import { WebRoute, type HttpRequest, type MicroWebSrv, type RouteArgs } from '@microwebsrv/core';": 'routes.test.ts',
  'srv.registerRoute(async (server, req) => {': 'static-files.test.ts',
  '// implicit TLS: the handshake first, then the same line protocol': 'xasync.test.ts',
  "const udp = await XAsyncUDPDatagram.create(pool, { localAddr: ['0.0.0.0', 9999] });": 'xasync.test.ts',
  'const pool = new XAsyncSocketsPool();': 'xasync.test.ts',
  "srv.registerRoute((_server, req) => {": 'request-response.test.ts',
  "const WebSocket = require('ws');": 'websockets.test.ts',
  // Browser-console code (docs/websockets.md): the page's example server is what the tests check.
  "const chat = new WebSocket(`ws://${location.host}/chat`, 'chat.v1');": '(runs in a browser)',
};

test('every JavaScript/TypeScript block of docs/ is a file of docs/examples/ or a fragment a test runs from the page', () => {
  const examples = readdirSync(path.join(DOCS, 'examples')).filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(example(f), 'utf8').replace(/\s+$/, ''));
  const unchecked: string[] = [];
  for (const page of readdirSync(DOCS).filter((f) => f.endsWith('.md'))) {
    for (const b of codeBlocks(path.join(DOCS, page))) {
      if (!['js', 'ts', 'mjs', 'javascript', 'typescript'].includes(b.lang) || examples.includes(b.code)) continue;
      if (!(b.code.split('\n')[0] in FRAGMENTS)) unchecked.push(`docs/${page}: ${b.code.split('\n')[0]}`);
    }
  }
  expect(unchecked).toEqual([]);
  for (const t of Object.values(FRAGMENTS)) if (t.endsWith('.test.ts')) expect(existsSync(path.join(__dirname, t))).toBe(true);
});

test('no bare `pnpm <command>`: a new user has no pnpm on PATH, the README uses `npx -y pnpm@10.34.9`', () => {
  const files = [
    'README.md', 'bench/README.md', 'demo/main.js',
    ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...readdirSync(path.join(DOCS, 'examples')).filter((f) => f.endsWith('.js')).map((f) => `docs/examples/${f}`),
    ...readdirSync(path.join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`),
  ];
  const bare = /(?<![\w@/.-])pnpm (?:install|build|test|demo|bench|cert|screenshots|typecheck|add|exec|run|--filter)\b/g;
  const found: string[] = [];
  for (const f of files) {
    let text: string;
    try { text = readFileSync(path.join(ROOT, f), 'utf8'); } catch { continue; } // a package without a README
    text.split('\n').forEach((line, i) => {
      if ([...line.matchAll(bare)].length > 0) found.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(found).toEqual([]);
});
