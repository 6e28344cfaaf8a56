import { SlotReader } from './slot-reader';

/** What the kernel does with a target Node got from `onread.buffer`: writes bytes at its start. */
function land(r: SlotReader, text: string): boolean {
  const target = r.nextTarget();
  const n = target.write(text, 0, 'latin1');
  return r.landed(n);
}

const unconsumed = (r: SlotReader): string => r.buf.toString('latin1', r.rd, r.wr);

describe('SlotReader', () => {
  test('with everything consumed, the next read gets the whole slot from offset 0', () => {
    const r = new SlotReader(Buffer.alloc(16));
    expect(land(r, 'abc')).toBe(true);
    expect(unconsumed(r)).toBe('abc');
    r.consume(3);
    const t = r.nextTarget();
    expect(t).toBe(r.buf); // the slot itself, no view allocated
    expect([r.rd, r.wr]).toEqual([0, 0]);
  });

  test('a split message accumulates in place: the next read lands after the unconsumed bytes', () => {
    const r = new SlotReader(Buffer.alloc(16));
    land(r, 'GET /');
    land(r, ' HTTP');
    expect(unconsumed(r)).toBe('GET / HTTP');
    expect(r.pending).toBe(10);
    expect(r.room).toBe(6);
  });

  test('compacts only when handing out a target, and only when the tail is short', () => {
    const r = new SlotReader(Buffer.alloc(16));
    land(r, '0123456789abcd'); // 14 of 16 bytes
    r.consume(12);
    expect(r.rd).toBe(12); // consuming never moves bytes: a target may still point into the slot
    land(r, 'XY');
    // The tail (2 bytes) was under a quarter of the slot: 'cd' moved to the front before the read.
    expect([r.rd, r.wr]).toEqual([0, 4]);
    expect(unconsumed(r)).toBe('cdXY');
  });

  test('a full slot hands out the shared 1-byte target; its byte is copied in once there is room', () => {
    const r = new SlotReader(Buffer.alloc(4));
    land(r, 'abcd');
    expect(r.full).toBe(true);
    const t = r.nextTarget();
    expect(t.length).toBe(1);
    expect(t.buffer).not.toBe(r.buf.buffer);
    t[0] = 'e'.charCodeAt(0);
    r.consume(1); // the receiver made room before the byte is accounted
    expect(r.landed(1)).toBe(true);
    expect(unconsumed(r)).toBe('bcde');
  });

  test('a byte in the 1-byte target with no room at all is an overflow (landed returns false)', () => {
    const r = new SlotReader(Buffer.alloc(4));
    land(r, 'abcd');
    r.nextTarget()[0] = 0x65;
    expect(r.landed(1)).toBe(false);
    expect(unconsumed(r)).toBe('abcd');
  });

  test('append (TLS / data path) copies what fits, compacting first, and reports how much fitted', () => {
    const r = new SlotReader(Buffer.alloc(8));
    r.copyMode = true;
    expect(r.append(Buffer.from('abcdef'))).toBe(6);
    r.consume(4);
    expect(r.append(Buffer.from('0123456789'), 2)).toBe(6); // '23456789' from offset 2: 6 fit after 'ef'
    expect(unconsumed(r)).toBe('ef234567');
    expect(r.full).toBe(true);
    expect(r.append(Buffer.from('z'))).toBe(0);
  });

  test('in copy mode, consuming everything starts over at 0 (no kernel target is outstanding)', () => {
    const r = new SlotReader(Buffer.alloc(8));
    r.copyMode = true;
    r.append(Buffer.from('abc'));
    r.consume(3);
    expect([r.rd, r.wr]).toEqual([0, 0]);
  });
});
