/**
 * MicroWebSrv's life: start (own pool or a shared one), listen errors, graceful stop with drain and its
 * time limit, and logging (access lines, levels, onLogging, the default logger).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { XAsyncSocketsPool, XAsyncTCPServer } from '@microwebsrv/xasync';
import { MicroWebSrv, MwsError, type LogLevelName } from '../index';
import {
  RawClient, TEST_CERT, TEST_KEY, get, httpsGet, sleep, startServer, stopAll, type LogLine,
} from '../__tests__/server-harness';

afterEach(stopAll);

function refused(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve('connected'); });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('starting', () => {
  test('isRunning; startManaged resolves when listening; address gives the real port; a listening log line', async () => {
    const srv = new MicroWebSrv();
    const logs: LogLine[] = [];
    srv.onLogging = (_s, msg, type) => logs.push({ msg, type });
    srv.bindAddress = ['127.0.0.1', 0];
    srv.registerRoute((_s, r) => r.response.returnOk('up'), 'GET', '/');
    expect(srv.isRunning).toBe(false);
    await srv.startManaged();
    try {
      expect(srv.isRunning).toBe(true);
      const port = srv.address[1];
      expect(port).toBeGreaterThan(0);
      expect(srv.address[0]).toBe('127.0.0.1');
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('up');
      expect(logs).toContainEqual({ type: 'INFO', msg: `server listening on 127.0.0.1:${port}` });
    } finally {
      await srv.stop();
    }
    expect(srv.isRunning).toBe(false);
    expect(srv.address).toEqual(['127.0.0.1', 0]);
  });

  test('a stopped server can start again; stop() on a stopped server is a no-op', async () => {
    const ts = await startServer((s) => s.registerRoute((_s, r) => r.response.returnOk('again'), 'GET', '/'));
    await ts.stop();
    await expect(ts.srv.stop()).resolves.toBeUndefined();
    await ts.srv.startManaged();
    try {
      expect(await (await fetch(`http://127.0.0.1:${ts.srv.address[1]}/`)).text()).toBe('again');
    } finally {
      await ts.srv.stop();
    }
  });

  test('an address in use (EADDRINUSE) → ERR_MWS_LISTEN naming host:port; the server is not running', async () => {
    const first = await startServer();
    const srv = new MicroWebSrv();
    srv.onLogging = () => {};
    srv.bindAddress = ['127.0.0.1', first.port];
    const err = await srv.startManaged().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(MwsError);
    expect((err as MwsError).code).toBe('ERR_MWS_LISTEN');
    expect((err as MwsError).message).toContain(`127.0.0.1:${first.port}`);
    expect((err as MwsError).message).toMatch(/in use/);
    expect(srv.isRunning).toBe(false);
    srv.bindAddress = ['127.0.0.1', 0];
    await srv.startManaged();
    expect(srv.isRunning).toBe(true);
    await srv.stop();
  });

  test('startInPool: an HTTP and an HTTPS server in one XAsyncSocketsPool both serve', async () => {
    const pool = new XAsyncSocketsPool();
    const plainSrv = new MicroWebSrv();
    const tlsSrv = new MicroWebSrv();
    const lines: string[] = [];
    for (const [srv, name] of [[plainSrv, 'plain'], [tlsSrv, 'secure']] as const) {
      srv.onLogging = (_s, msg) => lines.push(msg);
      srv.bindAddress = ['127.0.0.1', 0];
      srv.registerRoute((_s, r) => r.response.returnOk(`${name} ${r.isSSL}`), 'GET', '/');
    }
    tlsSrv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY });
    expect(tlsSrv.bindAddress[1]).toBe(0);
    await plainSrv.startInPool(pool);
    await tlsSrv.startInPool(pool);
    try {
      expect(pool.stats.open).toBeGreaterThanOrEqual(2);
      expect(await (await fetch(`http://127.0.0.1:${plainSrv.address[1]}/`)).text()).toBe('plain false');
      const s = await httpsGet(tlsSrv.address[1], '/', TEST_CERT);
      expect(s.body).toBe('secure true');
      expect(lines.some((l) => / SSL-GET \/ >> \[200\] OK$/.test(l))).toBe(true);
      expect(lines.some((l) => / GET \/ >> \[200\] OK$/.test(l) && !l.includes('SSL-'))).toBe(true);
      // Stopping one leaves the other and the shared pool running.
      await plainSrv.stop();
      expect(pool.isStopped).toBe(false);
      expect((await httpsGet(tlsSrv.address[1], '/', TEST_CERT)).body).toBe('secure true');
    } finally {
      await plainSrv.stop();
      await tlsSrv.stop();
      await pool.stop();
    }
  });

  test('a start while a start is in progress rejects with ERR_MWS_STATE (no second listener)', async () => {
    const created: XAsyncTCPServer[] = [];
    const create = XAsyncTCPServer.create.bind(XAsyncTCPServer);
    const spy = jest.spyOn(XAsyncTCPServer, 'create').mockImplementation(async (...a: Parameters<typeof XAsyncTCPServer.create>) => {
      const l = await create(...a);
      created.push(l);
      return l;
    });
    const srv = new MicroWebSrv();
    srv.onLogging = () => {};
    srv.bindAddress = ['127.0.0.1', 0];
    try {
      const results = await Promise.allSettled([srv.startManaged(), srv.startManaged()]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ERR_MWS_STATE' } });
      expect(created.length).toBe(1);
    } finally {
      spy.mockRestore();
      await srv.stop();
      for (const l of created) l.close(); // the leaked listener, if any
    }
  });

  test('startInPool with something other than a pool throws ERR_MWS_INVALID_OPTION', () => {
    const srv = new MicroWebSrv();
    expect(() => srv.startInPool({} as XAsyncSocketsPool)).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION' }));
  });
});

describe('stopping', () => {
  test('stop() closes idle keep-alive connections at once, refuses new ones, lets an in-flight response finish', async () => {
    const ts = await startServer((s) => {
      s.registerRoute(async (_s, r) => { await sleep(600); r.response.returnOk('slow done'); }, 'GET', '/slow');
      s.registerRoute((_s, r) => r.response.returnOk('ok'), 'GET', '/ok');
    });
    const idle = new RawClient(ts.port);
    idle.write(get('/ok'));
    expect((await idle.readResponse()).status).toBe(200);
    const busy = new RawClient(ts.port);
    busy.write(get('/slow'));
    await sleep(100);
    const t0 = Date.now();
    const stopping = ts.stop().then(() => Date.now() - t0);
    expect(await idle.waitEnd(1000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(400);
    expect(await refused(ts.port)).toBe('ECONNREFUSED');
    const res = await busy.readResponse({ timeoutMs: 3000 });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('slow done');
    expect(res.headers.connection).toBe('close');
    const elapsed = await stopping;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3000);
    expect(await busy.waitEnd(1000)).toBe(true);
    expect(ts.srv.isRunning).toBe(false);
  });

  test('stop() called twice during a drain: both resolve only after the server stopped', async () => {
    const ts = await startServer((s) => s.registerRoute(async (_s, r) => { await sleep(400); r.response.returnOk('x'); }, 'GET', '/slow'));
    const c = new RawClient(ts.port);
    c.write(get('/slow'));
    await sleep(50);
    const first = ts.srv.stop().then(() => ts.srv.isRunning);
    const second = ts.srv.stop().then(() => ts.srv.isRunning);
    try {
      expect(await second).toBe(false);
      expect(await first).toBe(false);
    } finally {
      await first;
      c.destroy();
    }
  });

  test('stop() closes an idle HTTPS keep-alive connection too', async () => {
    const ts = await startServer((s) => {
      s.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY });
      s.registerRoute((_s, r) => r.response.returnOk('s'), 'GET', '/');
    });
    const sock = tls.connect({ host: '127.0.0.1', port: ts.port, ca: fs.readFileSync(TEST_CERT), servername: 'localhost' });
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => { data += d; });
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('secureConnect', () => r()));
    sock.write(get('/'));
    while (!data.endsWith('\r\n\r\ns')) await sleep(5);
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    const t0 = Date.now();
    await ts.stop();
    await closed;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(data).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  test('a response slower than stopTimeoutSec is cut when the time is up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let lateError: unknown = 'not called';
    const ts = await startServer((s) => {
      s.stopTimeoutSec = 0.3;
      s.registerRoute(async (_s, r) => {
        await gate;
        try { r.response.returnOk('too late'); lateError = null; } catch (e) { lateError = e; }
      }, 'GET', '/stuck');
    });
    const c = new RawClient(ts.port);
    c.write(get('/stuck'));
    await sleep(100);
    const t0 = Date.now();
    await ts.stop();
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(await c.waitEnd(1000)).toBe(true);
    expect(c.pending.length).toBe(0);
    release();
    await sleep(20);
    // Answering on a connection that is gone is harmless (no exception into the handler).
    expect(lateError).toBeNull();
  });
});

describe('logging', () => {
  test('INFO (default): one access line per response, `From 127.0.0.1:<port> GET /path >> [200] OK`', async () => {
    const ts = await startServer((s) => {
      s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/path');
      s.registerRoute((_s, r) => r.response.returnOk('b'), 'POST', '/path');
    });
    const c = new RawClient(ts.port);
    await c.connected();
    const port = c.sock.localPort;
    ts.logs.length = 0;
    c.write(get('/path'));
    await c.readResponse();
    c.write('POST /path HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi');
    await c.readResponse();
    c.write(get('/missing'));
    await c.readResponse();
    expect(ts.logs).toEqual([
      { type: 'INFO', msg: `From 127.0.0.1:${port} GET /path >> [200] OK` },
      { type: 'INFO', msg: `From 127.0.0.1:${port} POST /path >> [200] OK` },
      { type: 'INFO', msg: `From 127.0.0.1:${port} GET /missing >> [404] Not Found` },
    ]);
    c.destroy();
  });

  test('the access line shows the path without the query string', async () => {
    const ts = await startServer((s) => s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/path'));
    const c = new RawClient(ts.port);
    await c.connected();
    ts.logs.length = 0;
    c.write(get('/path?token=s3cret'));
    await c.readResponse();
    const localPort = c.sock.localPort;
    c.destroy();
    expect(ts.logs).toEqual([{ type: 'INFO', msg: `From 127.0.0.1:${localPort} GET /path >> [200] OK` }]);
  });

  test("logLevel 'WARNING' suppresses access lines; warnings still come", async () => {
    const ts = await startServer((s) => {
      s.logLevel = 'WARNING';
      s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/a');
      s.registerRoute(() => {}, 'GET', '/silent');
    });
    await (await fetch(ts.url('/a'))).text();
    expect(ts.logs.filter((l) => l.type === 'INFO')).toEqual([]);
    await (await fetch(ts.url('/silent'))).text();
    expect(ts.logs.map((l) => l.type)).toEqual(['WARNING']);
  });

  async function idleTimeoutLogs(level: LogLevelName | null): Promise<LogLine[]> {
    const ts = await startServer((s) => {
      if (level) s.logLevel = level;
      s.keepAliveTimeoutSec = 0.1;
      s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/a');
    });
    const c = new RawClient(ts.port);
    c.write(get('/a'));
    await c.readResponse();
    expect(await c.waitEnd(2000)).toBe(true); // the keep-alive idle timeout closed it
    await sleep(20);
    c.destroy();
    return ts.logs;
  }

  test('DEBUG lines are not delivered at the default level', async () => {
    const logs = await idleTimeoutLogs(null);
    expect(logs.some((l) => l.type === 'INFO')).toBe(true);
    expect(logs.filter((l) => l.type === 'DEBUG')).toEqual([]);
  });

  test("logLevel 'DEBUG' delivers them (keep-alive idle timeout)", async () => {
    const logs = await idleTimeoutLogs('DEBUG');
    expect(logs.some((l) => l.type === 'DEBUG' && /keep-alive idle/.test(l.msg))).toBe(true);
  });

  test('onLogging receives (server, msg, type); a logger that throws does not break the server', async () => {
    const calls: unknown[][] = [];
    const ts = await startServer((s) => s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/a'));
    ts.srv.onLogging = (...args) => { calls.push(args); throw new Error('logger broke'); };
    const r = await fetch(ts.url('/a'));
    expect(await r.text()).toBe('a');
    expect(calls.length).toBe(1);
    expect(calls[0][0]).toBe(ts.srv);
    expect(calls[0][1]).toMatch(/^From 127\.0\.0\.1:\d+ GET \/a >> \[200\] OK$/);
    expect(calls[0][2]).toBe('INFO');
    expect(await (await fetch(ts.url('/a'))).text()).toBe('a');
  });

  test('the default logger (onLogging null): INFO to stdout, WARNING to stderr, no DEBUG', async () => {
    const ts = await startServer((s) => {
      s.registerRoute((_s, r) => r.response.returnOk('a'), 'GET', '/a');
      s.registerRoute(() => {}, 'GET', '/silent');
      s.keepAliveTimeoutSec = 0.1;
    });
    ts.srv.onLogging = null;
    const out: string[] = [];
    const err: string[] = [];
    const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out.push(String(s)); return true; });
    const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err.push(String(s)); return true; });
    try {
      const c = new RawClient(ts.port);
      c.write(get('/a'));
      await c.readResponse();
      c.write(get('/silent'));
      await c.readResponse();
      await c.waitEnd(2000); // keep-alive idle: a DEBUG line, not printed
      c.destroy();
    } finally {
      so.mockRestore();
      se.mockRestore();
    }
    expect(out.some((l) => /MWS INFO +From 127\.0\.0\.1:\d+ GET \/a >> \[200\] OK\n$/.test(l))).toBe(true);
    expect(err.some((l) => /MWS WARNING .*\/silent/.test(l))).toBe(true);
    expect([...out, ...err].some((l) => l.includes('DEBUG'))).toBe(false);
  });
});
