/** FragmentQueue: what a frame's write queues (the socket's topic messages) waits behind the message being fragmented. */
import { FragmentQueue, type FragmentSink } from './fragment-queue';

test('a write that queues more (reentrant push) does not restart the message: its fragments stay whole and in order', () => {
  const out: string[] = [];
  let q!: FragmentQueue;
  let nested = false;
  const sink: FragmentSink = {
    sendPending: 0,
    canWrite: () => true,
    whenFlushed: () => { throw new Error('not expected: nothing waits for the kernel here'); },
    frame: (data, _binary, fin) => {
      // The first fragment's write runs the socket's beforeWrite: a topic message goes into the queue.
      if (!nested) { nested = true; q.pushFrame(Buffer.from('PUB'), 3); q.push(Buffer.from('xy'), false, 0); }
      out.push(`${data.toString()}${fin ? '|' : ''}`);
    },
    raw: (frame) => { out.push(`raw:${frame.toString()}`); },
  };
  q = new FragmentQueue(sink);
  q.push(Buffer.from('abcdefghij'), false, 4);
  expect(out).toEqual(['abcd', 'efgh', 'ij|', 'raw:PUB', 'xy|']);
  expect(q.isEmpty).toBe(true);
  expect(q.bytes).toBe(0);
});

test('a write that drops the queue (a Close sent from inside it) leaves it empty, its count at zero', () => {
  let q!: FragmentQueue;
  let open = true;
  const out: string[] = [];
  q = new FragmentQueue({
    sendPending: 0,
    canWrite: () => open,
    whenFlushed: () => {},
    frame: (data) => { out.push(data.toString()); if (open) { open = false; q.drop(); } },
    raw: () => {},
  });
  q.push(Buffer.from('abcdefghij'), false, 4);
  expect(out).toEqual(['abcd']);
  expect(q.isEmpty).toBe(true);
  expect(q.bytes).toBe(0);
});
