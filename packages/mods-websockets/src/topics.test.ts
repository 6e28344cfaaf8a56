/** WebSockets on the server's topics: subscribe with wildcards, one frame per publish, slow sockets, cleanup on close. */
import WS from 'ws';
import { MicroWebSrv } from '@microwebsrv/core';
import { CA, cleanup, closeEvent, connect, frame, nextMessage, RawWs, sleep, startWs, until } from './__tests__/helpers';
import { FRAME_ENCODER } from './frame-encoder';
import type { WebSocket } from './index';

afterEach(cleanup);

test('ws.subscribe with wildcards; text, binary and JSON; unsubscribed on close', async () => {
  const sockets: WebSocket[] = [];
  const ts = await startWs({});
  ts.mod.route('/sub', (ws, req) => {
    sockets.push(ws);
    for (const t of (req.queryParams.t ?? '').split(',')) ws.subscribe(t);
  });
  const a = await connect(ts.url('/sub?t=room/%2B'));
  const b = await connect(ts.url('/sub?t=room/1,news/%23'));
  await until(() => sockets.length === 2);
  expect(sockets[1]!.subscriptions).toEqual(['room/1', 'news/#']);
  expect(ts.srv.subscribers('room/1')).toBe(2);
  expect(ts.mod.subscribers('news/x')).toBe(1);
  const gotA = nextMessage(a); const gotB = nextMessage(b);
  ts.mod.publish('room/1', 'hello');
  expect((await gotA).data.toString()).toBe('hello');
  expect(await gotB).toMatchObject({ isBinary: false });
  const binB = nextMessage(b);
  ts.srv.publish('news/today', Buffer.from([1, 2, 3]));
  expect(await binB).toEqual({ data: Buffer.from([1, 2, 3]), isBinary: true });
  const jsonA = nextMessage(a);
  ts.srv.publish('room/2', { n: 2 });
  expect(JSON.parse((await jsonA).data.toString())).toEqual({ n: 2 });
  expect(sockets[0]!.unsubscribe('room/+')).toBe(true);
  expect(ts.srv.subscribers('room/2')).toBe(0);
  b.close();
  await closeEvent(b);
  await until(() => ts.srv.subscribers('room/1') === 0 && ts.srv.subscribers('news/x') === 0);
});

test('a publish is framed once for every subscriber, on every server sharing the bus; broadcast uses the same frames', async () => {
  const ts1 = await startWs({});
  const ts2 = await startWs({}, undefined, true);
  ts2.srv.topics.bus = ts1.srv.topics.bus; // an HTTP and an HTTPS server, one topic space
  for (const t of [ts1, ts2]) t.mod.route('/s', (ws) => { ws.subscribe('t'); });
  const clients: WS[] = [];
  for (let i = 0; i < 3; i++) clients.push(await connect(ts1.url('/s')));
  for (let i = 0; i < 2; i++) clients.push(await connect(ts2.url('/s'), undefined, { ca: CA }));
  await until(() => ts1.srv.subscribers('t') === 3 && ts2.srv.subscribers('t') === 2);
  const spy = jest.spyOn(FRAME_ENCODER, 'encode');
  try {
    const got = clients.map((c) => nextMessage(c));
    ts2.srv.publish('t', 'x'.repeat(300)); // a 16-bit length header
    for (const g of got) expect((await g).data.toString()).toBe('x'.repeat(300));
    expect(spy).toHaveBeenCalledTimes(1);
  } finally { spy.mockRestore(); }
  const b = clients.slice(0, 3).map((c) => nextMessage(c));
  expect(ts1.mod.broadcastText('all', '/s')).toEqual({ sent: 3, skipped: 0, closed: 0 });
  for (const g of b) expect((await g).data.toString()).toBe('all');
});

test('1,000 WebSocket subscribers get one publish', async () => {
  const ts = await startWs({}, (srv: MicroWebSrv) => { srv.bufferSlotsCount = 1100; srv.bufferSlotSize = 1024; srv.connQueueCapacity = 1024; });
  ts.mod.route('/s', (ws) => { ws.subscribe('fan/out'); });
  const clients: WS[] = [];
  for (let i = 0; i < 1000; i += 50) clients.push(...await Promise.all(Array.from({ length: 50 }, () => connect(ts.url('/s')))));
  await until(() => ts.srv.subscribers('fan/out') === 1000, 10000);
  let n = 0;
  for (const c of clients) c.once('message', () => { n++; });
  ts.srv.publish('fan/out', 'ping');
  await until(() => n === 1000, 10000);
  for (const c of clients) c.terminate();
  await until(() => ts.srv.subscribers('fan/out') === 0, 10000);
}, 40000);

test('a slow subscriber is skipped (others go on), or closed with 1008 under topicSlowPolicy close', async () => {
  const big = Buffer.alloc(256 * 1024, 1);
  for (const policy of ['skip', 'close'] as const) {
    const ts = await startWs({ maxSendQueueBytes: 512 * 1024, topicSlowPolicy: policy });
    let slowWs: WebSocket | null = null;
    ts.mod.route('/s', (ws, req) => { ws.subscribe('big'); if (req.queryParams.slow !== undefined) slowWs = ws; });
    const slow = new RawWs(ts.port);
    await slow.request(RawWs.handshakeText('/s?slow'));
    slow.sock.pause(); // reads nothing: the kernel's buffers fill, then its queue
    const fast = await connect(ts.url('/s'));
    let fastGot = 0;
    fast.on('message', () => { fastGot++; });
    await until(() => ts.srv.subscribers('big') === 2);
    let published = 0;
    for (; published < 40 && !slowWs!.isClosed; published++) { ts.srv.publish('big', big); await sleep(20); }
    await until(() => fastGot === published, 8000);
    if (policy === 'close') {
      expect(slowWs!.isClosed).toBe(true);
      slow.sock.resume();
      expect(await slow.closeCode(8000)).toBe(1008); // after what was already queued
    } else {
      expect(published).toBe(40);
      expect(slowWs!.isClosed).toBe(false);
      expect(slowWs!.bufferedAmount).toBeLessThanOrEqual(512 * 1024 + 256 * 1024);
    }
    await cleanup();
  }
}, 30000);

test('reading pauses while an async message handler is busy (maxPendingHandlers), then goes on in order', async () => {
  const ts = await startWs({ maxPendingHandlers: 1 });
  const seen: string[] = [];
  let release: () => void = () => {};
  ts.mod.route('/slow', (ws) => {
    ws.onTextMessage = (_w, text) => {
      seen.push(text);
      return new Promise<void>((r) => { release = r; });
    };
  });
  const c = await connect(ts.url('/slow'));
  c.send('one');
  await until(() => seen.length === 1);
  await sleep(30);
  c.send('two');
  await sleep(30);
  c.send('three');
  await sleep(200);
  expect(seen).toEqual(['one']); // reading is paused: the others wait in the kernel and the slot
  release();
  await until(() => seen.length >= 2);
  release();
  await until(() => seen.length === 3);
  expect(seen).toEqual(['one', 'two', 'three']);
});

test('a rejected async handler closes with 1011 and logs', async () => {
  const ts = await startWs({});
  ts.mod.route('/bad', (ws) => { ws.onTextMessage = async () => { throw new Error('nope'); }; });
  const c = await connect(ts.url('/bad'));
  const closed = closeEvent(c);
  c.send('x');
  expect((await closed).code).toBe(1011);
  expect(ts.logs.some((l) => /message handler rejected: nope >> close 1011/.test(l.msg))).toBe(true);
});

test('fragments per message are capped (maxMessageFragments): close 1009', async () => {
  const ts = await startWs({ maxMessageFragments: 4 });
  const got: string[] = [];
  ts.mod.route('/f', (ws) => { ws.onTextMessage = (_w, t) => { got.push(t); }; });
  const ok = new RawWs(ts.port);
  await ok.request(RawWs.handshakeText('/f'));
  ok.sock.write(Buffer.concat([frame(1, 'a', { fin: false }), frame(0, 'b', { fin: false }), frame(0, 'c', { fin: false }), frame(0, 'd')]));
  await until(() => got.length === 1);
  expect(got).toEqual(['abcd']);
  const r = new RawWs(ts.port);
  await r.request(RawWs.handshakeText('/f'));
  const parts = [frame(1, 'a', { fin: false })];
  for (let i = 0; i < 10; i++) parts.push(frame(0, 'x', { fin: false }));
  r.sock.write(Buffer.concat(parts));
  expect(await r.closeCode()).toBe(1009);
  expect(() => ts.mod.route('/g', () => {}, { maxMessageFragments: 0 })).toThrow(/route options.maxMessageFragments must be an integer >= 1/);
});

test("a slow subscriber under Topics' batches: a turn that does not fit whole goes message by message under the bound", async () => {
  const ts = await startWs({ maxSendQueueBytes: 512 * 1024 });
  let slowWs: WebSocket | null = null;
  ts.mod.route('/s', (ws, req) => { ws.subscribe('t'); if (req.queryParams.slow !== undefined) slowWs = ws; });
  const slow = new RawWs(ts.port);
  await slow.request(RawWs.handshakeText('/s?slow'));
  slow.sock.pause(); // reads nothing
  const fast = await connect(ts.url('/s'));
  const got: number[] = [];
  fast.on('message', (d: Buffer) => { got.push(d.readUInt32BE(0)); });
  await until(() => ts.srv.subscribers('t') === 2);
  let n = 0;
  for (let turn = 0; turn < 50; turn++) { // 12 MB: beyond what the kernel's socket buffers hold
    for (let i = 0; i < 4; i++) { const b = Buffer.alloc(60 * 1024, 7); b.writeUInt32BE(n++, 0); ts.srv.publish('t', b); }
    await sleep(20);
    expect(slowWs!.bufferedAmount).toBeLessThanOrEqual(512 * 1024 + 4 * 60 * 1024 + 64); // the bound, plus one batch an empty queue took whole
  }
  await until(() => got.length === n, 8000);
  expect(got).toEqual(Array.from({ length: n }, (_, i) => i)); // the fast one: all, in order
  expect(slowWs!.isClosed).toBe(false);
  expect(ts.srv.topics.stats.dropped).toBeGreaterThan(0); // the slow one skipped what did not fit
  expect(ts.srv.topics.stats.delivered).toBe(2 * n);
}, 30000);
