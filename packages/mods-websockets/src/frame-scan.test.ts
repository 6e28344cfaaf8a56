import { newFrameScanState, scanFrames } from './frame-scan';
import { frame } from './__tests__/helpers';

describe('scanFrames (RFC 6455 §5.2 framing, the message limit on the wire)', () => {
  test('whole frames are taken; an incomplete one that fits the slot waits; a larger one is streamed', () => {
    const a = frame(1, 'hello');
    const b = frame(2, Buffer.alloc(300));
    const buf = Buffer.concat([a, b]);
    const s = newFrameScanState();
    expect(scanFrames(s, buf, 0, a.length + 10, 4096, 1000)).toEqual({ n: a.length, tooBig: false });
    expect(scanFrames(s, buf, a.length, buf.length, 4096, 1000)).toEqual({ n: b.length, tooBig: false });
    const big = frame(2, Buffer.alloc(5000));
    expect(scanFrames(s, big, 0, 1000, 4096, 10000)).toEqual({ n: 1000, tooBig: false });
    expect(s.streamLeft).toBe(big.length - 1000);
    expect(scanFrames(s, big, 1000, big.length, 4096, 10000)).toEqual({ n: big.length - 1000, tooBig: false });
    expect(s.streamLeft).toBe(0);
  });

  test('the limit counts the data frames of one message; control frames and a new message start over', () => {
    const s = newFrameScanState();
    const parts = Buffer.concat([frame(1, 'x'.repeat(6), { fin: false }), frame(9, 'ping'), frame(0, 'y'.repeat(4), { fin: true }), frame(1, 'z'.repeat(10))]);
    expect(scanFrames(s, parts, 0, parts.length, 4096, 10)).toEqual({ n: parts.length, tooBig: false });
    const over = frame(0, 'w'.repeat(5));
    const s2 = newFrameScanState();
    const first = frame(1, 'v'.repeat(6), { fin: false });
    expect(scanFrames(s2, Buffer.concat([first, over]), 0, first.length + over.length, 4096, 10)).toEqual({ n: first.length + 6, tooBig: true }); // stops after the header
  });
});
