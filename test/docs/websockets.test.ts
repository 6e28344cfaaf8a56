import * as net from 'node:net';
import WebSocket from 'ws';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { codeBlocks, DOCS, example, expectPageShowsExample } from './doc-example';

// docs/websockets.md: its example (an echo, a chat with a sub-protocol and broadcast) does what the page says.

let srv: SpawnedServer;
let base = '';
let wsBase = '';
const open: WebSocket[] = [];

/** Opens a WebSocket and collects its messages as text; `next(re)` waits for the first one matching. */
function connect(path: string, protocol?: string): Promise<{ ws: WebSocket; next: (re: RegExp) => Promise<string>; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const ws = protocol === undefined ? new WebSocket(wsBase + path) : new WebSocket(wsBase + path, protocol);
    open.push(ws);
    const got: string[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (m) => { got.push(String(m)); for (const w of waiters.splice(0)) w(); });
    const closed = new Promise<[number, string]>((r) => ws.once('close', (code, reason) => r([code, String(reason)])));
    const next = async (re: RegExp): Promise<string> => {
      for (;;) {
        const i = got.findIndex((t) => re.test(t));
        if (i >= 0) return got.splice(i, 1)[0];
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    ws.once('open', () => resolve({ ws, next, closed }));
    ws.once('error', reject);
  });
}

beforeAll(async () => {
  srv = await spawnServer(example('websockets.js'));
  base = srv.urls[0];
  wsBase = base.replace(/^http/, 'ws');
  expect(srv.output()).toContain(`${wsBase}/echo, ${wsBase}/chat`);
});

afterAll(async () => {
  for (const ws of open) ws.terminate();
  await srv.stop();
});

test('docs/websockets.md shows the example verbatim', () => {
  expectPageShowsExample('websockets.md', 'websockets.js');
});

test('/echo sends text and binary messages back', async () => {
  const { ws } = await connect('/echo');
  const text = new Promise<[string, boolean]>((r) => ws.once('message', (m, isBinary) => r([String(m), isBinary])));
  ws.send('héllo');
  expect(await text).toEqual(['héllo', false]);
  const bin = new Promise<[Buffer, boolean]>((r) => ws.once('message', (m, isBinary) => r([m as Buffer, isBinary])));
  ws.send(Buffer.from([0, 1, 2, 255]));
  expect(await bin).toEqual([Buffer.from([0, 1, 2, 255]), true]);
  expect(await (await fetch(base + '/')).text()).toBe('<p>1 WebSocket(s) open.</p>');
  ws.close(1000);
});

test('a message above maxRecvMessageLength (64 KiB) closes with 1009', async () => {
  const { ws, closed } = await connect('/echo');
  ws.send('x'.repeat(64 * 1024 + 1));
  expect((await closed)[0]).toBe(1009);
});

test('/chat without the sub-protocol is closed with 1008 and the reason', async () => {
  const { ws, closed } = await connect('/chat');
  expect(ws.protocol).toBe('');
  expect(await closed).toEqual([1008, 'use the sub-protocol chat.v1']);
});

test('/chat with chat.v1: the protocol is chosen, messages are broadcast to everyone on /chat', async () => {
  const alice = await connect('/chat', 'chat.v1');
  expect(alice.ws.protocol).toBe('chat.v1');
  expect(await alice.next(/joined/)).toMatch(/^\* 127\.0\.0\.1:\d+ joined \(1 here\)$/);
  const bob = await connect('/chat', 'chat.v1');
  expect(await bob.next(/joined/)).toMatch(/joined \(2 here\)$/);
  expect(await alice.next(/joined/)).toMatch(/joined \(2 here\)$/);
  alice.ws.send('hello bob');
  expect(await bob.next(/hello bob/)).toMatch(/^127\.0\.0\.1:\d+: hello bob$/);
  expect(await alice.next(/hello bob/)).toMatch(/: hello bob$/); // the sender is on /chat too
  bob.ws.close(1000);
  expect(await alice.next(/left/)).toMatch(/^\* 127\.0\.0\.1:\d+ left \(1000\)$/);
  alice.ws.close(1000);
  await Promise.all([alice.closed, bob.closed]);
});

test('/shout: the route\'s stream upper-cases each text message; the client\'s Close ends it', async () => {
  const { ws, next, closed } = await connect('/shout');
  ws.send('hello');
  expect(await next(/HELLO/)).toBe('HELLO');
  ws.send('héllo again');
  expect(await next(/AGAIN/)).toBe('HÉLLO AGAIN');
  ws.close(1000);
  expect((await closed)[0]).toBe(1000);
});

test('paths: an upgrade elsewhere, or a plain GET of /echo, goes on to the routes (404 here)', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(wsBase + '/elsewhere');
    open.push(ws);
    ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); ws.terminate(); });
    ws.once('open', () => reject(new Error('opened')));
    ws.once('error', () => undefined);
  });
  expect(status).toBe(404);
  expect((await fetch(base + '/echo')).status).toBe(404);
});

/** Sends a raw request head and resolves with the response head. */
function rawHead(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(new URL(base).port), '127.0.0.1', () => sock.write(head));
    let got = '';
    sock.on('data', (d) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) { sock.destroy(); resolve(got.slice(0, end)); }
    });
    sock.once('error', reject);
  });
}

test("the page's Node client snippet runs as written (the port swapped): the chat and /shout answer", async () => {
  const snippet = codeBlocks(`${DOCS}/websockets.md`).find((b) => b.code.startsWith("const WebSocket = require('ws');"))!.code;
  const logged: string[] = [];
  const log = (m: string): void => { logged.push(m); };
  const run = new Function('require', 'console', snippet.replace(/localhost:8080/g, new URL(base).host));
  run((id: string) => { if (id !== 'ws') throw new Error(id); return WebSocket; }, { log });
  for (let i = 0; i < 200 && !(logged.includes('HELLO') && logged.some((l) => l.includes(': hello'))); i++) await new Promise((r) => setTimeout(r, 10));
  expect(logged).toContain('HELLO');
  expect(logged.some((l) => /joined \(\d+ here\)/.test(l))).toBe(true);
  expect(logged.some((l) => /^[\d.:]+: hello$/.test(l))).toBe(true);
});

test('handshake errors: 426 with Sec-WebSocket-Version: 13 for another version, 400 without a key', async () => {
  const upgrade = 'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n';
  const v8 = await rawHead(upgrade + 'Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
  expect(v8).toMatch(/^HTTP\/1\.1 426 /);
  expect(v8).toMatch(/\r\nSec-WebSocket-Version: 13(\r\n|$)/i);
  expect(await rawHead(upgrade + 'Sec-WebSocket-Version: 13\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
});

test('Ctrl-C: open WebSockets get a Close 1001 "server stopping", and the server exits with 0', async () => {
  const { closed } = await connect('/echo');
  const code = await srv.stop();
  expect(await closed).toEqual([1001, 'server stopping']);
  expect(code).toBe(0);
  expect(srv.output()).toContain('stopped');
});
