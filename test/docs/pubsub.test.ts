import WebSocket from 'ws';
import type { SpawnedServer } from '../support/spawn-server';
import { useExample } from './doc-example';
import { readEvents } from '../support/sse-client';

// docs/pubsub.md: one topic spans WebSockets, event streams and two servers sharing a bus.

describe('docs/examples/pubsub.js', () => {
  let srv: SpawnedServer;
  const open: WebSocket[] = [];
  useExample('pubsub.md', 'pubsub.js', (s) => { srv = s; });
  afterAll(() => { for (const w of open) w.terminate(); });

  function ws(url: string): Promise<{ w: WebSocket; got: string[] }> {
    const w = new WebSocket(url);
    open.push(w);
    const got: string[] = [];
    w.on('message', (m) => got.push(String(m)));
    return new Promise((resolve, reject) => { w.once('open', () => resolve({ w, got })); w.once('error', reject); });
  }
  const until = async (cond: () => boolean) => { for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25)); expect(cond()).toBe(true); };

  test('a WebSocket on each server and an event stream see the same room; counts; unsubscribed on close', async () => {
    const [a, b] = srv.urls;
    const rooms = async (base: string) => (await (await fetch(base + '/rooms')).json()) as { lobby: number; other: number; published: number };
    const follower = readEvents(a + '/chat/lobby/events', (e) => e.some((x) => x.data === 'hello from b'));
    const alice = await ws(a!.replace('http', 'ws') + '/chat/lobby');
    const bob = await ws(b!.replace('http', 'ws') + '/chat/lobby');
    const other = await ws(b!.replace('http', 'ws') + '/chat/other');
    await until(() => bob.got.length >= 1);
    expect((await rooms(a!)).lobby).toBe(2); // alice and the follower on server a
    expect((await rooms(b!)).lobby).toBe(1);
    expect((await rooms(b!)).other).toBe(1);
    bob.w.send('hello from b');
    await until(() => alice.got.includes('hello from b'));
    expect((await follower).events.map((e) => e.data)).toContain('hello from b');
    expect(other.got.some((m) => m.includes('hello'))).toBe(false);
    expect((await rooms(a!)).published).toBeGreaterThanOrEqual(4);
    bob.w.close();
    await until(() => bob.w.readyState === WebSocket.CLOSED);
    for (let i = 0; i < 100 && (await rooms(b!)).lobby !== 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await rooms(b!)).lobby).toBe(0);
  });
});
