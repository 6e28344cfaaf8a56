import * as http from 'node:http';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { isCI } from '../support/ci';
import { RedisServer, hasRedisServer } from '../support/redis-server';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// Three server processes on their own ports (as three machines would be) share one redis-server through
// RedisBus: a publish on one reaches the WebSocket and SSE clients of every other; redis-server killed and
// restarted mid-test (HTTP and local pub/sub go on, then delivery across processes again); a server
// process killed mid-test (the others go on); an SSE client reconnecting to another process with
// Last-Event-ID gets what it missed, in order, once.

const SCRIPT = path.join(__dirname, 'node-server.js');
const run = hasRedisServer() || isCI ? describe : describe.skip;
jest.setTimeout(90000);

function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = async (): Promise<void> => {
      let ok = false;
      try { ok = await cond(); } catch { ok = false; }
      if (ok) resolve();
      else if (Date.now() - t0 > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    void tick();
  });
}

async function getJSON(url: string): Promise<any> {
  const r = await fetch(url);
  expect(r.status).toBe(200);
  return r.json();
}

/** A WebSocket client that keeps every text message. */
async function wsClient(base: string): Promise<{ ws: WebSocket; got: string[] }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  const got: string[] = [];
  ws.on('message', (d) => got.push(d.toString()));
  await until(() => got[0] === 'hello', 'the WebSocket hello');
  return { ws, got };
}

interface SseEvent { id: string; event: string; data: string }
/** An SSE client over a raw GET (optionally with Last-Event-ID) that keeps every event. */
function sseClient(base: string, lastEventId?: string): Promise<{ events: SseEvent[]; close(): void }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = http.get(`${base}/events`, { headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`SSE status ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { id: '', event: 'message', data: '' };
          for (const line of block.split('\n')) {
            const [k, ...v] = line.split(': ');
            if (k === 'id') e.id = v.join(': '); else if (k === 'event') e.event = v.join(': '); else if (k === 'data') e.data = v.join(': ');
          }
          if (block.startsWith(':')) continue;
          events.push(e);
        }
      });
      res.on('error', () => {});
      resolve({ events, close: () => req.destroy() });
    });
    req.on('error', () => {});
  });
}

run('RedisBus across three server processes', () => {
  let redis: RedisServer;
  let probe: Redis;
  const servers: SpawnedServer[] = [];
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100, lazyConnect: false });
    probe.on('error', () => {});
    for (let i = 0; i < 3; i++) servers.push(await spawnServer(SCRIPT, { env: { REDIS_URL: redis.url } }));
  });
  afterAll(async () => {
    for (const c of closers) c();
    await Promise.all(servers.map((s) => s.stop('SIGTERM')));
    probe?.disconnect();
    await redis?.stop();
  });

  const numsub = async (): Promise<number> => Number(((await probe.pubsub('NUMSUB', 'xp:chat')) as [string, number])[1]);

  test('publish on one, every other receives (WebSocket and SSE); Redis killed and restarted; a server killed; SSE replay on another process', async () => {
    const [A, B, C] = servers.map((s) => s.urls[0]!);
    const wsA = await wsClient(A!);
    const wsB = await wsClient(B!);
    const wsC = await wsClient(C!);
    closers.push(() => wsA.ws.terminate(), () => wsB.ws.terminate(), () => wsC.ws.terminate());
    const sseB = await sseClient(B!);
    const sseC = await sseClient(C!);
    closers.push(sseB.close, sseC.close);
    await until(async () => (await numsub()) === 3, 'one subscription of `chat` per process');

    // 1. publish on A: every process's clients get it once (A's own included)
    await getJSON(`${A}/pub?m=one`);
    await until(() => [wsA, wsB, wsC].every((c) => c.got.includes('one')) && sseB.events.length === 1 && sseC.events.length === 1, 'one everywhere');
    expect(sseB.events[0]!.data).toBe('one');
    expect(sseB.events[0]!.id).toBe(sseC.events[0]!.id); // the same id in every process (the stream's)

    // 2. Redis killed: HTTP goes on, local pub/sub goes on, nothing crosses
    await redis.stop();
    await until(async () => (await Promise.all([A, B, C].map((u) => getJSON(`${u}/state`)))).every((s) => s.state === 'down'), 'all down');
    expect((await getJSON(`${B}/pub?m=local`)).state).toBe('down');
    const down = await (await fetch(`${B}/metrics`)).text(); // the outage as a scraper sees it
    expect(down).toMatch(/^mws_bus_state\{state="down"\} 1$/m);
    expect(down).toMatch(/^mws_bus_state\{state="ready"\} 0$/m);
    expect(down).toMatch(/^mws_bus_undelivered_total 1$/m); // `local` reached B only
    await until(() => wsB.got.includes('local'), 'local delivery on B');
    // 3. Redis back: every process reconnects and re-subscribes; delivery across processes again
    await redis.startAgain();
    await until(async () => (await Promise.all([A, B, C].map((u) => getJSON(`${u}/state`)))).every((s) => s.state === 'ready'), 'all ready');
    await until(async () => (await numsub()) === 3, 're-subscribed');
    expect(await (await fetch(`${B}/metrics`)).text()).toMatch(/^mws_bus_reconnects_total 1$/m);
    await getJSON(`${C}/pub?m=two`);
    await until(() => [wsA, wsB, wsC].every((c) => c.got.includes('two')), 'two everywhere');
    expect(wsA.got.includes('local') || wsC.got.includes('local')).toBe(false); // at-most-once across the outage
    for (const c of [wsA, wsB, wsC]) expect(c.got.filter((m) => m === 'two')).toHaveLength(1);

    // 4. SSE replay on another process: the client of B leaves after `two`, misses r1..r3, reconnects to C
    await until(() => sseB.events.some((e) => e.data === 'two'), 'two on B\'s SSE');
    const last = sseB.events.find((e) => e.data === 'two')!.id;
    sseB.close();
    for (const m of ['r1', 'r2', 'r3']) await getJSON(`${A}/pub?m=${m}`);
    await until(() => sseC.events.some((e) => e.data === 'r3'), 'r3 on C');
    const again = await sseClient(C!, last);
    closers.push(again.close);
    await until(() => again.events.length >= 3, 'the replay');
    await getJSON(`${B}/pub?m=r4`);
    await until(() => again.events.some((e) => e.data === 'r4'), 'live after the replay');
    expect(again.events.map((e) => e.data)).toEqual(['r1', 'r2', 'r3', 'r4']);
    const ids = again.events.map((e) => Number(e.id));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    expect(again.events.slice(0, 3).map((e) => e.id)).toEqual(sseC.events.filter((e) => /^r[123]$/.test(e.data)).map((e) => e.id));

    // 5. a server process killed: the others go on
    await servers[0]!.stop('SIGKILL');
    await until(async () => (await numsub()) === 2, 'A gone from Redis');
    await getJSON(`${B}/pub?m=three`);
    await until(() => wsB.got.includes('three') && wsC.got.includes('three') && sseC.events.some((e) => e.data === 'three'), 'three on B and C');
    expect(wsA.got.includes('three')).toBe(false);
  });
});
