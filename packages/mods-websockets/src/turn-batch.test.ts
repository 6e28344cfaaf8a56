/** The frames of one turn: joined once per run and shared, one write per socket, order kept with every other send. */
import WS from 'ws';
import { XAsyncTCPClient } from '@microwebsrv/xasync';
import { cleanup, closeEvent, connect, startWs, until } from './__tests__/helpers';
import { TurnBatch, type TurnWriter } from './turn-batch';
import type { WebSocket } from './index';

afterEach(cleanup);

test('TurnBatch: positions in first-taken order, runs joined once and shared, reset when the turn ends', async () => {
  const b = new TurnBatch();
  const f = [Buffer.from('ab'), Buffer.from('cde'), Buffer.from('f')];
  expect(f.map((x) => b.position(x))).toEqual([0, 1, 2]);
  expect(b.position(f[1]!)).toBe(1);
  expect(b.bytes(0, 3)).toBe(6);
  expect(b.joined(1, 2)).toBe(f[1]); // a run of one frame: the frame itself
  const j = b.joined(0, 3);
  expect(j.toString()).toBe('abcdef');
  expect(b.joined(0, 3)).toBe(j); // the same buffer for every socket that took the same run
  let flushed = 0;
  const w: TurnWriter = { inTurn: false, flushTurn: () => { flushed++; } };
  b.enlist(w);
  b.enlist(w);
  expect(w.inTurn).toBe(true);
  await new Promise((r) => process.nextTick(r));
  expect(flushed).toBe(1);
  expect(w.inTurn).toBe(false);
  expect(b.position(f[2]!)).toBe(0); // a new turn
});

function collect(c: WS): string[] {
  const got: string[] = [];
  c.on('message', (d) => { got.push(d.toString()); });
  return got;
}

test('publishes of one turn on two topics: each socket gets its own in order, a direct send and a close stay in place', async () => {
  const ts = await startWs({});
  const byName = new Map<string, WebSocket>();
  ts.mod.route('/s', (ws, req) => {
    byName.set(req.queryParams.name!, ws);
    for (const t of (req.queryParams.t ?? '').split(',')) ws.subscribe(t);
  });
  const a = await connect(ts.url('/s?name=a&t=a'));
  const b = await connect(ts.url('/s?name=b&t=b'));
  const ab = await connect(ts.url('/s?name=ab&t=a,b'));
  const gotA = collect(a); const gotB = collect(b); const gotAB = collect(ab);
  const abClosed = closeEvent(ab);
  await until(() => byName.size === 3);
  // One synchronous turn: interleaved topics, a direct send to one socket, then its close.
  for (let i = 1; i <= 3; i++) { ts.srv.publish('a', `a${i}`); ts.srv.publish('b', `b${i}`); }
  byName.get('ab')!.sendTextMessage('direct');
  ts.srv.publish('a', 'a4');
  byName.get('ab')!.close(1000, 'bye');
  ts.srv.publish('a', 'a5'); // after the Close: not for ab
  await until(() => gotA.length === 5 && gotB.length === 3);
  expect(gotA).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  expect(gotB).toEqual(['b1', 'b2', 'b3']);
  expect((await abClosed).code).toBe(1000);
  expect(gotAB).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'direct', 'a4']);
});

/** Until this loop turn's check phase has run (the flush is queued by a microtask after the publishing code). */
const checkPhase = async (): Promise<void> => { await null; await new Promise((r) => setImmediate(r)); };

test('16 publishes in one turn leave as one write per subscriber; while publishing is continuous, two turns leave in one write', async () => {
  const ts = await startWs({});
  ts.mod.route('/s', (ws) => { ws.subscribe('t'); });
  const clients = [await connect(ts.url('/s')), await connect(ts.url('/s')), await connect(ts.url('/s'))];
  const got = clients.map(collect);
  await until(() => ts.srv.subscribers('t') === 3);
  const spy = jest.spyOn(XAsyncTCPClient.prototype, 'asyncSendData');
  try {
    for (let i = 0; i < 16; i++) ts.srv.publish('t', `m${i}`);
    expect(spy).toHaveBeenCalledTimes(0); // noted, not written yet
    // After a pause: written in the loop's check phase (core's topics.ts).
    await checkPhase();
    expect(spy).toHaveBeenCalledTimes(3);
    expect(spy.mock.calls[0]![0]).toBe(spy.mock.calls[2]![0]); // the same joined buffer
    // Publishing goes on in the next turns: a turn's messages wait for the next turn's (flush consolidation).
    spy.mockClear();
    for (let i = 16; i < 20; i++) ts.srv.publish('t', `m${i}`);
    await checkPhase();
    expect(spy).toHaveBeenCalledTimes(0);
    for (let i = 20; i < 24; i++) ts.srv.publish('t', `m${i}`);
    await checkPhase();
    expect(spy).toHaveBeenCalledTimes(3);
    expect(spy.mock.calls[0]![0]).toBe(spy.mock.calls[2]![0]);
  } finally { spy.mockRestore(); }
  const want = Array.from({ length: 24 }, (_, i) => `m${i}`);
  await until(() => got.every((g) => g.length === 24));
  for (const g of got) expect(g).toEqual(want);
});

test('a producer that publishes, then yields with setImmediate to publish more, gets both batches in one write per subscriber', async () => {
  const ts = await startWs({});
  ts.mod.route('/s', (ws) => { ws.subscribe('t'); });
  const clients = [await connect(ts.url('/s')), await connect(ts.url('/s'))];
  const got = clients.map(collect);
  await until(() => ts.srv.subscribers('t') === 2);
  const spy = jest.spyOn(XAsyncTCPClient.prototype, 'asyncSendData');
  try {
    // As in a route handler: 16 now, the rest in an immediate queued by the same callback; the flush is
    // queued behind it, in the same check phase.
    await new Promise<void>((done) => {
      for (let i = 0; i < 16; i++) ts.srv.publish('t', `m${i}`);
      setImmediate(() => { for (let i = 16; i < 20; i++) ts.srv.publish('t', `m${i}`); done(); });
    });
    expect(spy).toHaveBeenCalledTimes(0); // the producer's immediate ran first
    await new Promise((r) => setImmediate(r));
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[0]![0]).toBe(spy.mock.calls[1]![0]);
  } finally { spy.mockRestore(); }
  const want = Array.from({ length: 20 }, (_, i) => `m${i}`);
  await until(() => got.every((g) => g.length === 20));
  for (const g of got) expect(g).toEqual(want);
});
