import { RouteTable } from './route-table';

/**
 * The lookup cost must not grow with the number of routes. Rather than timing (see
 * bench/src/routes-bench.js), count the operations one `find` performs — Map lookups and RegExp tests —
 * with 10 and with 1,000 routes: a linear scan would multiply them; the Map + tree keeps them equal.
 */
function opsOf(fn: () => unknown): { maps: number; regexps: number; result: unknown } {
  const maps = jest.spyOn(Map.prototype, 'get');
  const regexps = jest.spyOn(RegExp.prototype, 'test');
  try {
    const result = fn();
    return { maps: maps.mock.calls.length, regexps: regexps.mock.calls.length, result };
  } finally {
    maps.mockRestore();
    regexps.mockRestore();
  }
}

function table(n: number): RouteTable {
  const t = new RouteTable();
  for (let i = 0; i < n; i++) {
    t.add(() => i, 'GET', `/static/r${i}/page`);
    t.add(() => i, 'GET', `/api/r${i}/<id>/items/<n:int>`);
    t.add(() => i, 'PUT', `/shape/<id>/s${i}`);
    t.add(() => i, 'GET', `/typed/<v:float>/x${i}`);
  }
  t.add(() => 'rest', 'GET', '/files/<p:path>');
  return t;
}

const small = table(10);
const large = table(1000);

test.each([
  ['a static route', 'GET', '/static/r9/page'],
  ['a static miss', 'GET', '/static/nope/page'],
  ['a parametrised route', 'GET', '/api/r9/abc/items/42'],
  ['a parametrised route, encoded', 'GET', '/api/r9/a%2Fb/items/42'],
  ['a route behind a shared argument', 'PUT', '/shape/xyz/s9'],
  ['a typed route', 'GET', '/typed/1.5/x9'],
  ['a path rest', 'GET', '/files/a/b/c'],
  ['a parametrised miss', 'GET', '/api/r9/abc/items/notanint'],
])('%s: the same operations with 10 and 1,000 routes', (_what, method, path) => {
  const a = opsOf(() => small.find(method, path));
  // Another path in between: the same path again would find its split and decoding kept by the probe
  // (route-probe.ts), which is not what is compared here.
  small.find('GET', '/elsewhere');
  const b = opsOf(() => large.find(method, path));
  // The all-static Map is skipped for a path no static pattern is as long as: a larger table has more
  // lengths, so it may make that one lookup more. Never more than one.
  expect(b.maps - a.maps).toBeGreaterThanOrEqual(0);
  expect(b.maps - a.maps).toBeLessThanOrEqual(1);
  expect(b.regexps).toBe(a.regexps);
  expect(b.maps).toBeGreaterThan(0); // the spy sees the lookups
  expect(b.maps).toBeLessThan(15);
  expect(b.result === null).toBe(a.result === null);
});

test('allowedMethods does not grow with the number of routes either', () => {
  const a = opsOf(() => small.allowedMethods('/shape/xyz/s9'));
  const b = opsOf(() => large.allowedMethods('/shape/xyz/s9'));
  expect(b.result).toEqual(['PUT']);
  expect(b.maps).toBe(a.maps);
});
