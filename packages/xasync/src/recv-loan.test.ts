import { XBufferSlots } from './buffer-slots';
import { XAsyncSocketsPool } from './pool';
import { SlotReader } from './slot-reader';
import type { XAsyncTCPClient } from './tcp-client';
import { XAsyncTCPServer } from './tcp-server';
import { rawClient, waitFor } from './__tests__/helpers';

/** What the kernel does with a target Node got from `onread.buffer`: writes bytes at its start. */
function land(r: SlotReader, text: string): Buffer {
  const target = r.nextTarget();
  r.landed(target.write(text, 0, 'latin1'));
  return target;
}

describe('SlotReader loans', () => {
  test('a lent buffer is switched to, and back, only with everything consumed', () => {
    const slot = Buffer.alloc(16);
    const big = Buffer.alloc(64);
    const r = new SlotReader(slot);
    const back: Buffer[] = [];
    land(r, 'abc');
    r.lend(big, (b) => back.push(b));
    // Bytes pending in the slot: the next read goes on in the slot.
    expect(land(r, 'de').buffer).toBe(slot.buffer);
    r.consume(5);
    expect(r.nextTarget()).toBe(big);
    r.landed(big.write('x'.repeat(40), 0, 'latin1'));
    expect(r.pending).toBe(40);
    // Ended with bytes unconsumed: kept until they are consumed.
    expect(r.endLoan(false)).toBe(false);
    expect(back).toEqual([]);
    r.consume(40);
    expect(r.nextTarget()).toBe(slot);
    expect(back).toEqual([big]);
    expect(r.lent).toBe(false);
  });

  test('ended when empty: the caller retargets the read, or the buffer goes back at the next read; dropLoan at close', () => {
    const r = new SlotReader(Buffer.alloc(16));
    const back: Buffer[] = [];
    const big = Buffer.alloc(64);
    r.lend(big, (b) => back.push(b));
    expect(r.nextTarget()).toBe(big);
    expect(r.endLoan(false)).toBe(true); // the kernel's target is the lent buffer: the caller moves it
    expect(r.endLoan(true)).toBe(false);
    expect(back).toEqual([big]);
    expect(r.buf).toBe(r.slotBuffer);

    const big2 = Buffer.alloc(64);
    r.lend(big2, (b) => back.push(b));
    r.endLoan(false); // never switched to: back at once
    expect(back).toEqual([big, big2]);

    const big3 = Buffer.alloc(64);
    r.lend(big3, (b) => back.push(b));
    land(r, 'abc');
    r.dropLoan();
    expect(back).toEqual([big, big2, big3]);
  });
});

describe('XAsyncTCPClient.lendRecvBuffer', () => {
  let pool: XAsyncSocketsPool;
  beforeEach(() => { pool = new XAsyncSocketsPool({ timerResolutionMs: 20 }); });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  test('reads land in the lent buffer (bigger than the slot) until the loan ends; misuse throws; a close gives it back', async () => {
    const slots = new XBufferSlots(2, 1024);
    const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', 0], 16, slots);
    const big = Buffer.alloc(32 * 1024);
    const back: Buffer[] = [];
    let client: XAsyncTCPClient | null = null;
    let total = 0;
    let biggest = 0;
    let inBig = 0;
    srv.onClientAccepted = (_s, c) => {
      client = c;
      expect(() => c.lendRecvBuffer(Buffer.alloc(512), () => undefined)).toThrow(/larger than the slot \(1024 bytes\)/);
      c.lendRecvBuffer(big, (b) => back.push(b));
      expect(() => c.lendRecvBuffer(Buffer.alloc(4096), () => undefined)).toThrow(/lent already/);
      c.asyncRecvRaw((_cl, buf, start, end) => {
        total += end - start;
        if (buf === big) { inBig += end - start; biggest = Math.max(biggest, end - start); }
        return end - start;
      });
    };
    const sock = await rawClient(srv.address.port);
    sock.write(Buffer.alloc(1024 * 1024, 7));
    await waitFor(() => total === 1024 * 1024, 5000, 'the first MiB');
    expect(inBig).toBeGreaterThan(512 * 1024);
    expect(biggest).toBeGreaterThan(1024); // reads bigger than the slot
    client!.endRecvBufferLoan();
    expect(back).toEqual([big]); // empty: moved back to the slot at once
    let afterMax = 0;
    client!.asyncRecvRaw((_cl, buf, start, end) => {
      expect(buf).not.toBe(big);
      afterMax = Math.max(afterMax, end - start);
      total += end - start;
      return end - start;
    });
    sock.write(Buffer.alloc(256 * 1024, 8));
    await waitFor(() => total === 1280 * 1024, 5000, 'the rest');
    expect(afterMax).toBeLessThanOrEqual(1024);

    // A loan still running when the connection closes: the buffer comes back at the close.
    const big2 = Buffer.alloc(8192);
    client!.lendRecvBuffer(big2, (b) => back.push(b));
    sock.write(Buffer.alloc(4096, 9));
    await waitFor(() => total === 1284 * 1024, 5000, 'into the second loan');
    sock.destroy();
    await waitFor(() => back.length === 2, 5000, 'the close');
    expect(back[1]).toBe(big2);
    await waitFor(() => slots.available === 2, 5000, 'slot release');
  });
});
