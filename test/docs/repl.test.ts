import WebSocket from 'ws';
import { spawnServer } from '../support/spawn-server';
import { example, useExample } from './doc-example';

// docs/repl.md: the example, started as the page says, is a REPL over WebSocket behind a password, in a
// vm context holding only `srv` and `stats`; the security notes are tested in packages/mods-repl.

let base = '';
// The page's command gives the example its password through the environment (spawnServer passes ours on).
process.env.REPL_PASSWORD = 'a long secret';
useExample('repl.md', 'repl.js', (s) => { base = `${s.urls[0]}/repl`; });
afterAll(() => { delete process.env.REPL_PASSWORD; });

function session(origin: string): Promise<{ ws: WebSocket; text: () => string; until: (re: RegExp) => Promise<void> }> {
  const ws = new WebSocket(base, { origin });
  let got = '';
  ws.on('message', (d) => { got += d.toString().replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''); }); // eslint-disable-line no-control-regex
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({
      ws, text: () => got,
      until: async (re) => { for (let i = 0; i < 500 && !re.test(got); i++) await new Promise((r) => setTimeout(r, 10)); expect(got).toMatch(re); },
    }));
  });
}

test('the password first; then stats and srv are there, process is not (vm context)', async () => {
  const origin = base.replace(/^ws/, 'http').replace(/\/repl$/, '');
  const s = await session(origin);
  s.ws.send('a long secret');
  await s.until(/> $/);
  s.ws.send('[typeof stats.started, srv.stats.connections, typeof process]\r');
  await s.until(/\[ 'string', 1, 'undefined' \]/);
  s.ws.close();
  await new Promise((r) => s.ws.once('close', r));
});

test('another site\'s Origin is refused with 403', async () => {
  const ws = new WebSocket(base, { origin: 'http://evil.example' });
  ws.on('error', () => { /* the refusal ends the attempt */ });
  const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_q, res) => { resolve(res.statusCode ?? 0); res.resume(); res.on('end', () => ws.terminate()); }));
  expect(status).toBe(403);
});

test('without REPL_PASSWORD the example refuses to start', async () => {
  await expect(spawnServer(example('repl.js'), { env: { REPL_PASSWORD: '' }, timeoutMs: 5000 })).rejects.toThrow(/set REPL_PASSWORD/);
});

