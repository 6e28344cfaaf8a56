import { formatHttpDate, httpDate } from './date';
import { HttpError, HttpErrors, type HttpErrorCode } from './errors';
import { REASON_PHRASES, errorResponse, errorResponseFor, preEncodedResponse } from './responses';

const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe('date', () => {
  test('IMF-fixdate of the RFC 9110 example', () => {
    expect(formatHttpDate(Date.UTC(1994, 10, 6, 8, 49, 37))).toBe('Sun, 06 Nov 1994 08:49:37 GMT');
  });

  test('current date has the IMF-fixdate shape', () => {
    expect(httpDate()).toMatch(IMF_FIXDATE);
  });

  test('cached within a second, recomputed when the second changes', () => {
    const t = Date.UTC(2030, 0, 2, 3, 4, 5);
    const a = httpDate(t);
    expect(httpDate(t + 999)).toBe(a);
    expect(httpDate(t + 1000)).toBe('Wed, 02 Jan 2030 03:04:06 GMT');
  });
});

describe('error catalogue', () => {
  test.each(Object.keys(HttpErrors) as HttpErrorCode[])('%s has a status with a pre-encoded response', (code) => {
    const err = new HttpError(code);
    expect(err.code).toBe(code);
    expect(err.status).toBe(HttpErrors[code].status);
    expect(err.message).toBe(HttpErrors[code].reason);
    expect(err).toBeInstanceOf(Error);
    expect(REASON_PHRASES[err.status]).toBeDefined();
  });

  test('detail is appended to the message', () => {
    expect(new HttpError('ERR_MWS_BAD_HEADER', 'x-a').message).toBe('malformed header field: x-a');
  });
});

describe('pre-encoded responses', () => {
  const now = Date.UTC(2031, 5, 7, 8, 9, 10);

  test('full response bytes', () => {
    expect(errorResponse(400, now)).toBe(
      'HTTP/1.1 400 Bad Request\r\nDate: Sat, 07 Jun 2031 08:09:10 GMT\r\nContent-Type: text/plain\r\n' +
      'Content-Length: 11\r\nConnection: close\r\n\r\nBad Request');
  });

  test.each(Object.keys(REASON_PHRASES).map(Number))('%i: status line, Content-Length matches the body', (status) => {
    const text = errorResponse(status, now);
    const [head, body] = text.split('\r\n\r\n');
    expect(head!.startsWith(`HTTP/1.1 ${status} ${REASON_PHRASES[status]}\r\n`)).toBe(true);
    expect(head).toContain('\r\nConnection: close');
    expect(head).toMatch(/\r\nDate: [^\r]+ GMT\r\n/);
    expect(Number(/Content-Length: (\d+)/.exec(head!)![1])).toBe(Buffer.byteLength(body!, 'latin1'));
  });

  test('cached per second; Buffer form equals the string', () => {
    const r = preEncodedResponse(503);
    const a = r.toString(now);
    expect(r.toString(now + 500)).toBe(a);
    expect(r.toBuffer(now + 500).toString('latin1')).toBe(a);
    const b = r.toString(now + 1000);
    expect(b).not.toBe(a);
    expect(r.toBuffer(now + 1000).toString('latin1')).toBe(b);
  });

  test('answers an HttpError by its status', () => {
    expect(errorResponseFor(new HttpError('ERR_MWS_HEADERS_TOO_LARGE'), now)).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  test('unknown status is a RangeError', () => {
    expect(() => preEncodedResponse(299)).toThrow(RangeError);
  });
});
