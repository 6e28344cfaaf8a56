import * as net from 'node:net';
import { XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { XAsyncSocketsPool } from './pool';
import { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { XAsyncUDPDatagram } from './udp-datagram';
import { rawClient, waitFor } from './__tests__/helpers';

describe('XAsyncSocketsPool', () => {
  test('stop() closes every member with ClosedByHost and resolves when all are closed', async () => {
    const pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
    const slots = new XBufferSlots(4, 512);
    const a = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots);
    const b = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots); // two servers, one pool
    const reasons: XClosedReason[] = [];
    const onAccept = (_s: XAsyncTCPServer, c: XAsyncTCPClient) => {
      c.onClosed = (_c, r) => reasons.push(r);
      c.asyncRecvLine(() => undefined, 60); // a long timeout still armed at stop
    };
    a.onClientAccepted = onAccept;
    b.onClientAccepted = onAccept;
    const udp = await XAsyncUDPDatagram.create(pool, { localAddr: ['127.0.0.1', 0] });
    const peers = [await rawClient(a.address.port), await rawClient(b.address.port), await rawClient(b.address.port)];
    const out = await XAsyncTCPClient.connect(pool, ['127.0.0.1', a.address.port]);
    await waitFor(() => slots.inUse === 4);
    expect(pool.stats.open).toBe(3 + 4 + 1); // servers + udp, 4 accepted, 1 outgoing
    const waited = pool.asyncWaitEvents();
    await pool.stop();
    await waited;
    expect(pool.stats.open).toBe(0);
    expect(pool.stats.armedTimers).toBe(0);
    expect(reasons).toEqual([XClosedReason.ClosedByHost, XClosedReason.ClosedByHost, XClosedReason.ClosedByHost, XClosedReason.ClosedByHost]);
    expect([a.isClosed, b.isClosed, udp.isClosed, out.isClosed]).toEqual([true, true, true, true]);
    expect(slots.inUse).toBe(0);
    await Promise.all(peers.map((p) => p.ended));
    expect(() => XAsyncTCPClient.create(pool, ['127.0.0.1', 1])).toThrow(/pool is stopped/);
  });

  test('stop() destroys connections that do not close within the grace period', async () => {
    const pool = new XAsyncSocketsPool({ timerResolutionMs: 20 });
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(1, 512), { clientOptions: { lingerSec: 30 } });
    // A peer that never closes its side: the graceful close cannot complete on its own.
    const peer = net.connect({ port: srv.address.port, host: '127.0.0.1', allowHalfOpen: true });
    const peerEnded = new Promise<void>((r) => peer.once('end', () => r()));
    await waitFor(() => srv.stats.active === 1);
    const t0 = Date.now();
    await pool.stop({ graceSec: 0.2 });
    await peerEnded;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // it waited for the grace period, then destroyed
    expect(pool.stats.open).toBe(0);
    peer.destroy();
  });

  test('2,000 simultaneous connections on one pool', async () => {
    const N = 2000;
    const pool = new XAsyncSocketsPool();
    const slots = new XBufferSlots(N, 256);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 4096, slots);
    srv.onClientAccepted = (_s, c) => c.asyncRecvLine((cl, line) => cl.asyncSendData(`${line}!\n`));
    const clients: XAsyncTCPClient[] = [];
    for (let i = 0; i < N; i += 200) {
      const batch = await Promise.all(Array.from({ length: 200 }, () => XAsyncTCPClient.connect(pool, ['127.0.0.1', srv.address.port], { recvBufLen: 256 })));
      clients.push(...batch);
    }
    await waitFor(() => srv.stats.active === N, 10000, 'all accepted');
    expect(slots.stats.inUse).toBe(N);
    const replies = await Promise.all(clients.map((c, i) => { c.asyncSendData(`c${i}\n`); return c.recvLine(10); }));
    expect(replies.every((r, i) => r === `c${i}!`)).toBe(true);
    expect(pool.stats.open).toBe(1 + 2 * N);
    await pool.stop();
    expect(slots.stats.inUse).toBe(0);
    expect(slots.stats.highWater).toBe(N);
  });
});
