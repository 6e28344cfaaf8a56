import { MwsError } from '@microwebsrv/core';
import { encodeComment, encodeEvent } from './wire';

describe('the text/event-stream wire format (HTML §9.2.6)', () => {
  test('data is split on CRLF, LF and CR into data lines', () => {
    expect(encodeEvent({ data: 'a\r\nb\nc\rd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeEvent({ data: '' })).toBe('data: \n\n');
    expect(encodeEvent({ data: ' lead' })).toBe('data:  lead\n\n'); // the parser strips one space only
  });

  test('event, id, retry and JSON data', () => {
    expect(encodeEvent({ event: 'tick', id: 7, retry: 1500, data: { n: 1 } })).toBe('event: tick\nid: 7\nretry: 1500\ndata: {"n":1}\n\n');
    expect(encodeEvent({ retry: 10 })).toBe('retry: 10\n\n');
    expect(encodeEvent({ data: Buffer.from('héllo') })).toBe('data: héllo\n\n');
  });

  test.each([
    [{ data: 'x', event: 'a\nb' }, /send event must be a string .*without CR, LF or NUL/],
    [{ data: 'x', id: 'a\rb' }, /send id must be/],
    [{ data: 'x', id: 'a\0b' }, /send id must be/],
    [{ data: 'x', retry: -1 }, /send retry must be an integer number of milliseconds/],
    [{ data: 'x', retry: 1.5 }, /send retry must be/],
    [{ event: 'x' }, /send data must be present/],
    [{ data: () => 1 }, /send data must be a string, bytes, or a value JSON can encode/],
  ])('misuse throws before anything is sent: %j', (m, re) => {
    expect(() => encodeEvent(m as never)).toThrow(MwsError);
    expect(() => encodeEvent(m as never)).toThrow(re);
  });

  test('comments', () => {
    expect(encodeComment('')).toBe(':\n\n');
    expect(encodeComment('one\r\ntwo')).toBe(': one\n: two\n\n');
  });
});
