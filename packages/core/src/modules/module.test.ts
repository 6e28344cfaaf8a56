import type { XAsyncTCPClient } from '@microwebsrv/xasync';
import type { HttpRequest, MicroWebSrv, MwsModule } from '../index';
import { get, RawClient, sleep, startServer, stopAll } from '../__tests__/server-harness';

afterEach(stopAll);

/** Records the order modules see requests in; answers the paths it is told to. */
class Recorder implements MwsModule {
  static seen: string[] = [];
  readonly name: string;
  readonly answer: string | null;
  constructor(_server: MicroWebSrv, options: { name: string; answer?: string }) {
    this.name = options.name;
    this.answer = options.answer ?? null;
  }
  onRequest(_s: MicroWebSrv, req: HttpRequest): void {
    Recorder.seen.push(`${this.name}:${req.path}`);
    if (req.path === this.answer) req.response.returnOk(`answered by ${this.name}`);
  }
}

describe('modules', () => {
  beforeEach(() => { Recorder.seen = []; });

  test('run per server, in load order, before routes; an answer stops the chain', async () => {
    const ts = await startServer((s) => {
      s.loadModule(Recorder, { name: 'a' });
      s.loadModule(Recorder, { name: 'b', answer: '/mod' });
      s.loadModule(Recorder, { name: 'c' });
      s.registerRoute((_s, r) => r.response.returnOk('route'), 'GET', '/route');
      s.registerRoute((_s, r) => r.response.returnOk('never'), 'GET', '/mod');
    });
    expect(await (await fetch(ts.url('/route'))).text()).toBe('route');
    expect(await (await fetch(ts.url('/mod'))).text()).toBe('answered by b');
    expect(Recorder.seen).toEqual(['a:/route', 'b:/route', 'c:/route', 'a:/mod', 'b:/mod']);
    const other = await startServer((s) => s.registerRoute((_s, r) => r.response.returnOk('x'), 'GET', '/route'));
    await fetch(other.url('/route'));
    expect(Recorder.seen.length).toBe(5); // not global: the other server has no modules
  });

  test('a module that throws is logged and skipped; an async module is awaited', async () => {
    class Thrower implements MwsModule { onRequest(): void { throw new Error('module bug'); } }
    class Slow implements MwsModule {
      async onRequest(_s: MicroWebSrv, req: HttpRequest): Promise<void> {
        await sleep(20);
        if (req.path === '/slow') req.response.returnOk('slow module');
      }
    }
    const ts = await startServer((s) => {
      s.loadModule(Thrower);
      s.loadModule(Slow);
      s.registerRoute((_s, r) => r.response.returnOk('route ok'), 'GET', '/r');
    });
    expect(await (await fetch(ts.url('/r'))).text()).toBe('route ok');
    expect(await (await fetch(ts.url('/slow'))).text()).toBe('slow module');
    expect(ts.logs.filter((l) => l.type === 'ERROR' && /module Thrower onRequest threw: Error: module bug/.test(l.msg)).length).toBe(2);
  });

  test('onStart runs once listening, onStop when stop() begins', async () => {
    const events: string[] = [];
    class Hooks implements MwsModule {
      onStart(s: MicroWebSrv): void { events.push(`start:${s.isRunning}`); }
      async onStop(): Promise<void> { await sleep(10); events.push('stop'); }
    }
    const ts = await startServer((s) => s.loadModule(Hooks));
    expect(events).toEqual(['start:true']);
    await ts.stop();
    expect(events).toEqual(['start:true', 'stop']);
    expect(() => ts.srv.loadModule(Hooks)).not.toThrow(); // stopped: loading is allowed again
  });

  test('loadModule while running throws ERR_MWS_RUNNING; a non-class throws naming the option', async () => {
    const ts = await startServer();
    expect(() => ts.srv.loadModule(Recorder, { name: 'late' })).toThrow(expect.objectContaining({ code: 'ERR_MWS_RUNNING' }));
    await ts.stop();
    expect(() => ts.srv.loadModule(42 as never)).toThrow(/loadModule ModuleClass must be/);
  });

  test('connection hand-over: 101, then the module owns the connection with the bytes that followed', async () => {
    let taken: XAsyncTCPClient | null = null;
    class Echo implements MwsModule {
      onRequest(_s: MicroWebSrv, req: HttpRequest): void {
        if (!req.isUpgrade || req.upgrade !== 'echo') return;
        req.response.switchingProtocols('echo');
        const c = req.detachConnection();
        taken = c;
        c.asyncRecvRaw((cl, buf, start, end) => {
          cl.asyncSendData(`[${buf.toString('latin1', start, end)}]`);
          return end - start;
        });
      }
    }
    const ts = await startServer((s) => { s.loadModule(Echo); s.requestsTimeoutSec = 0.3; });
    const c = new RawClient(ts.port);
    await c.connected();
    // The upgrade request and the first bytes of the new protocol in one write.
    c.write(get('/x', 'Connection: Upgrade\r\nUpgrade: echo\r\n') + 'hello');
    const r = await c.readResponse({ noBody: true });
    expect(r.status).toBe(101);
    expect(r.headers.upgrade).toBe('echo');
    for (let i = 0; i < 50 && !c.pending.toString().includes('[hello]'); i++) await sleep(10);
    expect(c.pending.toString()).toBe('[hello]');
    await sleep(500); // past the HTTP timeouts: a detached connection is not HTTP's any more
    c.write('again');
    for (let i = 0; i < 50 && !c.pending.toString().includes('[again]'); i++) await sleep(10);
    expect(c.pending.toString()).toBe('[hello][again]');
    expect(ts.srv.stats.connections).toBe(1);
    expect(ts.srv.stats.slots!.inUse).toBe(1); // still counts against the budget
    c.destroy();
    await taken!.whenClosed();
    for (let i = 0; i < 50 && ts.srv.stats.connections > 0; i++) await sleep(10);
    expect(ts.srv.stats.connections).toBe(0);
    expect(ts.srv.stats.slots!.inUse).toBe(0);
  });

  test('an upgrade nobody detaches is closed by the idle timeout', async () => {
    class Lazy implements MwsModule {
      onRequest(_s: MicroWebSrv, req: HttpRequest): void { if (req.isUpgrade) req.response.switchingProtocols('x'); }
    }
    const ts = await startServer((s) => { s.loadModule(Lazy); s.requestsTimeoutSec = 0.2; });
    const c = new RawClient(ts.port);
    await c.connected();
    c.write(get('/', 'Connection: upgrade\r\nUpgrade: x\r\n'));
    expect((await c.readResponse({ noBody: true })).status).toBe(101);
    expect(await c.waitEnd(3000)).toBe(true);
  });
});
