/**
 * HandleSocket (handle-socket.ts) over real loopback sockets: an accepted connection's libuv handle
 * driven without a net.Socket. Reads land in the owner's buffer, writes arrive whole and in order,
 * backpressure and 'drain' follow the kernel's queue, FIN and close go as net.Socket's do, and TLS gets
 * a net.Socket with the same handle. The owner here records what the socket reports.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { HandleSocket, type HandleSocketOwner } from './handle-socket';
import { XBufferSlots } from './buffer-slots';
import { XAsyncSocketsPool } from './pool';
import { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { rawClient, TLS_CERT, TLS_KEY, waitFor } from './__tests__/helpers';

class Recorder implements HandleSocketOwner {
  readonly buf = Buffer.alloc(256);
  readonly got: Buffer[] = [];
  readonly events: string[] = [];
  more = true;
  sockRead(n: number): boolean { this.got.push(Buffer.from(this.buf.subarray(0, n))); return this.more; }
  sockTarget(): Buffer { return this.buf; }
  sockEnd(): void { this.events.push('end'); }
  sockError(err: Error): void { this.events.push(`error ${(err as NodeJS.ErrnoException).code}`); }
  sockClose(): void { this.events.push('close'); }
  sockDrain(): void { this.events.push('drain'); }
  get text(): string { return Buffer.concat(this.got).toString('latin1'); }
}

describe('HandleSocket', () => {
  let server: net.Server;
  let accepted: net.Socket[];
  const peers: net.Socket[] = [];
  beforeEach(async () => {
    accepted = [];
    server = net.createServer({ pauseOnConnect: true }, (s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function pair(): Promise<{ peer: net.Socket; hs: HandleSocket; rec: Recorder }> {
    const peer = await rawClient((server.address() as net.AddressInfo).port);
    peers.push(peer);
    await waitFor(() => accepted.length > 0);
    const rec = new Recorder();
    const hs = HandleSocket.takeHandle(accepted.shift()!, rec);
    expect(hs).not.toBeNull();
    return { peer, hs: hs!, rec };
  }

  test('reads land in the owner\'s buffer, in order; bytesRead counts them', async () => {
    const { peer, hs, rec } = await pair();
    const want = Array.from({ length: 50 }, (_, i) => `chunk ${i};`).join('');
    for (let i = 0; i < want.length; i += 37) peer.write(want.slice(i, i + 37));
    await waitFor(() => rec.text.length === want.length);
    expect(rec.text).toBe(want);
    expect(hs.bytesRead).toBe(want.length);
    hs.destroy();
    await waitFor(() => rec.events.includes('close'));
  });

  test('a read callback returning false stops reading until resume()', async () => {
    const { peer, hs, rec } = await pair();
    rec.more = false;
    peer.write('first');
    await waitFor(() => rec.got.length === 1);
    peer.write('second');
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.text).toBe('first'); // nothing read while stopped
    rec.more = true;
    hs.resume();
    await waitFor(() => rec.text === 'firstsecond');
    hs.destroy();
  });

  test('writes arrive whole and in order (buffers, strings, corked writes in one writev); bytesWritten counts them', async () => {
    const { peer, hs, rec } = await pair();
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    hs.write(Buffer.from('one,'), 'latin1');
    hs.write('two \xe9,', 'latin1');
    hs.write('three €,', 'utf8');
    hs.cork();
    hs.write('four,', 'latin1');
    hs.write(Buffer.from('five'), 'latin1');
    expect(hs.writableCorked).toBe(1);
    expect(hs.writableLength).toBe(9); // corked bytes wait
    hs.uncork();
    const want = Buffer.concat([Buffer.from('one,two \xe9,', 'latin1'), Buffer.from('three €,', 'utf8'), Buffer.from('four,five')]);
    await waitFor(() => Buffer.concat(got).length === want.length);
    expect(Buffer.concat(got).equals(want)).toBe(true);
    expect(hs.bytesWritten).toBe(want.length);
    expect(rec.events).toEqual([]);
    hs.destroy();
  });

  test('a peer that does not read: write returns false past 16 KiB queued, then drain when it reads', async () => {
    const { peer, hs, rec } = await pair();
    peer.pause();
    const chunk = Buffer.alloc(64 * 1024, 7);
    let ok = true;
    let sent = 0;
    for (let i = 0; i < 200 && ok; i++) { ok = hs.write(chunk, 'latin1'); sent += chunk.length; }
    expect(ok).toBe(false);
    expect(hs.writableLength).toBeGreaterThanOrEqual(16 * 1024);
    let n = 0;
    peer.on('data', (d: Buffer) => { n += d.length; });
    peer.resume();
    await waitFor(() => rec.events.includes('drain'));
    expect(hs.writableLength).toBe(0);
    await waitFor(() => n === sent);
    hs.destroy();
  });

  test('end(): finish once our FIN is out, the peer sees EOF; its FIN then closes the socket', async () => {
    const { peer, hs, rec } = await pair();
    let finished = false;
    hs.write('bye', 'latin1');
    hs.once('finish', () => { finished = true; });
    hs.end();
    expect(hs.writableEnded).toBe(true);
    const data: Buffer[] = [];
    peer.on('data', (d: Buffer) => data.push(d));
    await new Promise<void>((r) => peer.once('end', () => r()));
    expect(Buffer.concat(data).toString()).toBe('bye');
    await waitFor(() => finished);
    expect(hs.writableFinished).toBe(true);
    peer.end();
    await waitFor(() => rec.events.includes('close'));
    expect(rec.events).toEqual(['end', 'close']);
    expect(hs.destroyed).toBe(true);
  });

  test('the peer\'s FIN: end, then ours (no half-open connection), then close', async () => {
    const { peer, rec } = await pair();
    const peerEnded = new Promise<void>((r) => peer.once('end', () => r()));
    peer.resume();
    peer.end();
    await peerEnded;
    await waitFor(() => rec.events.includes('close'));
    expect(rec.events).toEqual(['end', 'close']);
  });

  test('a write after the peer\'s FIN has ended ours: EPIPE to its callback, the socket destroyed (as net.Socket)', async () => {
    const { peer, hs, rec } = await pair();
    let cbErr: unknown = null;
    let ok: boolean | null = null;
    // Right after 'end' our side is ended too (no half-open connection); a write then, before the close:
    rec.sockEnd = () => { rec.events.push('end'); queueMicrotask(() => { ok = hs.write('late', 'latin1', (e) => { cbErr = e; }); }); };
    peer.end();
    await waitFor(() => rec.events.includes('close'));
    expect(ok).toBe(false);
    expect((cbErr as NodeJS.ErrnoException).code).toBe('EPIPE');
    expect(rec.events).toEqual(['end', 'error EPIPE', 'close']);
  });

  test('write callbacks: after the kernel took the bytes; corked ones after their writev; when destroyed meanwhile, still called', async () => {
    const { peer, hs } = await pair();
    const order: string[] = [];
    hs.write('a', 'latin1', () => order.push('a'));
    hs.cork();
    hs.write('b', 'latin1', () => order.push('b'));
    hs.write('c', 'latin1', () => order.push('c'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['a']); // corked: not sent, not called
    hs.uncork();
    await waitFor(() => order.length === 3);
    expect(order).toEqual(['a', 'b', 'c']);
    // A write still in libuv when the socket is destroyed: its callback runs (null), as Node's.
    peer.pause();
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    let bigCb: unknown = 'not called';
    hs.write(big, 'latin1', (e) => { bigCb = e; });
    expect(hs.writableLength).toBeGreaterThan(0);
    // Corked writes that never leave: their callbacks get ERR_STREAM_DESTROYED.
    let corkedErr: unknown = null;
    hs.cork();
    hs.write('never', 'latin1', (e) => { corkedErr = e; });
    hs.destroy();
    await waitFor(() => bigCb !== 'not called' && corkedErr !== null);
    expect(bigCb).toBeNull();
    expect((corkedErr as NodeJS.ErrnoException).code).toBe('ERR_STREAM_DESTROYED');
  });

  test('no drain once ending; corked writes leave at end()', async () => {
    const { peer, hs, rec } = await pair();
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    hs.cork();
    expect(hs.write(Buffer.alloc(20 * 1024, 2), 'latin1')).toBe(false); // past 16 KiB corked
    const peerEnded = new Promise<void>((r) => peer.once('end', () => r()));
    hs.end();
    await peerEnded;
    expect(Buffer.concat(got).length).toBe(20 * 1024);
    expect(rec.events).not.toContain('drain');
    peer.end();
    await waitFor(() => rec.events.includes('close'));
  });

  test('a reset by the peer: error (ECONNRESET), then close', async () => {
    const { peer, hs, rec } = await pair();
    peer.resetAndDestroy();
    await waitFor(() => rec.events.includes('close'));
    expect(rec.events).toEqual(['error ECONNRESET', 'close']);
    expect(hs.destroyed).toBe(true);
    expect(hs.handle).toBeNull();
  });

  test('destroy(err): error on the next tick, then close; the handle is gone', async () => {
    const { hs, rec } = await pair();
    hs.destroy(Object.assign(new Error('x'), { code: 'EXAMPLE' }));
    expect(rec.events).toEqual([]);
    await waitFor(() => rec.events.includes('close'));
    expect(rec.events).toEqual(['error EXAMPLE', 'close']);
  });

  test('toNetSocket() hands the same connection to a net.Socket that TLS wraps', async () => {
    const port = (server.address() as net.AddressInfo).port;
    const client = tls.connect({ port, host: '127.0.0.1', ca: TLS_CERT, servername: 'localhost' });
    client.on('error', () => undefined);
    await waitFor(() => accepted.length > 0);
    const rec = new Recorder();
    const hs = HandleSocket.takeHandle(accepted.shift()!, rec)!;
    const t = new tls.TLSSocket(hs.toNetSocket(), { isServer: true, key: TLS_KEY, cert: TLS_CERT });
    expect(hs.destroyed).toBe(true);
    const got = new Promise<string>((r) => t.once('data', (d: Buffer) => r(d.toString())));
    await new Promise<void>((r) => client.once('secureConnect', () => r()));
    client.write('through TLS');
    expect(await got).toBe('through TLS');
    const back = new Promise<string>((r) => client.once('data', (d: Buffer) => r(d.toString())));
    t.write('and back');
    expect(await back).toBe('and back');
    expect(rec.got).toEqual([]); // nothing reached the HandleSocket's owner
    client.destroy();
    t.destroy();
  });

  test('toNetSocket(): corked writes leave first; once destroyed it throws', async () => {
    const { peer, hs } = await pair();
    const got: Buffer[] = [];
    peer.on('data', (d: Buffer) => got.push(d));
    hs.cork();
    hs.write('before TLS', 'latin1');
    const ns = hs.toNetSocket();
    await waitFor(() => Buffer.concat(got).toString() === 'before TLS');
    ns.destroy();
    const other = await pair();
    other.hs.destroy();
    expect(() => other.hs.toNetSocket()).toThrow('startSSL: the connection is closed or closing');
  });
});

test('an XAsyncTCPServer\'s accepted connection reads into its slot (zero-copy) and answers', async () => {
  const pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
  const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(2, 512));
  const accepted: XAsyncTCPClient[] = [];
  srv.onClientAccepted = (_s, c) => { accepted.push(c); c.asyncRecvLine((cl, line) => { cl.asyncSendData(`echo ${line}\n`); }); };
  const peer = await rawClient(srv.address.port);
  await waitFor(() => accepted.length === 1);
  const reply = new Promise<string>((r) => peer.once('data', (d: Buffer) => r(d.toString())));
  peer.write('hi\n');
  expect(await reply).toBe('echo hi\n');
  expect(srv.stats.zeroCopy).toBe(1);
  peer.destroy();
  await pool.stop({ graceSec: 0.2 });
});
