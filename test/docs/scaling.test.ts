import * as http from 'node:http';
import type { SpawnedServer } from '../support/spawn-server';
import { useExample } from './doc-example';

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
    expect(srv.output()).toMatch(/worker 1 online \(pid \d+\)[\s\S]*worker 2 online/);
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
