/**
 * A socket's own sends and its topics' batched messages in the same turn: frames never interleave
 * (RFC 6455 §5.4), messages keep the order they were sent/published in, no data frame follows a Close (§5.5.1).
 */
import { cleanup, connect, RawWs, sleep, startWs, until, type ParsedFrame } from './__tests__/helpers';
import type { WebSocket } from './index';

afterEach(cleanup);

/** The messages in `frames` (fragments joined), and 'CLOSE <code>' for a Close frame; throws on a bad sequence. */
function messages(frames: ParsedFrame[]): string[] {
  const out: string[] = [];
  let cur: Buffer[] | null = null;
  for (const f of frames) {
    if (f.opcode === 8) { out.push(`CLOSE ${f.payload.readUInt16BE(0)}`); continue; }
    if (f.opcode >= 8) continue;
    if (f.opcode === 0 && cur === null) throw new Error('a continuation frame with no message started');
    if (f.opcode !== 0 && cur !== null) throw new Error('a new message inside a fragmented one');
    (cur ??= []).push(f.payload);
    if (f.fin) { out.push(Buffer.concat(cur).toString('latin1')); cur = null; }
  }
  return out;
}

async function subscribedSocket(options: Parameters<typeof startWs>[0] = {}) {
  const ts = await startWs(options);
  const sockets: WebSocket[] = [];
  ts.mod.route('/s', (w) => { w.subscribe('t'); sockets.push(w); });
  const raw = new RawWs(ts.port);
  await raw.request(RawWs.handshakeText('/s'));
  await until(() => sockets.length === 1 && ts.srv.subscribers('t') === 1);
  return { ts, raw, ws: sockets[0]!, sockets };
}

test('a publish then the socket\'s own fragmented send in one turn: the topic message, then the fragments, never interleaved', async () => {
  const { ts, raw, ws, sockets } = await subscribedSocket();
  ts.srv.publish('t', 'PUB');
  expect(ws.sendTextMessage('abcdefghij', 4)).toBe(true);
  await until(() => messages(raw.frames()).length === 2);
  await sleep(50); // nothing more follows
  expect(raw.frames().map((f) => `${f.opcode}${f.fin ? 'F' : '-'}${f.payload.toString()}`)).toEqual(['1FPUB', '1-abcd', '0-efgh', '0Fij']);
  // A ws client reads both (before the fix it failed the connection: "invalid opcode 0").
  const c = await connect(ts.url('/s'));
  await until(() => sockets.length === 2 && ts.srv.subscribers('t') === 2);
  const got: string[] = [];
  c.on('message', (d: Buffer) => { got.push(d.toString()); });
  let closed = false;
  c.on('close', () => { closed = true; });
  ts.srv.publish('t', 'published-first');
  expect(sockets[1]!.sendTextMessage('own-message-second', 4)).toBe(true);
  await until(() => got.length === 2 || closed);
  await sleep(50);
  expect(got).toEqual(['published-first', 'own-message-second']);
  expect(closed).toBe(false);
});

test('with fragments waiting (backpressure), a publish then an own send in one turn keep that order', async () => {
  const { ts, sockets } = await subscribedSocket({ maxSendQueueBytes: 64 * 1024 * 1024 });
  const c = await connect(ts.url('/s'));
  await until(() => sockets.length === 2 && ts.srv.subscribers('t') === 2);
  const ws = sockets[1]!;
  const got: Buffer[] = [];
  c.on('message', (d: Buffer) => { got.push(d); });
  c.pause(); // reads nothing: the big message's fragments wait in the socket's queue
  const big = Buffer.alloc(16 * 1024 * 1024, 'b'.charCodeAt(0));
  expect(ws.sendBinaryMessage(big, 64 * 1024)).toBe(true);
  expect(ws.bufferedAmount).toBeGreaterThan(0);
  ts.srv.publish('t', 'm1');
  expect(ws.sendTextMessage('own')).toBe(true);
  c.resume();
  await until(() => got.length === 3, 8000);
  expect(got[0]!.equals(big)).toBe(true);
  expect(got.slice(1).map((d) => d.toString())).toEqual(['m1', 'own']);
}, 20000);

test('topicSlowPolicy close: an own send or ping after a publish the queue refuses is refused too, nothing after the Close', async () => {
  const max = 1024 * 1024;
  for (const own of ['send', 'ping'] as const) {
    const { ts, raw, ws } = await subscribedSocket({ maxSendQueueBytes: max });
    ws.topicSlowPolicy = 'close';
    raw.sock.pause();
    // Fill the kernel's buffers until a few bytes wait in the socket's queue (well under the bound).
    const chunk = Buffer.alloc(64 * 1024, 'f'.charCodeAt(0));
    let sent = 0;
    while (ws.bufferedAmount === 0 && sent < 1000) { expect(ws.sendBinaryMessage(chunk)).toBe(true); sent++; }
    expect(ws.bufferedAmount).toBeGreaterThan(0);
    expect(ws.bufferedAmount + 3).toBeLessThanOrEqual(max);
    ts.srv.publish('t', Buffer.alloc(max, 'p'.charCodeAt(0))); // cannot fit: the policy closes with 1008
    expect(own === 'send' ? ws.sendTextMessage('own') : ws.ping(Buffer.from('own'))).toBe(false);
    expect(ws.isClosed).toBe(true);
    raw.sock.resume();
    await until(() => raw.frames().some((f) => f.opcode === 8), 8000);
    await sleep(100);
    const frames = raw.frames();
    const got = messages(frames);
    expect(got.length).toBe(sent + 1);
    expect(got[sent]).toBe('CLOSE 1008');
    expect(frames[frames.length - 1]!.opcode).toBe(8);
    await cleanup();
  }
}, 30000);
