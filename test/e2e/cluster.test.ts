import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// startCluster with real processes: test/fixtures/cluster-app.js is a primary and its workers; every
// response names the worker's pid. Each test starts its own cluster and ends it (SIGTERM → exit 0, or a
// SIGKILL in afterEach if a test failed half-way: the workers then exit with their primary's channel).

const APP = path.join(__dirname, '../fixtures/cluster-app.js');
const running: SpawnedServer[] = [];

async function startApp(env: Record<string, string> = {}): Promise<{ app: SpawnedServer; base: string; pids: number[] }> {
  const app = await spawnServer(APP, { env: { WORKERS: '2', ...env } });
  running.push(app);
  const pids = /workers: ([\d ]+)\)/.exec(app.output())![1]!.split(' ').map(Number);
  return { app, base: app.urls[0]!, pids };
}

afterEach(async () => {
  for (const app of running.splice(0)) if (app.child.exitCode === null && app.child.signalCode === null) await app.stop('SIGKILL');
});

/**
 * WebSockets subscribed to `news` until every worker holds one (connections alternate between workers):
 * each worker's socket and the messages it gets after its greeting.
 */
async function socketOnEachWorker(base: string, pids: number[]): Promise<{ byPid: Map<number, Array<{ data: Buffer; binary: boolean }>>; opened: WebSocket[] }> {
  const byPid = new Map<number, Array<{ data: Buffer; binary: boolean }>>();
  const opened: WebSocket[] = [];
  for (let i = 0; i < 3 * pids.length && byPid.size < pids.length; i++) {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/sub/news`);
    opened.push(ws);
    const pid = await new Promise<number>((resolve, reject) => {
      ws.once('message', (d) => resolve(Number(String(d).split(' ')[1])));
      ws.once('error', reject);
    });
    if (!byPid.has(pid)) {
      const got: Array<{ data: Buffer; binary: boolean }> = [];
      ws.on('message', (d: Buffer, binary) => got.push({ data: d, binary }));
      byPid.set(pid, got);
    }
  }
  return { byPid, opened };
}

/** GET on a connection of its own (no keep-alive: node:cluster hands each connection to the next worker). */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const pidsAnswering = async (base: string, n: number): Promise<Set<number>> => {
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) seen.add(Number((await get(base + '/')).body));
  return seen;
};

const exitOf = (app: SpawnedServer): Promise<number | null> =>
  app.child.exitCode !== null ? Promise.resolve(app.child.exitCode) : new Promise((r) => app.child.once('exit', (code) => r(code)));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('startCluster', () => {
  test('N workers serve requests; the onread re-wrap works on handles passed by the primary (stats say so)', async () => {
    const { app, base, pids } = await startApp();
    expect(pids).toHaveLength(2);
    expect([...await pidsAnswering(base, 8)].sort()).toEqual([...pids].sort());
    const stats = JSON.parse((await get(base + '/stats')).body) as { stats: { readPath: { zeroCopy: number; copied: number } } };
    expect(stats.stats.readPath.zeroCopy).toBeGreaterThan(0);
    expect(stats.stats.readPath.copied).toBe(0);
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  test('a bad setting throws once, in the primary, with its usual error, and no worker is forked', async () => {
    const child = spawn(process.execPath, [APP], { env: { ...process.env, PORT: '0', WORKERS: '2', BAD_SLOTS: '-3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(out.match(/bufferSlotsCount must be an integer from 1 to 1000000, got -3/g)).toHaveLength(1);
    expect(out).not.toMatch(/worker/);
  });

  test('a killed worker is restarted (after its back-off) and serves again', async () => {
    const { app, base, pids } = await startApp();
    process.kill(pids[0]!, 'SIGKILL');
    await app.waitForOutput(`(pid ${pids[0]}) died (signal SIGKILL): restarting in 20 ms`);
    let seen = new Set<number>();
    for (let i = 0; i < 50 && seen.size < 2; i++) { await sleep(100); seen = await pidsAnswering(base, 4); }
    expect(seen.size).toBe(2);
    expect(seen.has(pids[0]!)).toBe(false);
    expect(seen.has(pids[1]!)).toBe(true);
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  test('a crash loop stops the cluster, says why, and exits non-zero', async () => {
    const { app } = await startApp({ WORKERS: '1', CRASH: '1' });
    expect(await exitOf(app)).toBe(1);
    expect(app.output()).toMatch(/crash loop: 4 worker deaths within 30 s exceed restart\.maxRestarts \(3\): stopping the cluster/);
    expect(app.output().match(/died \(code 7\): restarting/g)).toHaveLength(3);
  });

  test('SIGTERM drains every worker: an in-flight slow request completes, then exit 0', async () => {
    const { app, base, pids } = await startApp();
    const slow = get(base + '/slow?ms=1200');
    await sleep(300);
    app.child.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(pids).toContain(Number(res.body.split(' ')[1]));
    expect(await exitOf(app)).toBe(0);
    expect(app.output()).toMatch(/SIGTERM: draining 2 worker\(s\)/);
  });

  test('rolling restart: every worker replaced, one at a time, with zero failed requests from a hammering client', async () => {
    const { app, base, pids } = await startApp();
    let ok = 0;
    const failures: string[] = [];
    let hammering = true;
    const loop = async () => {
      while (hammering) {
        try {
          const r = await get(base + '/');
          if (r.status === 200) ok++; else failures.push(`status ${r.status}`);
        } catch (err) { failures.push((err as Error).message); }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await sleep(200);
    app.child.kill('SIGHUP');
    const done = await app.waitForOutput(/rolling restart (done|failed).*/, 15000);
    hammering = false;
    await Promise.all(loops);
    expect(done).toMatch(/rolling restart done/);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
    const after = [...await pidsAnswering(base, 6)];
    expect(after).toHaveLength(2);
    for (const p of after) expect(pids).not.toContain(p);
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 30000);

  test('a publish made in the primary reaches the subscribers of every worker', async () => {
    const { app, base, pids } = await startApp();
    const { byPid, opened } = await socketOnEachWorker(base, pids);
    expect([...byPid.keys()].sort()).toEqual([...pids].sort());
    // The workers' subscriptions reach the primary over IPC: signal until both sockets hear (bounded).
    for (let i = 0; i < 50 && [...byPid.values()].some((g) => g.length === 0); i++) { app.child.kill('SIGUSR2'); await sleep(50); }
    for (const got of byPid.values()) expect(String(got[0]!.data)).toBe('from primary');
    for (const ws of opened) ws.close();
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  test('cluster bus: a publish in one worker reaches a WebSocket on the other, in order, binary intact', async () => {
    const { app, base, pids } = await startApp();
    const { byPid, opened } = await socketOnEachWorker(base, pids);
    // The publishes are the binary messages.
    const published = (got: Array<{ data: Buffer; binary: boolean }>): Buffer[] => got.filter((m) => m.binary).map((m) => m.data);
    expect([...byPid.keys()].sort()).toEqual([...pids].sort());
    // A subscription reaches the primary over IPC: publish until both sockets hear (bounded).
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: Buffer) => new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/pub/news`, { method: 'POST', agent, headers: { 'content-length': body.length } }, (res) => {
        let t = '';
        res.on('data', (d: Buffer) => { t += d.toString(); });
        res.on('end', () => resolve(Number(t)));
      });
      req.on('error', reject);
      req.end(body);
    });
    for (let i = 0; i < 50 && [...byPid.values()].some((g) => published(g).length === 0); i++) { await post(Buffer.from([0xff])); await sleep(50); }
    for (const g of byPid.values()) g.length = 0;
    const sent: Buffer[] = [];
    const publishers = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const body = Buffer.from([i, 0, 0xff, 0x80, 0x0a, 0x0d, i]);
      sent.push(body);
      publishers.add(await post(body));
    }
    expect(publishers.size).toBe(1); // one keep-alive connection: one publishing worker
    for (let i = 0; i < 50 && [...byPid.values()].some((g) => published(g).length < 20); i++) await sleep(50);
    for (const g of byPid.values()) expect(published(g)).toEqual(sent);
    agent.destroy();
    for (const ws of opened) ws.close();
    expect(await app.stop('SIGTERM')).toBe(0);
  });
});
