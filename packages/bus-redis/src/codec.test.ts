import { makeMessage } from '@microwebsrv/core';
import { KEY_BYTES, decode, encodeParts, encodeWhole, joinParts, keepKey, samePublish } from './codec';

// The one-allocation encoding of a publish without history must be byte for byte the two-part form the
// history script completes (what every process decodes), and decode must read the id digits exactly.

const publisher = Buffer.from('0123456789abcdef', 'hex');

test('encodeWhole is joinParts(encodeParts(…), "0"): text, binary, with and without an event', () => {
  const messages = [
    makeMessage('a/b', 'héllo', undefined),
    makeMessage('a/b', Buffer.from([0, 0x3a, 255, 13, 10]), undefined),
    makeMessage('a/b', { x: 1 }, { event: 'ünïcode-event' }),
    makeMessage('a/b', '', undefined),
  ];
  messages.forEach((m, i) => {
    const whole = encodeWhole(m, publisher, 0xfffffff0 + i);
    expect(whole.equals(joinParts(encodeParts(m, publisher, 0xfffffff0 + i), '0'))).toBe(true);
    const d = decode('a/b', whole)!;
    expect(d.data.equals(m.data)).toBe(true);
    expect(d.event).toBe(m.event);
    expect(d.binary).toBe(m.binary);
    expect(d.id).toBe(0);
  });
});

test('decode reads ids up to 16 digits exactly and rejects what is not an id', () => {
  const m = makeMessage('t', 'x', undefined);
  const parts = encodeParts(m, publisher, 1);
  expect(decode('t', joinParts(parts, '1765000000123456'))!.id).toBe(1765000000123456);
  expect(decode('t', joinParts(parts, '9007199254740991'))!.id).toBe(Number.MAX_SAFE_INTEGER);
  for (const bad of ['', '12a', '-1', '12345678901234567']) expect(decode('t', joinParts(parts, bad))).toBeNull();
  expect(decode('t', Buffer.from('not one of ours at all'))).toBeNull();
});

test('a publish key: the same publisher and seq match, another seq or publisher does not', () => {
  const m = makeMessage('t', 'x', undefined);
  const key = Buffer.alloc(KEY_BYTES);
  keepKey(encodeWhole(m, publisher, 7), key);
  expect(samePublish(joinParts(encodeParts(m, publisher, 7), '123'), key)).toBe(true); // same publish, another id form
  expect(samePublish(encodeWhole(m, publisher, 8), key)).toBe(false);
  expect(samePublish(encodeWhole(m, Buffer.from('0123456789abcdee', 'hex'), 7), key)).toBe(false);
});
