import * as net from 'node:net';
import { XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { XAsyncError } from './errors';
import { XAsyncSocketsPool } from './pool';
import { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { rawClient, waitFor } from './__tests__/helpers';

describe('XAsyncTCPClient', () => {
  let pool: XAsyncSocketsPool;
  let srv: XAsyncTCPServer;
  let slots: XBufferSlots;
  let accepted: XAsyncTCPClient[];
  beforeEach(async () => {
    pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
    slots = new XBufferSlots(8, 512);
    srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { clientOptions: { sendTimeoutSec: 0.3 } });
    accepted = [];
    srv.onClientAccepted = (_s, c) => accepted.push(c);
  });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  async function acceptOne(): Promise<XAsyncTCPClient> {
    await waitFor(() => accepted.length > 0);
    return accepted.shift()!;
  }

  test('async connect on Linux: onConnected, then lines and exact-size data both ways', async () => {
    const client = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port], { recvBufLen: 256 });
    const server = await acceptOne();
    expect(client.remoteAddress.port).toBe(srv.address.port);
    server.asyncRecvLine((c, line) => {
      c.asyncSendData(`line:${line}|`);
      c.asyncRecvData(5, (c2, data) => c2.asyncSendData(`data:${data.toString()}\n`));
    });
    client.asyncSendData('héllo\r\n12345');
    expect(await client.recvLine(2)).toBe('line:héllo|data:12345');
  });

  test('recv callback fires only when exactly `size` bytes arrived, across several reads', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    const got: string[] = [];
    server.asyncRecvData(10, (_c, d) => got.push(d.toString()));
    c.write('abc');
    await new Promise((r) => setTimeout(r, 30));
    c.write('defg');
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
    c.write('hijKLM');
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['abcdefghij']);
    expect(server.recvPending).toBe(3); // 'KLM' waits for the next receive
    expect((await server.recvData(3)).toString()).toBe('KLM');
    c.destroy();
  });

  test('asyncRecvData larger than the slot gets its own buffer, which the callee may keep', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    const payload = Buffer.alloc(100_000);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const p = server.recvData(payload.length, 5);
    c.write(payload);
    const data = await p;
    expect(data.length).toBe(payload.length);
    expect(data.equals(payload)).toBe(true);
    expect(data.buffer).not.toBe(server.recvBuffer.buffer);
    c.destroy();
  });

  test('a line longer than the slot closes with Error ERR_XAS_LINE_TOO_LONG', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    server.asyncRecvLine(() => undefined);
    c.write('x'.repeat(2000));
    expect(await server.whenClosed()).toBe(XClosedReason.Error);
    expect((server.error as XAsyncError).code).toBe('ERR_XAS_LINE_TOO_LONG');
    await c.ended;
    expect(slots.inUse).toBe(0);
  });

  test('recv line and recv data timeouts close with reason Timeout', async () => {
    const a = await rawClient(srv.address.port);
    const sa = await acceptOne();
    sa.asyncRecvLine(() => undefined, 0.1);
    const b = await rawClient(srv.address.port);
    const sb = await acceptOne();
    sb.asyncRecvData(10, () => undefined, 0.1);
    b.write('short');
    expect(await sa.whenClosed()).toBe(XClosedReason.Timeout);
    expect(await sb.whenClosed()).toBe(XClosedReason.Timeout);
    await Promise.all([a.ended, b.ended]);
  });

  test('onRecvTimeout may handle a timeout (answer, then close)', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    server.onRecvTimeout = (cl) => { cl.asyncSendData('408\n'); cl.close(); return true; };
    server.asyncRecvLine(() => undefined, 0.1);
    await c.ended;
    expect(c.received().toString()).toBe('408\n');
    expect(server.closedReason).toBe(XClosedReason.ClosedByHost);
  });

  test('one receive at a time: a second one throws ERR_XAS_RECV_PENDING', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    server.asyncRecvLine(() => undefined);
    expect(() => server.asyncRecvData(4, () => undefined)).toThrow(/already pending/);
    c.destroy();
  });

  test('a client that never reads is closed by the send timeout (slow-read defence)', async () => {
    const c = await rawClient(srv.address.port);
    c.pause(); // never reads: the kernel buffers fill, then Node's queue
    const server = await acceptOne();
    const chunk = Buffer.alloc(256 * 1024);
    let queued = 0;
    while (server.asyncSendData(chunk) && queued < 64) queued++;
    expect(await server.whenClosed()).toBe(XClosedReason.Timeout);
    expect(String(server.error?.message)).toMatch(/send timeout/);
    c.destroy();
  });

  test('a sender that ignores backpressure hits maxSendPending: Error ERR_XAS_SEND_OVERFLOW', async () => {
    const big = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(1, 512), { clientOptions: { maxSendPending: 1024 * 1024, sendTimeoutSec: 0 } });
    const got: XAsyncTCPClient[] = [];
    big.onClientAccepted = (_s, c) => got.push(c);
    const c = await rawClient(big.address.port);
    c.pause();
    await waitFor(() => got.length === 1);
    const server = got[0];
    const chunk = Buffer.alloc(512 * 1024);
    let ok = true;
    for (let i = 0; i < 200 && ok; i++) ok = server.asyncSendData(chunk) || !server.isClosing;
    expect(await server.whenClosed()).toBe(XClosedReason.Error);
    expect((server.error as XAsyncError).code).toBe('ERR_XAS_SEND_OVERFLOW');
    c.destroy();
  });

  test('a full slot pauses reading (backpressure) until the receiver consumes', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    c.write(Buffer.alloc(2000, 0x41)); // 4 slots' worth, no receiver yet
    await waitFor(() => server.recvPending === 512);
    let total = 0;
    const more = () => server.asyncRecvData(100, () => { total += 100; if (total < 2000) more(); });
    more();
    await waitFor(() => total === 2000);
    expect(server.recvPending).toBe(0);
    c.destroy();
  });

  test('outgoing connect failure: onFailsToConnect, then onClosed(Error), exactly once each', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const events: string[] = [];
    const c = XAsyncTCPClient.create(pool, ['127.0.0.1', port]);
    c.onConnected = () => events.push('connected');
    c.onFailsToConnect = (_c, err) => events.push(`fails:${(err as NodeJS.ErrnoException).code}`);
    c.onClosed = (_c, r) => events.push(`closed:${r}`);
    await c.whenClosed();
    expect(events).toEqual(['fails:ECONNREFUSED', 'closed:Error']);
    await expect(XAsyncTCPClient.connect(pool, ['127.0.0.1', port])).rejects.toMatchObject({ code: 'ERR_XAS_CONNECT' });
  });

  test('an accepted connection: outgoing callbacks read null until set (then what was set), no TLS, zero-copy reads', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    expect(server.onConnected).toBeNull();
    expect(server.onFailsToConnect).toBeNull();
    server.onConnected = null; // clearing one never set is a no-op
    expect(server.onConnected).toBeNull();
    const cb = (): void => undefined;
    server.onFailsToConnect = cb;
    expect(server.onFailsToConnect).toBe(cb);
    expect(server.onConnected).toBeNull();
    server.onFailsToConnect = null;
    expect(server.onFailsToConnect).toBeNull();
    expect(server.tlsSocket).toBeNull();
    expect(server.isSSL).toBe(false);
    expect(server.zeroCopy).toBe(true);
    // close() of an accepted connection is graceful: not the "still connecting" path of an outgoing one.
    const reason = server.whenClosed();
    server.close();
    c.end();
    await expect(reason).resolves.toBe(XClosedReason.ClosedByHost);
    c.destroy();
  });

  test('a graceful close whose peer never closes its side ends at lingerSec (the lifecycle timer)', async () => {
    const own = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 4, new XBufferSlots(1, 512), { clientOptions: { lingerSec: 0.1 } });
    const got: XAsyncTCPClient[] = [];
    own.onClientAccepted = (_s, c) => got.push(c);
    // Half-open allowed: the peer keeps its side open after our FIN, so only the linger timeout ends it.
    const peer = net.connect({ port: own.address.port, host: '127.0.0.1', allowHalfOpen: true });
    const peerEnded = new Promise((r) => peer.once('end', r));
    await waitFor(() => got.length > 0);
    const server = got[0];
    server.close();
    await peerEnded;
    await expect(server.whenClosed()).resolves.toBe(XClosedReason.ClosedByHost);
    expect(peer.destroyed).toBe(false); // the peer never closed: the server's linger did
    peer.destroy();
  });

  test('outgoing clients can take their buffer from a slot pool and give it back', async () => {
    const own = new XBufferSlots(1, 256);
    const c = await XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port], { slots: own });
    expect(own.inUse).toBe(1);
    expect(() => XAsyncTCPClient.create(pool, ['127.0.0.1', srv.address.port], { slots: own })).toThrow(/no free slot/);
    c.close();
    await c.whenClosed();
    expect(own.inUse).toBe(0);
  });

  test('close() flushes what was queued before the FIN', async () => {
    const c = await rawClient(srv.address.port);
    const server = await acceptOne();
    const big = Buffer.alloc(3 * 1024 * 1024, 0x42);
    server.asyncSendData(big);
    server.close();
    await c.ended;
    expect(c.received().length).toBe(big.length);
    expect(await server.whenClosed()).toBe(XClosedReason.ClosedByHost);
  });
});
