import * as net from 'node:net';
import { XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { XAsyncSocketsPool } from './pool';
import type { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { rawClient, sleep, waitFor } from './__tests__/helpers';

/** Polls `ok` every 10 ms, at most 3 s. */
const until = async (ok: () => boolean): Promise<void> => { for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10)); };

/**
 * A one-slot line-echo server whose newcomers wait for the slot (poolFullWaitMs 5 s, nothing evictable),
 * and `open(line, from?)`: a client that sends one line (from a given source address) and collects the answer.
 */
async function oneSlotEcho(pool: XAsyncSocketsPool, options: Parameters<typeof XAsyncTCPServer.create>[4] = {}) {
  const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(1, 1024), { poolFullWaitMs: 5000, onPoolFull: () => null, ...options });
  const accepted: XAsyncTCPClient[] = [];
  srv.onClientAccepted = (_s, c) => { accepted.push(c); c.asyncRecvLine((cc, line) => { cc.asyncSendData(`echo ${line}\n`); }); };
  const socks: net.Socket[] = [];
  const open = (line: string, from?: string): { got: () => string } => {
    const sock = net.connect({ port: srv.address.port, host: '127.0.0.1', localAddress: from });
    socks.push(sock);
    sock.on('error', () => undefined);
    let got = '';
    sock.on('data', (d) => { got += d.toString(); });
    sock.write(`${line}\n`);
    return { got: () => got };
  };
  return { srv, accepted, socks, open };
}

describe('XAsyncTCPServer', () => {
  let pool: XAsyncSocketsPool;
  beforeEach(() => { pool = new XAsyncSocketsPool({ timerResolutionMs: 20 }); });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  test('bytes land in the slot without copies, and a request split byte by byte arrives whole', async () => {
    const slots = new XBufferSlots(2, 1024);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots);
    const seen: { zeroCopy: boolean; sameMemory: boolean; head: string }[] = [];
    srv.onClientAccepted = (_s, c) => {
      c.asyncRecvRaw((cl, buf, start, end) => {
        const at = buf.indexOf('\r\n\r\n', start);
        if (at === -1 || at + 4 > end) return 0; // wait for more: bytes accumulate in the slot
        seen.push({ zeroCopy: cl.zeroCopy, sameMemory: buf.buffer === cl.slot!.buffer.buffer, head: buf.toString('latin1', start, at) });
        cl.asyncSendData(`got ${at - start} bytes\n`);
        return at + 4 - start;
      });
    };
    const request = 'GET /split HTTP/1.1\r\nHost: x\r\nX-Long: ' + 'a'.repeat(300) + '\r\n\r\n';
    const c = await rawClient(srv.address.port);
    c.setNoDelay(true);
    for (const ch of request) {
      c.write(ch);
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => c.received().length > 0);
    expect(c.received().toString()).toBe(`got ${request.length - 4} bytes\n`);
    expect(seen).toEqual([{ zeroCopy: true, sameMemory: true, head: request.slice(0, -4) }]);
    c.destroy();
  });

  test('slot exhaustion refuses the next connection cleanly; a freed slot serves the one after', async () => {
    const slots = new XBufferSlots(2, 512);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { refusalResponse: Buffer.from('BUSY\n') });
    const accepted: XAsyncTCPClient[] = [];
    const refused: string[] = [];
    srv.onClientAccepted = (_s, c) => { accepted.push(c); c.asyncRecvLine((cl, line) => cl.asyncSendData(`echo ${line}\n`)); };
    srv.onClientRefused = (_s, remote) => refused.push(remote.host);
    const a = await rawClient(srv.address.port);
    const b = await rawClient(srv.address.port);
    await waitFor(() => accepted.length === 2);
    const third = await rawClient(srv.address.port);
    third.write('hello?\n');
    await third.ended;
    expect(third.received().toString()).toBe('BUSY\n');
    expect(refused).toEqual(['127.0.0.1']);
    expect(srv.stats).toEqual({ accepted: 2, refused: 1, notAdmitted: 0, evicted: 0, active: 2, zeroCopy: 2, copied: 0 });
    expect(slots.stats.refusals).toBe(1);

    a.destroy();
    await waitFor(() => slots.available === 1, 5000, 'slot release');
    const fourth = await rawClient(srv.address.port);
    fourth.write('hi\n');
    await waitFor(() => fourth.received().length > 0);
    expect(fourth.received().toString()).toBe('echo hi\n');
    expect(srv.isListening).toBe(true);
    b.destroy();
    fourth.destroy();
  });

  test('a peer that resets mid-send frees its slot and leaves the process idle', async () => {
    const slots = new XBufferSlots(1, 1024);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots);
    let closed: XClosedReason | null = null;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    srv.onClientAccepted = (_s, c) => {
      c.onClosed = (_c, reason) => { closed = reason; };
      // Keep the send queue busy, as a large response would.
      const pump = () => { while (c.asyncSendData(chunk)) { /* fill */ } };
      c.onSendReady = pump;
      pump();
    };
    const c = await rawClient(srv.address.port);
    await waitFor(() => c.received().length > 100_000);
    c.resetAndDestroy();
    await waitFor(() => closed !== null);
    expect(closed).toBe(XClosedReason.Error);
    expect(slots.available).toBe(1);
    // No spin: the original burnt 70% CPU forever after a reset. Measure a quiet period.
    const before = process.cpuUsage();
    await sleep(300);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(150);
    expect(pool.stats.armedTimers).toBe(0);
  });

  test('slots come back on every close path: peer FIN, host close, timeout, error', async () => {
    const slots = new XBufferSlots(4, 512);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots);
    const reasons: XClosedReason[] = [];
    const clients: XAsyncTCPClient[] = [];
    srv.onClientAccepted = (_s, c) => {
      clients.push(c);
      c.onClosed = (_c, r) => reasons.push(r);
      c.asyncRecvLine((cl, line) => {
        if (line === 'close') cl.close();
        else cl.asyncRecvLine(() => undefined, 0.1); // times out
      });
    };
    const fin = await rawClient(srv.address.port);
    await waitFor(() => clients.length === 1);
    fin.end();
    const host = await rawClient(srv.address.port);
    host.write('close\n');
    const timeout = await rawClient(srv.address.port);
    timeout.write('wait\n');
    const reset = await rawClient(srv.address.port);
    await waitFor(() => clients.length === 4);
    reset.resetAndDestroy();
    await waitFor(() => reasons.length === 4, 5000, 'four closes');
    expect([...reasons].sort()).toEqual([XClosedReason.ClosedByHost, XClosedReason.ClosedByPeer, XClosedReason.Error, XClosedReason.Timeout].sort());
    expect(slots.stats.inUse).toBe(0);
    for (const s of [fin, host, timeout]) s.destroy();
  });

  test('listen errors reject: a port in use', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(XAsyncTCPServer.create(pool, ['127.0.0.1', port], 16, new XBufferSlots(1, 256))).rejects.toThrow(/EADDRINUSE/);
    await new Promise((r) => blocker.close(r));
  });

  test('bad arguments throw at once, naming the option', () => {
    expect(() => XAsyncTCPServer.create(pool, ['127.0.0.1', 70000], 16, new XBufferSlots(1, 256))).toThrow(/address must be/);
    expect(() => XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 0, new XBufferSlots(1, 256))).toThrow(/backlog must be an integer from 1/);
  });
});

describe('XAsyncTCPServer options', () => {
  test('a bad client option throws at create(), naming it, and leaves the pool clean', async () => {
    const pool = new XAsyncSocketsPool();
    expect(() => XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, new XBufferSlots(1, 256), { clientOptions: { sendTimeoutSec: -1 } })).toThrow(/sendTimeoutSec/);
    expect(pool.stats.open).toBe(0);
    await pool.stop();
  });
});

describe('XAsyncTCPServer hooks', () => {
  test('onPoolFull: the victim is destroyed and the newcomer gets its slot; onAdmit false refuses without a slot', async () => {
    const pool = new XAsyncSocketsPool();
    const slots = new XBufferSlots(1, 1024);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { refusalResponse: Buffer.from('NO\n') });
    const accepted: XAsyncTCPClient[] = [];
    srv.onClientAccepted = (_s, c) => { accepted.push(c); c.asyncRecvLine((cc, line) => { cc.asyncSendData(`echo ${line}`); }); };
    let admit = true;
    srv.onAdmit = () => admit;
    srv.onPoolFull = () => accepted[0] ?? null;
    const socks: net.Socket[] = [];
    try {
      const port = srv.address.port;
      const first = net.connect(port, '127.0.0.1');
      socks.push(first);
      first.on('error', () => undefined);
      await new Promise((r) => first.once('connect', r));
      for (let i = 0; i < 100 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const second = net.connect(port, '127.0.0.1');
      socks.push(second);
      second.on('error', () => undefined);
      let got = '';
      second.on('data', (d) => { got += d.toString(); });
      second.write('hi\n');
      for (let i = 0; i < 200 && got === ''; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got).toBe('echo hi');
      expect(accepted[0]!.isClosed).toBe(true);
      expect(srv.stats).toMatchObject({ accepted: 2, evicted: 1, refused: 0, active: 1 });
      admit = false;
      const third = net.connect(port, '127.0.0.1');
      socks.push(third);
      third.on('error', () => undefined);
      let refusal = '';
      third.on('data', (d) => { refusal += d.toString(); });
      await new Promise((r) => third.once('close', r));
      expect(refusal).toBe('NO\n');
      expect(srv.stats).toMatchObject({ accepted: 2, notAdmitted: 1, refused: 0 });
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });

  test('poolFullWaitMs: with nothing to evict a newcomer waits, holding no slot, and gets the slot that comes back; past the wait it is refused; onPoolFull false refuses at once', async () => {
    const pool = new XAsyncSocketsPool();
    const slots = new XBufferSlots(1, 1024);
    expect(() => XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { poolFullWaitMs: -1 })).toThrow(/poolFullWaitMs/);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { refusalResponse: Buffer.from('NO\n'), poolFullWaitMs: 400, onPoolFull: () => null });
    const accepted: XAsyncTCPClient[] = [];
    srv.onClientAccepted = (_s, c) => { accepted.push(c); c.asyncRecvLine((cc, line) => { cc.asyncSendData(`echo ${line}`); }); };
    const socks: net.Socket[] = [];
    const open = (): { sock: net.Socket; got: () => string; closed: Promise<unknown> } => {
      const sock = net.connect(srv.address.port, '127.0.0.1');
      socks.push(sock);
      sock.on('error', () => undefined);
      let got = '';
      sock.on('data', (d) => { got += d.toString(); });
      return { sock, got: () => got, closed: new Promise((r) => sock.once('close', r)) };
    };
    try {
      const first = open();
      for (let i = 0; i < 100 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const second = open();
      second.sock.write('hi\n');
      await new Promise((r) => setTimeout(r, 150));
      expect(accepted.length).toBe(1);
      expect(second.got()).toBe('');
      expect(slots.stats.inUse).toBe(1);
      accepted[0]!.close();
      for (let i = 0; i < 200 && second.got() === ''; i++) await new Promise((r) => setTimeout(r, 10));
      expect(second.got()).toBe('echo hi');
      expect(srv.stats).toMatchObject({ accepted: 2, refused: 0, evicted: 0 });
      // The slot stays taken: the next newcomer waits 400 ms, then gets the refusal.
      const t0 = Date.now();
      const third = open();
      await third.closed;
      expect(third.got()).toBe('NO\n');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(srv.stats).toMatchObject({ accepted: 2, refused: 1 });
      // onPoolFull answering false: refused at once, no wait.
      srv.onPoolFull = () => false;
      const t1 = Date.now();
      const fourth = open();
      await fourth.closed;
      expect(fourth.got()).toBe('NO\n');
      expect(Date.now() - t1).toBeLessThan(300);
      expect(srv.stats).toMatchObject({ accepted: 2, refused: 2 });
      void first;
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });

  test('poolFullWaitMs: the newest waiting newcomer gets the slot that comes back first (a burst parked before it waits, not it)', async () => {
    const pool = new XAsyncSocketsPool();
    const { srv, accepted, socks, open } = await oneSlotEcho(pool);
    try {
      open('first');
      await until(() => accepted.length === 1);
      const older = open('older');
      await new Promise((r) => setTimeout(r, 80));
      const newer = open('newer');
      await new Promise((r) => setTimeout(r, 150));
      expect(accepted.length).toBe(1);
      accepted[0]!.close();
      await until(() => newer.got() !== '');
      expect(newer.got()).toBe('echo newer\n');
      expect(older.got()).toBe('');
      // The older one still waits (its deadline is far) and takes the next slot.
      accepted[1]!.close();
      await until(() => older.got() !== '');
      expect(older.got()).toBe('echo older\n');
      expect(srv.stats).toMatchObject({ accepted: 3, refused: 0 });
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });

  test('parkRank: a waiting newcomer of a lower rank gets the slot before newer ones of a higher rank (newest first among equals)', async () => {
    const pool = new XAsyncSocketsPool();
    // 127.0.0.2 is the crowd (rank 5), 127.0.0.1 the lone client (rank 0).
    const { srv, accepted, socks, open } = await oneSlotEcho(pool, { parkRank: (h) => (h === '127.0.0.2' ? 5 : 0) });
    try {
      open('first', '127.0.0.2');
      await until(() => accepted.length === 1);
      const lone = open('lone', '127.0.0.1');
      await new Promise((r) => setTimeout(r, 60));
      const crowdOld = open('crowd-old', '127.0.0.2');
      await new Promise((r) => setTimeout(r, 60));
      const crowdNew = open('crowd-new', '127.0.0.2');
      await new Promise((r) => setTimeout(r, 100));
      expect(accepted.length).toBe(1);
      accepted[0]!.close();
      await until(() => lone.got() !== '');
      expect(lone.got()).toBe('echo lone\n');
      expect(crowdNew.got() + crowdOld.got()).toBe('');
      // Equal ranks: the newer of the crowd first.
      accepted[1]!.close();
      await until(() => crowdNew.got() !== '');
      expect(crowdNew.got()).toBe('echo crowd-new\n');
      expect(crowdOld.got()).toBe('');
      expect(srv.stats).toMatchObject({ accepted: 3, refused: 0 });
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });

  test('parkRank that throws: the error goes to onCallbackError, the rank counts as 0, and no waiting newcomer is lost', async () => {
    const pool = new XAsyncSocketsPool();
    const errors: unknown[] = [];
    pool.onCallbackError = (err) => { errors.push(err); };
    const { srv, accepted, socks, open } = await oneSlotEcho(pool, { parkRank: () => { throw new Error('rank broke'); } });
    try {
      const first = open('n0');
      await until(() => accepted.length === 1);
      const waiting = [open('n1'), open('n2')];
      await new Promise((r) => setTimeout(r, 80));
      accepted[0]!.close();
      await until(() => accepted.length === 2);
      accepted[1]!.close();
      await until(() => accepted.length === 3);
      await until(() => waiting.every((w) => w.got() !== ''));
      expect([first, ...waiting].map((w) => w.got())).toEqual(['echo n0\n', 'echo n1\n', 'echo n2\n']);
      expect(errors.length).toBeGreaterThan(0);
      expect(String(errors[0])).toMatch(/rank broke/);
      expect(srv.stats).toMatchObject({ accepted: 3, refused: 0 });
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });

  test('poolFullWaitMs: closing the listener answers the waiting newcomers with the refusal (read, 503, FIN), not a reset', async () => {
    const pool = new XAsyncSocketsPool();
    const slots = new XBufferSlots(1, 1024);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots, { refusalResponse: Buffer.from('NO\n'), poolFullWaitMs: 5000, onPoolFull: () => null });
    const accepted: XAsyncTCPClient[] = [];
    srv.onClientAccepted = (_s, c) => { accepted.push(c); };
    const socks: net.Socket[] = [];
    try {
      socks.push(net.connect(srv.address.port, '127.0.0.1'));
      for (let i = 0; i < 100 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      const waiting = net.connect(srv.address.port, '127.0.0.1');
      socks.push(waiting);
      let got = '';
      let error: string | null = null;
      waiting.on('data', (d) => { got += d.toString(); });
      waiting.on('error', (e: NodeJS.ErrnoException) => { error = e.code ?? e.message; });
      const closed = new Promise((r) => waiting.once('close', r));
      waiting.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 100));
      expect(got).toBe('');
      srv.close();
      await closed;
      expect(error).toBeNull();
      expect(got).toBe('NO\n');
      expect(srv.stats.refused).toBe(1);
    } finally {
      for (const x of socks) x.destroy();
      await pool.stop({ graceSec: 0.2 });
    }
  });
});
