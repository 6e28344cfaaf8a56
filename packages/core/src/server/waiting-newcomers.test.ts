/**
 * Newcomers waiting for a slot (poolFullWaitSec) are served by address first (server/guards.ts parkRank,
 * xasync park-queue.ts): a crowd from one address that arrives after another address's newcomer does not
 * pass it (docs/availability.md); and a newcomer waits rather than getting a 503 at once while a request
 * in progress holds a slot (engine/eviction.ts). Real sockets from 127.0.0.1 and 127.0.0.2.
 */
import { startServer, stopAll } from '../__tests__/server-harness';
import { Peer, until } from './__tests__/peer';

const peers: Peer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await stopAll();
});

const WAIT = 'GET /wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
const GET_CLOSE = 'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

test('a lone client waiting for a slot is served before a crowd from another address that came after it', async () => {
  const waiters: Array<() => void> = [];
  const ts = await startServer((srv) => {
    srv.requestsTimeoutSec = 60;
    srv.bufferSlotsCount = 2;
    srv.poolFullWaitSec = 5;
    srv.registerRoute(() => 'hello', 'GET', '/hello');
    srv.registerRoute(() => new Promise<string>((r) => { waiters.push(() => r('done')); }), 'GET', '/wait');
  });
  const from = (localAddress: string): Peer => { const p = new Peer(ts.port, { localAddress }); peers.push(p); return p; };
  // The crowd's address holds both slots with requests in progress: nothing to evict.
  const held = [from('127.0.0.2'), from('127.0.0.2')];
  for (const h of held) await h.send(WAIT);
  expect(await until(() => waiters.length === 2)).toBe(true);
  // One of the crowd waits before the lone client (oldest first would serve it), three after (newest first would).
  const early = from('127.0.0.2');
  await early.send(WAIT);
  await new Promise((r) => setTimeout(r, 40));
  const lone = from('127.0.0.1');
  await lone.send(GET_CLOSE);
  await new Promise((r) => setTimeout(r, 60));
  const crowd = [from('127.0.0.2'), from('127.0.0.2'), from('127.0.0.2')];
  for (const c of crowd) await c.send(WAIT);
  await new Promise((r) => setTimeout(r, 100));
  expect(lone.data).toBe('');
  // One slot comes back: the lone client's address holds none, the crowd's one.
  waiters.shift()!();
  expect(await lone.until((p) => p.closed)).toBe(true);
  expect(lone.status()).toBe(200);
  // Its slot, back, goes to one of the crowd.
  expect(await until(() => waiters.length === 2)).toBe(true);
  await new Promise((r) => setTimeout(r, 50));
  expect([early, ...crowd].map((c) => c.data !== '')).toEqual([false, false, false, false]);
  expect(waiters.length).toBe(2);
  // The rest are served as slots come back.
  for (let i = 0; i < 5; i++) { expect(await until(() => waiters.length > 0)).toBe(true); waiters.shift()!(); }
  for (const c of [early, ...crowd]) expect(await c.until((p) => p.closed)).toBe(true);
  expect([early, ...crowd].map((c) => c.status())).toEqual([200, 200, 200, 200]);
  expect(ts.srv.stats.refused).toBe(0);
});

test('a newcomer waits (then evicts the slow head) rather than a 503 at once when a request in progress holds a slot beside young heads', async () => {
  const waiters: Array<() => void> = [];
  const ts = await startServer((srv) => {
    srv.requestsTimeoutSec = 60;
    srv.logLevel = 'DEBUG';
    srv.bufferSlotsCount = 2;
    srv.poolFullWaitSec = 2;
    srv.registerRoute(() => 'hello', 'GET', '/hello');
    srv.registerRoute(() => new Promise<string>((r) => { waiters.push(() => r('done')); }), 'GET', '/wait');
  });
  const p = (): Peer => { const x = new Peer(ts.port); peers.push(x); return x; };
  const busy = p();
  await busy.send(WAIT);
  expect(await until(() => waiters.length === 1)).toBe(true);
  // A head that has just begun (too young to be judged): the only other slot.
  const slow = p();
  await slow.send('GET /hello HTTP/1.1\r\nHost: x\r\n');
  await new Promise((r) => setTimeout(r, 20));
  const newcomer = p();
  await newcomer.send(GET_CLOSE);
  expect(await newcomer.until((x) => x.closed)).toBe(true);
  expect(newcomer.status()).toBe(200);
  expect(ts.srv.stats.refused).toBe(0);
  expect(ts.srv.stats.evictedBy.head).toBe(1);
  expect(await slow.until((x) => x.closed)).toBe(true);
  expect(slow.status()).toBe(408);
  waiters.shift()!();
  expect(await busy.until((x) => x.closed)).toBe(true);
});

test('beside an open-ended response (an event stream) and young heads, a newcomer still gets the 503 at once', async () => {
  const ts = await startServer((srv) => {
    srv.requestsTimeoutSec = 60;
    srv.bufferSlotsCount = 2;
    srv.poolFullWaitSec = 2;
    srv.registerRoute((_s, req) => { req.response.openStream(200, { contentType: 'text/event-stream' }).write('data: hi\n\n'); }, 'GET', '/events');
  });
  const p = (): Peer => { const x = new Peer(ts.port); peers.push(x); return x; };
  const stream = p();
  await stream.send('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
  expect(await stream.until((x) => x.data.includes('data: hi'))).toBe(true);
  const slow = p();
  await slow.send('GET /hello HTTP/1.1\r\nHost: x\r\n');
  await new Promise((r) => setTimeout(r, 20));
  const t0 = Date.now();
  const newcomer = p();
  await newcomer.send(GET_CLOSE);
  expect(await newcomer.until((x) => x.closed)).toBe(true);
  expect(newcomer.status()).toBe(503);
  // At once, not after poolFullWaitSec (2 s).
  expect(Date.now() - t0).toBeLessThan(1500);
  expect(ts.srv.stats.refused).toBe(1);
});
