import { XBufferSlots } from './buffer-slots';
import { XAsyncError } from './errors';

describe('XBufferSlots', () => {
  test('keepAlloc allocates the whole budget up front, in one backing buffer', () => {
    const slots = new XBufferSlots(4, 1024, true);
    expect(slots.stats).toEqual({ count: 4, size: 1024, available: 4, inUse: 0, highWater: 0, refusals: 0, allocatedBytes: 4096 });
    const a = slots.acquire()!;
    const b = slots.acquire()!;
    expect(a.buffer.length).toBe(1024);
    expect(a.buffer.buffer).toBe(b.buffer.buffer); // same backing allocation
    expect(a.buffer.byteOffset).not.toBe(b.buffer.byteOffset);
  });

  test('without keepAlloc, memory is allocated per acquire and dropped on release', () => {
    const slots = new XBufferSlots(3, 512, false);
    expect(slots.stats.allocatedBytes).toBe(0);
    const a = slots.acquire()!;
    expect(slots.stats.allocatedBytes).toBe(512);
    slots.release(a);
    expect(slots.stats.allocatedBytes).toBe(0);
  });

  test('a slot is never handed to two owners; exhaustion returns null and counts a refusal', () => {
    const slots = new XBufferSlots(3, 256);
    const got = [slots.acquire('a'), slots.acquire('b'), slots.acquire('c')];
    expect(new Set(got.map((s) => s!.index)).size).toBe(3);
    expect(slots.acquire()).toBeNull();
    expect(slots.stats.refusals).toBe(1);
    expect(slots.stats.highWater).toBe(3);
    slots.release(got[1]!);
    const again = slots.acquire('d')!;
    expect(again.index).toBe(got[1]!.index);
    expect(again.owner).toBe('d');
    expect(slots.inUse).toBe(3);
  });

  test('releasing twice throws ERR_XAS_SLOT_NOT_ACQUIRED', () => {
    const slots = new XBufferSlots(2, 256);
    const s = slots.acquire()!;
    slots.release(s);
    expect(() => slots.release(s)).toThrow(XAsyncError);
    try { slots.release(s); } catch (e) { expect((e as XAsyncError).code).toBe('ERR_XAS_SLOT_NOT_ACQUIRED'); }
    expect(slots.available).toBe(2);
  });

  test('releasing a slot of another pool throws', () => {
    const a = new XBufferSlots(1, 256);
    const b = new XBufferSlots(1, 256);
    const s = a.acquire()!;
    expect(() => b.release(s)).toThrow(/not acquired from this pool/);
  });

  test('a released slot\'s buffer cannot be used by its former owner', () => {
    const slots = new XBufferSlots(1, 256);
    const s = slots.acquire()!;
    slots.release(s);
    expect(() => s.buffer).toThrow(/not acquired/);
  });

  test('bad arguments name the option and the allowed range', () => {
    expect(() => new XBufferSlots(0, 1024)).toThrow(/count must be an integer from 1/);
    expect(() => new XBufferSlots(4, 10)).toThrow(/size must be an integer from 256/);
    expect(() => new XBufferSlots(4, 1024.5)).toThrow(/size/);
    expect(() => new XBufferSlots(4, 1024, 'yes' as unknown as boolean)).toThrow(/keepAlloc must be a boolean/);
  });

  test('acquire/release stay O(1): 100k cycles over a 10k pool in order', () => {
    const slots = new XBufferSlots(10_000, 256, false);
    const held = [];
    for (let i = 0; i < 10_000; i++) held.push(slots.acquire()!);
    expect(slots.acquire()).toBeNull();
    for (const s of held) slots.release(s);
    for (let i = 0; i < 100_000; i++) slots.release(slots.acquire()!);
    expect(slots.stats.inUse).toBe(0);
    expect(slots.stats.highWater).toBe(10_000);
  });
});
