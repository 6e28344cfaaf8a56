/**
 * Writes past Node's Writable (direct-write.ts) with real sockets: bytes arrive whole and in order
 * whichever path each write took, `bytesWritten` counts them, and a peer that stops reading sends the
 * rest through Node's stream, so the send-timeout defence still sees the queue.
 */
import * as net from 'node:net';
import { XBufferSlots } from './buffer-slots';
import { directWriteAvailable } from './direct-write';
import { XAsyncSocketsPool } from './pool';
import { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { rawClient, waitFor } from './__tests__/helpers';

describe('direct writes', () => {
  let pool: XAsyncSocketsPool;
  let srv: XAsyncTCPServer;
  let accepted: XAsyncTCPClient[];
  beforeEach(async () => {
    pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
    srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(4, 512), { clientOptions: { sendTimeoutSec: 0.5 } });
    accepted = [];
    srv.onClientAccepted = (_s, c) => accepted.push(c);
  });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  async function pair(): Promise<{ peer: net.Socket; server: XAsyncTCPClient }> {
    const peer = await rawClient(srv.address.port);
    await waitFor(() => accepted.length > 0);
    return { peer, server: accepted.shift()! };
  }

  function collect(peer: net.Socket, bytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let n = 0;
    return new Promise((resolve) => {
      peer.on('data', (d: Buffer) => { parts.push(d); n += d.length; if (n >= bytes) resolve(Buffer.concat(parts)); });
    });
  }

  test('is available on this Node (else every write takes the stream path)', () => {
    expect(directWriteAvailable).toBe(true);
  });

  test('latin1 strings and small buffers arrive in order, and bytesWritten counts them (the handle counts direct writes)', async () => {
    const { peer, server } = await pair();
    const want: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) { const b = Buffer.alloc(100 + i, i & 0xff); want.push(b); server.asyncSendData(b); }
      else { const s = `line ${i} \xe9\r\n`; want.push(Buffer.from(s, 'latin1')); server.asyncSendData(s, null, 'latin1'); }
    }
    const all = Buffer.concat(want);
    const got = await collect(peer, all.length);
    expect(got.equals(all)).toBe(true);
    expect(server.bytesWritten).toBe(all.length);
    peer.destroy();
  });

  test('a peer that stops reading: what Node\'s stream then queues is visible, and the send timeout still closes it', async () => {
    const { peer, server } = await pair();
    peer.pause(); // the kernel buffers fill, then writes go asynchronous
    const chunk = Buffer.alloc(60 * 1024, 0x61);
    let sent = 0;
    for (let i = 0; i < 400; i++) { server.asyncSendData(Buffer.from(chunk.fill(i & 0xff))); sent += chunk.length; }
    server.asyncSendData('END', null, 'latin1');
    sent += 3;
    // Most of it could not be written at once: Node's stream holds it, so its queue is visible...
    expect(server.sendPending).toBeGreaterThan(0);
    const closed = new Promise<void>((r) => { server.onClosed = () => r(); });
    await closed; // ...and the send timeout (0.5 s) ends the connection of a peer that never reads
    peer.destroy();
  });

  test('a direct write the kernel did not take whole counts as pending, and a close behind it still ends (send timeout)', async () => {
    const { peer, server } = await pair();
    peer.pause();
    // 60 KiB writes go direct while Node's queue is empty; the first one the kernel cannot take whole
    // stays in libuv: it must show in sendPending at once (before any write goes through Node's stream).
    const chunk = Buffer.alloc(60 * 1024, 0x62);
    let writes = 0;
    while (server.sendPending === 0 && writes < 2000) { server.asyncSendData(chunk); writes++; }
    expect(server.sendPending).toBeGreaterThan(0);
    expect(server.sendPending).toBeLessThanOrEqual(chunk.length);
    const closed = new Promise<void>((r) => { server.onClosed = () => r(); });
    server.close(); // its FIN waits behind the stuck bytes: only the send timeout (0.5 s) can end it
    await closed;
    peer.destroy();
  });

  test('a large write in libuv\'s queue, no direct write out: sendPending shows it, and is 0 once the peer read it all', async () => {
    const { peer, server } = await pair();
    peer.pause();
    // Above 64 KiB a send goes through the socket's own write (never direct): with the peer not reading,
    // the kernel takes only part and the rest waits in libuv, where only the socket's own count sees it.
    const big = Buffer.alloc(4 * 1024 * 1024, 0x63);
    server.asyncSendData(big);
    expect(server.sendPending).toBeGreaterThan(0);
    expect(server.sendPending).toBeLessThanOrEqual(big.length);
    const got = collect(peer, big.length);
    peer.resume();
    expect((await got).length).toBe(big.length);
    await waitFor(() => server.sendPending === 0);
    expect(server.sendPending).toBe(0);
    peer.destroy();
  });

  test('a slow reader gets every byte in order', async () => {
    const { peer, server } = await pair();
    peer.pause();
    const want: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const b = Buffer.alloc(32 * 1024 + i, i & 0xff);
      want.push(b);
      server.asyncSendData(b);
      const s = `|${i}|`;
      want.push(Buffer.from(s, 'latin1'));
      server.asyncSendData(s, null, 'latin1');
    }
    const all = Buffer.concat(want);
    const got = collect(peer, all.length);
    setTimeout(() => peer.resume(), 100);
    expect((await got).equals(all)).toBe(true);
    await waitFor(() => server.sendPending === 0);
    expect(server.bytesWritten).toBe(all.length);
    peer.destroy();
  });
  test('sendWaitSince / sendWaitFlushed: when the bytes began to wait and what was flushed then; 0 once the queue empties', async () => {
    const { peer, server } = await pair();
    expect(server.sendWaitSince).toBe(0);
    peer.pause();
    const chunk = Buffer.alloc(60 * 1024, 0x63);
    const t0 = Date.now();
    let writes = 0;
    while (server.sendPending === 0 && writes < 2000) { server.asyncSendData(chunk); writes++; }
    for (let i = 0; i < 20; i++) server.asyncSendData(chunk);
    const since = server.sendWaitSince;
    expect(since).toBeGreaterThanOrEqual(t0 - 1);
    expect(since).toBeLessThanOrEqual(Date.now());
    // What the kernel had taken when the wait began (within one write's accounting: a direct write in
    // libuv counts by its remainder, one in Node's stream by its whole size).
    const flushed0 = server.sendWaitFlushed;
    expect(flushed0).toBeGreaterThan(0);
    expect(flushed0).toBeLessThanOrEqual(server.bytesWritten);
    // A reader that takes nothing: the wait's start stays put (the guard dates its look back to it).
    await new Promise((r) => setTimeout(r, 120));
    expect(server.sendWaitSince).toBe(since);
    const total = server.bytesWritten;
    const got = collect(peer, total);
    peer.resume();
    await got;
    await waitFor(() => server.sendPending === 0 && server.sendWaitSince === 0);
    peer.destroy();
  });
  test('writes behind a direct write still in libuv are corked, then leave together in order when it completes', async () => {
    const { peer, server } = await pair();
    peer.pause();
    const chunk = Buffer.alloc(60 * 1024, 0x64);
    const want: Buffer[] = [];
    let writes = 0;
    while (server.sendPending === 0 && writes < 2000) { const b = Buffer.from(chunk.fill(writes & 0xff)); want.push(b); server.asyncSendData(b); writes++; }
    // The last direct write is in libuv; what follows is held by Node's stream, corked.
    for (let i = 0; i < 10; i++) { const s = `|turn ${i}|`; want.push(Buffer.from(s, 'latin1')); server.asyncSendData(s, null, 'latin1'); }
    expect(server.sendPending).toBeGreaterThan(10 * 8);
    const all = Buffer.concat(want);
    const got = collect(peer, all.length);
    peer.resume();
    expect((await got).equals(all)).toBe(true);
    await waitFor(() => server.sendPending === 0);
    // Uncorked: the next small write goes straight out again.
    peer.removeAllListeners('data');
    const more = collect(peer, 4);
    server.asyncSendData('done', null, 'latin1');
    expect((await more).toString('latin1')).toBe('done');
    peer.destroy();
  });
});
