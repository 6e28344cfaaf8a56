import type WS from 'ws';
import { broadcast, type WebSocket } from './index';
import { cleanup, connect, RawWs, sleep, startWs, until, within } from './__tests__/helpers';

afterEach(cleanup);

const accept = { onWebSocketAccepted: (_s: unknown, ws: WebSocket) => { ws.onTextMessage = () => {}; ws.onBinaryMessage = () => {}; } };

describe('broadcast and send backpressure', () => {
  test('1,000 concurrent sockets get a broadcast; paths are separate; slots come back', async () => {
    const N = 1000;
    const ts = await startWs(accept, (s) => { s.bufferSlotsCount = N + 50; s.bufferSlotSize = 4096; s.connQueueCapacity = 2048; });
    const clients: WS[] = [];
    for (let i = 0; i < N; i += 100) {
      clients.push(...await Promise.all(Array.from({ length: 100 }, (_, j) => connect(ts.url((i + j) % 2 === 0 ? '/even' : '/odd')))));
    }
    await until(() => ts.mod.count === N, 10000);
    let got = 0;
    const done = within(10000, new Promise<void>((resolve) => {
      for (const c of clients) c.on('message', (d: Buffer) => { if (d.toString() === 'to all' && ++got === N) resolve(); });
    }), 'broadcast');
    expect(ts.mod.broadcastText('to all')).toEqual({ sent: N, skipped: 0, closed: 0 });
    await done;
    let odd = 0;
    for (const c of clients) c.on('message', (d: Buffer, bin: boolean) => { if (bin && d[0] === 7) odd++; });
    expect(ts.mod.broadcastBinary(Buffer.from([7]), '/odd').sent).toBe(N / 2);
    await until(() => odd === N / 2, 5000);
    await sleep(50);
    expect(odd).toBe(N / 2);
    expect(ts.srv.stats.slots!.inUse).toBe(N);
    for (const c of clients) c.terminate();
    await until(() => ts.srv.stats.slots!.inUse === 0 && ts.mod.count === 0, 10000);
  }, 30000);

  test("the module's broadcastText takes broadcast's options: exclude leaves the sender out", async () => {
    const ts = await startWs(accept);
    const [a, b] = await Promise.all([connect(ts.url('/room')), connect(ts.url('/room'))]);
    await until(() => ts.mod.count === 2);
    const [sender] = ts.mod.sockets('/room');
    const heard: string[] = [];
    for (const c of [a, b]) c.on('message', (d: Buffer) => heard.push(d.toString()));
    expect(ts.mod.broadcastText('not to the sender', '/room', { exclude: sender })).toEqual({ sent: 1, skipped: 0, closed: 0 });
    expect(ts.mod.broadcastBinary(Buffer.from('x'), undefined, { exclude: () => true }).sent).toBe(0);
    await until(() => heard.length === 1);
    await sleep(50);
    expect(heard).toEqual(['not to the sender']);
    a.terminate();
    b.terminate();
  });

  test('a slow reader: its bounded queue refuses, the others still get every message', async () => {
    const ts = await startWs({ ...accept, maxSendQueueBytes: 512 * 1024 });
    const fast = await connect(ts.url());
    const slow = new RawWs(ts.port);
    await slow.request(RawWs.handshakeText());
    slow.sock.pause(); // never reads: the kernel buffers fill, then the server's queue
    await until(() => ts.mod.count === 2);
    let fastGot = 0;
    fast.on('message', () => { fastGot++; });
    const msg = Buffer.alloc(64 * 1024, 1);
    let skipped = 0;
    let rounds = 0;
    for (; rounds < 400 && skipped === 0; rounds++) {
      const r = ts.mod.broadcastBinary(msg);
      skipped += r.skipped;
      expect(r.sent).toBeGreaterThanOrEqual(1);
      await sleep(2);
    }
    expect(skipped).toBe(1);
    const slowWs = ts.mod.sockets().find((w) => w.bufferedAmount > 0 && !w.canSend)!;
    expect(slowWs).toBeDefined();
    expect(slowWs.bufferedAmount).toBeLessThanOrEqual(512 * 1024 + 64 * 1024);
    expect(slowWs.sendBinaryMessage(msg)).toBe(false);
    await until(() => fastGot === rounds, 5000);
    // With slowPolicy 'close' the slow socket is closed with 1008; the fast one stays.
    const res = broadcast(ts.mod.sockets(), msg, { slowPolicy: 'close' });
    expect(res).toMatchObject({ sent: 1, closed: 1 });
    expect(slowWs.isClosed).toBe(true);
    slow.destroy();
  }, 20000);

  test('exclude skips the sender; closed sockets are skipped', async () => {
    const ts = await startWs(accept);
    const a = await connect(ts.url());
    await connect(ts.url());
    await until(() => ts.mod.count === 2);
    const [wa, wb] = ts.mod.sockets();
    expect(broadcast([wa!, wb!], 'x', { exclude: wa })).toEqual({ sent: 1, skipped: 0, closed: 0 });
    wb!.close();
    expect(broadcast([wa!, wb!], 'y')).toEqual({ sent: 1, skipped: 0, closed: 0 });
    a.close();
  });
});
