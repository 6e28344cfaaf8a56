/**
 * The fair share (engine/eviction.ts rule 5, docs/availability.md): when the pool is full of readers from
 * one address group, a newcomer from another address takes the slot of one of them at once, before they
 * are judged slow. Real sockets from 127.0.0.2 (the readers) and 127.0.0.1 (the newcomer).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import { Peer, until } from './__tests__/peer';

const peers: Peer[] = [];
let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-fair-'));
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(16 * 1024 * 1024, 0x62));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await stopAll();
});

const from = (ts: TestServer, localAddress: string): Peer => { const p = new Peer(ts.port, { localAddress }); peers.push(p); return p; };

/** `GET /hello` with Connection: close from `localAddress`, once answered and closed. */
async function hello(ts: TestServer, localAddress: string): Promise<Peer> {
  const p = from(ts, localAddress);
  await p.send('GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(await p.until((x) => x.closed)).toBe(true);
  return p;
}

/** 4 slots held by clients of `addrs` (default all 127.0.0.2) that asked for a 16 MiB file and never read. */
async function poolOfReaders(fairShare: boolean, addrs = ['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.2']): Promise<TestServer> {
  const ts = await startServer((srv) => {
    srv.requestsTimeoutSec = 60;
    srv.logLevel = 'DEBUG';
    srv.rootPath = dir;
    srv.bufferSlotsCount = 4;
    srv.poolFullWaitSec = 3;
    srv.fairShareEviction = fairShare;
    srv.registerRoute(() => 'hello', 'GET', '/hello');
  });
  for (const addr of addrs) {
    const r = from(ts, addr);
    await r.send('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
    r.sock.pause();
  }
  expect(await until(() => ts.srv.stats.slots?.inUse === 4)).toBe(true);
  return ts;
}

test('a newcomer from another address takes a stalled reader\'s slot before any is judged slow', async () => {
  // Rule 5 takes a reader stalled FAIR_STALL_MS (25 ms); rule 4 judges it at SEND_WATCH_MS (100 ms). A
  // newcomer that waits (a loaded machine) past the second sees rule 4 instead: tried up to 3 times.
  let evictedBy: Record<string, number> = {};
  for (let attempt = 0; attempt < 3 && evictedBy.share !== 1; attempt++) {
    const ts = await poolOfReaders(true);
    const lone = await hello(ts, '127.0.0.1');
    expect(lone.status()).toBe(200);
    expect(lone.data.endsWith('hello')).toBe(true);
    evictedBy = { ...ts.srv.stats.evictedBy };
    if (evictedBy.share === 1) {
      expect(ts.logs.some((l) => l.type === 'DEBUG' && /evicted \(fair share: its address holds more than half the pool, \d+ bytes waiting\)/.test(l.msg))).toBe(true);
      // The other three readers keep their slots.
      expect(ts.srv.stats.connections).toBe(3);
    }
    for (const p of peers.splice(0)) p.destroy();
    await stopAll();
  }
  expect(evictedBy).toMatchObject({ share: 1, send: 0 });
});

test('no fair share when no group holds more than half the pool', async () => {
  // Two groups of two stalled readers: half the pool each.
  const ts = await poolOfReaders(true, ['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']);
  const lone = await hello(ts, '127.0.0.1');
  // Served once a reader is judged slow (rule 4), not by the fair share.
  expect(lone.status()).toBe(200);
  expect(ts.srv.stats.evictedBy).toMatchObject({ share: 0, send: 1 });
});

test('a newcomer from the readers\' own address does not get the fair share (it waits for a judgement); nor anyone with fairShareEviction = false', async () => {
  const ts = await poolOfReaders(true);
  const same = await hello(ts, '127.0.0.2');
  expect(same.status()).toBe(200);
  expect(ts.srv.stats.evictedBy).toMatchObject({ share: 0, send: 1 });
  await stopAll();

  const off = await poolOfReaders(false);
  const lone = await hello(off, '127.0.0.1');
  expect(lone.status()).toBe(200);
  expect(off.srv.stats.evictedBy).toMatchObject({ share: 0, send: 1 });
});

test('fairShareEviction must be a boolean', async () => {
  const ts = await startServer(() => undefined);
  expect(() => { (ts.srv as unknown as { fairShareEviction: unknown }).fairShareEviction = 'yes'; }).toThrow(/fairShareEviction/);
});
