import { addressGroup, AddressLimits } from './address-limits';

test('addressGroup: IPv4 by prefix, IPv4-mapped IPv6 as IPv4, IPv6 by prefix (:: and embedded IPv4 expanded)', () => {
  expect(addressGroup('10.1.2.3', 32, 64)).toBe('10.1.2.3');
  expect(addressGroup('10.1.2.3', 24, 64)).toBe('10.1.2.0/24');
  expect(addressGroup('10.1.2.3', 0, 64)).toBe('0.0.0.0/0');
  expect(addressGroup('::ffff:10.1.2.3', 16, 64)).toBe('10.1.0.0/16');
  expect(addressGroup('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 32, 64)).toBe('2001:db8:1:2:0:0:0:0/64');
  expect(addressGroup('2001:db8::1', 32, 48)).toBe('2001:db8:0:0:0:0:0:0/48');
  expect(addressGroup('2001:db8:ffff::1', 32, 40)).toBe('2001:db8:ff00:0:0:0:0:0/40');
  expect(addressGroup('::1', 32, 128)).toBe('0:0:0:0:0:0:0:1/128');
  expect(addressGroup('fe80::1%eth0', 32, 64)).toBe('fe80:0:0:0:0:0:0:0/64');
  expect(addressGroup('64:ff9b::10.0.0.1', 32, 128)).toBe('64:ff9b:0:0:0:0:a00:1/128');
});

test('AddressLimits counts per group and refuses beyond max', () => {
  const l = new AddressLimits();
  l.max = 2;
  l.v6Prefix = 64;
  l.add('2001:db8::1');
  l.add('2001:db8::2');
  expect(l.admit('2001:db8::3')).toBe(false);
  expect(l.admit('2001:db9::3')).toBe(true);
  l.remove('2001:db8::1');
  expect(l.admit('2001:db8::3')).toBe(true);
  expect(l.refused).toBe(1);
});
