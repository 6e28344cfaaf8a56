/** Topics' per-turn batches (pattern-entry.ts): subscribers with deliverBatch and one pattern. */
import { Topics, type MessageEncoder, type TopicMessage, type TopicSubscriber } from '../index';

const ENC: MessageEncoder = { encode: (m) => Buffer.from(`[${m.text}]`) };
/**
 * Until the turn's flush (topics.ts): queued by a microtask after the publishing code, it runs in that
 * turn's check phase, or the next one's while publishing is continuous — a microtask and two immediates.
 */
const tick = async (): Promise<void> => { await null; for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r)); };

/** A batching subscriber recording what it got: `b:` joined batches, `m:` single deliveries. */
function batcher(encoder: MessageEncoder = ENC): TopicSubscriber & { got: string[]; bufs: Array<Buffer | null> } {
  const got: string[] = [];
  const bufs: Array<Buffer | null> = [];
  return {
    got, bufs, batchEncoder: encoder,
    deliver: (m: TopicMessage) => { got.push(`m:${m.text}`); },
    deliverBatch: (joined, msgs, from, to) => {
      bufs.push(joined);
      expect(joined?.toString()).toBe(msgs.slice(from, to).map((m) => `[${m.text}]`).join(''));
      got.push(`b:${msgs.slice(from, to).map((m) => m.text).join(',')}`);
    },
  };
}

test('a turn of publishes reaches every batched subscriber once, at the turn end, as one Buffer shared by all', async () => {
  const t = new Topics();
  const a = batcher();
  const b = batcher();
  t.subscribe('x', a);
  t.subscribe('x', b);
  for (const s of ['1', '2', '3']) t.publish('x', s);
  expect(a.got).toEqual([]); // not yet: the turn has not ended
  expect(t.stats.delivered).toBe(6); // counted when published
  await tick();
  expect(a.got).toEqual(['b:1,2,3']);
  expect(b.got).toEqual(['b:1,2,3']);
  expect(a.bufs[0]).toBe(b.bufs[0]); // joined once
  t.publish('x', '4');
  await tick();
  expect(a.got).toEqual(['b:1,2,3', 'b:4']);
});

test('joining mid-turn starts at that point; leaving mid-turn still gets what came before; flushPending keeps order', async () => {
  const t = new Topics();
  const a = batcher();
  const late = batcher();
  t.subscribe('x', a);
  t.publish('x', '1');
  t.subscribe('x', late);
  t.publish('x', '2');
  t.flushPending(a); // a writes something of its own now: its messages so far go first
  expect(a.got).toEqual(['b:1,2']);
  t.publish('x', '3');
  expect(t.unsubscribe('x', late)).toBe(true); // gets 2 and 3 on leaving
  expect(late.got).toEqual(['b:2,3']);
  t.publish('x', '4');
  await tick();
  expect(a.got).toEqual(['b:1,2', 'b:3,4']);
  expect(late.got).toEqual(['b:2,3']);
});

test('a second pattern: per message (once per message across patterns), after its batch; back to one: batched again', async () => {
  const t = new Topics();
  const a = batcher();
  t.subscribe('room/1', a);
  t.publish('room/1', '1');
  t.subscribe('room/+', a); // the batch so far first, then one delivery per message
  expect(a.got).toEqual(['b:1']);
  t.publish('room/1', '2');
  t.publish('room/2', '3');
  expect(a.got).toEqual(['b:1', 'm:2', 'm:3']);
  t.unsubscribe('room/+', a);
  t.publish('room/1', '4');
  t.publish('room/2', '5'); // no longer its pattern
  await tick();
  expect(a.got).toEqual(['b:1', 'm:2', 'm:3', 'b:4']);
  expect(t.subscribers('room/1')).toBe(1);
});

test('a batch delivery that writes (flushPending) or throws does not lose or repeat messages of others; publishing from it goes in the next batch', async () => {
  const t = new Topics();
  const errors: unknown[] = [];
  t.onError = (e) => { errors.push(e); };
  const b = batcher();
  const thrower: TopicSubscriber = { batchEncoder: ENC, deliver: () => {}, deliverBatch: () => { t.flushPending(b); throw new Error('boom'); } };
  const echo = batcher();
  const origBatch = echo.deliverBatch!;
  echo.deliverBatch = (j, msgs, from, to) => { origBatch(j, msgs, from, to); if (msgs[from]!.text === '1') t.publish('x', 'again'); };
  t.subscribe('x', thrower);
  t.subscribe('x', b);
  t.subscribe('x', echo);
  t.publish('x', '1');
  t.publish('x', '2');
  await tick();
  expect(errors).toHaveLength(2); // the thrower threw on both batches; the others still got theirs
  expect(b.got).toEqual(['b:1,2', 'b:again']);
  expect(echo.got).toEqual(['b:1,2', 'b:again']);
});

test('subscribers without a batch encoder, and observers, get each message at once and are not counted as batched', async () => {
  const t = new Topics();
  const plain: string[] = [];
  t.subscribe('x', { deliver: (m) => plain.push(m.text) });
  t.subscribe('x', { observer: true, deliver: (m) => plain.push(`o:${m.text}`) });
  const other = batcher({ encode: (m) => Buffer.from(`<${m.text}>`) });
  other.deliverBatch = (j) => { other.got.push(String(j)); };
  t.subscribe('x', other);
  t.publish('x', 'a');
  t.publish('x', 'b');
  expect(plain).toEqual(['a', 'o:a', 'b', 'o:b']);
  await tick();
  expect(other.got).toEqual(['<a><b>']);
  expect(t.stats.delivered).toBe(4); // 2 plain + 2 batched; the observer not counted
});

test('a subscriber whose patterns change while a message is dispatched gets it once (batched ↔ per message)', async () => {
  // Batched → per message: S batched on a/#; a per-message subscriber of a/b subscribes S to a/b while
  // a/b's message is dispatched. S's batch gives it the message; a/b's dispatch must not give it again.
  const t = new Topics();
  const s = batcher();
  let done = false;
  t.subscribe('a/#', s);
  t.subscribe('a/b', { deliver: () => { if (!done) { done = true; t.subscribe('a/b', s); } } });
  t.publish('a/b', 'one');
  await tick();
  expect(s.got).toEqual(['b:one']);
  expect(t.stats.delivered).toBe(2);
  t.publish('a/b', 'two'); // per message now, once across its two patterns
  expect(s.got).toEqual(['b:one', 'm:two']);

  // Per message → batched: S on a/b and a/# (a/b's dispatch first) gets the message per message, and a
  // subscriber of a/b then takes S off a/b: S is batched again on a/# before the message reaches a/#.
  for (const [pa, pb] of [['a/b', 'a/#'], ['a/b', 'a/+']] as const) {
    const t2 = new Topics();
    const s2 = batcher();
    let once = false;
    t2.subscribe(pb, batcher()); // another batched subscriber on the pattern S goes back to
    t2.subscribe(pa, s2);
    t2.subscribe(pb, s2);
    t2.subscribe(pa, { deliver: () => { if (!once) { once = true; t2.unsubscribe(pa, s2); } } });
    t2.publish('a/b', 'one');
    await tick();
    expect(s2.got).toEqual(['m:one']);
    expect(t2.stats.delivered).toBe(3); // s2 once, the other batcher, the per-message subscriber
    t2.publish('a/b', 'two');
    await tick();
    expect(s2.got).toEqual(['m:one', 'b:two']);
  }
});
