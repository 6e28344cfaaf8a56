/**
 * MicroWebSrv's configuration: presets and their numbers (and that a running server uses them), defaults,
 * SSL port switching, option validation, settings frozen while running, routes.
 * Start/stop, pools and logging: micro-web-srv.lifecycle.test.ts.
 */
import { MicroWebSrv, MwsError, PRESETS, type PresetName } from '../index';
import { RawClient, parseRaw, rawExchange, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

function thrown(f: () => unknown): MwsError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(MwsError); return e as MwsError; }
  throw new Error('did not throw');
}

describe('presets', () => {
  const KiB = 1024;
  const MiB = 1024 * 1024;
  const table: Array<[PresetName, number, number, number, number, (s: MicroWebSrv) => void]> = [
    ['Embedded', 64, 16, 1024, 16 * KiB, (s) => s.setEmbeddedConfig()],
    ['Light', 511, 128, 1024, 512 * KiB, (s) => s.setLightConfig()],
    ['Normal', 511, 512, 4 * KiB, 2 * MiB, (s) => s.setNormalConfig()],
    ['Large', 1024, 2048, 16 * KiB, 8 * MiB, (s) => s.setLargeConfig()],
  ];

  test.each(table)('%s: backlog %i, %i slots of %i bytes, max content %i', (name, queue, count, size, maxContent, apply) => {
    const s = new MicroWebSrv();
    s.connQueueCapacity = 3; s.bufferSlotsCount = 3; s.bufferSlotSize = 2048; s.keepAllocBufferSlots = false; s.maxRequestContentLength = 5;
    apply(s);
    expect([s.connQueueCapacity, s.bufferSlotsCount, s.bufferSlotSize, s.maxRequestContentLength]).toEqual([queue, count, size, maxContent]);
    expect(s.keepAllocBufferSlots).toBe(true);
    expect(PRESETS[name]).toMatchObject({ connQueueCapacity: queue, bufferSlotsCount: count, bufferSlotSize: size, keepAllocBufferSlots: true, maxRequestContentLength: maxContent });
  });

  test('a preset is a copy: changing a setting afterwards does not change the preset table', () => {
    const s = new MicroWebSrv();
    s.setLightConfig();
    s.bufferSlotsCount = 7;
    expect(PRESETS.Light.bufferSlotsCount).toBe(128);
    expect(new MicroWebSrv().bufferSlotsCount).toBe(512);
  });

  test('the Embedded preset is what runs: 16 slots of 1 KiB, 16 KiB max content (413 above, 431 for a big head)', async () => {
    const ts = await startServer((s) => {
      s.setEmbeddedConfig();
      s.registerRoute((_s, r) => r.response.returnOk(String(r.content.length)), 'POST', '/up');
    });
    expect(ts.srv.stats.slots).toEqual(expect.objectContaining({ count: 16, size: 1024 }));
    const atLimit = await fetch(ts.url('/up'), { method: 'POST', body: Buffer.alloc(16 * 1024, 1) });
    expect(atLimit.status).toBe(200);
    expect(await atLimit.text()).toBe(String(16 * 1024));
    const over = await fetch(ts.url('/up'), { method: 'POST', body: Buffer.alloc(16 * 1024 + 1, 1) });
    expect(over.status).toBe(413);
    await over.text();
    const { data } = await rawExchange(ts.port, `GET /up HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(1200)}\r\n\r\n`);
    expect(parseRaw(data).status).toBe(431);
  });

  test('bufferSlotsCount bounds live connections: one more is refused with 503 and a WARNING', async () => {
    const ts = await startServer((s) => { s.bufferSlotsCount = 1; s.evictWhenPoolFull = false; s.registerRoute((_s, r) => r.response.returnOk('x'), 'GET', '/'); });
    const holder = new RawClient(ts.port);
    holder.write('GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    expect((await holder.readResponse()).status).toBe(200);
    const { data } = await rawExchange(ts.port, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(parseRaw(data).status).toBe(503);
    expect(ts.logs.some((l) => l.type === 'WARNING' && /refused/.test(l.msg))).toBe(true);
    holder.destroy();
  });
});

describe('defaults', () => {
  test("bindAddress ['0.0.0.0', 80], rootPath 'www', requestsTimeoutSec 2, Normal preset, INFO, not running", () => {
    const s = new MicroWebSrv();
    expect(s.bindAddress).toEqual(['0.0.0.0', 80]);
    expect(s.rootPath).toBe('www');
    expect(s.requestsTimeoutSec).toBe(2);
    expect(s.stopTimeoutSec).toBe(5);
    expect([s.connQueueCapacity, s.bufferSlotsCount, s.bufferSlotSize, s.maxRequestContentLength]).toEqual([511, 512, 4096, 2 * 1024 * 1024]);
    expect(s.keepAllocBufferSlots).toBe(true);
    expect(s.logLevel).toBe('INFO');
    expect(s.onLogging).toBeNull();
    expect(s.notFoundURL).toBeNull();
    expect(s.allowAllOrigins).toBe(false);
    expect(s.isSSLEnabled).toBe(false);
    expect(s.isRunning).toBe(false);
    expect(s.address).toEqual(['0.0.0.0', 80]);
  });

  test('bindAddress returns a copy', () => {
    const s = new MicroWebSrv();
    s.bindAddress[1] = 1234;
    expect(s.bindAddress).toEqual(['0.0.0.0', 80]);
  });
});

describe('SSL port switching', () => {
  test('enableSSL switches 80 → 443, disableSSL 443 → 80', () => {
    const s = new MicroWebSrv();
    s.enableSSL({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(s.isSSLEnabled).toBe(true);
    expect(s.bindAddress).toEqual(['0.0.0.0', 443]);
    s.disableSSL();
    expect(s.isSSLEnabled).toBe(false);
    expect(s.bindAddress).toEqual(['0.0.0.0', 80]);
  });

  test('another port is left as it is', () => {
    const s = new MicroWebSrv();
    s.bindAddress = ['127.0.0.1', 8080];
    s.enableSSL({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(s.bindAddress).toEqual(['127.0.0.1', 8080]);
    s.disableSSL();
    expect(s.bindAddress).toEqual(['127.0.0.1', 8080]);
  });

  test('unreadable certificate files fail the start with ERR_MWS_SSL, and the server is not running', async () => {
    const s = new MicroWebSrv();
    s.onLogging = () => {};
    s.bindAddress = ['127.0.0.1', 0];
    s.enableSSL({ certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' });
    await expect(s.startManaged()).rejects.toMatchObject({ code: 'ERR_MWS_SSL', message: expect.stringContaining('/nonexistent/cert.pem') });
    expect(s.isRunning).toBe(false);
  });
});

describe('option validation', () => {
  const bad: Array<[string, (s: MicroWebSrv) => void]> = [
    ['connQueueCapacity', (s) => { s.connQueueCapacity = 0; }],
    ['connQueueCapacity', (s) => { s.connQueueCapacity = 1.5; }],
    ['connQueueCapacity', (s) => { s.connQueueCapacity = '10' as unknown as number; }],
    ['bufferSlotsCount', (s) => { s.bufferSlotsCount = 0; }],
    ['bufferSlotSize', (s) => { s.bufferSlotSize = 1023; }],
    ['keepAllocBufferSlots', (s) => { s.keepAllocBufferSlots = 'yes' as unknown as boolean; }],
    ['maxRequestContentLength', (s) => { s.maxRequestContentLength = -1; }],
    ['bindAddress', (s) => { s.bindAddress = ['0.0.0.0', 70000]; }],
    ['bindAddress', (s) => { s.bindAddress = ['0.0.0.0', -1]; }],
    ['bindAddress', (s) => { s.bindAddress = 'localhost:80' as unknown as [string, number]; }],
    ['rootPath', (s) => { s.rootPath = ''; }],
    ['requestsTimeoutSec', (s) => { s.requestsTimeoutSec = 0; }],
    ['requestsTimeoutSec', (s) => { s.requestsTimeoutSec = NaN; }],
    ['headersTimeoutSec', (s) => { s.headersTimeoutSec = -1; }],
    ['bodyTimeoutSec', (s) => { s.bodyTimeoutSec = Infinity; }],
    ['keepAliveTimeoutSec', (s) => { s.keepAliveTimeoutSec = 0; }],
    ['stopTimeoutSec', (s) => { s.stopTimeoutSec = -1; }],
    ['serverName', (s) => { s.serverName = 'evil\r\nX-Injected: 1'; }],
    ['serverName', (s) => { s.serverName = ''; }],
    ['onLogging', (s) => { s.onLogging = 'console' as unknown as null; }],
    ['logLevel', (s) => { s.logLevel = 'VERBOSE' as unknown as 'INFO'; }],
    ['logLevel', (s) => { s.logLevel = 'info' as unknown as 'INFO'; }],
    ['log type', (s) => { s.log('hello', 'LOUD' as unknown as 'INFO'); }],
    ['log msg', (s) => { s.log(42 as unknown as string); }],
    ['enableSSL', (s) => { s.enableSSL(null as unknown as { certFile: string; keyFile: string }); }],
    ['enableSSL', (s) => { s.enableSSL({ certFile: 'c.pem' } as unknown as { certFile: string; keyFile: string }); }],
    ['addMimeType', (s) => { s.addMimeType('bad ext', 'text/plain'); }],
    ['addMimeType', (s) => { s.addMimeType('.', 'text/plain'); }],
    ['addMimeType', (s) => { s.addMimeType('.x', 'not a type'); }],
    ['registerRoute', (s) => { s.registerRoute('handler' as unknown as () => void, 'GET', '/'); }],
    ['registerRoute', (s) => { s.registerRoute(() => {}, 'G ET', '/'); }],
    ['registerRoute', (s) => { s.registerRoute(() => {}, 'GET', 'no-slash'); }],
  ];

  test.each(bad)('%s: a bad value throws ERR_MWS_INVALID_OPTION naming the option', (name, set) => {
    const s = new MicroWebSrv();
    const e = thrown(() => set(s));
    expect(e.code).toBe('ERR_MWS_INVALID_OPTION');
    expect(e.message).toContain(name);
  });

  test('the message shows the rejected value as written (an array stays an array, a string is quoted)', () => {
    const s = new MicroWebSrv();
    expect(thrown(() => { s.bindAddress = ['x'] as unknown as [string, number]; }).message).toMatch(/got \["x"\]$/);
    expect(thrown(() => { s.logLevel = 'LOUD' as unknown as 'INFO'; }).message).toMatch(/got "LOUD"$/);
    expect(thrown(() => { s.bufferSlotsCount = (() => 1) as unknown as number; }).message).toMatch(/got a function$/);
  });

  test('log(msg, type) goes through onLogging, filtered by logLevel; INFO by default', () => {
    const s = new MicroWebSrv();
    const lines: string[] = [];
    s.onLogging = (_s, msg, type) => lines.push(`${type} ${msg}`);
    s.logLevel = 'WARNING';
    s.log('hidden');
    s.log('shown', 'ERROR');
    s.logLevel = 'DEBUG';
    s.log('now shown');
    expect(lines).toEqual(['ERROR shown', 'INFO now shown']);
  });

  test('a rejected value leaves the setting unchanged', () => {
    const s = new MicroWebSrv();
    expect(() => { s.bufferSlotsCount = -5; }).toThrow(MwsError);
    expect(() => { s.bindAddress = ['x', 99999]; }).toThrow(MwsError);
    expect(() => { s.logLevel = 'LOUD' as unknown as 'INFO'; }).toThrow(MwsError);
    expect(s.bufferSlotsCount).toBe(512);
    expect(s.bindAddress).toEqual(['0.0.0.0', 80]);
    expect(s.logLevel).toBe('INFO');
  });

  test('good values are kept', () => {
    const s = new MicroWebSrv();
    s.bindAddress = ['::1', 0];
    s.requestsTimeoutSec = 0.5;
    s.headersTimeoutSec = 3;
    s.headersTimeoutSec = null;
    s.serverName = null;
    s.logLevel = 'DEBUG';
    s.addMimeType('webp', 'image/webp');
    expect(s.bindAddress).toEqual(['::1', 0]);
    expect(s.requestsTimeoutSec).toBe(0.5);
    expect(s.headersTimeoutSec).toBeNull();
    expect(s.serverName).toBeNull();
    expect(s.logLevel).toBe('DEBUG');
    expect(s.getMimeTypeFromFilename('a/B.WEBP')).toBe('image/webp');
    expect(s.getMimeTypeFromFilename('x.html')).toBe('text/html');
    expect(s.getMimeTypeFromFilename('x.xyz')).toBe('application/octet-stream');
    s.staticUnknownType = 'refuse';
    expect(s.getMimeTypeFromFilename('x.xyz')).toBeNull();
  });
});

describe('settings frozen while running', () => {
  const frozen: Array<[string, (s: MicroWebSrv) => void]> = [
    ['connQueueCapacity', (s) => { s.connQueueCapacity = 10; }],
    ['bufferSlotsCount', (s) => { s.bufferSlotsCount = 10; }],
    ['bufferSlotSize', (s) => { s.bufferSlotSize = 2048; }],
    ['keepAllocBufferSlots', (s) => { s.keepAllocBufferSlots = false; }],
    ['maxRequestContentLength', (s) => { s.maxRequestContentLength = 10; }],
    ['bindAddress', (s) => { s.bindAddress = ['127.0.0.1', 0]; }],
    ['rootPath', (s) => { s.rootPath = 'public'; }],
    ['enableSSL', (s) => { s.enableSSL({ certFile: 'c', keyFile: 'k' }); }],
    ['disableSSL', (s) => { s.disableSSL(); }],
    ['setEmbeddedConfig', (s) => { s.setEmbeddedConfig(); }],
    ['setLargeConfig', (s) => { s.setLargeConfig(); }],
  ];

  test.each(frozen)('%s throws ERR_MWS_RUNNING while running, and works again after stop()', async (name, change) => {
    const ts = await startServer();
    const before = [ts.srv.connQueueCapacity, ts.srv.bufferSlotsCount, ts.srv.bindAddress, ts.srv.rootPath, ts.srv.isSSLEnabled];
    const e = thrown(() => change(ts.srv));
    expect(e.code).toBe('ERR_MWS_RUNNING');
    expect(e.message).toContain(name);
    expect([ts.srv.connQueueCapacity, ts.srv.bufferSlotsCount, ts.srv.bindAddress, ts.srv.rootPath, ts.srv.isSSLEnabled]).toEqual(before);
    await ts.stop();
    expect(() => change(ts.srv)).not.toThrow();
  });

  test('a second start throws ERR_MWS_STATE', async () => {
    const ts = await startServer();
    await expect(ts.srv.startManaged()).rejects.toMatchObject({ code: 'ERR_MWS_STATE' });
    expect(ts.srv.isRunning).toBe(true);
  });
});

describe('routes', () => {
  test('registerRoute: the same method and path twice → ERR_MWS_ROUTE_DUPLICATE (method case-insensitive)', () => {
    const s = new MicroWebSrv();
    s.registerRoute(() => {}, 'GET', '/a');
    expect(thrown(() => s.registerRoute(() => {}, 'GET', '/a')).code).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(thrown(() => s.registerRoute(() => {}, 'get', '/a')).code).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(() => s.registerRoute(() => {}, 'POST', '/a')).not.toThrow();
    expect(() => s.registerRoute(() => {}, 'GET', '/a/')).not.toThrow();
  });

  test('registerRoute: a duplicate route name → ERR_MWS_ROUTE_DUPLICATE', () => {
    const s = new MicroWebSrv();
    s.registerRoute(() => {}, 'GET', '/a', 'home');
    const e = thrown(() => s.registerRoute(() => {}, 'GET', '/b', 'home'));
    expect(e.code).toBe('ERR_MWS_ROUTE_DUPLICATE');
    expect(e.message).toContain('home');
  });

  test('resolveRoute: exact method and path; HEAD falls back to GET; a HEAD route of its own wins', () => {
    const s = new MicroWebSrv();
    const getA = () => {};
    const postA = () => {};
    const getB = () => {};
    const headB = () => {};
    s.registerRoute(getA, 'GET', '/a');
    s.registerRoute(postA, 'POST', '/a');
    s.registerRoute(getB, 'GET', '/b');
    s.registerRoute(headB, 'HEAD', '/b');
    expect(s.resolveRoute('GET', '/a')?.handler).toBe(getA);
    expect(s.resolveRoute('get', '/a')?.handler).toBe(getA);
    expect(s.resolveRoute('POST', '/a')?.handler).toBe(postA);
    expect(s.resolveRoute('HEAD', '/a')?.handler).toBe(getA);
    expect(s.resolveRoute('HEAD', '/b')?.handler).toBe(headB);
    expect(s.resolveRoute('PUT', '/a')).toBeNull();
    expect(s.resolveRoute('HEAD', '/nope')).toBeNull();
    expect(s.resolveRoute('GET', '/A')).toBeNull();
    expect(s.resolveRoute('GET', '/a')?.label).toBe('GET /a');
  });

  test('a HEAD request is served by the GET route over the wire (head only)', async () => {
    let calls = 0;
    const ts = await startServer((s) => s.registerRoute((_s, r) => { calls++; r.response.returnOk('body!'); }, 'GET', '/g'));
    const r = await fetch(ts.url('/g'), { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe('5');
    expect(await r.text()).toBe('');
    expect(calls).toBe(1);
  });
});
