import { LoginRateLimit } from './rate-limit';
import { hostName, isLoopbackAddress, isLoopbackHost } from './guard';
import { checkOptions } from './options';
import { OutputGate } from './output-gate';
import { PassThrough } from 'node:stream';

test('loopback addresses and host names', () => {
  for (const a of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'fe80::1', '', 'localhost']) expect(isLoopbackAddress(a)).toBe(false);
  for (const h of ['localhost:8080', 'LOCALHOST', 'app.localhost', '127.0.0.1:1', '[::1]:8080']) expect(isLoopbackHost(h)).toBe(true);
  for (const h of ['evil.example', 'localhost.evil.example', '10.0.0.1', '[fe80::1]', '']) expect(isLoopbackHost(h)).toBe(false);
  expect(hostName('[::1]:80')).toBe('[::1]');
});

test('rate limit: doubling back-off, lock-out, bounded table, success forgets', () => {
  let now = 0;
  const l = new LoginRateLimit({ maxAttempts: 3, backoffMs: 1000, lockoutSec: 60 }, () => now);
  expect(l.fail('a')).toEqual({ failures: 1, waitMs: 1000, lockedOut: false });
  expect(l.waitMs('a')).toBe(1000);
  now = 1000;
  expect(l.waitMs('a')).toBe(0);
  expect(l.fail('a')).toEqual({ failures: 2, waitMs: 2000, lockedOut: false });
  now = 3000;
  expect(l.fail('a')).toEqual({ failures: 3, waitMs: 60000, lockedOut: true });
  now = 62_999;
  expect(l.waitMs('a')).toBe(1);
  now = 63_000;
  expect(l.waitMs('a')).toBe(0);
  expect(l.fail('a').failures).toBe(1);              // after a lock-out the count starts afresh
  l.succeed('a');
  expect(l.waitMs('a')).toBe(0);
  for (let i = 0; i < 10_050; i++) l.fail(`x${i}`);
  expect(l.size).toBe(10_000);
});

test('options: a password is required and never shown; every option is checked', () => {
  const msg = (o: unknown): string => { try { checkOptions(o); } catch (e) { return (e as Error).message; } return 'ok'; };
  expect(msg(undefined)).toMatch(/WebSocketRepl options must be/);
  expect(msg({})).toMatch(/WebSocketRepl password must be a string of 8 characters or more/);
  expect(msg({ password: 'short' })).toBe('WebSocketRepl password must be a string of 8 characters or more (the REPL never runs without one), got a string');
  const ok = { password: 'long enough' };
  expect(msg({ ...ok, path: 'repl' })).toMatch(/WebSocketRepl path/);
  expect(msg({ ...ok, origins: ['evil'] })).toMatch(/WebSocketRepl origins/);
  expect(msg({ ...ok, plainHttp: 'yes' })).toMatch(/WebSocketRepl plainHttp/);
  expect(msg({ ...ok, idleTimeoutSec: -1 })).toMatch(/WebSocketRepl idleTimeoutSec must be an integer from 0/);
  expect(msg({ ...ok, context: 42 })).toMatch(/WebSocketRepl context/);
  expect(msg({ ...ok, websockets: {} })).toMatch(/WebSocketRepl websockets/);
  expect(msg(ok)).toBe('ok');
});

test('output gate: pieces of at most 16 Ki characters, surrogate pairs kept whole, drops beyond the bound with one notice', async () => {
  const target = new PassThrough({ decodeStrings: false, encoding: 'utf8', highWaterMark: 1024 });
  let congested = 0;
  const gate = new OutputGate(target, 40 * 1024, 80, () => { congested++; });
  const big = 'a'.repeat(16 * 1024 - 1) + '😀' + 'b'.repeat(100 * 1024);
  gate.write(big);
  await new Promise((r) => setImmediate(r));
  expect(congested).toBe(1);
  expect(gate.dropped).toBeGreaterThan(50 * 1024);
  const pieces: string[] = [];
  target.on('data', (d: string) => pieces.push(d));
  await new Promise((r) => setTimeout(r, 20));
  expect(pieces[0]).toBe('a'.repeat(16 * 1024 - 1));       // the pair went to the next piece
  expect(pieces.join('')).toContain('characters of output dropped');
  expect(gate.dropped).toBe(0);
});
