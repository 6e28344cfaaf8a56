import { Topics, makeMessage, type TopicMessage } from '@microwebsrv/core';
import { Redis } from 'ioredis';
import { RedisBus, type RedisBusState } from './redis-bus';
import { escapeGlob, patternToGlob } from './glob';
import { RedisServer, hasRedisServer } from '../../../test/support/redis-server';
import { isCI } from '../../../test/support/ci';

// RedisBus against a real redis-server started for this file. Two buses in one jest process have their
// own connections, exactly as two server processes would (the multi-process test is test/redis/).

const run = hasRedisServer() || isCI ? describe : describe.skip;

function until(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const t = setInterval(() => {
      if (cond()) { clearInterval(t); resolve(); } else if (Date.now() - t0 > timeoutMs) { clearInterval(t); reject(new Error(`timed out waiting for ${what}`)); }
    }, 5);
  });
}

test('patterns become globs that match a superset, glob specials escaped', () => {
  expect(patternToGlob('mws:', 'a/+/c')).toBe('mws:a/*/c');
  expect(patternToGlob('mws:', 'a/#')).toBe('mws:a*');
  expect(patternToGlob('mws:', '#')).toBe('mws:*');
  expect(patternToGlob('mws:', '+')).toBe('mws:*');
  expect(patternToGlob('p*[x]', 'a?b/+/c\\d')).toBe('p\\*\\[x\\]a\\?b/*/c\\\\d');
  expect(escapeGlob('*?[]\\')).toBe('\\*\\?\\[\\]\\\\');
});

run('RedisBus on a real redis-server', () => {
  let redis: RedisServer;
  const buses: RedisBus[] = [];
  const bus = (opts: ConstructorParameters<typeof RedisBus>[0] = {}): RedisBus => {
    const b = new RedisBus({ url: redis.url, log: () => {}, maxRetryDelayMs: 200, ...opts });
    buses.push(b);
    return b;
  };

  beforeAll(async () => { redis = await RedisServer.start(); });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await redis?.stop();
  });

  test('a publish reaches every process once, the publisher included; binary, text and event intact; order kept', async () => {
    const a = bus({ prefix: 't1:' });
    const b = bus({ prefix: 't1:' });
    await Promise.all([a.ready(), b.ready()]);
    const got: Record<string, TopicMessage[]> = { a: [], b: [] };
    a.subscribe('room/+', (m) => got.a!.push(m));
    b.subscribe('room/+', (m) => got.b!.push(m));
    b.subscribe('room/1', (m) => got.b!.push(m)); // another pattern of the same process: a second listener, same message
    await until(() => a.patterns.length === 1 && b.patterns.length === 2, 'subscriptions');
    await new Promise((r) => setTimeout(r, 50)); // SUBSCRIBE replies are asynchronous
    const bin = Buffer.from([0, 255, 1, 0x3a, 10, 13, 0]);
    a.publish(makeMessage('room/1', bin, undefined));
    a.publish(makeMessage('room/1', 'héllo', { event: 'greet' }));
    for (let i = 0; i < 500; i++) a.publish(makeMessage('room/2', { i }, undefined));
    await until(() => got.a!.length === 502 && got.b!.length === 504, 'deliveries');
    expect(got.a![0]!.data.equals(bin)).toBe(true);
    expect(got.a![0]!.binary).toBe(true);
    expect(got.b![0]!.data.equals(bin)).toBe(true);
    expect(got.b![0]).toBe(got.b![1]); // one message object for both patterns (core's Topics dedups by it)
    const greet = got.b!.find((m) => m.event === 'greet')!;
    expect(greet.text).toBe('héllo');
    expect(greet.binary).toBe(false);
    const order = got.b!.filter((m) => m.topic === 'room/2').map((m) => JSON.parse(m.text).i);
    expect(order).toEqual([...Array(500).keys()]);
    expect(a.stats).toMatchObject({ published: 502, sent: 502, localOnly: 0 });
  });

  test('one Redis subscription per pattern per process, whatever the number of subscribers', async () => {
    const a = bus({ prefix: 't2:' });
    await a.ready();
    const topics = new Topics(a);
    const subs = Array.from({ length: 50 }, () => ({ n: 0, deliver(this: { n: number }) { this.n++; } }));
    for (const s of subs) { topics.subscribe('news/#', s); topics.subscribe('news/sport', s); }
    const probe = new Redis(redis.url);
    try {
      await until(() => a.patterns.length === 2, 'patterns');
      await new Promise((r) => setTimeout(r, 50));
      const numpat = Number(await probe.pubsub('NUMPAT')); // other tests' buses hold some
      topics.unsubscribe('news/#', subs[0]!);
      await new Promise((r) => setTimeout(r, 50));
      expect(await probe.pubsub('NUMPAT')).toBe(numpat); // 49 subscribers left under it: still one
      topics.subscribe('news/#', subs[0]!);
      expect(await probe.pubsub('NUMSUB', 't2:news/sport')).toEqual(['t2:news/sport', 1]);
      topics.publish('news/sport', 'goal');
      await until(() => subs.every((s) => s.n === 1), 'one delivery each');
      await new Promise((r) => setTimeout(r, 50));
      expect(subs.every((s) => s.n === 1)).toBe(true); // once, though two patterns (channel + glob) matched
      for (const s of subs) topics.unsubscribeAll(s);
      await new Promise((r) => setTimeout(r, 50));
      expect(await probe.pubsub('NUMPAT')).toBe(numpat - 1);
      expect(await probe.pubsub('NUMSUB', 't2:news/sport')).toEqual(['t2:news/sport', 0]);
    } finally { probe.disconnect(); }
  });

  test('glob specials in a topic are literal; + matches one level only (filtered locally)', async () => {
    const a = bus({ prefix: 't3:' });
    await a.ready();
    const got: string[] = [];
    a.subscribe('x[1]/+', (m) => got.push(m.topic));
    await new Promise((r) => setTimeout(r, 50));
    for (const t of ['x1/a', 'x[1]/a', 'x[1]/a/b', 'x[1]/b']) a.publish(makeMessage(t, '.', undefined));
    await until(() => got.length >= 2, 'deliveries');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['x[1]/a', 'x[1]/b']);
  });

  test('history: stream entries with shared ids; since() in order, each once, null when gone or unknown', async () => {
    const a = bus({ prefix: 't4:' });
    const b = bus({ prefix: 't4:' });
    await Promise.all([a.ready(), b.ready()]);
    for (const x of [a, b]) { x.history.keep('h/#', { count: 100 }); x.history.keep('h/one', { count: 100 }); }
    const got: TopicMessage[] = [];
    b.subscribe('h/#', (m) => got.push(m));
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 5; i++) a.publish(makeMessage(i % 2 ? 'h/one' : 'h/two', `m${i}`, undefined));
    await until(() => got.length === 5, 'live deliveries');
    const ids = got.map((m) => m.id);
    expect(ids.every((id, i) => id > 1e15 && (i === 0 || id > ids[i - 1]!))).toBe(true);
    const after1 = await b.history.since(['h/#'], ids[1]!);
    expect(after1!.map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
    expect(after1!.map((m) => m.id)).toEqual(ids.slice(2));
    // two patterns holding the same messages: each once, in id order
    const both = await b.history.since(['h/#', 'h/one'], ids[0]!);
    expect(both!.map((m) => m.text)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(await b.history.since(['h/#'], ids[4]!)).toEqual([]);
    expect(await b.history.since(['h/#'], ids[4]! + 10)).toBeNull(); // never handed out
    expect(await b.history.since(['h/#'], 1e15)).toBeNull(); // older than the history's start
    expect(await b.history.since(['other'], ids[0]!)).toBeNull(); // no history for it
  });

  test('one turn of publishes is one batch (more than a batch holds, and history publishes between): every process gets each once, in order', async () => {
    const a = bus({ prefix: 't6:' });
    const b = bus({ prefix: 't6:' });
    await Promise.all([a.ready(), b.ready()]);
    for (const x of [a, b]) x.history.keep('h', { count: 10 });
    const got: Record<string, string[]> = { a: [], b: [] };
    for (const [name, x] of [['a', a], ['b', b]] as const) { x.subscribe('p', (m) => got[name]!.push(m.text)); x.subscribe('h', (m) => got[name]!.push(m.text)); }
    await new Promise((r) => setTimeout(r, 50));
    const sent: string[] = [];
    for (let i = 0; i < 1300; i++) { // > MAX_BATCH (512): three commands in this turn
      const topic = i % 400 === 7 ? 'h' : 'p'; // a history publish goes after the batch before it
      sent.push(`${topic}${i}`);
      a.publish(makeMessage(topic, `${topic}${i}`, undefined));
    }
    await until(() => got.a!.length === 1300 && got.b!.length === 1300, 'deliveries');
    expect(got.a).toEqual(sent);
    expect(got.b).toEqual(sent);
    expect(a.stats).toMatchObject({ published: 1300, sent: 1300, failed: 0, localOnly: 0 });
    expect(b.stats.received).toBe(1300);
  });

  test('Redis refusing the batch script: the batch goes again as plain PUBLISHes (one warning), and so do later ones; refused PUBLISHes are delivered locally only', async () => {
    const admin = new Redis(redis.url);
    try {
      // ACL users: one may PUBLISH but not run scripts; the other may do neither.
      await admin.acl('SETUSER', 'noscript', 'on', '>pw', '~*', '&*', '+@all', '-eval', '-evalsha');
      await admin.acl('SETUSER', 'nopub', 'on', '>pw', '~*', '&*', '+@all', '-eval', '-evalsha', '-publish');
      const u = new URL(redis.url);
      const logs: string[] = [];
      const a = bus({ prefix: 't7:', url: `redis://noscript:pw@${u.host}`, log: (m, l) => logs.push(`${l} ${m}`) });
      const c = bus({ prefix: 't7:', url: `redis://nopub:pw@${u.host}`, log: () => {} });
      const b = bus({ prefix: 't7:' });
      await Promise.all([a.ready(), b.ready(), c.ready()]);
      const gotA: string[] = [];
      const gotB: string[] = [];
      const gotC: string[] = [];
      a.subscribe('s', (m) => gotA.push(m.text));
      b.subscribe('s', (m) => gotB.push(m.text));
      c.subscribe('s', (m) => gotC.push(m.text));
      await new Promise((r) => setTimeout(r, 50));
      for (const t of ['x', 'y', 'z']) a.publish(makeMessage('s', t, undefined)); // one turn: one batch, the script refused
      await until(() => gotB.length === 3, 'the batch, sent again');
      for (const t of ['p', 'q']) a.publish(makeMessage('s', t, undefined)); // pipelined at once now
      await until(() => gotB.length === 5, 'the next batch');
      expect(gotB).toEqual(['x', 'y', 'z', 'p', 'q']);
      await until(() => gotA.length === 5 && gotC.length === 5, 'the others');
      expect(gotA).toEqual(gotB);
      expect(a.stats).toMatchObject({ published: 5, sent: 5, failed: 0 });
      expect(logs.filter((l) => l.startsWith('WARNING'))).toEqual([expect.stringMatching(/refused the publish batch script .*NOPERM/)]);
      for (const t of ['u', 'v', 'w']) c.publish(makeMessage('s', t, undefined)); // script refused, then every PUBLISH
      await until(() => c.stats.failed === 3, 'the refusals');
      expect(gotC.slice(5)).toEqual(['u', 'v', 'w']); // this process only, each once
      await new Promise((r) => setTimeout(r, 50));
      expect(gotB).toHaveLength(5);
    } finally { admin.disconnect(); }
  });

  test('a PUBLISH refused inside the batch script (ACL channel): only it is delivered locally (one warning), the others go out once, later batches still use the script', async () => {
    const admin = new Redis(redis.url);
    const watcher = new Redis(redis.url);
    try {
      // May publish to t8:ok* only: the script runs, one PUBLISH in it is refused.
      await admin.acl('SETUSER', 'okonly', 'on', '>pw', '~*', 'resetchannels', '&t8:ok*', '+@all');
      const u = new URL(redis.url);
      const logs: string[] = [];
      const a = bus({ prefix: 't8:', url: `redis://okonly:pw@${u.host}`, log: (m, l) => logs.push(`${l} ${m}`) });
      const b = bus({ prefix: 't8:' });
      await Promise.all([a.ready(), b.ready()]);
      // Another Redis client sees every PUBLISH Redis made, duplicates included (a bus would drop a repeat
      // arriving back to back).
      const seen: string[] = [];
      watcher.on('pmessageBuffer', (_g: Buffer, ch: Buffer, msg: Buffer) => seen.push(`${ch.toString()} ${msg.toString('latin1').slice(-3)}`));
      await watcher.psubscribe('t8:*');
      const gotA: string[] = [];
      const gotB: string[] = [];
      for (const t of ['ok1', 'ok2', 'bad']) { a.subscribe(t, (m) => gotA.push(m.text)); b.subscribe(t, (m) => gotB.push(m.text)); }
      await new Promise((r) => setTimeout(r, 50));
      const evals = async (): Promise<number> => Number(/cmdstat_eval:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
      const evalsBefore = await evals();
      // One turn: one batch of three, the middle one refused.
      a.publish(makeMessage('ok1', 'm-1', undefined));
      a.publish(makeMessage('bad', 'm-2', undefined));
      a.publish(makeMessage('ok2', 'm-3', undefined));
      await until(() => gotB.length === 2 && gotA.length === 3, 'the first batch');
      // Another turn, the same: the script is still used (Redis counts one more EVAL), nothing is sent again.
      a.publish(makeMessage('ok1', 'm-4', undefined));
      a.publish(makeMessage('bad', 'm-5', undefined));
      a.publish(makeMessage('ok2', 'm-6', undefined));
      await until(() => gotB.length === 4 && gotA.length === 6, 'the second batch');
      await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show
      expect(seen).toEqual(['t8:ok1 m-1', 't8:ok2 m-3', 't8:ok1 m-4', 't8:ok2 m-6']);
      expect(gotB).toEqual(['m-1', 'm-3', 'm-4', 'm-6']);
      expect([...gotA].sort()).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6']); // the refused ones locally, each once
      expect(await evals() - evalsBefore).toBe(2);
      expect(a.stats).toMatchObject({ published: 6, sent: 6, failed: 2 });
      expect(b.stats.received).toBe(4);
      const warnings = logs.filter((l) => l.startsWith('WARNING') && !/^WARNING subscribe bad:/.test(l));
      expect(warnings).toEqual([expect.stringMatching(/refused a publish .*can't publish to the channel.*delivered to this process only/)]);
    } finally { admin.disconnect(); watcher.disconnect(); }
  });

  test('a Redis without EVAL (renamed away: "ERR unknown command"): the batch goes as pipelined PUBLISHes, once', async () => {
    const noEval = await RedisServer.start(['--rename-command', 'EVAL', '']);
    const watcher = new Redis(noEval.url);
    try {
      const logs: string[] = [];
      const a = bus({ prefix: 't9:', url: noEval.url, log: (m, l) => logs.push(`${l} ${m}`) });
      const b = bus({ prefix: 't9:', url: noEval.url });
      await Promise.all([a.ready(), b.ready()]);
      const seen: string[] = [];
      watcher.on('pmessageBuffer', (_g: Buffer, ch: Buffer) => seen.push(ch.toString()));
      await watcher.psubscribe('t9:*');
      const gotB: string[] = [];
      b.subscribe('#', (m) => gotB.push(m.text));
      await new Promise((r) => setTimeout(r, 50));
      for (const t of ['x', 'y', 'z']) a.publish(makeMessage(t, t, undefined));
      await until(() => gotB.length === 3, 'the batch, pipelined');
      for (const t of ['p', 'q']) a.publish(makeMessage(t, t, undefined));
      await until(() => gotB.length === 5, 'the next batch');
      await new Promise((r) => setTimeout(r, 50));
      expect(gotB).toEqual(['x', 'y', 'z', 'p', 'q']);
      expect(seen).toEqual(['t9:x', 't9:y', 't9:z', 't9:p', 't9:q']);
      expect(a.stats).toMatchObject({ published: 5, sent: 5, failed: 0 });
      expect(logs.filter((l) => l.startsWith('WARNING'))).toEqual([expect.stringMatching(/refused the publish batch script .*unknown command/)]);
    } finally {
      watcher.disconnect();
      await Promise.all(buses.splice(0).map((x) => x.close()));
      await noEval.stop();
    }
  });

  test('Redis down: local pub/sub goes on, state and one log line per change; back: across processes again', async () => {
    const logs: string[] = [];
    const states: RedisBusState[] = [];
    const a = bus({ prefix: 't5:', log: (m, l) => logs.push(`${l} ${m}`), onStateChange: (s) => states.push(s) });
    const b = bus({ prefix: 't5:' });
    await Promise.all([a.ready(), b.ready()]);
    const gotA: string[] = [];
    const gotB: string[] = [];
    a.subscribe('s', (m) => gotA.push(m.text));
    b.subscribe('s', (m) => gotB.push(m.text));
    await new Promise((r) => setTimeout(r, 50));
    a.publish(makeMessage('s', 'before', undefined));
    await until(() => gotB.length === 1, 'before');
    await redis.stop();
    await until(() => a.state === 'down' && b.state === 'down', 'down');
    a.publish(makeMessage('s', 'during', undefined));
    expect(gotA).toEqual(['before', 'during']); // delivered locally, at once
    await new Promise((r) => setTimeout(r, 600)); // several reconnection attempts fail meanwhile
    await redis.startAgain();
    await until(() => a.state === 'ready' && b.state === 'ready', 'ready again');
    await new Promise((r) => setTimeout(r, 100)); // re-subscriptions
    a.publish(makeMessage('s', 'after', undefined));
    await until(() => gotB.length === 2, 'after');
    expect(gotB).toEqual(['before', 'after']); // at-most-once across processes: 'during' never reached b
    expect(gotA).toEqual(['before', 'during', 'after']);
    expect(states).toEqual(['ready', 'down', 'ready']);
    expect(logs.filter((l) => l.startsWith('WARNING'))).toHaveLength(1);
    expect(a.stats).toMatchObject({ localOnly: 1, reconnects: 1 });
  });

  test('unreachable from the start: one warning, local delivery works', async () => {
    const logs: string[] = [];
    const a = bus({ url: 'redis://127.0.0.1:1', log: (m, l) => logs.push(`${l} ${m}`) });
    await until(() => a.state === 'down', 'down');
    const got: string[] = [];
    a.subscribe('t', (m) => got.push(m.text));
    a.publish(makeMessage('t', 'x', undefined));
    expect(got).toEqual(['x']);
    await new Promise((r) => setTimeout(r, 500));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^WARNING Redis unreachable/);
  });

  test('misuse throws ERR_MWS_INVALID_OPTION naming the option', () => {
    expect(() => new RedisBus({ url: 'http://x' })).toThrow(/RedisBus options.url must be a redis:\/\//);
    expect(() => new RedisBus({ maxRetryDelayMs: 5 })).toThrow(/maxRetryDelayMs/);
    const a = bus();
    expect(() => a.subscribe('a/#/b', () => {})).toThrow(/subscribe pattern/);
  });
});
