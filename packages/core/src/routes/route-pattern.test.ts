import { Kind, convertArg, decodePathRest, kindValue, parsePattern, toInt } from './route-pattern';

test('toInt: optional sign and ASCII digits, exact values only', () => {
  expect(['0', '007', '+5', '-5', '-0', '123456789012345', '9007199254740991', '0000000000000000001'].map(toInt))
    .toEqual([0, 7, 5, -5, 0, 123456789012345, 9007199254740991, 1]);
  expect(Object.is(toInt('-0'), -0)).toBe(false);
  for (const bad of ['', '+', '-', '1.0', '1e3', ' 1', '1_000', '٣', '0x10', '9007199254740993']) expect(toInt(bad)).toBeUndefined();
});

test('kindValue: what each kind accepts and delivers; empty is refused by all', () => {
  expect(kindValue(Kind.Digit, '0042')).toBe('0042');
  expect(kindValue(Kind.Digit, '+42')).toBeUndefined();
  expect(kindValue(Kind.Int, '-42')).toBe(-42);
  expect(kindValue(Kind.Float, '.5')).toBe(0.5);
  expect(kindValue(Kind.Float, '1.')).toBeUndefined();
  expect(kindValue(Kind.Float, 'NaN')).toBeUndefined();
  expect(kindValue(Kind.Float, 'Infinity')).toBeUndefined();
  expect(kindValue(Kind.Segment, 'a b')).toBe('a b');
  for (const k of [Kind.Digit, Kind.Int, Kind.Float, Kind.Segment]) expect(kindValue(k, '')).toBeUndefined();
  expect([convertArg('plain', '12'), convertArg('plain', '1x'), convertArg('string', '12')]).toEqual([12, '1x', '12']);
});

test('decodePathRest: decoded pieces joined by "/"; dot segments, hidden slashes, leading "/" and bad escapes refused', () => {
  expect(decodePathRest(['x', 'a', 'b%20c'], 1)).toBe('a/b c');
  expect(decodePathRest(['a', ''], 0)).toBe('a/');
  for (const bad of [['..'], ['a', '.'], ['%2E%2E'], ['a%2Fb'], ['', 'a'], ['%E0%A4'], []]) expect(decodePathRest(bad, 0)).toBeNull();
});

test('parsePattern: segments, types, names as written', () => {
  const p = parsePattern('/Users/<userId>/<n:int>/<s:str>/<rest:path>');
  expect(p.args).toEqual([{ name: 'userId', type: 'plain' }, { name: 'n', type: 'int' }, { name: 's', type: 'string' }, { name: 'rest', type: 'path' }]);
  expect(p.segments[0]).toEqual({ arg: null, text: 'Users', encoded: 'Users' });
  expect(parsePattern('/').segments).toEqual([]);
  expect(() => parsePattern('/<__proto__>')).toThrow(/argument name/);
});
