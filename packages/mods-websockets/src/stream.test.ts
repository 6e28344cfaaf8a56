import { Readable } from 'node:stream';
import { createWebSocketStream, type WebSocket, type WebSocketStream } from './index';
import { cleanup, closeEvent, connect, nextMessage, startWs, until, within } from './__tests__/helpers';

afterEach(cleanup);

/** A server whose route `/s` makes a stream of each socket with `options` and hands it to `use`. */
async function streamServer(use: (s: WebSocketStream, ws: WebSocket) => void, options: Parameters<typeof createWebSocketStream>[1] = {}, mod = {}) {
  const ts = await startWs(mod);
  ts.mod.route('/s', (ws) => use(createWebSocketStream(ws, options), ws));
  return ts;
}

describe('createWebSocketStream', () => {
  test('piped into itself it is an echo; object mode keeps text as text and binary as binary', async () => {
    const ts = await streamServer((s) => { s.pipe(s); }, { objectMode: true });
    const c = await connect(ts.url('/s'));
    for (const [msg, binary] of [['héllo', false], [Buffer.from([0, 1, 255]), true], ['', false]] as const) {
      const m = nextMessage(c);
      c.send(msg, { binary });
      const got = await m;
      expect([got.isBinary, got.data.equals(Buffer.from(msg as string | Buffer))]).toEqual([binary, true]);
    }
  });

  test('byte mode: messages are read as bytes (or strings with encoding); sendAs decides what writes become', async () => {
    const chunks: unknown[] = [];
    const ts = await streamServer((s) => {
      s.on('data', (d) => { chunks.push(d); s.write(Buffer.from('bin')); s.write('text'); });
    }, { encoding: 'utf8', sendAs: 'text' });
    const c = await connect(ts.url('/s'));
    const got: Array<[string, boolean]> = [];
    c.on('message', (d: Buffer, isBinary: boolean) => got.push([d.toString(), isBinary]));
    c.send(Buffer.from('héllo'));
    await until(() => got.length === 2);
    expect(chunks).toEqual(['héllo']);
    expect(got).toEqual([['bin', false], ['text', false]]); // sendAs: 'text' forces text messages
  });

  test('large payloads both ways with backpressure: reading pauses while the readable side is full; write callbacks wait for the send queue', async () => {
    const CHUNK = 64 * 1024;
    const N = 160; // 10 MiB each way
    const chunk = (i: number): Buffer => Buffer.alloc(CHUNK, i & 255);
    let server: WebSocket | null = null;
    let stream: WebSocketStream | null = null;
    let maxBuffered = 0;
    let pausedSeen = false;
    const ts = await streamServer((s, ws) => { server = ws; stream = s; }, { readableHighWaterMark: CHUNK }, { maxSendQueueBytes: 256 * 1024, maxRecvMessageLength: 1 << 20 });
    const c = await connect(ts.url('/s'));
    await until(() => stream !== null);
    // Client → server: nobody reads the stream yet, so the server stops reading frames.
    for (let i = 0; i < N; i++) c.send(chunk(i));
    await until(() => server!.isReceivingPaused, 5000);
    pausedSeen = true;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.bufferedAmount).toBeGreaterThan(0); // the client's socket backs up: TCP backpressure
    const received: Buffer[] = [];
    stream!.on('data', (d: Buffer) => received.push(d));
    await until(() => received.reduce((n, b) => n + b.length, 0) === N * CHUNK, 20000);
    const all = Buffer.concat(received);
    for (let i = 0; i < N; i++) expect(all[i * CHUNK + 100]).toBe(i & 255);
    expect(pausedSeen).toBe(true);

    // Server → client: each write's callback waits while the socket's queue is full.
    const got: Buffer[] = [];
    c.on('message', (d: Buffer) => got.push(d));
    const src = Readable.from((function* () { for (let i = 0; i < N; i++) yield chunk(i); })());
    const done = new Promise<void>((resolve, reject) => {
      src.on('data', () => { maxBuffered = Math.max(maxBuffered, server!.bufferedAmount); });
      src.pipe(stream!, { end: false });
      src.on('end', resolve);
      src.on('error', reject);
    });
    await within(20000, done, 'server writes');
    await until(() => got.length === N, 20000);
    for (let i = 0; i < N; i++) expect([got[i]!.length, got[i]![CHUNK - 1]]).toEqual([CHUNK, i & 255]);
    // Bounded: the queue's bound plus what the writable side let through before its callback waited.
    expect(maxBuffered).toBeLessThanOrEqual(256 * 1024 + 2 * CHUNK + 64 * 1024);
  }, 60000);

  test('end() closes with 1000; the client\'s Close ends the stream', async () => {
    const events: string[] = [];
    let s1: WebSocketStream | null = null;
    const ts = await streamServer((s) => {
      s1 = s;
      s.on('end', () => events.push('end'));
      s.on('close', () => events.push('close'));
      s.on('data', (d: Buffer) => { if (d.toString() === 'bye') s.end('last'); });
    });
    const c = await connect(ts.url('/s'));
    const last = nextMessage(c);
    const ev = closeEvent(c);
    c.send('bye');
    expect((await last).data.toString()).toBe('last');
    expect(await ev).toEqual({ code: 1000, reason: '' });
    await until(() => events.includes('close'));
    expect(events).toEqual(['end', 'close']);
    expect(s1!.closeCode).toBe(1000);
  });

  test('destroy(err) closes with 1011; a dropped connection destroys the stream with ERR_MWS_WS_CLOSED', async () => {
    const errors: Array<{ code?: string; message: string }> = [];
    const ts = await streamServer((s) => {
      s.on('error', (e: Error & { code?: string }) => errors.push({ code: e.code, message: e.message }));
      s.on('data', (d: Buffer) => { if (d.toString() === 'fail') s.destroy(new Error('app failed')); });
    });
    const c = await connect(ts.url('/s'));
    const ev = closeEvent(c);
    c.send('fail');
    expect(await ev).toEqual({ code: 1011, reason: 'stream error' });
    const c2 = await connect(ts.url('/s'));
    await until(() => ts.mod.count === 1);
    c2.terminate(); // no Close frame: 1006
    await until(() => errors.length === 2);
    expect(errors).toEqual([
      { code: undefined, message: 'app failed' },
      { code: 'ERR_MWS_WS_CLOSED', message: 'the WebSocket closed with 1006' },
    ]);
  });

  test('bad options throw at once, naming the option', async () => {
    const thrown: string[] = [];
    const ts = await startWs({});
    ts.mod.route('/s', (ws) => {
      for (const o of [{ sendAs: 'json' }, { encoding: 'nope' }, { encoding: 'utf8', objectMode: true }, { readableHighWaterMark: -1 }]) {
        try { createWebSocketStream(ws, o as never); } catch (e) { thrown.push(`${(e as { code: string }).code} ${(e as Error).message}`); }
      }
      ws.close();
    });
    const c = await connect(ts.url('/s'));
    await closeEvent(c);
    expect(thrown).toEqual([
      'ERR_MWS_WS_INVALID_OPTION createWebSocketStream options.sendAs must be \'auto\', \'text\' or \'binary\' (got "json")',
      'ERR_MWS_WS_INVALID_OPTION createWebSocketStream options.encoding must be a Buffer encoding (got "nope")',
      'ERR_MWS_WS_INVALID_OPTION createWebSocketStream options.encoding must be unset with objectMode (got "utf8")',
      'ERR_MWS_WS_INVALID_OPTION createWebSocketStream options.readableHighWaterMark must be an integer >= 0 (got -1)',
    ]);
  });
});
