import { RecvMode } from './client-state';
import { XClosedReason } from './closed-reason';
import { setOneShot, setRaw } from './recv-modes';
import { arrive, stateHarness, type StateHarness } from './__tests__/client-state-harness';

/** One `onread` round as Node runs it: ask for the target, the kernel writes there, report the count. */
function read(h: StateHarness, text: string): boolean {
  const target = h.s.reader.nextTarget();
  return h.flow.onRead(target.write(text, 0, 'latin1'));
}

describe('ReadFlow, against a plain ClientState', () => {
  let h: StateHarness;
  afterEach(() => h.done());

  test('a full slot stops reading (onread returns false); consuming resumes the stream', () => {
    h = stateHarness(8);
    let consume = 0;
    setRaw(h.s, () => consume, 0);
    expect(read(h, 'abcd')).toBe(true);
    expect(read(h, 'efgh')).toBe(false); // full of unconsumed bytes: backpressure
    h.sock.pause(); // what Node does when the onread callback returns false
    h.s.reader.consume(4);
    h.flow.roomMade();
    expect(h.sock.isPaused()).toBe(false);
    consume = 4;
    expect(read(h, 'ij')).toBe(true);
    expect(h.s.reader.pending).toBe(2);
  });

  test('TLS path: a chunk that does not fit is held back with the stream paused, and fed in as room is made', () => {
    h = stateHarness(8);
    h.s.reader.copyMode = true;
    const seen: string[] = [];
    setRaw(h.s, (_o, buf, start, end) => {
      seen.push(buf.toString('latin1', start, end));
      return Math.min(3, end - start); // a slow consumer: 3 bytes per call
    }, 0);
    // Nothing consumed while the receiver is away: the 12-byte chunk is split over the 8-byte slot.
    h.s.recvMode = RecvMode.None;
    arrive(h, '0123456789AB');
    expect(h.s.reader.pending).toBe(8);
    expect(h.sock.isPaused()).toBe(true);
    h.s.recvMode = RecvMode.Raw;
    h.flow.kick();
    // The slot drains first; the held-back '89AB' comes in once it is empty, then the stream resumes.
    expect(seen.join('|')).toBe('01234567|34567|67|89AB|B');
    expect(h.s.reader.pending).toBe(0);
    expect(h.sock.isPaused()).toBe(false);
  });

  test('pauseReading: arrivals are refused until resumed; resuming delivers what waited to the receiver', () => {
    h = stateHarness(16);
    const lines: string[] = [];
    h.flow.setUserPaused(true);
    expect(h.sock.isPaused()).toBe(true);
    expect(read(h, 'one\n')).toBe(false);
    setOneShot(h.s, RecvMode.Line, (_o: unknown, line: string) => lines.push(line), 0);
    h.flow.setUserPaused(false);
    expect(lines).toEqual(['one']);
    expect(h.sock.isPaused()).toBe(false);
  });

  test('while closing, arrivals are dropped (the graceful close reads until the peer FIN)', () => {
    h = stateHarness(16);
    const seen: number[] = [];
    setRaw(h.s, (_o, _b, start, end) => { seen.push(end - start); return 0; }, 0);
    h.s.closing = true;
    expect(read(h, 'late bytes')).toBe(true);
    expect(seen).toEqual([]);
    expect(h.s.reader.pending).toBe(0);
  });

  test('a byte landing in the 1-byte target with no room is a slot overflow: the connection fails', () => {
    h = stateHarness(4);
    setRaw(h.s, () => 0, 0);
    read(h, 'abcd');
    expect(read(h, 'e')).toBe(false);
    expect(h.failures.map((f) => [f.reason, (f.err as { code?: string }).code])).toEqual([[XClosedReason.Error, 'ERR_XAS_RECV_OVERFLOW']]);
  });
});
