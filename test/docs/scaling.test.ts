import * as http from 'node:http';
import WebSocket from 'ws';
import { example, expectPageShowsExample, useExample } from './doc-example';
import { isCI } from '../support/ci';
import { RedisServer, hasRedisServer } from '../support/redis-server';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { readEvents, type ParsedEvent } from '../support/sse-client';

// docs/scaling.md, "Several cores": the cluster example serves from two workers, a publish on either
// worker reaches event streams on both, SIGHUP replaces every worker, and Ctrl-C drains and exits 0.

/** A request on a connection of its own (node:cluster hands each connection to the next worker). */
function request(url: string, method = 'GET', body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let t = '';
      res.on('data', (d: Buffer) => { t += d.toString(); });
      res.on('end', () => resolve(t));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Follows an event stream, keeping its text. */
function follow(url: string): { text: () => string; close: () => void } {
  const ac = new AbortController();
  let text = '';
  void fetch(url, { signal: ac.signal }).then(async (res) => {
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) text += chunk;
  }).catch(() => undefined);
  return { text: () => text, close: () => ac.abort() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('docs/examples/scaling-cluster.js', () => {
  let base = '';
  let srv: SpawnedServer;
  useExample('scaling.md', 'scaling-cluster.js', (s) => { srv = s; base = s.urls[0]!; });

  const workerPids = async (): Promise<Set<number>> => {
    const pids = new Set<number>();
    for (let i = 0; i < 6; i++) pids.add((JSON.parse(await request(base + '/')) as { pid: number }).pid);
    return pids;
  };

  test('two workers answer; the primary hook ran before the forks', async () => {
    expect((await workerPids()).size).toBe(2);
    // Both workers report (in either order: they start in parallel), each once.
    expect(srv.output().match(/worker [12] online \(pid \d+\)/g)?.sort()).toEqual([expect.stringMatching(/^worker 1 online/), expect.stringMatching(/^worker 2 online/)]);
  });

  test('a publish on either worker reaches the event streams of both', async () => {
    const streams = [follow(base + '/news'), follow(base + '/news')];
    const byMessage = new Map<string, number>();
    const heardFrom = (s: { text: () => string }) => new Set([...byMessage].filter(([m]) => s.text().includes(`data: ${m}\n`)).map(([, pid]) => pid));
    try {
      for (let i = 0; i < 60 && !streams.every((s) => heardFrom(s).size === 2); i++) {
        const msg = `note ${i}`;
        byMessage.set(msg, (JSON.parse(await request(base + '/news', 'POST', msg)) as { publishedBy: number }).publishedBy);
        await sleep(50);
      }
      for (const s of streams) expect(heardFrom(s).size).toBe(2);
    } finally {
      for (const s of streams) s.close();
    }
  });

  test('SIGHUP: a rolling restart replaces both workers', async () => {
    const before = await workerPids();
    srv.child.kill('SIGHUP');
    await srv.waitForOutput('rolling restart done', 15000);
    const after = await workerPids();
    expect(after.size).toBe(2);
    for (const p of after) expect(before.has(p)).toBe(false);
  }, 25000);
});

// docs/scaling.md: the Redis example run as two processes on one redis-server (what the page says a
// user sees), and the metrics example scraped as Prometheus would.


async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Events of `url` (optionally with Last-Event-ID) until `stop` says so; then the request is closed. */
async function events(url: string, stop: (e: ParsedEvent[]) => boolean, lastEventId?: string): Promise<ParsedEvent[]> {
  return (await readEvents(url, stop, lastEventId ? { 'Last-Event-ID': lastEventId } : {}, 30000)).events;
}

jest.setTimeout(60000);

jest.setTimeout(60000);

(hasRedisServer() || isCI ? describe : describe.skip)('docs/examples/scaling-redis.js: two processes on one Redis', () => {
  let redis: RedisServer;
  const procs: SpawnedServer[] = [];
  beforeAll(async () => {
    expectPageShowsExample('scaling.md', 'scaling-redis.js');
    redis = await RedisServer.start();
    for (let i = 0; i < 2; i++) {
      const p = await spawnServer(example('scaling-redis.js'), { env: { REDIS_URL: redis.url } });
      procs.push(p);
      await p.waitForOutput('connected to Redis');
    }
  });
  afterAll(async () => {
    for (const p of procs) expect(await p.stop()).toBe(0); // Ctrl-C: graceful stop, the bus closed, exit 0
    await redis?.stop();
  });

  test('said on one, heard on the other (WebSocket); an event stream resumes on the other process', async () => {
    const [a, b] = procs.map((p) => p.urls[0]!);
    const ws = new WebSocket(`${b!.replace('http', 'ws')}/chat`);
    const heard: string[] = [];
    ws.on('message', (d) => heard.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    try {
      // The subscription reaches Redis asynchronously: say until the other process hears.
      await until(async () => { await fetch(`${a}/say?text=ping`); return heard.includes('ping'); }, 'ping heard on B');
      expect(await (await fetch(`${a}/say?text=hi`)).json()).toEqual({ bus: 'ready' });
      await until(() => heard.includes('hi'), 'hi heard on B');
      ws.send('from B'); // a socket's message is published on `chat`: back through Redis to B's sockets
      await until(() => heard.includes('from B'), 'from B heard on B');
    } finally { ws.terminate(); }
    // an EventSource on A that reconnects to B with its Last-Event-ID
    const onA = events(`${a}/events`, (e) => e.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    await fetch(`${a}/say?text=one`);
    const [seen] = await onA;
    expect(seen!.data).toBe('one');
    await fetch(`${b}/say?text=two`);
    await fetch(`${a}/say?text=three`);
    await new Promise((r) => setTimeout(r, 200));
    const onB = await events(`${b}/events`, (e) => e.length >= 2, seen!.id);
    expect(onB.map((e) => e.data)).toEqual(['two', 'three']);
    expect(Number(onB[0]!.id)).toBeGreaterThan(Number(seen!.id));
  });
});

describe('docs/examples/scaling-metrics.js', () => {
  let base = '';
  useExample('scaling.md', 'scaling-metrics.js', (s) => { base = s.urls[0]!; });

  test('the scrape needs the credentials; the metrics count what happened; own metrics join', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/login`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(403);
    const r = await fetch(`${base}/metrics`, { headers: { authorization: `Basic ${Buffer.from('prom:scrape').toString('base64')}` } });
    expect(r.status).toBe(200);
    const text = await r.text();
    const port = new URL(base).port;
    expect(text).toContain(`mws_http_requests_total{server="http:${port}",method="GET",status_class="2xx"} 1`);
    expect(text).toContain(`mws_http_requests_total{server="http:${port}",method="GET",status_class="4xx"} 1`);
    expect(text).toContain('app_logins_total 1');
    expect(text).toMatch(/^mws_http_request_duration_seconds_count\{server="http:\d+"\} [3-9]/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    const st = (await (await fetch(`${base}/stats`)).json()) as { ok2xx: number; slotsFree: number };
    expect(st.ok2xx).toBe(2); // GET / and the scrape (this request is counted after it answers)
    expect(st.slotsFree).toBeGreaterThan(0);
  });
});
