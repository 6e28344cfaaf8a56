import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { isCI } from '../support/ci';
import { RedisServer, hasRedisServer } from '../support/redis-server';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// REDIS_URL=redis://… node demo/main.js, twice (as on two machines): the chat spans both processes, and
// each one's dashboard stream lists the servers of both (demo/cross-process.js). SIGTERM: exit 0.
const DEMO = path.resolve(__dirname, '../../demo/main.js');
jest.setTimeout(60000);

/** The first `stats` event of GET url whose servers satisfy `ok`. */
function statsWhere(url: string, ok: (servers: Array<{ name: string }>) => boolean): Promise<Array<{ name: string }>> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i; (i = buf.indexOf('\n\n')) >= 0;) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!/^event: stats$/m.test(block) || data === undefined) continue;
          const servers = JSON.parse(data).servers;
          if (ok(servers)) { req.destroy(); resolve(servers); }
        }
      });
    });
    req.on('error', (err) => { if (!req.destroyed) reject(err); });
  });
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
