import * as path from 'node:path';
import WebSocket from 'ws';
import { isCI } from '../support/ci';
import { RedisServer, hasRedisServer } from '../support/redis-server';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';
import { readEvents, type ParsedEvent } from '../support/sse-client';

// REDIS_URL=redis://… node demo/main.js, twice (as on two machines): the chat spans both processes, and
// each one's dashboard stream lists the servers of both (demo/cross-process.js). SIGTERM: exit 0.
const DEMO = path.resolve(__dirname, '../../demo/main.js');
jest.setTimeout(60000);

/** The servers of the first `stats` event of `url` that satisfy `ok`. */
async function statsWhere(url: string, ok: (servers: Array<{ name: string }>) => boolean): Promise<Array<{ name: string }>> {
  const servers = (e: ParsedEvent): Array<{ name: string }> => JSON.parse(e.data).servers;
  const { events } = await readEvents(url, (evs) => evs.some((e) => e.event === 'stats' && ok(servers(e))), {}, 30000);
  return servers(events.find((e) => e.event === 'stats' && ok(servers(e)))!);
}

(hasRedisServer() || isCI ? describe : describe.skip)('demo on two processes sharing Redis', () => {
  let redis: RedisServer;
  const demos: SpawnedServer[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 0; i < 2; i++) demos.push(await spawnServer(DEMO, { env: { REDIS_URL: redis.url } }));
  });
  afterAll(async () => {
    for (const d of demos) expect(await d.stop('SIGTERM')).toBe(0);
    await redis?.stop();
  });

  test('the chat reaches the other process; each dashboard shows both processes', async () => {
    const [a, b] = demos.map((d) => d.urls[0]!);
    const clients = await Promise.all([a!, b!].map(async (base) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/ws-chat`);
      const got: string[] = [];
      ws.on('message', (d) => got.push(String(d)));
      await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
      return { ws, got };
    }));
    try {
      for (let i = 0; i < 40 && !clients[0]!.got.some((t) => t.endsWith(': from b')); i++) {
        clients[1]!.ws.send('from b');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(clients[0]!.got.some((t) => t.endsWith(': from b'))).toBe(true);
    } finally { for (const c of clients) c.ws.terminate(); }
    const pids = demos.map((d) => d.child.pid);
    const servers = await statsWhere(`${a}/events`, (s) => pids.every((pid) => s.some((x) => x.name.endsWith(`@${pid}`))));
    expect(servers.length).toBeGreaterThanOrEqual(2);
    expect(demos[0]!.output()).toMatch(/connected to Redis/);
  });
});
