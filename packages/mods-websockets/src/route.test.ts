import WS from 'ws';
import { WebSockets, type WebSocket } from './index';
import { cleanup, closeEvent, connect, nextMessage, startWs, until, within } from './__tests__/helpers';

afterEach(cleanup);

/** The HTTP status of an upgrade the server did not take (ws's 'unexpected-response'). */
function refusedStatus(url: string): Promise<number> {
  return within(3000, new Promise<number>((resolve, reject) => {
    const c = new WS(url);
    c.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); c.terminate(); });
    c.once('open', () => { c.terminate(); reject(new Error('opened')); });
    c.once('error', () => undefined);
  }), 'refused upgrade');
}

describe('WebSockets.route(path, handler, options)', () => {
  test('the handler gets the sockets of its path, with its own sub-protocol choice and settings; paths still go to onWebSocketAccepted', async () => {
    const seen: string[] = [];
    const ts = await startWs({
      paths: ['/chat'],
      onWebSocketProtocol: () => 'chat.v1',
      onWebSocketAccepted: (_s, ws) => { seen.push(`accepted ${ws.request.path}`); ws.onTextMessage = (w, t) => w.sendTextMessage(`chat:${t}`); },
    }, (srv) => srv.registerRoute(() => 'plain', 'GET', '/plain'));
    expect(ts.mod.route('/repl', (ws, request) => {
      seen.push(`route ${request.path} ${ws.protocol}`);
      expect(ws.request).toBe(request);
      ws.onTextMessage = (w, t) => w.sendTextMessage(`= ${t.length}`);
    }, { maxRecvMessageLength: 10, onWebSocketProtocol: (_s, offered) => (offered.includes('repl.v1') ? 'repl.v1' : null) })).toBe(ts.mod);

    const repl = await connect(ts.url('/repl'), ['x', 'repl.v1']);
    expect(repl.protocol).toBe('repl.v1'); // the route's chooser
    let m = nextMessage(repl);
    repl.send('1234567890'); // at the route's limit
    expect((await m).data.toString()).toBe('= 10');
    const ev = closeEvent(repl);
    repl.send('12345678901'); // above it: 1009 (RFC 6455 §7.4.1)
    expect((await ev).code).toBe(1009);

    const chat = await connect(ts.url('/chat'), ['chat.v1']);
    expect(chat.protocol).toBe('chat.v1'); // the module's chooser
    m = nextMessage(chat);
    chat.send('x'.repeat(100)); // the module's limit (the server's maxRequestContentLength), not the route's
    expect((await m).data.toString()).toBe(`chat:${'x'.repeat(100)}`);
    expect(await refusedStatus(ts.url('/plain'))).toBe(200); // not in paths, not routed: on to the HTTP route, no 101
    expect(seen).toEqual(['route /repl repl.v1', 'accepted /chat']);
  });

  test('a route works with paths: null (all paths) and takes its path from onWebSocketAccepted', async () => {
    const got: string[] = [];
    const ts = await startWs({ onWebSocketAccepted: (_s, ws) => { got.push(`accepted ${ws.request.path}`); ws.onTextMessage = () => {}; } });
    ts.mod.route('/hub', (ws) => { got.push('hub'); ws.onTextMessage = () => {}; }); // after the start: fine
    await connect(ts.url('/hub'));
    await connect(ts.url('/other'));
    await until(() => got.length === 2);
    expect(got.sort()).toEqual(['accepted /other', 'hub']);
    await until(() => ts.mod.count === 2);
    expect(ts.mod.sockets('/hub').length).toBe(1);
  });

  test('a handler that throws, or whose promise rejects, closes with 1011 and logs', async () => {
    const ts = await startWs({});
    ts.mod.route('/sync', () => { throw new Error('boom'); });
    ts.mod.route('/async', async (ws) => { ws.onTextMessage = () => {}; await Promise.resolve(); throw new Error('later'); });
    for (const p of ['/sync', '/async']) {
      const c = await connect(ts.url(p));
      expect((await closeEvent(c)).code).toBe(1011);
    }
    expect(ts.logs.filter((l) => l.type === 'ERROR').map((l) => l.msg)).toEqual([
      'WebSockets route handler of /sync threw: boom >> close 1011',
      'WebSockets route handler of /async threw: later >> close 1011',
    ]);
  });

  test('misuse throws at once, naming the option', async () => {
    const ts = await startWs({ paths: ['/chat'] });
    const mod: WebSockets = ts.mod;
    const h = (_ws: WebSocket): void => {};
    const bad = (fn: () => unknown, re: RegExp): void => {
      expect(fn).toThrow(expect.objectContaining({ code: 'ERR_MWS_WS_INVALID_OPTION', message: expect.stringMatching(re) }));
    };
    bad(() => mod.route('repl', h), /^route path must be a string starting with \/ \(got "repl"\)$/);
    bad(() => mod.route(42 as unknown as string, h), /^route path must be a string starting with \//);
    bad(() => mod.route('/repl', 'nope' as unknown as typeof h), /^route handler of \/repl must be a function/);
    bad(() => mod.route('/chat', h), /^route path must be a path not in the paths option/);
    mod.route('/repl', h);
    bad(() => mod.route('/repl', h), /^route path must be a path not routed yet \(got "\/repl"\)$/);
    bad(() => mod.route('/x', h, { fragmentSize: -1 }), /^route options\.fragmentSize must be an integer >= 0/);
    bad(() => mod.route('/x', h, { waitFrameTimeoutSec: Number.NaN }), /^route options\.waitFrameTimeoutSec must be a number of seconds/);
    bad(() => mod.route('/x', h, null as unknown as object), /^route options of \/x must be an object/);
    bad(() => mod.route('/x', h, { onWebSocketProtocol: 'p' as unknown as null }), /^route options\.onWebSocketProtocol must be a function/);
  });
});
