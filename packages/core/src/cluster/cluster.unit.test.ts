import { makeMessage } from '../pubsub/message';
import { BusRouter } from './bus-router';
import { ClusterBus, type ClusterChannel } from './cluster-bus';
import type { PubMessage, WorkerMessage } from './messages';
import { resolveClusterOptions } from './options';
import { RestartPolicy } from './restart-policy';
import { startCluster } from './start-cluster';

// The parts of startCluster that need no process: option checks, the restart policy, and the bus's
// routing between workers over in-memory channels (the real IPC is in test/e2e/cluster.test.ts).

describe('startCluster options', () => {
  test('defaults, and misuse named with what is allowed', () => {
    const o = resolveClusterOptions(undefined);
    expect(o.workers).toBeGreaterThanOrEqual(1);
    expect(o.restart).toEqual({ maxRestarts: 5, windowSec: 60, initialDelayMs: 100, maxDelayMs: 5000 });
    expect(o.bus).toBe('cluster');
    expect(() => resolveClusterOptions({ workers: 0 })).toThrow('startCluster workers must be an integer from 1 to 1024, got 0');
    expect(() => resolveClusterOptions({ bus: 'redis' as never })).toThrow(`startCluster bus must be 'cluster' or 'local', got "redis"`);
    expect(() => resolveClusterOptions({ restart: { initialDelayMs: 500, maxDelayMs: 100 } })).toThrow(/restart\.maxDelayMs must be a number of ms at least restart\.initialDelayMs \(500\)/);
    expect(() => resolveClusterOptions({ signals: ['SIGKILL'] })).toThrow(/startCluster signals must be/);
    expect(() => startCluster('nope' as never)).toThrow(/startCluster setup must be a function returning a MicroWebSrv/);
  });
});

describe('RestartPolicy', () => {
  test('doubling back-off up to the ceiling; one death over maxRestarts in the window is a crash loop', () => {
    const p = new RestartPolicy({ maxRestarts: 4, windowSec: 10, initialDelayMs: 100, maxDelayMs: 300 });
    expect([0, 1, 2, 3].map((t) => p.onDeath(t * 1000))).toEqual([
      { restart: true, delayMs: 100 }, { restart: true, delayMs: 200 }, { restart: true, delayMs: 300 }, { restart: true, delayMs: 300 },
    ]);
    expect(p.onDeath(4000)).toEqual({ restart: false, deaths: 5 });
  });

  test('deaths older than the window are forgotten', () => {
    const p = new RestartPolicy({ maxRestarts: 1, windowSec: 10, initialDelayMs: 100, maxDelayMs: 1000 });
    expect(p.onDeath(0)).toEqual({ restart: true, delayMs: 100 });
    expect(p.onDeath(11_000)).toEqual({ restart: true, delayMs: 100 });
    expect(p.onDeath(12_000)).toEqual({ restart: false, deaths: 2 });
  });
});

describe('ClusterBus through a BusRouter', () => {
  /** Workers 1..n, each a ClusterBus whose channel reaches the router synchronously. */
  function cluster(n: number): { buses: ClusterBus[]; router: BusRouter; sent: WorkerMessage[] } {
    const inbox = new Map<number, (m: unknown) => void>();
    const sent: WorkerMessage[] = [];
    const router = new BusRouter((id, m) => { inbox.get(id)!(m); return true; });
    const buses = Array.from({ length: n }, (_, i) => {
      const id = i + 1;
      const channel: ClusterChannel = {
        send: (m, done) => {
          sent.push(m);
          if (m.mws === 'pub') router.route(id, m as PubMessage);
          else if (m.mws === 'sub') router.subscribe(id, m.pattern);
          else if (m.mws === 'unsub') router.unsubscribe(id, m.pattern);
          done(null);
        },
        onMessage: (fn) => { inbox.set(id, fn); },
      };
      return new ClusterBus(channel);
    });
    return { buses, router, sent };
  }

  test('a publish reaches matching listeners of every worker once, bytes intact; the primary hears one sub per pattern', () => {
    const { buses, router, sent } = cluster(3);
    const got: string[] = [];
    const l1 = (m: { topic: string; data: Buffer }) => got.push(`w1 ${m.topic} ${m.data.toString('hex')}`);
    const l1b = (m: { topic: string }) => got.push(`w1b ${m.topic}`);
    buses[0]!.subscribe('a/+', l1);
    buses[0]!.subscribe('a/+', l1b);
    buses[1]!.subscribe('a/#', (m) => got.push(`w2 ${m.topic}`));
    buses[1]!.subscribe('a/b', (m) => got.push(`w2' ${m.topic}`));
    expect(sent.filter((m) => m.mws === 'sub')).toHaveLength(3); // a/+ once for two listeners
    buses[2]!.publish(makeMessage('a/b', Buffer.from([0, 255, 10]), undefined));
    expect(got.sort()).toEqual(['w1 a/b 00ff0a', 'w1b a/b', "w2 a/b", "w2' a/b"].sort());
    expect(router.forwarded).toBe(2); // one per worker, though worker 2 matches twice
    buses[0]!.unsubscribe('a/+', l1);
    expect(sent.filter((m) => m.mws === 'unsub')).toHaveLength(0); // l1b still listens
    buses[0]!.unsubscribe('a/+', l1b);
    expect(sent.filter((m) => m.mws === 'unsub')).toHaveLength(1);
    got.length = 0;
    buses[1]!.publish(makeMessage('a/c', 'x', undefined));
    expect(got).toEqual(['w2 a/c']); // local delivery only: nobody else matches
  });

  test('publish order per publisher holds, and a removed worker gets nothing more', () => {
    const { buses, router } = cluster(2);
    const got: string[] = [];
    buses[1]!.subscribe('t', (m) => got.push(m.text));
    for (let i = 0; i < 5; i++) buses[0]!.publish(makeMessage('t', `m${i}`, undefined));
    expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    router.removeWorker(2);
    buses[0]!.publish(makeMessage('t', 'late', undefined));
    expect(got).toHaveLength(5);
  });
});
