/** Server-sent events against real clients: raw sockets for the wire, the `eventsource` package for reconnection. */
import { cleanup, eventSource, RawClient, sleep, startSse, until } from './__tests__/helpers';
import { TopicMessage } from '@microwebsrv/core';
import type { EventStream, ServerSentEvents } from './index';

afterEach(cleanup);

describe('an endpoint (uhttpd event(url))', () => {
  test('headers, chunked body, dispatch to every stream, false when nobody listens', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({}, (_srv, sse) => { ep = sse.event('/events'); });
    expect(ep.dispatch('before anyone', 'note')).toBe(false);
    const a = RawClient.get(t.port, '/events');
    const b = RawClient.get(t.port, '/events');
    await until(() => ep.count === 2);
    await a.waitFor((c) => c.head.endsWith('\r\n\r\n'));
    expect(a.status).toBe(200);
    expect(a.head).toMatch(/\r\nContent-Type: text\/event-stream; charset=utf-8\r\n/i);
    expect(a.head).toMatch(/\r\nCache-Control: no-cache\r\n/);
    expect(a.head).not.toMatch(/no-store|Content-Length/i);
    expect(a.head).toMatch(/\r\nTransfer-Encoding: chunked\r\n/);
    expect(ep.dispatch({ temp: 21.5 }, 'reading')).toBe(true);
    expect(ep.dispatch('two\nlines')).toBe(true);
    for (const c of [a, b]) {
      await c.waitFor((x) => x.events().length === 2);
      const [e1, e2] = c.events();
      expect(e1).toMatchObject({ event: 'reading', data: '{"temp":21.5}' });
      expect(e2).toMatchObject({ data: 'two\nlines' });
      expect(Number(e2!.id)).toBe(Number(e1!.id) + 1);
    }
    expect(t.srv.subscribers('/events')).toBe(2); // the history keeper is not an audience
    a.destroy();
    await until(() => ep.count === 1 && t.srv.subscribers('/events') === 1);
  });

  test('HTTP/1.0 gets a close-delimited body; POST gets 405', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({}, (_srv, sse) => { ep = sse.event('/ev'); });
    const c = RawClient.get(t.port, '/ev', {}, '1.0');
    await until(() => ep.count === 1);
    ep.dispatch('hi');
    await c.waitFor((x) => x.events().length === 1);
    expect(c.head).not.toMatch(/chunked|Content-Length/i);
    expect(c.raw).toMatch(/^id: \d+\ndata: hi\n\n$/);
    const p = new RawClient(t.port, 'POST /ev HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    await p.waitFor((x) => x.status !== 0);
    expect(p.status).toBe(405);
    expect(p.head).toMatch(/Allow: GET, HEAD/);
  });

  test('cap on concurrent streams → 503 with Retry-After; the slot budget is unchanged', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({ maxStreams: 2, retryAfterSec: 7 }, (_srv, sse) => { ep = sse.event('/ev'); });
    RawClient.get(t.port, '/ev'); RawClient.get(t.port, '/ev');
    await until(() => ep.count === 2);
    const third = RawClient.get(t.port, '/ev');
    await third.waitFor((x) => x.head.endsWith('\r\n\r\n'));
    expect(third.status).toBe(503);
    expect(third.head).toMatch(/\r\nRetry-After: 7\r\n/);
    expect(t.logs.some((l) => l.type === 'WARNING' && /refused: 2 streams open >> \[503\]/.test(l.msg))).toBe(true);
    expect(t.srv.stats.connections).toBeGreaterThanOrEqual(2); // streams are connections like any other
  });
});

describe('streams from a route', () => {
  test('a handler loop: send resolves while the client reads, rejects once it left; onClose; no leak', async () => {
    let stream: EventStream | null = null;
    let loopEnded: unknown = null;
    let closedCalls = 0;
    const t = await startSse({}, (srv, sse) => {
      srv.registerRoute(async (_s, req) => {
        const es = sse.open(req)!;
        stream = es;
        es.onClose = () => { closedCalls++; };
        try {
          for (let i = 0; ; i++) { await es.send({ data: `n${i}`, id: i }); await sleep(5); }
        } catch (err) { loopEnded = err; }
      }, 'GET', '/loop');
    });
    const c = RawClient.get(t.port, '/loop');
    await c.waitFor((x) => x.events().length >= 3);
    expect(c.events().slice(0, 3).map((e) => e.data)).toEqual(['n0', 'n1', 'n2']);
    c.destroy(); // the client leaves mid-send
    await until(() => loopEnded !== null);
    expect((loopEnded as Error).name).toBe('AbortError');
    expect(stream!.signal.aborted).toBe(true);
    expect(closedCalls).toBe(1);
    expect(t.sse.count).toBe(0);
    await until(() => t.srv.stats.connections === 0 && t.srv.stats.slots!.inUse === 0);
  });

  test('heartbeat comments while idle; the idle timeout does not cut a live stream', async () => {
    const t = await startSse({ heartbeatSec: 0.5 }, (srv, sse) => {
      srv.registerRoute((_s, req) => { sse.open(req); }, 'GET', '/hb');
    }, (srv) => { srv.keepAliveTimeoutSec = 0.3; srv.requestsTimeoutSec = 0.3; });
    const c = RawClient.get(t.port, '/hb');
    await c.waitFor((x) => (x.body.match(/^:\n\n/gm) ?? []).length >= 3, 5000);
    expect(c.ended).toBe(false);
    expect(t.sse.count).toBe(1);
  });

  test('wildcard subscriptions, a retry first, misuse throws', async () => {
    const t = await startSse({ retryMs: 250 }, (srv, sse) => {
      srv.registerRoute((_s, req) => { sse.open(req)!.subscribe(['sensors/+/temp', 'alerts/#']); }, 'GET', '/w');
      expect(() => sse.event('nope')).toThrow(/event url must be a path starting with \//);
      expect(() => sse.event('/x', { slowPolicy: 'wait' as never })).toThrow(/event options.slowPolicy must be 'drop-oldest' or 'close'/);
      expect(() => sse.event('/y', { topic: 'a/#/b' })).toThrow(/event options.topic must be a topic pattern/);
    });
    const c = RawClient.get(t.port, '/w');
    await until(() => t.srv.subscribers('sensors/kitchen/temp') === 1);
    for (const topic of ['sensors/kitchen/temp', 'sensors/kitchen/hum', 'alerts', 'alerts/fire/now', 'other']) t.srv.publish(topic, topic);
    await c.waitFor((x) => x.events().length === 4);
    expect(c.events().map((e) => e.data ?? `retry=${e.retry}`)).toEqual(['retry=250', 'sensors/kitchen/temp', 'alerts', 'alerts/fire/now']);
  });

  test("a turn's publishes (Topics' batch): ids in publish order across topics, own events and the end in place", async () => {
    let es!: EventStream;
    const t = await startSse({}, (srv, sse) => {
      srv.registerRoute((_s, req) => { es = sse.open(req)!.subscribe('room/a'); }, 'GET', '/one');
      srv.registerRoute((_s, req) => { sse.open(req)!.subscribe('room/b'); }, 'GET', '/other');
      sse.event('/hist', { topic: 'room/b' }); // a history keeper on room/b numbers its messages at once
    });
    const c = RawClient.get(t.port, '/one');
    const o = RawClient.get(t.port, '/other');
    await until(() => t.srv.subscribers('room/a') === 1 && t.srv.subscribers('room/b') === 1);
    t.srv.publish('room/a', 'a1');
    t.srv.publish('room/b', 'b1');
    t.srv.publish('room/a', 'a2');
    void es.send({ data: 'own' });
    t.srv.publish('room/a', 'a3');
    es.close();
    t.srv.publish('room/a', 'a4'); // after the end: not sent
    await c.waitFor((x) => x.ended);
    await o.waitFor((x) => x.events().length === 1);
    const got = c.events();
    expect(got.map((e) => e.data)).toEqual(['a1', 'a2', 'own', 'a3']);
    const ids = [got[0]!, got[1]!, got[3]!].map((e) => Number(e.id));
    expect(ids.map((id) => id - ids[0]!)).toEqual([0, 2, 3]); // numbered in publish order: b1 took the one between
    expect(o.events()[0]).toMatchObject({ data: 'b1', id: String(ids[0]! + 1) });
  });

  test("a turn whose ids do not increase (store-numbered and local topics under one pattern): the stream's ids never go back", async () => {
    let sse!: ServerSentEvents;
    const t = await startSse({}, (srv, m) => {
      sse = m;
      // A transport that numbers news/a's messages as a shared history store would (ids of another
      // clock: here below the local ones), and leaves the others to the module's own numbering.
      const inner = srv.topics.bus;
      let stored = 0;
      srv.topics.bus = {
        publish: (msg) => inner.publish(msg.topic === 'news/a' ? new TopicMessage(msg.topic, msg.data, msg.binary, msg.event, sse.lastId - 20 + ++stored) : msg),
        subscribe: (p, l) => inner.subscribe(p, l),
        unsubscribe: (p, l) => inner.unsubscribe(p, l),
      };
      srv.registerRoute((_s, req) => { sse.open(req)!.subscribe('news/#'); }, 'GET', '/n');
    });
    const c = RawClient.get(t.port, '/n');
    await until(() => t.srv.subscribers('news/a') === 1);
    t.srv.publish('news/b', 'local'); // one turn: [L, L - 19]
    t.srv.publish('news/a', 'stored1');
    await sleep(20);
    t.srv.publish('news/a', 'stored2'); // L - 18: older than what the stream wrote
    await sleep(20);
    t.srv.publish('news/b', 'after');
    await c.waitFor((x) => x.events().some((e) => e.data === 'after'));
    const ids = c.events().filter((e) => e.id !== undefined).map((e) => Number(e.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    expect(c.events().filter((e) => e.data !== undefined).map((e) => e.data)).toEqual(['local', 'after']); // as one by one: an id not above the last is skipped
  });

  test('graceful stop: onStop sends a last event, then the stream ends with the last chunk', async () => {
    const t = await startSse({ onStop: (es) => { void es.send({ event: 'bye', data: 'server stopping' }); } }, (_srv, sse) => { sse.event('/ev'); });
    const c = RawClient.get(t.port, '/ev');
    await until(() => t.sse.count === 1);
    const started = Date.now();
    await t.srv.stop();
    expect(Date.now() - started).toBeLessThan(2000); // not stopTimeoutSec
    await c.waitFor((x) => x.ended);
    expect(c.events().pop()).toMatchObject({ event: 'bye', data: 'server stopping' });
    expect(c.raw.endsWith('0\r\n\r\n')).toBe(true);
  });

  test('graceful stop right after publishing: every event published before it arrives, before the end', async () => {
    const t = await startSse({}, (_srv, sse) => { sse.event('/ev'); });
    const c = RawClient.get(t.port, '/ev');
    await until(() => t.sse.count === 1);
    // Topic messages leave at the end of a loop turn: published now, they are still waiting when stop() begins.
    const stopped = new Promise<void>((resolve) => setTimeout(() => {
      for (let i = 1; i <= 5; i++) t.srv.publish('/ev', `m${i}`);
      void t.srv.stop().then(resolve);
    }, 5));
    await stopped;
    await c.waitFor((x) => x.ended);
    expect(c.events().map((e) => e.data)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(c.raw.endsWith('0\r\n\r\n')).toBe(true);
  });
});

describe('Last-Event-ID (HTML §9.2.4) with the eventsource client', () => {
  test('a reconnecting client gets what it missed, then the live events: no gap, no duplicate', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({ retryMs: 50 }, (_srv, sse) => { ep = sse.event('/feed', { topic: 'feed' }); });
    const got: Array<{ data: string; id: string }> = [];
    const es = eventSource(`http://127.0.0.1:${t.port}/feed`);
    es.onmessage = (e) => got.push({ data: e.data, id: e.lastEventId });
    await until(() => ep.count === 1);
    for (let i = 1; i <= 5; i++) ep.dispatch(`m${i}`);
    await until(() => got.length === 5);
    // The server drops the stream; the client reconnects (retry 50 ms) with Last-Event-ID.
    t.sse.streams()[0]!.close();
    await until(() => ep.count === 0);
    for (let i = 6; i <= 8; i++) ep.dispatch(`m${i}`); // published while it is away
    await until(() => ep.count === 1);
    ep.dispatch('m9');
    await until(() => got.length === 9);
    await sleep(100);
    expect(got.map((g) => g.data)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    const ids = got.map((g) => Number(g.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
  });

  test('beyond the history: a reset event carrying the current id, then live events', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({}, (_srv, sse) => { ep = sse.event('/feed', { history: { count: 3 } }); });
    for (let i = 0; i < 10; i++) ep.dispatch(`old${i}`);
    const first = t.sse.lastId - 9; // the id of old0
    const c = RawClient.get(t.port, '/feed', { 'Last-Event-ID': String(first) });
    await until(() => ep.count === 1);
    ep.dispatch('live');
    await c.waitFor((x) => x.events().length === 2);
    const [reset, live] = c.events();
    expect(reset).toMatchObject({ event: 'reset', id: String(t.sse.lastId - 1) });
    expect(JSON.parse(reset!.data!)).toMatchObject({ lastEventId: String(first) });
    expect(live).toMatchObject({ data: 'live', id: String(t.sse.lastId) });
    // Within the history: exactly the events after it.
    const d = RawClient.get(t.port, '/feed', { 'Last-Event-ID': String(t.sse.lastId - 2) });
    await d.waitFor((x) => x.events().length === 2);
    expect(d.events().map((e) => e.data)).toEqual(['old9', 'live']);
    // An id that is not ours (another run): reset.
    const e = RawClient.get(t.port, '/feed', { 'Last-Event-ID': 'abc' });
    await e.waitFor((x) => x.events().length === 1);
    expect(e.events()[0]!.event).toBe('reset');
  });
});

describe('slow clients', () => {
  const big = 'x'.repeat(64 * 1024);

  test('drop-oldest: the queue stays bounded, the others go on, a gap event comes before the next one', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({ maxQueue: 4 }, (_srv, sse) => { ep = sse.event('/ev'); });
    const slow = new RawClient(t.port, 'GET /ev HTTP/1.1\r\nHost: x\r\n\r\n', { pause: true });
    const fast = RawClient.get(t.port, '/ev');
    await until(() => ep.count === 2);
    const slowStream = t.sse.streams()[0]!;
    let i = 0;
    while (slowStream.dropped === 0 && i < 2000) { ep.dispatch(`${i++} ${big}`); await sleep(0); }
    expect(slowStream.dropped).toBeGreaterThan(0);
    expect(slowStream.queued).toBeLessThanOrEqual(4);
    ep.dispatch('after');
    await fast.waitFor((x) => x.events().some((e) => e.data === 'after'), 8000);
    expect(fast.events().filter((e) => e.data !== undefined)).toHaveLength(i + 1); // nothing lost for the fast one
    slow.socket.resume();
    await slow.waitFor((x) => x.events().some((e) => e.data === 'after'), 8000);
    const gap = slow.events().find((e) => e.event === 'gap');
    expect(JSON.parse(gap!.data!)).toMatchObject({ dropped: slowStream.dropped });
  });

  test('close policy: a client that cannot keep up is closed', async () => {
    let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
    const t = await startSse({ maxQueue: 2, slowPolicy: 'close' }, (_srv, sse) => { ep = sse.event('/ev'); });
    const slow = new RawClient(t.port, 'GET /ev HTTP/1.1\r\nHost: x\r\n\r\n', { pause: true });
    await until(() => ep.count === 1);
    for (let i = 0; i < 500 && ep.count > 0; i++) { ep.dispatch(big); await sleep(0); }
    expect(ep.count).toBe(0);
    slow.socket.resume();
    await slow.waitFor((x) => x.ended, 8000);
  });
});

test('1,000 streams on one topic: one publish reaches all', async () => {
  let ep!: ReturnType<import('./index').ServerSentEvents['event']>;
  const t = await startSse({ heartbeatSec: 0 }, (_srv, sse) => { ep = sse.event('/ev', { topic: 'all' }); }, (srv) => { srv.bufferSlotsCount = 1100; srv.bufferSlotSize = 1024; srv.connQueueCapacity = 1024; });
  const clients: RawClient[] = [];
  for (let i = 0; i < 1000; i++) { clients.push(RawClient.get(t.port, '/ev')); if (i % 100 === 99) await sleep(20); }
  await until(() => ep.count === 1000, 15000);
  expect(t.srv.subscribers('all')).toBe(1000);
  t.srv.publish('all', { hello: 'everyone' }, { event: 'greeting' });
  await until(() => clients.every((c) => c.events().length === 1), 15000);
  expect(new Set(clients.map((c) => c.raw)).size).toBe(1); // the same bytes for every stream
  for (const c of clients) c.destroy();
  await until(() => ep.count === 0 && t.srv.subscribers('all') === 0, 15000);
}, 40000);
