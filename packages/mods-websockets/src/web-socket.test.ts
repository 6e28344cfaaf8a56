import { CloseCodes, type WebSocket } from './index';
import { cleanup, closeEvent, connect, nextMessage, RawWs, startWs, until } from './__tests__/helpers';

afterEach(cleanup);

describe('WebSocket API', () => {
  test('a large fragmented message is streamed in fragments behind the queue; messages after it stay in order', async () => {
    const ts = await startWs({ fragmentSize: 64 * 1024, onWebSocketAccepted: (_s, ws) => {
      ws.onTextMessage = (w, t) => {
        const big = Buffer.alloc(3 << 20);
        for (let i = 0; i < big.length; i++) big[i] = i & 255;
        expect(w.sendBinaryMessage(big)).toBe(true);
        expect(w.sendTextMessage(t)).toBe(true); // queued behind the fragments (RFC 6455 §5.4)
        expect(w.bufferedAmount).toBeGreaterThan(0);
      };
    } });
    const c = await connect(ts.url(), undefined, { maxPayload: 8 << 20 });
    const got: Array<Buffer | string> = [];
    c.on('message', (d: Buffer, bin: boolean) => got.push(bin ? d : d.toString()));
    c.send('after');
    await until(() => got.length === 2, 10000);
    expect((got[0] as Buffer).length).toBe(3 << 20);
    expect((got[0] as Buffer)[12345]).toBe(12345 & 255);
    expect(got[1]).toBe('after');
  });

  test('settings per socket: waitFrameTimeoutSec and maxRecvMessageLength can change; bad values throw', async () => {
    let server: WebSocket | null = null;
    const ts = await startWs({ onWebSocketAccepted: (_s, ws) => { server = ws; ws.maxRecvMessageLength = 10; ws.onTextMessage = (w, t) => w.sendTextMessage(t); } });
    const c = await connect(ts.url());
    await until(() => server !== null);
    expect(server!.maxRecvMessageLength).toBe(10);
    expect(server!.waitFrameTimeoutSec).toBe(300);
    server!.waitFrameTimeoutSec = 60;
    expect(() => { server!.waitFrameTimeoutSec = -1; }).toThrow(expect.objectContaining({ code: 'ERR_MWS_WS_INVALID_OPTION' }));
    expect(() => server!.close(1005)).toThrow(expect.objectContaining({ code: 'ERR_MWS_WS_INVALID_CLOSE_CODE' }));
    expect(() => server!.close(1000, 'x'.repeat(124))).toThrow(/123 bytes/);
    const m = nextMessage(c);
    c.send('0123456789');
    expect((await m).data.toString()).toBe('0123456789');
    const ev = closeEvent(c);
    c.send('01234567890');
    expect((await ev).code).toBe(CloseCodes.MESSAGE_TOO_BIG);
    expect(server!.isClosed).toBe(true);
    expect(server!.sendTextMessage('late')).toBe(false);
    expect(server!.ping()).toBe(false);
  });

  test('maxRecvMessageLength can be raised and lowered while receiving (checked on each frame header)', async () => {
    const ts = await startWs({ maxRecvMessageLength: 10, onWebSocketAccepted: (_s, ws) => {
      ws.onTextMessage = (w, t) => {
        if (t === 'raise') w.maxRecvMessageLength = 100;
        if (t === 'lower') w.maxRecvMessageLength = 5;
        w.sendTextMessage(String(t.length));
      };
    } });
    const c = await connect(ts.url());
    for (const [send, answer] of [['raise', '5'], ['x'.repeat(100), '100'], ['lower', '5']]) {
      const m = nextMessage(c);
      c.send(send);
      expect((await m).data.toString()).toBe(answer);
    }
    const ev = closeEvent(c);
    c.send('123456');
    expect((await ev).code).toBe(CloseCodes.MESSAGE_TOO_BIG);
  });

  test('server stop: open sockets get 1001', async () => {
    const ts = await startWs({ onWebSocketAccepted: (_s, ws) => { ws.onTextMessage = () => {}; } });
    const c = await connect(ts.url());
    await until(() => ts.mod.count === 1);
    const ev = closeEvent(c);
    await ts.srv.stop();
    expect((await ev).code).toBe(1001);
  });

  test('a peer that never answers our Close is dropped after closeTimeoutSec', async () => {
    let closedCode = 0;
    const ts = await startWs({ closeTimeoutSec: 0.2, onWebSocketAccepted: (_s, ws) => { ws.onClosed = (_w, code) => { closedCode = code; }; ws.close(4002); } });
    const r = new RawWs(ts.port);
    await r.request(RawWs.handshakeText());
    expect(await r.closeCode()).toBe(4002);
    await until(() => r.ended && closedCode === 4002, 3000);
    await until(() => ts.srv.stats.slots!.inUse === 0);
  });
});
