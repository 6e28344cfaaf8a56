import * as net from 'node:net';
import WS from 'ws';
import { WebSocket, type WebSocketsOptions } from './index';
import { CA, cleanup, closeEvent, connect, frame, nextMessage, RawWs, sleep, startWs, until, within } from './__tests__/helpers';

afterEach(cleanup);

/** Echoes text and binary; records what the server saw. */
function echo(extra: WebSocketsOptions = {}): WebSocketsOptions {
  return {
    onWebSocketAccepted: (_s, ws) => {
      ws.onTextMessage = (w, t) => { w.sendTextMessage(t); };
      ws.onBinaryMessage = (w, d) => { w.sendBinaryMessage(d); };
    },
    ...extra,
  };
}

describe('WebSockets module with the ws client', () => {
  test('text, binary and empty messages echo', async () => {
    const ts = await startWs(echo());
    const c = await connect(ts.url('/echo'));
    for (const [msg, binary] of [['hello', false], ['héllo €', false], ['', false], [Buffer.from([0, 1, 2, 255]), true], [Buffer.alloc(0), true]] as const) {
      const m = nextMessage(c);
      c.send(msg, { binary });
      const got = await m;
      expect(got.isBinary).toBe(binary);
      expect(got.data.equals(Buffer.from(msg as string | Buffer))).toBe(true);
    }
    c.close();
    await closeEvent(c);
  });

  test('1 MiB messages both ways, and fragmented messages from the client', async () => {
    const ts = await startWs(echo({ maxRecvMessageLength: 4 << 20 }));
    const c = await connect(ts.url());
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
    let m = nextMessage(c);
    c.send(big);
    expect((await m).data.equals(big)).toBe(true);
    m = nextMessage(c);
    c.send('part one, ', { fin: false });
    c.send('part two, ', { fin: false });
    c.send('end', { fin: true });
    expect((await m).data.toString()).toBe('part one, part two, end');
  });

  test('the server fragments above fragmentSize (RFC 6455 §5.4); ws reassembles', async () => {
    const ts = await startWs(echo({ fragmentSize: 1000 }));
    const c = await connect(ts.url());
    const msg = 'x'.repeat(3500);
    const m = nextMessage(c);
    c.send(msg);
    expect((await m).data.toString()).toBe(msg);
    // The same over a raw socket: 4 frames, text then continuations, FIN on the last.
    const r = new RawWs(ts.port);
    expect(await r.request(RawWs.handshakeText())).toMatch(/^HTTP\/1.1 101/);
    r.sock.write(frame(1, msg));
    await until(() => r.frames().length === 4);
    expect(r.frames().map((f) => [f.opcode, f.fin, f.payload.length])).toEqual([[1, false, 1000], [0, false, 1000], [0, false, 1000], [0, true, 500]]);
  });

  test('sub-protocols: the callback picks among those offered; an answer not offered is ignored', async () => {
    const ts = await startWs(echo({ onWebSocketProtocol: (_s, offered) => (offered.includes('b') ? 'b' : 'zzz') }));
    const c = await connect(ts.url(), ['a', 'b']);
    expect(c.protocol).toBe('b');
    const r = new RawWs(ts.port);
    const head = await r.request(RawWs.handshakeText('/', 'Sec-WebSocket-Protocol: x, y\r\n'));
    expect(head).toMatch(/^HTTP\/1.1 101/);
    expect(head).toMatch(/Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    expect(head).not.toMatch(/Sec-WebSocket-Protocol/i);
  });

  test('close codes: the peer\'s code reaches onClosed and is echoed; the server\'s close reaches the client', async () => {
    const closed: Array<[number, string]> = [];
    let server: WebSocket | null = null;
    const ts = await startWs(echo({ onWebSocketAccepted: (_s, ws) => { server = ws; ws.onTextMessage = () => {}; ws.onClosed = (_w, code, reason) => closed.push([code, reason]); } }));
    const c = await connect(ts.url());
    c.close(4000, 'bye');
    expect(await closeEvent(c)).toEqual({ code: 4000, reason: '' });
    await until(() => closed.length === 1);
    expect(closed[0]).toEqual([4000, 'bye']);
    expect(server!.isClosed).toBe(true);
    const c2 = await connect(ts.url());
    await until(() => ts.mod.count === 1);
    const ev = closeEvent(c2);
    ts.mod.sockets()[0]!.close(4001, 'done');
    expect(await ev).toEqual({ code: 4001, reason: 'done' });
    await until(() => closed.length === 2);
    expect(closed[1]).toEqual([4001, 'done']);
    expect(() => ts.mod.sockets()).not.toThrow();
    expect(ts.mod.count).toBe(0);
  });

  test('no accept callback → 1001; a handler that throws → 1011 and a log line; an unhandled type → 1003', async () => {
    const ts = await startWs({});
    const c = await connect(ts.url());
    expect((await closeEvent(c)).code).toBe(1001);
    const ts2 = await startWs({ onWebSocketAccepted: (_s, ws) => { ws.onTextMessage = () => { throw new Error('boom'); }; } });
    const c2 = await connect(ts2.url());
    const ev = closeEvent(c2);
    c2.send('x');
    expect((await ev).code).toBe(1011);
    expect(ts2.logs.some((l) => l.type === 'ERROR' && /onTextMessage threw: boom/.test(l.msg))).toBe(true);
    const c3 = await connect(ts2.url());
    const ev3 = closeEvent(c3);
    c3.send(Buffer.from([1]));
    expect((await ev3).code).toBe(1003);
    const ts3 = await startWs({ onWebSocketAccepted: () => { throw new Error('accept bug'); } });
    expect((await closeEvent(await connect(ts3.url()))).code).toBe(1011);
  });

  test('ping → pong with the unmasked payload; server pings keep an idle ws client alive', async () => {
    const ts = await startWs(echo({ waitFrameTimeoutSec: 0.2 }));
    const c = await connect(ts.url());
    const pong = within(3000, new Promise<Buffer>((r) => c.once('pong', r)));
    c.ping('abc');
    expect((await pong).toString()).toBe('abc');
    let pings = 0;
    c.on('ping', () => pings++);
    await sleep(1000); // idle: the server pings, ws answers, the socket stays
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(c.readyState).toBe(WS.OPEN);
    const m = nextMessage(c);
    c.send('still here');
    expect((await m).data.toString()).toBe('still here');
  });

  test('idle timeout: a peer that answers nothing is pinged, then closed with 1001; its slot is released', async () => {
    const ts = await startWs(echo({ waitFrameTimeoutSec: 0.2 }));
    const r = new RawWs(ts.port);
    await r.request(RawWs.handshakeText());
    expect(ts.srv.stats.slots!.inUse).toBe(1);
    await until(() => r.frames().some((f) => f.opcode === 9), 2000);
    expect(await r.closeCode(2000)).toBe(1001);
    await until(() => r.ended, 3000);
    await until(() => ts.srv.stats.slots!.inUse === 0 && ts.srv.stats.connections === 0);
  });

  test('WSS when the server has TLS on', async () => {
    const ts = await startWs(echo(), undefined, true);
    const c = await connect(ts.url('/secure'), undefined, { ca: CA });
    let got: WebSocket | null = null;
    await until(() => (got = ts.mod.sockets('/secure')[0] ?? null) !== null);
    expect(got!.request.isSSL).toBe(true);
    const m = nextMessage(c);
    c.send('over tls');
    expect((await m).data.toString()).toBe('over tls');
    const big = Buffer.alloc(300_000, 7);
    const m2 = nextMessage(c);
    c.send(big);
    expect((await m2).data.equals(big)).toBe(true);
    c.close(1000);
    expect((await closeEvent(c)).code).toBe(1000);
  });

  test('slots: held while open, released on close', async () => {
    const ts = await startWs(echo());
    const c = await connect(ts.url());
    await until(() => ts.mod.count === 1);
    expect(ts.srv.stats.slots!.inUse).toBe(1);
    c.close();
    await closeEvent(c);
    await until(() => ts.srv.stats.slots!.inUse === 0 && ts.mod.count === 0);
  });
});

describe('failure cases with raw frames', () => {
  async function rawOpen(opts: WebSocketsOptions = {}): Promise<RawWs> {
    const ts = await startWs(echo(opts));
    const r = new RawWs(ts.port);
    expect(await r.request(RawWs.handshakeText())).toMatch(/^HTTP\/1.1 101 /);
    return r;
  }

  test('an unmasked client frame → 1002 (RFC 6455 §5.1)', async () => {
    const r = await rawOpen();
    r.sock.write(frame(1, 'hi', { mask: false }));
    expect(await r.closeCode()).toBe(1002);
    await until(() => r.ended);
  });

  test('a message above maxRecvMessageLength → 1009', async () => {
    const r = await rawOpen({ maxRecvMessageLength: 100 });
    r.sock.write(frame(2, Buffer.alloc(200)));
    expect(await r.closeCode()).toBe(1009);
  });

  test('invalid UTF-8 in a text message → 1007', async () => {
    const r = await rawOpen();
    r.sock.write(frame(1, Buffer.from([0x68, 0xc3, 0x28])));
    expect(await r.closeCode()).toBe(1007);
  });

  test('a reserved opcode → 1002; reserved bits → 1002', async () => {
    const r = await rawOpen();
    r.sock.write(frame(3, 'x'));
    expect(await r.closeCode()).toBe(1002);
    const r2 = await rawOpen();
    r2.sock.write(frame(1, 'x', { rsv: 4 }));
    expect(await r2.closeCode()).toBe(1002);
  });

  test('frames in the same write as the handshake, split across reads, and a ping between fragments', async () => {
    const ts = await startWs(echo());
    const r = new RawWs(ts.port);
    const f = Buffer.concat([frame(1, 'ab', { fin: false }), frame(9, 'p'), frame(0, 'cd')]);
    r.sock.write(Buffer.concat([Buffer.from(RawWs.handshakeText()), f.subarray(0, 5)]));
    await until(() => r.buf.includes('\r\n\r\n'));
    r.buf = r.buf.subarray(r.buf.indexOf('\r\n\r\n') + 4);
    await sleep(20);
    r.sock.write(f.subarray(5));
    await until(() => r.frames().length === 2);
    expect(r.frames().map((x) => [x.opcode, x.payload.toString()])).toEqual([[10, 'p'], [1, 'abcd']]);
  });

  test('handshake errors: version → 426 with Sec-WebSocket-Version; bad key → 400; POST → 405; unlisted path falls through', async () => {
    const ts = await startWs(echo({ paths: ['/ws'] }), (s) => s.registerRoute((_s, req) => req.response.returnOk('route'), 'GET', '/other'));
    const ask = async (text: string): Promise<string> => { const r = new RawWs(ts.port); const h = await r.request(text); r.destroy(); return h; };
    const v8 = await ask(RawWs.handshakeText('/ws').replace('Version: 13', 'Version: 8'));
    expect(v8).toMatch(/^HTTP\/1.1 426 /);
    expect(v8).toMatch(/Sec-WebSocket-Version: 13\r\n/i);
    expect(await ask(RawWs.handshakeText('/ws', '', 'bad'))).toMatch(/^HTTP\/1.1 400 /);
    expect(await ask(RawWs.handshakeText('/ws', 'Content-Length: 0\r\n', undefined, 'POST'))).toMatch(/^HTTP\/1.1 405 /);
    expect(await ask(RawWs.handshakeText('/other'))).toMatch(/^HTTP\/1.1 200 /);
    expect(await ask(RawWs.handshakeText('/ws'))).toMatch(/^HTTP\/1.1 101 /);
  });
});

describe('permessage-deflate (RFC 7692)', () => {
  test('off by default: the offer is ignored', async () => {
    const ts = await startWs(echo());
    const c = await connect(ts.url(), undefined, { perMessageDeflate: true });
    expect(c.extensions).toBe('');
  });

  test('switched on: negotiated, messages compressed both ways, fragments and empty messages too', async () => {
    let server: WebSocket | null = null;
    const ts = await startWs(echo({ perMessageDeflate: true, fragmentSize: 4096, onWebSocketAccepted: (_s, ws) => {
      server = ws;
      ws.onTextMessage = (w, t) => { w.sendTextMessage(t); };
      ws.onBinaryMessage = (w, d) => { w.sendBinaryMessage(d); };
    } }));
    // The client's TCP socket, made through ws's createConnection option: its bytesRead shows the compression.
    let sock: net.Socket | null = null;
    const c = await connect(ts.url(), undefined, { perMessageDeflate: true, createConnection: ((o: net.NetConnectOpts) => (sock = net.connect(o))) as typeof net.createConnection });
    expect(c.extensions).toMatch(/^permessage-deflate/);
    await until(() => server !== null);
    expect(server!.extensions).not.toBeNull();
    const text = 'compressible '.repeat(20000);
    const read0 = sock!.bytesRead;
    let m = nextMessage(c);
    c.send(text);
    expect((await m).data.toString()).toBe(text);
    expect(sock!.bytesRead - read0).toBeLessThan(text.length / 10);
    for (const msg of ['', 'short', Buffer.alloc(0)]) {
      m = nextMessage(c);
      c.send(msg);
      expect((await m).data.equals(Buffer.from(msg))).toBe(true);
    }
    const ev = closeEvent(c);
    c.close(1000);
    expect((await ev).code).toBe(1000);
  });

  test('a small compressed frame that inflates above maxRecvMessageLength → 1009', async () => {
    const ts = await startWs(echo({ perMessageDeflate: true, maxRecvMessageLength: 1000 }));
    const c = await connect(ts.url(), undefined, { perMessageDeflate: true });
    const ev = closeEvent(c);
    c.send(Buffer.alloc(100_000));
    expect((await ev).code).toBe(1009);
  });

  test('an unacceptable offer → 400', async () => {
    const ts = await startWs(echo({ perMessageDeflate: true }));
    const r = new RawWs(ts.port);
    expect(await r.request(RawWs.handshakeText('/', 'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n'))).toMatch(/^HTTP\/1.1 400 /);
  });
});
