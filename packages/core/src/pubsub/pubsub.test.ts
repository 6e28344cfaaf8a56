import { InProcessBus, makeMessage, MwsError, TopicTree, Topics, topicMatches, checkPattern, checkTopic, type TopicMessage, type TopicSubscriber } from '../index';

const sub = (): TopicSubscriber & { got: string[] } => {
  const got: string[] = [];
  return { got, deliver: (m: TopicMessage) => { got.push(`${m.topic}:${m.text}`); } };
};

describe('topic names and patterns (MQTT 3.1.1 §4.7)', () => {
  test.each([
    ['a/b', 'a/b', true], ['a/+', 'a/b', true], ['a/+', 'a/b/c', false], ['a/#', 'a', true], ['a/#', 'a/b/c', true],
    ['#', 'x/y', true], ['+/+', 'a/b', true], ['+', 'a/b', false], ['a/+/c', 'a/x/c', true], ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false], ['$SYS/#', '$SYS/x', true], ['a/b', 'a/c', false], ['/+', '/a', true],
  ])('%s matches %s: %s', (pattern, topic, want) => {
    expect(topicMatches(pattern, topic)).toBe(want);
    const tree = new TopicTree<string>();
    tree.add(pattern, 's');
    expect(tree.matching(topic).size).toBe(want ? 1 : 0);
    tree.remove(pattern, 's');
    expect(tree.size).toBe(0);
  });

  test('misuse throws naming what is allowed', () => {
    expect(() => checkTopic('publish topic', 'a/+')).toThrow(/publish topic must be a topic name/);
    expect(() => checkTopic('publish topic', '')).toThrow(MwsError);
    expect(() => checkPattern('subscribe topic', 'a/#/b')).toThrow(/subscribe topic must be a topic pattern/);
    expect(() => checkPattern('subscribe topic', 'a+')).toThrow(/\+ \(one level\)/);
    expect(checkPattern('p', 'a/+/#')).toBe('a/+/#');
    expect(() => makeMessage('t', undefined as never, undefined)).toThrow(/publish data must be/);
    expect(() => makeMessage('t', 'x', { event: 'a\nb' })).toThrow(/publish options.event must be .*without CR, LF or NUL/);
  });

  test('a tree prunes what it no longer needs', () => {
    const tree = new TopicTree<number>();
    for (let i = 0; i < 100; i++) tree.add(`room/${i}/+`, i);
    expect(tree.size).toBe(100);
    expect([...tree.matching('room/7/x')]).toEqual([7]);
    for (let i = 0; i < 100; i++) expect(tree.remove(`room/${i}/+`, i)).toBe(true);
    expect(tree.remove('room/1/+', 1)).toBe(false);
    expect(tree.matching('room/7/x').size).toBe(0);
  });
});

describe('Topics over the in-process bus', () => {
  test('wildcards, one delivery per subscriber, counts, unsubscribe', () => {
    const t = new Topics();
    const a = sub(); const b = sub();
    t.subscribe('chat/#', a);
    t.subscribe('chat/+', a); // overlapping: still one delivery per message
    t.subscribe('chat/room1', b);
    expect(t.subscribers('chat/room1')).toBe(2);
    expect(t.subscribers('chat/room2')).toBe(1);
    expect(t.subscribers('other')).toBe(0);
    t.publish('chat/room1', 'hi');
    t.publish('chat/room2', { n: 1 });
    expect(a.got).toEqual(['chat/room1:hi', 'chat/room2:{"n":1}']);
    expect(b.got).toEqual(['chat/room1:hi']);
    expect(t.unsubscribe('chat/room1', b)).toBe(true);
    expect(t.unsubscribe('chat/room1', b)).toBe(false);
    expect(t.unsubscribeAll(a)).toBe(2);
    expect(t.size).toBe(0);
    expect((t.bus as InProcessBus).size).toBe(0);
  });

  test('servers sharing a bus share topics; a publish inside a delivery keeps every publisher in order', () => {
    const bus = new InProcessBus();
    const t1 = new Topics(bus); const t2 = new Topics();
    t2.bus = bus;
    const order: string[][] = [[], [], []];
    const echo: TopicSubscriber = { deliver: (m) => { order[0]!.push(m.text); if (m.text === 'a1') t1.publish('x', 'b1'); } };
    t1.subscribe('x', echo);
    t2.subscribe('x', { deliver: (m) => order[1]!.push(m.text) });
    t2.subscribe('#', { deliver: (m) => order[2]!.push(m.text) });
    t1.publish('x', 'a1');
    t2.publish('x', 'a2');
    for (const o of order) expect(o).toEqual(['a1', 'b1', 'a2']);
  });

  test('a subscriber that throws does not stop the others', () => {
    const t = new Topics();
    const errors: unknown[] = [];
    t.onError = (e) => errors.push(e);
    const ok = sub();
    t.subscribe('t', { deliver: () => { throw new Error('boom'); } });
    t.subscribe('t', ok);
    t.publish('t', 'x');
    expect(ok.got).toEqual(['t:x']);
    expect(errors).toHaveLength(1);
  });

  test('a message is encoded once per encoder, shared by all', () => {
    const m = makeMessage('t', 'hello', undefined);
    let calls = 0;
    const enc = { encode: (x: TopicMessage) => { calls++; return Buffer.from(x.text.toUpperCase()); } };
    const enc2 = { encode: () => Buffer.from('2') };
    const enc3 = { encode: () => Buffer.from('3') };
    expect(m.encoded(enc)).toBe(m.encoded(enc));
    expect(m.encoded(enc2).toString()).toBe('2');
    expect(m.encoded(enc3).toString()).toBe('3');
    expect(m.encoded(enc3)).toBe(m.encoded(enc3));
    expect(calls).toBe(1);
    expect(makeMessage('t', Buffer.from([1]), undefined).binary).toBe(true);
    expect(makeMessage('t', 'x', { binary: true, event: 'e' })).toMatchObject({ binary: true, event: 'e' });
  });
});
