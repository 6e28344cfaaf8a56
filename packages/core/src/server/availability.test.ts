/**
 * Availability under attack (issue 18, docs/availability.md), with real sockets: a full slot pool is not
 * a lock-out. Eviction order (idle keep-alive, then an incomplete head, then a body below the minimum
 * rate, then a response drained below the minimum rate, then 503), a legitimate request served while the pool is full of idle and slow connections, the
 * total head deadline, the minimum body and drain rates, the per-address cap, the listen backlog.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MicroWebSrv } from '../index';
import * as tls from 'node:tls';
import { TEST_CERT, TEST_KEY, startServer, stopAll, type TestServer } from '../__tests__/server-harness';
import { Peer, until } from './__tests__/peer';

const peers: Peer[] = [];
function peer(ts: TestServer, opts?: { host?: string; localAddress?: string }): Peer {
  const p = new Peer(ts.port, opts);
  peers.push(p);
  return p;
}

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await stopAll();
});

const GET = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';
const GET_CLOSE = 'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

/** Sends a request with Connection: close and waits for the server's close: the status it answered. */
async function answerOf(p: Peer): Promise<number> {
  await p.send(GET_CLOSE);
  expect(await p.until((x) => x.closed)).toBe(true);
  return p.status();
}

const WAIT = 'GET /wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

/** Long timeouts: only the mechanism under test may close a connection. */
function patient(srv: TestServer['srv']): void {
  srv.requestsTimeoutSec = 60;
  srv.bodyRateGraceSec = 60;
  srv.logLevel = 'DEBUG';
  srv.registerRoute(() => 'hello', 'GET', '/hello');
  srv.registerRoute((_s, req) => `${req.content.length}`, 'POST', '/up');
}

describe('eviction when the pool is full', () => {
  test('idle keep-alive first (FIN), then the incomplete head (408), then the slow body (408), then 503', async () => {
    const waiters: Array<() => void> = [];
    let waiting = 0;
    const release = () => { for (const w of waiters) w(); };
    const ts = await startServer((srv) => {
      patient(srv);
      srv.bufferSlotsCount = 3;
      srv.minBodyRateBytesPerSec = 1000;
      srv.registerRoute(() => new Promise<string>((r) => { waiting++; waiters.push(() => r('done')); }), 'GET', '/wait');
    });
    const idle = peer(ts);
    await idle.send(GET);
    expect(await idle.until((p) => p.data.endsWith('hello'))).toBe(true);
    idle.data = '';
    const head = peer(ts);
    await head.send('GET /hello HTTP/1.1\r\nHost: x\r\n');
    const body = peer(ts);
    await body.send('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789');
    // The sweep must have watched the body for a second before its rate counts.
    await new Promise((r) => setTimeout(r, 1600));
    expect(ts.srv.stats.slots?.inUse).toBe(3);

    // Newcomers whose requests stay in progress (they keep their slots and are never evicted).
    const n1 = peer(ts);
    await n1.send(WAIT);
    expect(await idle.until((p) => p.closed)).toBe(true);
    expect(idle.data).toBe(''); // just FIN: no response to a request it did not send
    expect(head.closed).toBe(false);

    const n2 = peer(ts);
    await n2.send(WAIT);
    expect(await head.until((p) => p.closed)).toBe(true);
    expect(head.status()).toBe(408);
    expect(body.closed).toBe(false);

    const n3 = peer(ts);
    await n3.send(WAIT);
    expect(await body.until((p) => p.closed)).toBe(true);
    expect(body.status()).toBe(408);

    // Every slot busy with a request in progress: nothing to evict, the newcomer gets the 503.
    expect(await until(() => waiting === 3)).toBe(true);
    const n4 = peer(ts);
    expect(await answerOf(n4)).toBe(503);
    expect(n4.data).toMatch(/\r\nRetry-After: 1\r\n/);
    release();
    for (const n of [n1, n2, n3]) {
      expect(await n.until((p) => p.closed)).toBe(true);
      expect(n.status()).toBe(200);
    }

    const st = ts.srv.stats;
    expect(st.evicted).toBe(3);
    expect(st.evictedBy).toEqual({ idle: 1, head: 1, body: 1, send: 0, share: 0 });
    expect(st.refused).toBe(1);
    const debug = ts.logs.filter((l) => l.type === 'DEBUG' && /evicted/.test(l.msg)).map((l) => l.msg);
    expect(debug).toHaveLength(3);
    expect(debug[0]).toMatch(/idle keep-alive/);
    expect(debug[1]).toMatch(/head incomplete/);
    expect(debug[2]).toMatch(/body below 1000 B\/s/);
  });

  test('legitimate requests are served while the pool is full of idle and slowloris connections', async () => {
    const ts = await startServer((srv) => { patient(srv); srv.bufferSlotsCount = 20; });
    for (let i = 0; i < 10; i++) {
      const p = peer(ts);
      await p.send(GET);
      await p.until((x) => x.data.endsWith('hello'));
    }
    for (let i = 0; i < 10; i++) await peer(ts).send('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(await until(() => ts.srv.stats.slots?.inUse === 20)).toBe(true);
    // 25 legitimate clients at once, each on a new connection: each takes the slot of an idle or stalled one.
    const legit = Array.from({ length: 25 }, () => peer(ts));
    await Promise.all(legit.map((p) => p.send(GET_CLOSE)));
    await Promise.all(legit.map((p) => p.until((x) => x.closed)));
    expect(legit.map((p) => p.status())).toEqual(new Array(25).fill(200));
    expect(ts.srv.stats.evicted).toBeGreaterThanOrEqual(1);
    expect(ts.srv.stats.refused).toBe(0);
  });

  test('evictWhenPoolFull = false: the newcomer gets 503 and the idle connection stays', async () => {
    const ts = await startServer((srv) => { patient(srv); srv.bufferSlotsCount = 1; srv.evictWhenPoolFull = false; });
    const idle = peer(ts);
    await idle.send(GET);
    await idle.until((p) => p.data.endsWith('hello'));
    const n = peer(ts);
    expect(await answerOf(n)).toBe(503);
    expect(idle.closed).toBe(false);
    expect(ts.srv.stats.evicted).toBe(0);
  });
});

describe('minimum rates and deadlines', () => {
  test('a head trickled byte by byte gets 408 at headersTimeoutSec: arrivals do not extend it', async () => {
    const ts = await startServer((srv) => { patient(srv); srv.headersTimeoutSec = 1; });
    const p = peer(ts);
    await p.send('GET /hello HTTP/1.1\r\nHost: x\r\n');
    const t0 = Date.now();
    while (!p.closed && Date.now() - t0 < 4000) {
      p.sock.write('X');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(p.closed).toBe(true);
    expect(p.status()).toBe(408);
  });

  test('a body below minBodyRateBytesPerSec after the grace period gets 408 and is closed; a fast one passes', async () => {
    const ts = await startServer((srv) => {
      patient(srv);
      srv.minBodyRateBytesPerSec = 2000;
      srv.bodyRateGraceSec = 1;
    });
    const slow = peer(ts);
    await slow.send('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    const fast = peer(ts);
    await fast.send('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\nConnection: close\r\n\r\n');
    const t0 = Date.now();
    let sent = 0;
    // The slow one never pauses (the body timeout never fires): 50 B/s. The fast one: 20 kB/s for 3 s.
    while (!slow.closed && Date.now() - t0 < 6000) {
      slow.sock.write('x'.repeat(5));
      if (sent < 60000) { fast.sock.write('y'.repeat(2000)); sent += 2000; }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(slow.closed).toBe(true);
    expect(slow.status()).toBe(408);
    while (sent < 60000) { fast.sock.write('y'.repeat(2000)); sent += 2000; }
    expect(await fast.until((p) => p.closed)).toBe(true);
    expect(fast.status()).toBe(200);
    expect(fast.data.endsWith('60000')).toBe(true);
    expect(ts.srv.stats.rateClosedBy).toEqual({ body: 1, send: 0 });
    expect(ts.logs.some((l) => l.type === 'WARNING' && /body below 2000 B\/s/.test(l.msg))).toBe(true);
  });

  test('a reader that does not drain its response at minSendRateBytesPerSec is closed', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    const ts = await startServer((srv) => {
      patient(srv);
      srv.minSendRateBytesPerSec = 100_000;
      srv.sendRateWindowSec = 1;
      srv.registerRoute((_s, req) => { req.response.returnOk(big); }, 'GET', '/big');
    });
    const p = peer(ts);
    await p.send('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    p.sock.pause(); // never reads: the kernel buffers fill, then nothing drains
    expect(await until(() => ts.srv.stats.connections === 1)).toBe(true);
    // (A paused client socket does not see the close: the server's count does.)
    expect(await until(() => ts.srv.stats.connections === 0, 8000)).toBe(true);
    expect(ts.srv.stats.rateClosedBy.send).toBe(1);
    expect(ts.logs.some((l) => /response drained below 100000 B\/s/.test(l.msg))).toBe(true);
  }, 15000);

  test('under TLS too: a reader that does not drain is seen (its plaintext waiting) and closed', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    const ts = await startServer((srv) => {
      patient(srv);
      srv.enableSSL({ certFile: TEST_CERT, keyFile: TEST_KEY });
      srv.minSendRateBytesPerSec = 100_000;
      srv.sendRateWindowSec = 1;
      srv.registerRoute((_s, req) => { req.response.returnOk(big); }, 'GET', '/big');
    });
    const sock = tls.connect({ port: ts.port, host: '127.0.0.1', rejectUnauthorized: false });
    try {
      sock.on('error', () => undefined);
      await new Promise<void>((r) => sock.once('secureConnect', () => r()));
      sock.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      sock.pause(); // never reads
      expect(await until(() => ts.srv.stats.connections === 1)).toBe(true);
      expect(await until(() => ts.srv.stats.connections === 0, 8000)).toBe(true);
      expect(ts.srv.stats.rateClosedBy.send).toBe(1);
      expect(ts.logs.some((l) => /response drained below 100000 B\/s/.test(l.msg))).toBe(true);
    } finally {
      sock.destroy();
    }
  }, 15000);
});

/** 3 slots held by clients that asked for a 16 MiB file and never read; calls `body` with the server after `waitMs`. */
async function withStalledReaders(setup: (srv: TestServer['srv']) => void, body: (ts: TestServer) => Promise<void>, waitMs = 60): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mws-stalled-'));
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(16 * 1024 * 1024, 0x62));
  try {
    const ts = await startServer((srv) => {
      patient(srv);
      srv.rootPath = dir;
      srv.bufferSlotsCount = 3;
      srv.minSendRateBytesPerSec = 1024;
      setup(srv);
    });
    const readers = [peer(ts), peer(ts), peer(ts)];
    for (const r of readers) { await r.send('GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n'); r.sock.pause(); }
    expect(await until(() => ts.srv.stats.slots?.inUse === 3)).toBe(true);
    // The kernel's buffers take a few MiB at loopback speed, then nothing drains. After the default 60 ms
    // no sweep (250 ms) has judged them twice yet.
    await new Promise((r) => setTimeout(r, waitMs));
    await body(ts);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('eviction of slow readers', () => {
  test('a pool full of clients that never read a large static file: a legitimate request is served (the reader slow for longest is closed)', async () => {
    // The kernel's buffers fill at loopback speed, then nothing drains: two sweeps see no progress.
    await withStalledReaders(() => undefined, async (ts) => {
      const legit = peer(ts);
      expect(await answerOf(legit)).toBe(200);
      expect(legit.data.endsWith('hello')).toBe(true);
      expect(ts.srv.stats.evictedBy.send).toBe(1);
      expect(ts.srv.stats.evicted).toBe(1);
      expect(ts.logs.some((l) => l.type === 'DEBUG' && /evicted \(response drained below 1024 B\/s, \d+ bytes waiting\)/.test(l.msg))).toBe(true);
      // The two other readers keep their slots (one newcomer takes one slot).
      expect(ts.srv.stats.connections).toBe(2);
    }, 1200);
  }, 15000);
});

describe('a pool just filled by readers that stopped at once', () => {
  test('a legitimate newcomer waits for a slot (poolFullWaitSec) instead of a 503, and is served once a reader is judged slow', async () => {
    await withStalledReaders(() => undefined, async (ts) => {
      expect(ts.srv.poolFullWaitSec).toBe(1);
      const legit = peer(ts);
      expect(await answerOf(legit)).toBe(200);
      expect(legit.data.endsWith('hello')).toBe(true);
      expect(ts.srv.stats.evictedBy.send).toBe(1);
      expect(ts.srv.stats.refused).toBe(0);
    });
  }, 15000);

  test('without the wait, a reader that took nothing since an eviction first looked at it (SEND_WATCH_MS, 100 ms) is judged then, not after two sweeps', async () => {
    await withStalledReaders((srv) => { srv.poolFullWaitSec = 0; }, async (ts) => {
      // The first newcomer finds nobody judged yet: 503, but the readers are looked at now.
      const first = peer(ts);
      expect(await answerOf(first)).toBe(503);
      // 100 ms after that look a reader that took nothing is slow. On a loaded machine the kernel may still
      // have been filling the readers' buffers then (they took bytes): a later newcomer gets its slot.
      let refused = 1;
      let status = 0;
      for (let attempt = 0; attempt < 5 && status !== 200; attempt++) {
        await new Promise((r) => setTimeout(r, 150));
        const next = peer(ts);
        await next.send(GET_CLOSE);
        expect(await next.until((p) => p.closed)).toBe(true);
        status = next.status();
        if (status === 503) refused++;
      }
      expect(status).toBe(200);
      expect(ts.srv.stats.evictedBy.send).toBe(1);
      expect(ts.srv.stats.refused).toBe(refused);
    });
  }, 15000);

  test('a newcomer that waited poolFullWaitSec with every slot busy gets the 503', async () => {
    const waiters: Array<() => void> = [];
    const ts = await startServer((srv) => {
      patient(srv);
      srv.bufferSlotsCount = 1;
      srv.poolFullWaitSec = 0.3;
      srv.registerRoute(() => new Promise<string>((r) => { waiters.push(() => r('done')); }), 'GET', '/wait');
    });
    const busy = peer(ts);
    await busy.send(WAIT);
    expect(await until(() => waiters.length === 1)).toBe(true);
    const t0 = Date.now();
    const late = peer(ts);
    expect(await answerOf(late)).toBe(503);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(ts.srv.stats.refused).toBe(1);
    // A slot that comes back goes to the next one waiting at once.
    const next = peer(ts);
    await next.send(GET_CLOSE);
    await new Promise((r) => setTimeout(r, 50));
    for (const w of waiters) w();
    expect(await next.until((p) => p.closed)).toBe(true);
    expect(next.status()).toBe(200);
    expect(await busy.until((p) => p.closed)).toBe(true);
  });
});

describe('per-address cap', () => {
  /** A server capped at 2 connections per address, both held by 127.0.0.1; a third from there got 503. */
  async function capReached(): Promise<{ ts: TestServer; held: ReturnType<typeof peer>[] }> {
    const ts = await startServer((srv) => { patient(srv); srv.maxConnectionsPerAddress = 2; });
    const held = [peer(ts, { localAddress: '127.0.0.1' }), peer(ts, { localAddress: '127.0.0.1' })];
    for (const h of held) { await h.send(GET); await h.until((p) => p.data.endsWith('hello')); }
    const third = peer(ts, { localAddress: '127.0.0.1' });
    expect(await answerOf(third)).toBe(503);
    return { ts, held };
  }

  test('beyond maxConnectionsPerAddress an address gets 503; another address is served', async () => {
    const { ts, held } = await capReached();
    const other = peer(ts, { localAddress: '127.0.0.2' });
    expect(await answerOf(other)).toBe(200);
    expect(ts.srv.stats.refusedByAddress).toBe(1);
    expect(ts.logs.some((l) => l.type === 'WARNING' && /From 127\.0\.0\.1 refused: 2 connections/.test(l.msg))).toBe(true);
    // A slot given back counts: one held connection leaves, the address may connect again.
    held[0]!.destroy();
    expect(await until(() => ts.srv.stats.connections === 1)).toBe(true);
    const again = peer(ts, { localAddress: '127.0.0.1' });
    expect(await answerOf(again)).toBe(200);
  });

  test('stop() and start() of the same server: the counts start from the live connections, under the new cap and prefix', async () => {
    const { ts } = await capReached();
    await ts.srv.stop(); // closes the held connections
    expect(ts.srv.stats.connections).toBe(0);
    // Stopped: the cap and the grouping may change; the next run counts only its own connections.
    ts.srv.maxConnectionsPerAddress = 1;
    ts.srv.addressPrefixV4 = 24;
    await ts.srv.startManaged();
    const again: TestServer = { ...ts, port: ts.srv.address[1] };
    const first = peer(again, { localAddress: '127.0.0.2' });
    await first.send(GET);
    expect(await first.until((p) => p.data.endsWith('hello'))).toBe(true);
    // 127.0.0.1 is in 127.0.0.2's /24 now: the group holds its one connection (not the old run's two).
    const grouped = peer(again, { localAddress: '127.0.0.1' });
    expect(await answerOf(grouped)).toBe(503);
    // The one connection leaves: the group may connect again (a count left by the first run would refuse it).
    first.destroy();
    expect(await until(() => ts.srv.stats.connections === 0)).toBe(true);
    const after = peer(again, { localAddress: '127.0.0.1' });
    expect(await answerOf(after)).toBe(200);
    expect(ts.srv.stats.refusedByAddress).toBe(2);
  });

  test('addressPrefixV4 = 24 groups 127.0.0.1 and 127.0.0.2', async () => {
    const ts = await startServer((srv) => { patient(srv); srv.maxConnectionsPerAddress = 1; srv.addressPrefixV4 = 24; });
    const a = peer(ts, { localAddress: '127.0.0.1' });
    await a.send(GET);
    await a.until((p) => p.data.endsWith('hello'));
    const b = peer(ts, { localAddress: '127.0.0.2' });
    expect(await answerOf(b)).toBe(503);
  });

  test('IPv6 ::1 is capped on its own /64 (when the host has IPv6)', async () => {
    let ts: TestServer;
    try {
      ts = await startServer((srv) => { patient(srv); srv.maxConnectionsPerAddress = 1; srv.bindAddress = ['::1', 0]; });
    } catch {
      console.warn('no IPv6 loopback here: skipped');
      return;
    }
    const a = peer(ts, { host: '::1' });
    await a.send(GET);
    await a.until((p) => p.data.endsWith('hello'));
    const b = peer(ts, { host: '::1' });
    expect(await answerOf(b)).toBe(503);
    expect(ts.srv.stats.refusedByAddress).toBe(1);
  });
});

test('the listen backlog is 511 by default (the kernel caps it at somaxconn)', async () => {
  const ts = await startServer((srv) => { srv.setLightConfig(); srv.bindAddress = ['127.0.0.1', 0]; });
  let out: string;
  try {
    out = execFileSync('ss', ['-Hltn', `sport = :${ts.port}`], { encoding: 'utf8' });
  } catch {
    console.warn('ss (iproute2) is not installed: the backlog is not checked');
    return;
  }
  const somaxconn = Number(fs.readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
  // ss -l: Recv-Q is the accept queue's length, Send-Q its limit (the backlog).
  const cols = out.trim().split(/\s+/);
  expect(Number(cols[2])).toBe(Math.min(511, somaxconn));
});

describe('settings', () => {
  test('each preset sets the defences; bad values throw ERR_MWS_INVALID_OPTION naming the setting', () => {
    const s = new MicroWebSrv();
    s.setLightConfig();
    expect([s.maxBufferedBodyBytes, s.minBodyRateBytesPerSec, s.bodyRateGraceSec, s.minSendRateBytesPerSec, s.maxConnectionsPerAddress]).toEqual([8 * 1024 * 1024, 500, 3, 1024, 0]);
    s.setNormalConfig();
    expect([s.maxBufferedBodyBytes, s.bodyRateGraceSec, s.evictWhenPoolFull, s.addressPrefixV4, s.addressPrefixV6]).toEqual([64 * 1024 * 1024, 5, true, 32, 64]);
    const bad: Array<[string, () => void]> = [
      ['maxBufferedBodyBytes', () => { s.maxBufferedBodyBytes = -1; }],
      ['minBodyRateBytesPerSec', () => { s.minBodyRateBytesPerSec = 1.5; }],
      ['bodyRateGraceSec', () => { s.bodyRateGraceSec = 0; }],
      ['minSendRateBytesPerSec', () => { s.minSendRateBytesPerSec = -5; }],
      ['sendRateWindowSec', () => { s.sendRateWindowSec = 0.2; }],
      ['maxConnectionsPerAddress', () => { s.maxConnectionsPerAddress = '3' as unknown as number; }],
      ['addressPrefixV4', () => { s.addressPrefixV4 = 33; }],
      ['addressPrefixV6', () => { s.addressPrefixV6 = 129; }],
      ['evictWhenPoolFull', () => { s.evictWhenPoolFull = 1 as unknown as boolean; }],
      ['poolFullWaitSec', () => { s.poolFullWaitSec = 61; }],
    ];
    for (const [name, f] of bad) {
      expect(f).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining(name) }));
    }
  });
});
