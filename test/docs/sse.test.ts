import type { SpawnedServer } from '../support/spawn-server';
import { useExample } from './doc-example';
import { readEvents } from '../support/sse-client';

// docs/sse.md: its example (an endpoint, a route's handler loop, a topic pattern) does what the page says.

describe('docs/examples/sse.js', () => {
  let base = '';
  let srv: SpawnedServer;
  useExample('sse.md', 'sse.js', (s) => { srv = s; base = s.urls[0]; });

  test('/clock: a tick each second with increasing ids; Last-Event-ID replays what was missed', async () => {
    const first = await readEvents(base + '/clock', (e) => e.length >= 2);
    expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const [a, b] = first.events;
    expect(a).toMatchObject({ event: 'tick' });
    expect(Number(JSON.parse(a!.data).now !== undefined)).toBe(1);
    expect(BigInt(b!.id)).toBe(BigInt(a!.id) + 1n);
    await new Promise((r) => setTimeout(r, 1500));
    const again = await readEvents(base + '/clock', (e) => e.length >= 2, { 'Last-Event-ID': b!.id });
    expect(BigInt(again.events[0]!.id)).toBe(BigInt(b!.id) + 1n); // from the history: no gap, no duplicate
    const reset = await readEvents(base + '/clock', (e) => e.length >= 1, { 'Last-Event-ID': '12' });
    expect(reset.events[0]!.event).toBe('reset');
  });

  test('/countdown: multi-line data, ids 5..0, then the server ends the stream', async () => {
    const { events } = await readEvents(base + '/countdown', () => false);
    expect(events.map((e) => e.id)).toEqual(['5', '4', '3', '2', '1', '0']);
    expect(events[0]).toMatchObject({ event: 'count', data: '5\nline two' });
  });

  test('/sensors: wildcard subscription; POST publishes and says how many listen', async () => {
    const got = readEvents(base + '/sensors', (e) => e.length >= 2);
    const post = async (room: string, t: string) => (await (await fetch(`${base}/sensors/${room}/temp`, { method: 'POST', body: t })).json()) as { listeners: number };
    let n = 0;
    for (let i = 0; i < 50 && n === 0; i++) { n = (await post('kitchen', '21.5')).listeners; if (n === 0) await new Promise((r) => setTimeout(r, 50)); }
    expect(n).toBe(1);
    expect((await post('attic', '30')).listeners).toBe(1);
    const { events } = await got;
    expect(events.map((e) => [e.event, JSON.parse(e.data)])).toEqual([['temp', { room: 'kitchen', celsius: 21.5 }], ['temp', { room: 'attic', celsius: 30 }]]);
  });

  test('Ctrl-C: open streams get the bye event, then the stream ends', async () => {
    const got = readEvents(base + '/clock', (e) => e.some((x) => x.event === 'bye'));
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((r) => srv.child.once('exit', (code) => r(code)));
    expect(srv.child.kill('SIGINT')).toBe(true);
    const { events } = await got;
    expect(events.pop()).toMatchObject({ event: 'bye', data: 'server stopping' });
    expect(await exited).toBe(0); // a graceful stop, not the stopTimeoutSec deadline (afterAll then finds it stopped)
  });
});
