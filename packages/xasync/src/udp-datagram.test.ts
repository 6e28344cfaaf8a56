import * as dgram from 'node:dgram';
import { XBufferSlots } from './buffer-slots';
import { XClosedReason } from './closed-reason';
import { XAsyncSocketsPool } from './pool';
import { XAsyncUDPDatagram } from './udp-datagram';
import { waitFor } from './__tests__/helpers';

describe('XAsyncUDPDatagram', () => {
  let pool: XAsyncSocketsPool;
  beforeEach(() => { pool = new XAsyncSocketsPool(); });
  afterEach(() => pool.stop({ graceSec: 0.2 }));

  test('round trip: receive into a slot, answer through the send queue', async () => {
    const slots = new XBufferSlots(2, 512);
    const server = await XAsyncUDPDatagram.create(pool, { localAddr: ['127.0.0.1', 0], slots });
    expect(slots.inUse).toBe(1);
    // The one free slot shares the pool's backing memory: a received view must lie in that same memory.
    const probe = slots.acquire()!;
    const backing = probe.buffer.buffer;
    slots.release(probe);
    let inSlot: boolean | null = null;
    server.onDataRecv = (d, remote, data) => {
      inSlot = data.buffer === backing; // a view of the slot, not a copy
      d.asyncSendDatagram(Buffer.concat([Buffer.from('pong:'), data]), remote);
    };
    const client = await XAsyncUDPDatagram.create(pool, {});
    const got: string[] = [];
    client.onDataRecv = (_d, remote, data) => { got.push(`${remote.port}:${data.toString()}`); };
    let sent = 0;
    client.asyncSendDatagram('ping', ['127.0.0.1', server.localAddress.port], () => sent++);
    await waitFor(() => got.length === 1);
    expect(got).toEqual([`${server.localAddress.port}:pong:ping`]);
    expect(inSlot).toBe(true);
    expect(sent).toBe(1);
    expect(server.stats.received).toBe(1);
    server.close();
    expect(await server.whenClosed()).toBe(XClosedReason.ClosedByHost);
    expect(slots.inUse).toBe(0);
  });

  test("echoing onDataRecv's view as is: the queued echo keeps its bytes when the receive memory is reused", async () => {
    const server = await XAsyncUDPDatagram.create(pool, { localAddr: ['127.0.0.1', 0], slots: new XBufferSlots(1, 256) });
    server.onDataRecv = (d, remote, data) => {
      d.asyncSendDatagram('first', remote); // in flight: the echo below waits in the queue
      d.asyncSendDatagram(data, remote); // the user's echo, no copy
      data.fill(0x21); // what the next datagram's receive does to the same memory
    };
    const s = dgram.createSocket('udp4');
    const got: string[] = [];
    s.on('message', (m) => got.push(m.toString()));
    try {
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      s.send('hello', server.localAddress.port, '127.0.0.1');
      await waitFor(() => got.length === 2);
      expect(got).toEqual(['first', 'hello']);
    } finally {
      s.close();
    }
  });

  test('a datagram longer than the buffer is cut and counted', async () => {
    const server = await XAsyncUDPDatagram.create(pool, { localAddr: ['127.0.0.1', 0], recvBufLen: 8 });
    const lens: number[] = [];
    server.onDataRecv = (_d, _r, data) => lens.push(data.length);
    const s = dgram.createSocket('udp4');
    s.send(Buffer.alloc(100), server.localAddress.port, '127.0.0.1');
    await waitFor(() => lens.length === 1);
    expect(lens).toEqual([8]);
    expect(server.stats.truncated).toBe(1);
    s.close();
  });

  test('the send queue is bounded: beyond maxSendQueue a send fails through onFailsToSend', async () => {
    const d = await XAsyncUDPDatagram.create(pool, { maxSendQueue: 2 });
    const failures: string[] = [];
    d.onFailsToSend = (_d, err) => failures.push((err as { code?: string }).code ?? err.message);
    const results = [1, 2, 3, 4].map(() => d.asyncSendDatagram('x', ['127.0.0.1', 9]));
    // One datagram goes in flight at once; two wait; the fourth is refused.
    expect(results).toEqual([true, true, true, false]);
    expect(failures).toEqual(['ERR_XAS_SEND_QUEUE_FULL']);
  });

  test('broadcast option sets SO_BROADCAST (sending to 255.255.255.255 is allowed)', async () => {
    const d = await XAsyncUDPDatagram.create(pool, { broadcast: true });
    const errors: Error[] = [];
    d.onFailsToSend = (_d, err) => errors.push(err);
    let sent = false;
    // Port 9 (discard): nothing answers, the point is that the kernel accepts the broadcast send.
    d.asyncSendDatagram('hello', ['255.255.255.255', 9], () => { sent = true; });
    await waitFor(() => sent || errors.length > 0);
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});
