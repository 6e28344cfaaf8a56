/**
 * The negotiation rules of negotiate.ts on field values alone (no server: the fields reach HttpRequest
 * as strings, see http-request.test.ts for the same through a real connection).
 */
import {
  negotiateEncoding, negotiateLanguage, negotiateMediaType, parseAccept, parseAcceptEncoding, parseAcceptLanguage, sortedValues,
} from './negotiate';

const accept = (v: string) => sortedValues(parseAccept(v));
const languages = (v: string) => sortedValues(parseAcceptLanguage(v));
const encodings = (v: string) => sortedValues(parseAcceptEncoding(v));

describe('weights (RFC 9110 §12.4.2)', () => {
  test('sorted by q; no weight is q=1; q=0 is left out', () => {
    expect(accept('a/a;q=0.5, b/b, c/c;q=0, d/d;q=0.75')).toEqual(['b/b', 'd/d', 'a/a']);
    expect(parseAccept('a/a;q=0.5, b/b').map((p) => p.q)).toEqual([0.5, 1]);
  });

  test('equal weights keep the client order', () => {
    expect(encodings('deflate, gzip;q=0.8, br, zstd;q=0.8')).toEqual(['deflate', 'br', 'gzip', 'zstd']);
    expect(languages('de, fr, en')).toEqual(['de', 'fr', 'en']);
  });

  test.each([
    ['q=1.0', 1], ['q=1.000', 1], ['q=0', 0], ['q=0.', 0], ['q=0.001', 0.001], ['Q=0.5', 0.5], ['q = 0.5', 0.5], ['q="0.5"', 0.5],
  ])('a valid qvalue: %s', (w, q) => {
    expect(parseAcceptEncoding(`gzip;${w}`).map((p) => p.q)).toEqual([q]);
  });

  test.each(['q=1.5', 'q=2', 'q=0.5555', 'q=1.001', 'q=-0', 'q=.5', 'q=high', 'q=', 'q', 'q=0.5 x'])('a malformed weight (%s) drops the member', (w) => {
    expect(encodings(`gzip;${w}, br`)).toEqual(['br']);
    expect(accept(`text/html;${w}, text/plain`)).toEqual(['text/plain']);
  });

  test('a value listed twice counts once, at its lowest weight: a refusal cannot be undone', () => {
    expect(encodings('gzip, br;q=0.5, gzip;q=0.1')).toEqual(['br', 'gzip']);
    expect(encodings('gzip, gzip;q=0')).toEqual([]);
    expect(accept('text/html;level=1;q=0, text/html;q=0.5, a/b;q=0.4')).toEqual(['text/html', 'a/b']); // another member
    expect(accept('text/html;level=1, text/html;LEVEL=1;q=0')).toEqual([]); // the same member
  });

  test('empty elements, whitespace and junk members are skipped', () => {
    expect(accept(' , text/html ,, nonsense, /x, */html, text/, application/json ;q=0.9 ')).toEqual(['text/html', 'application/json']);
    expect(accept('')).toEqual([]);
    expect(languages('en_US, 123, en-, en-US-x-verylongsubtag, fr')).toEqual(['fr']);
  });
});

describe('Accept (§12.5.1)', () => {
  test('specificity orders equal weights: type/subtype with parameters, type/subtype, type/*, */*', () => {
    expect(accept('*/*, text/*, text/html, text/html;level=1')).toEqual(['text/html', 'text/*', '*/*']);
    expect(parseAccept('*/*, text/*, text/html, text/html;level=1').map((p) => p.specificity)).toEqual([0, 1, 2, 3]);
  });

  test('values are lower-cased, parameters kept apart (quoted ones with commas included)', () => {
    const [p] = parseAccept('Text/HTML; Charset="UTF-8, really"; q=0.5');
    expect(p).toMatchObject({ value: 'text/html', q: 0.5, params: [['charset', 'utf-8, really']] });
    expect(accept('text/html;a="x,y", b/c')).toEqual(['text/html', 'b/c']);
  });

  test('parameters after q (RFC 7231 accept-ext) are ignored', () => {
    expect(parseAccept('text/html;q=0.4;ext=1')[0]).toMatchObject({ q: 0.4, params: [] });
  });

  test('acceptsType: the best candidate, or null; the most specific member decides', () => {
    const h = 'text/*;q=0.3, text/html;q=0.7, text/html;level=1, text/html;level=2;q=0.4, */*;q=0.5';
    // RFC 9110 §12.5.1's own example.
    expect(negotiateMediaType(h, ['text/html;level=1'])).toBe('text/html;level=1');
    expect(negotiateMediaType(h, ['text/html'])).toBe('text/html');
    expect(negotiateMediaType(h, ['text/plain', 'image/jpeg'])).toBe('image/jpeg'); // 0.3 vs 0.5
    expect(negotiateMediaType(h, ['text/html;level=2', 'text/plain'])).toBe('text/html;level=2'); // 0.4 vs 0.3
    expect(negotiateMediaType('text/*, text/plain;q=0', ['text/plain'])).toBeNull();
    expect(negotiateMediaType('text/*, text/plain;q=0', ['text/plain', 'text/css'])).toBe('text/css');
    expect(negotiateMediaType('application/json', ['text/html'])).toBeNull();
  });

  test('acceptsType ties: the more specific member, then the client order, then the candidates order', () => {
    expect(negotiateMediaType('*/*, text/html', ['application/json', 'text/html'])).toBe('text/html');
    expect(negotiateMediaType('application/json, text/html', ['text/html', 'application/json'])).toBe('application/json');
    expect(negotiateMediaType('*/*', ['text/html', 'application/json'])).toBe('text/html');
    expect(negotiateMediaType('TEXT/HTML', ['text/html; charset=utf-8'])).toBe('text/html; charset=utf-8');
  });

  test('acceptsType: no field accepts anything, an empty or junk field nothing', () => {
    expect(negotiateMediaType(undefined, ['application/json', 'text/html'])).toBe('application/json');
    expect(negotiateMediaType(undefined, [])).toBeNull();
    expect(negotiateMediaType('', ['text/html'])).toBeNull();
    expect(negotiateMediaType('junk', ['text/html'])).toBeNull();
  });

  test.each([['text/*'], ['*/*'], ['html'], [''], ['text/html;q=0.5'], ['a/b, c/d'], [7]])('acceptsType refuses the candidate %p', (c) => {
    expect(() => negotiateMediaType('*/*', [c as string])).toThrow(expect.objectContaining({ code: 'ERR_MWS_INVALID_OPTION', message: expect.stringContaining('acceptsType types member') }));
  });

  test('acceptsType refuses a list that is not an array', () => {
    expect(() => negotiateMediaType('*/*', 'text/html' as unknown as string[])).toThrow(/acceptsType types must be an array/);
  });
});

describe('Accept-Language (§12.5.4)', () => {
  test('more subtags is more specific; case is kept', () => {
    expect(languages('*, en, en-US')).toEqual(['en-US', 'en', '*']);
    expect(parseAcceptLanguage('*, en, en-US, zh-Hant-TW').map((p) => p.specificity)).toEqual([0, 1, 2, 3]);
  });

  test('acceptsLanguage: basic filtering, case-insensitive', () => {
    const h = 'fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5';
    expect(negotiateLanguage(h, ['en-US', 'fr'])).toBe('fr');
    expect(negotiateLanguage(h, ['fr-ch', 'fr'])).toBe('fr-ch');
    expect(negotiateLanguage(h, ['ja'])).toBe('ja'); // through *
    expect(negotiateLanguage('en-US', ['en'])).toBeNull(); // a range matches longer tags, not shorter ones
    expect(negotiateLanguage('en', ['english', 'en-GB'])).toBe('en-GB'); // 'english' is not 'en-'
    expect(negotiateLanguage('en, en-GB;q=0', ['en-GB', 'en-AU'])).toBe('en-AU');
    expect(negotiateLanguage(undefined, ['de', 'en'])).toBe('de');
  });

  test('acceptsLanguage refuses ranges and junk as candidates', () => {
    for (const c of ['*', 'en_US', '']) expect(() => negotiateLanguage('en', [c])).toThrow(/acceptsLanguage languages member/);
  });
});

describe('Accept-Encoding (§12.5.3)', () => {
  test('codings are lower-cased; x-gzip is gzip', () => {
    expect(encodings('GZIP, x-gzip;q=0.5, X-Compress;q=0.2')).toEqual(['gzip', 'compress']);
    expect(negotiateEncoding('x-gzip', ['gzip'])).toBe('gzip');
  });

  test('acceptsEncoding: the best named coding; * covers the unnamed', () => {
    expect(negotiateEncoding('gzip;q=0.8, br', ['gzip', 'br'])).toBe('br');
    expect(negotiateEncoding('gzip, br', ['br', 'gzip'])).toBe('gzip'); // equal q: the client order
    expect(negotiateEncoding('*;q=0.5, gzip', ['zstd', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('*;q=0.5, gzip;q=0', ['gzip', 'zstd'])).toBe('zstd');
    expect(negotiateEncoding('gzip', ['br'])).toBeNull();
  });

  test('identity: acceptable unless identity;q=0, or *;q=0 without an identity member; ranked last when not named', () => {
    expect(negotiateEncoding('gzip;q=0.001', ['identity', 'gzip'])).toBe('gzip');
    expect(negotiateEncoding('br', ['identity'])).toBe('identity');
    expect(negotiateEncoding('identity;q=0', ['identity'])).toBeNull();
    expect(negotiateEncoding('*;q=0', ['identity'])).toBeNull();
    expect(negotiateEncoding('*;q=0, identity;q=0.1', ['identity'])).toBe('identity');
    expect(negotiateEncoding('*;q=0.5', ['identity', 'gzip'])).toBe('identity'); // * names it: equal q, candidates order
    expect(negotiateEncoding('identity, gzip', ['gzip', 'identity'])).toBe('identity');
  });

  test('no field or an empty one: identity only', () => {
    expect(negotiateEncoding(undefined, ['gzip', 'identity'])).toBe('identity');
    expect(negotiateEncoding('', ['gzip', 'identity'])).toBe('identity');
    expect(negotiateEncoding(undefined, ['gzip'])).toBeNull();
  });

  test('acceptsEncoding refuses * and non-tokens as candidates', () => {
    for (const c of ['*', 'g zip', '']) expect(() => negotiateEncoding('gzip', [c])).toThrow(/acceptsEncoding encodings member/);
  });
});
