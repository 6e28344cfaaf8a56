/**
 * json-writer.ts against JSON.stringify, byte for byte: generated values (every string escape class,
 * surrogates, non-ASCII, numbers of every form, nested and sparse containers, toJSON, skipped members),
 * explicit cases, the values it leaves to JSON.stringify (-1), and a buffer too small at every length.
 */
import * as fc from 'fast-check';
import { MAX_DEPTH, writeJson } from './json-writer';

const buf = Buffer.alloc(1 << 20);

/** The writer's bytes, or null when it gave up. */
function written(v: unknown, into: Buffer = buf): Buffer | null {
  const n = writeJson(v, into, 0);
  return n < 0 ? null : Buffer.from(into.subarray(0, n));
}

function expectSame(v: unknown): void {
  const got = written(v);
  const want = Buffer.from(JSON.stringify(v), 'utf8');
  if (got === null || !got.equals(want)) {
    // The message shows both texts: a failure names the value.
    expect({ value: JSON.stringify(v), got: got?.toString('utf8') ?? null }).toEqual({ value: JSON.stringify(v), got: want.toString('utf8') });
  }
}

/** mulberry32: a seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHAR_CLASSES: Array<(r: () => number) => string> = [
  (r) => String.fromCharCode(0x20 + Math.floor(r() * 0x5f)), // printable ASCII (with " and \)
  (r) => String.fromCharCode(Math.floor(r() * 0x20)), // controls: \b \f \n \r \t and \u00xx
  () => '"', () => '\\', () => '\x7f',
  (r) => String.fromCharCode(0x80 + Math.floor(r() * 0x780)), // 2-byte UTF-8
  (r) => String.fromCharCode(0x800 + Math.floor(r() * 0xd000)), // 3-byte UTF-8 below the surrogates
  (r) => String.fromCharCode(0xe000 + Math.floor(r() * 0x2000)), // 3-byte UTF-8 above them
  (r) => String.fromCodePoint(0x10000 + Math.floor(r() * 0xfffff)), // a surrogate pair (4 bytes)
  (r) => String.fromCharCode(0xd800 + Math.floor(r() * 0x400)), // a lone high surrogate
  (r) => String.fromCharCode(0xdc00 + Math.floor(r() * 0x400)), // a lone low surrogate
  () => '\u2028', () => '\u2029', () => '\ufeff',
];

function genString(r: () => number): string {
  const long = r() < 0.1;
  const n = Math.floor(r() * (long ? 200 : 12));
  const plain = r() < 0.4; // plain ASCII strings (the writer's fast path), some longer than its loop
  let s = '';
  for (let i = 0; i < n; i++) s += plain ? String.fromCharCode(0x20 + Math.floor(r() * 0x5f)).replace(/["\\]/, 'q') : CHAR_CLASSES[Math.floor(r() * CHAR_CLASSES.length)](r);
  return s;
}

const NUMBERS = [0, -0, 1, -1, 7, 10, 99, 100, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 64,
  1e21, 1e20, 123e20, -1e21, 1e-6, 1e-7, 1.5e-7, 0.1, 0.1 + 0.2, -3.75, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE,
  Number.EPSILON, NaN, Infinity, -Infinity, 5e-324, 999999999999999, 1234567890123456];

function genNumber(r: () => number): number {
  const k = r();
  if (k < 0.3) return NUMBERS[Math.floor(r() * NUMBERS.length)];
  if (k < 0.6) return Math.floor((r() - 0.5) * 2 ** Math.floor(r() * 54)); // integers of every size
  if (k < 0.8) return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
  return Math.floor(r() * 1000);
}

class MyArray extends Array<unknown> {}
class Point { constructor(public x: number, public y: number) {} get len(): number { return Math.hypot(this.x, this.y); } }

function genValue(r: () => number, depth: number): unknown {
  const k = r();
  if (depth > 5 || k < 0.45) {
    const p = r();
    if (p < 0.35) return genString(r);
    if (p < 0.7) return genNumber(r);
    if (p < 0.78) return r() < 0.5;
    if (p < 0.84) return null;
    if (p < 0.88) return undefined;
    if (p < 0.9) return () => 1;
    if (p < 0.92) return Symbol('s');
    if (p < 0.95) return new Date(Math.floor(r() * 4e12));
    if (p < 0.97) return { toJSON: (key: string) => `key:${key}` };
    return new Point(genNumber(r), genNumber(r));
  }
  if (k < 0.7) {
    const n = Math.floor(r() * 6);
    const a: unknown[] = [];
    for (let i = 0; i < n; i++) a.push(genValue(r, depth + 1));
    if (r() < 0.1) a[n + 2] = genValue(r, depth + 1); // holes: written null
    return a;
  }
  const o: Record<string, unknown> = r() < 0.1 ? Object.create(null) as Record<string, unknown> : {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const q = r();
    const key = q < 0.15 ? String(Math.floor(r() * 20)) : q < 0.3 ? genString(r) : `k${Math.floor(r() * 8)}`;
    o[key] = genValue(r, depth + 1);
  }
  return o;
}

test('5,000 generated values: the same bytes as Buffer.from(JSON.stringify(v))', () => {
  const r = rng(19);
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    const v = genValue(r, 0);
    const got = written(v);
    const text = JSON.stringify(v);
    if (text === undefined) { expect(got).toBeNull(); continue; } // undefined at the top: the caller's fallback
    accepted++;
    expectSame(v);
  }
  expect(accepted).toBeGreaterThan(3500);
});

test('fast-check anything(): accepted values give the bytes of JSON.stringify; what it throws on gives -1', () => {
  let accepted = 0;
  fc.assert(fc.property(fc.anything({
    withBoxedValues: true, withMap: true, withSet: true, withObjectString: true, withNullPrototype: true, withBigInt: true,
    withDate: true, withTypedArray: true, withSparseArray: true, withUnicodeString: true, maxDepth: 4,
  }), (v) => {
    let text: string | undefined;
    try { text = JSON.stringify(v); } catch { expect(writeJson(v, buf, 0)).toBe(-1); return; }
    const n = writeJson(v, buf, 0);
    if (n < 0) return; // left to JSON.stringify (boxed values, undefined at the top)
    accepted++;
    expect(buf.toString('utf8', 0, n)).toBe(text);
    expect(buf.subarray(0, n).equals(Buffer.from(text!, 'utf8'))).toBe(true);
  }), { numRuns: 2000, seed: 19 });
  expect(accepted).toBeGreaterThan(1000);
});

test('explicit cases', () => {
  const cases: unknown[] = [
    {}, [], '', 'a', 0, -0, true, false, null, [[]], [{}], { a: {} },
    '"\\\b\f\n\r\t\x00\x01\x1f\x7f', '\ud800', '\udfff', '\ud83d\ude00', '\ude00\ud83d', 'x\ud800', 'é', '€', '\u{10ffff}',
    'a'.repeat(24), 'a'.repeat(25), 'long ascii string beyond the loop limit of the writer',
    { 2: 'b', 1: 'a', z: 1, 10: 'c', y: 2 }, // integer keys first, ascending, then insertion order
    { b: undefined, c: () => 1, d: Symbol('x'), e: 1 }, [undefined, () => 1, Symbol('x')],
    [1, , 3], new Array(3), // eslint-disable-line no-sparse-arrays
    { date: new Date(0) }, [new Date(86400000)],
    { nested: { toJSON: (k: string) => ({ key: k, inner: { toJSON: () => 'inner' } }) } },
    [{ toJSON: (k: string) => k }, { toJSON: (k: string) => k }],
    { x: { toJSON: () => undefined }, y: 1 }, [{ toJSON: () => undefined }],
    new Point(3, 4), Object.assign(Object.create({ inherited: 1 }) as object, { own: 2 }),
    Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false }),
    { [Symbol('k')]: 1, s: 2 }, new Map([[1, 2]]), new Set([1]), new Uint8Array([1, 2]), /re/g, new Error('e'),
    Buffer.from('hi'), { get g() { return 'getter'; } }, MyArray.from([1, 'x']),
    { id: 42, name: 'user 42', double: 84 }, { name: 'abc', n: 42, double: 84 },
  ];
  for (const v of cases) expectSame(v);
});

test('what it leaves to JSON.stringify: -1', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  let deep: unknown = 1;
  for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
  let atLimit: unknown = 1;
  for (let i = 0; i < MAX_DEPTH; i++) atLimit = { a: atLimit };
  for (const v of [undefined, () => 1, Symbol('s'), 1n, { a: 1n }, [1n], cyclic, deep,
    new Number(1), new String('ab'), new Boolean(false), Object(1n), { n: new String('x') }, // eslint-disable-line no-new-wrappers
    new Proxy({ a: 1 }, {}), new Proxy([1], {}),
    Object.assign(() => 1, { toJSON: () => 'fn' }), { f: Object.assign(() => 1, { toJSON: () => 'fn' }) }]) {
    expect(writeJson(v, buf, 0)).toBe(-1);
  }
  expectSame(atLimit); // MAX_DEPTH levels are written
});

test('a buffer too small at any length gives -1; exactly large enough gives its end', () => {
  const v = { s: 'é\n"x\ud800\ud83d\ude00', n: [-12345, 1.5, 1e21, null, true], o: { k: 'v'.repeat(30) }, d: new Date(0) };
  const want = Buffer.from(JSON.stringify(v), 'utf8');
  for (let size = 0; size < want.length; size++) expect(writeJson(v, Buffer.alloc(size), 0)).toBe(-1);
  const exact = Buffer.alloc(want.length);
  expect(writeJson(v, exact, 0)).toBe(want.length);
  expect(exact.equals(want)).toBe(true);
  // From an offset: the bytes before it untouched.
  const at = Buffer.alloc(want.length + 5, 0x2e);
  expect(writeJson(v, at, 5)).toBe(want.length + 5);
  expect(at.subarray(0, 5).toString()).toBe('.....');
  expect(at.subarray(5).equals(want)).toBe(true);
});
