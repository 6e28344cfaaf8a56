import { RecvMode } from './client-state';
import { XClosedReason } from './closed-reason';
import { dispatchReceive, setOneShot, setRaw, stopRaw } from './recv-modes';
import { stateHarness, type StateHarness } from './__tests__/client-state-harness';

/** Puts bytes in the slot (as a read would) and serves the pending receive. */
function put(h: StateHarness, text: string): void {
  h.s.reader.append(Buffer.from(text, 'latin1'));
  dispatchReceive(h.s);
}

describe('receive modes, against a plain ClientState', () => {
  let h: StateHarness;
  beforeEach(() => { h = stateHarness(16); h.s.reader.copyMode = true; });
  afterEach(() => h.done());

  test('a line is delivered once complete, without its CR LF; the bytes after it stay in the slot', () => {
    const lines: string[] = [];
    setOneShot(h.s, RecvMode.Line, (owner: unknown, line: string) => { expect(owner).toBe(h.owner); lines.push(line); }, 0);
    put(h, 'hel');
    expect(lines).toEqual([]);
    put(h, 'lo\r\nrest');
    expect(lines).toEqual(['hello']);
    expect(h.s.recvMode).toBe(RecvMode.None);
    expect(h.s.reader.pending).toBe(4);
  });

  test('a callback that sets the next receive is served by the same dispatch (pipelined lines)', () => {
    const lines: string[] = [];
    const next = (_o: unknown, line: string): void => {
      lines.push(line);
      if (lines.length < 3) setOneShot(h.s, RecvMode.Line, next, 0);
    };
    setOneShot(h.s, RecvMode.Line, next, 0);
    put(h, 'a\nbb\r\nccc\nd');
    expect(lines).toEqual(['a', 'bb', 'ccc']);
    expect(h.s.reader.pending).toBe(1);
  });

  test('a line longer than the slot fails the connection with ERR_XAS_LINE_TOO_LONG', () => {
    setOneShot(h.s, RecvMode.Line, () => { throw new Error('not called'); }, 0);
    put(h, 'x'.repeat(16));
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0].reason).toBe(XClosedReason.Error);
    expect((h.failures[0].err as { code?: string }).code).toBe('ERR_XAS_LINE_TOO_LONG');
  });

  test('data up to the slot size is a view of the slot, delivered once all of it arrived', () => {
    const got: Buffer[] = [];
    setOneShot(h.s, RecvMode.Data, (_o: unknown, d: Buffer) => got.push(d), 5);
    put(h, 'abc');
    expect(got).toHaveLength(0);
    put(h, 'def');
    expect(got.map((d) => d.toString())).toEqual(['abcde']);
    expect(got[0].buffer).toBe(h.s.reader.buf.buffer);
    expect(h.s.reader.pending).toBe(1);
  });

  test('data above the slot size gets its own buffer, filled over several arrivals', () => {
    const got: Buffer[] = [];
    setOneShot(h.s, RecvMode.Data, (_o: unknown, d: Buffer) => got.push(d), 40);
    expect(h.s.recvDedicated?.buf.length).toBe(40);
    for (let i = 0; i < 4; i++) put(h, String(i).repeat(10));
    expect(got).toHaveLength(1);
    expect(got[0].buffer).not.toBe(h.s.reader.buf.buffer);
    expect(got[0].toString()).toBe('0'.repeat(10) + '1'.repeat(10) + '2'.repeat(10) + '3'.repeat(10));
    expect(h.s.reader.pending).toBe(0);
  });

  test('one receive at a time: a second one-shot, or raw over a one-shot, throws ERR_XAS_RECV_PENDING', () => {
    setOneShot(h.s, RecvMode.Line, () => undefined, 0);
    expect(() => setOneShot(h.s, RecvMode.Data, () => undefined, 1)).toThrow(expect.objectContaining({ code: 'ERR_XAS_RECV_PENDING' }));
    expect(() => setRaw(h.s, () => 0, 0)).toThrow(/a receive \(Line\) is already pending/);
  });

  test('a closing connection takes no new receive (ERR_XAS_CLOSED)', () => {
    h.s.closing = true;
    expect(() => setOneShot(h.s, RecvMode.Line, () => undefined, 0)).toThrow(expect.objectContaining({ code: 'ERR_XAS_CLOSED' }));
  });

  test('a raw receiver sees every arrival and consumes what it returns; 0 keeps the bytes for later', () => {
    const seen: string[] = [];
    setRaw(h.s, (_o, buf, start, end) => {
      const text = buf.toString('latin1', start, end);
      seen.push(text);
      const at = text.indexOf(';');
      return at === -1 ? 0 : at + 1; // one message per ';'
    }, 0);
    put(h, 'ab');
    put(h, 'c;de;f');
    expect(seen).toEqual(['ab', 'abc;de;f', 'de;f', 'f']);
    expect(h.s.reader.pending).toBe(1);
    stopRaw(h.s);
    expect(h.s.recvMode).toBe(RecvMode.None);
  });

  test('a raw receiver that throws fails the connection; the error reaches onCallbackError', () => {
    setRaw(h.s, () => { throw new Error('parser lost'); }, 0);
    put(h, 'abc');
    expect(h.failures).toEqual([{ reason: XClosedReason.Error, err: new Error('parser lost') }]);
    expect(h.callbackErrors).toEqual([new Error('parser lost')]);
  });

  test('a raw receiver returning a bad count fails the connection; the error reaches onCallbackError', () => {
    setRaw(h.s, () => 99, 0);
    put(h, 'abc');
    expect(h.failures.map((f) => f.reason)).toEqual([XClosedReason.Error]);
    expect(String(h.callbackErrors[0])).toMatch(/a raw receiver must return an integer from 0 to 3, got 99/);
    expect(h.s.dispatching).toBe(false);
  });
});
