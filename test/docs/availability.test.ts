import * as net from 'node:net';
import { useExample } from './doc-example';
import type { SpawnedServer } from '../support/spawn-server';

// docs/availability.md: its example runs as a user runs it; the counters it names are in /stats, and the
// settings it shows act (here: the per-address cap of 32).
describe('the example', () => {
  let srv: SpawnedServer;
  let base = '';
  useExample('availability.md', 'availability.js', (s) => { srv = s; base = s.urls[0]; });

  test('/stats shows the defences\' counters', async () => {
    const r = await fetch(base + '/stats');
    expect(r.status).toBe(200);
    const st = await r.json() as Record<string, unknown>;
    expect(st).toMatchObject({ evicted: 0, evictedBy: { idle: 0, head: 0, body: 0, send: 0, share: 0 }, refusedByAddress: 0, rateClosed: 0, bodyBudgetRefused: 0 });
    expect(srv.output()).toContain('listening on');
  });

  test('the 33rd connection from one address gets 503 (maxConnectionsPerAddress = 32)', async () => {
    const port = Number(new URL(base).port);
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 32; i++) {
        const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' }); // not fetch's address
        s.on('error', () => undefined);
        held.push(s);
        await new Promise((r) => s.once('connect', r));
      }
      await new Promise((r) => setTimeout(r, 100));
      const extra = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' });
      held.push(extra);
      let got = '';
      extra.on('data', (d) => { got += d.toString('latin1'); });
      extra.on('error', () => undefined);
      await new Promise((r) => extra.once('close', r));
      expect(got).toMatch(/^HTTP\/1\.1 503 /);
    } finally {
      for (const s of held) s.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    const st = await (await fetch(base + '/stats')).json() as { refusedByAddress: number };
    expect(st.refusedByAddress).toBe(1);
  });
});
