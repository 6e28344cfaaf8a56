import * as path from 'node:path';
import WebSocket from 'ws';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// WORKERS=2 node demo/main.js: the demo on two workers (demo/cluster.js). The chat spans the workers
// (node:cluster hands consecutive connections to alternate workers, so of three chat clients some are
// on each), and SIGTERM drains both and exits 0.
const DEMO = path.resolve(__dirname, '../../demo/main.js');

describe('demo on 2 workers', () => {
  let demo: SpawnedServer | null = null;
  afterEach(async () => { if (demo !== null && demo.child.exitCode === null) await demo.stop('SIGKILL'); });

  test('the chat reaches clients on both workers; SIGTERM drains and exits 0', async () => {
    demo = await spawnServer(DEMO, { env: { WORKERS: '2' } });
    expect(demo.output()).toMatch(/\(2 workers; Ctrl-C stops/);
    const wsBase = demo.urls[0]!.replace('http', 'ws');
    const clients = await Promise.all([0, 1, 2].map(async () => {
      const ws = new WebSocket(`${wsBase}/ws-chat`);
      const got: string[] = [];
      ws.on('message', (d) => got.push(String(d)));
      await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
      return { ws, got };
    }));
    // A subscription reaches the primary over IPC: say hello until every client heard one (bounded).
    for (let i = 0; i < 40 && !clients.every((c) => c.got.some((t) => t.endsWith(': hello'))); i++) {
      clients[0]!.ws.send('hello');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const c of clients) expect(c.got.some((t) => t.endsWith(': hello'))).toBe(true);
    for (const c of clients) c.ws.close();
    expect(await demo.stop('SIGTERM')).toBe(0);
  });
});
