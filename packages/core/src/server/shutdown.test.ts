import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { stopOnSignals } from './shutdown';

// stopOnSignals acts on a whole process (signals, exit), so each case runs a small script in a child
// process, as an embedder's program runs: `node` on the built package (dist/, made by `tsc -b`).
const CORE = path.resolve(__dirname, '../../dist/index.js');

/**
 * The child: a server with a /slow route (answers after SLOW_MS), stopped by stopOnSignals with the
 * options in OPTS (JSON) plus, when EXTRA is set, a second "server" whose stop() rejects (EXTRA=reject)
 * or never settles (EXTRA=hang). It prints its URL, "slow started" when /slow is in flight, "stopped"
 * from onStopped.
 */
const SCRIPT = `
const { MicroWebSrv, stopOnSignals } = require(process.env.CORE);
async function main() {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  srv.logLevel = 'WARNING';
  srv.registerRoute(async (_s, req) => {
    console.log('slow started');
    await new Promise((r) => setTimeout(r, Number(process.env.SLOW_MS)));
    req.response.returnOk('slow done');
  }, 'GET', '/slow');
  await srv.startManaged();
  const extra = { reject: { stop: () => Promise.reject(new Error('boom')) }, hang: { stop: () => new Promise(() => {}) } }[process.env.EXTRA];
  stopOnSignals(extra ? [srv, extra] : srv, { ...JSON.parse(process.env.OPTS), onStopped: () => console.log('stopped') });
  console.log('listening on http://127.0.0.1:' + srv.address[1] + '/');
}
main();
`;

interface Child { url: string; output(): string; exited: Promise<number | null>; kill(sig: NodeJS.Signals): void; waitFor(text: string): Promise<void> }

function startChild(env: { OPTS?: object; EXTRA?: string; SLOW_MS?: number } = {}): Promise<Child> {
  const child = spawn(process.execPath, ['-e', SCRIPT], {
    env: { ...process.env, CORE, OPTS: JSON.stringify(env.OPTS ?? {}), EXTRA: env.EXTRA ?? '', SLOW_MS: String(env.SLOW_MS ?? 400) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (text: string): Promise<void> => {
    for (let i = 0; i < 500 && !out.includes(text); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!out.includes(text)) throw new Error(`no "${text}" in the child's output: ${out}`);
  };
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return waitFor('listening on').then(() => ({
    url: /http:\/\/\S+\//.exec(out)![0],
    output: () => out,
    exited,
    kill: (sig) => { child.kill(sig); },
    waitFor,
  }), (err) => { child.kill('SIGKILL'); throw err; });
}

test('SIGTERM: the in-flight response completes (drain), onStopped runs, exit code 0', async () => {
  const c = await startChild();
  const slow = fetch(c.url + 'slow');
  await c.waitFor('slow started');
  c.kill('SIGTERM');
  const res = await slow;
  expect([res.status, await res.text()]).toEqual([200, 'slow done']);
  expect(await c.exited).toBe(0);
  expect(c.output()).toContain('stopped');
});

test('SIGINT stops the same way; a signal not in `signals` is left alone', async () => {
  const c = await startChild({ OPTS: { signals: ['SIGINT'] } });
  c.kill('SIGINT');
  expect(await c.exited).toBe(0);
  const d = await startChild({ OPTS: { signals: ['SIGINT'] } });
  d.kill('SIGTERM'); // not handled: Node's default, killed by the signal (no exit code)
  expect(await d.exited).toBeNull();
});

test('a stop that rejects: the others still stop, the error is printed, exit code 1', async () => {
  const c = await startChild({ EXTRA: 'reject' });
  c.kill('SIGTERM');
  expect(await c.exited).toBe(1);
  expect(c.output()).toContain('stop failed: boom');
  expect(c.output()).toContain('stopped');
});

test('a second signal while stopping exits with 1 at once', async () => {
  const c = await startChild({ SLOW_MS: 30_000 });
  const slow = fetch(c.url + 'slow').catch(() => 'cut');
  await c.waitFor('slow started');
  const t0 = Date.now();
  c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  c.kill('SIGINT');
  expect(await c.exited).toBe(1);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(c.output()).toContain('SIGINT again while stopping');
  expect(await slow).toBe('cut');
});

test('timeoutSec: a stop that never settles ends in exit code 1 after the deadline', async () => {
  const c = await startChild({ EXTRA: 'hang', OPTS: { timeoutSec: 0.3 } });
  c.kill('SIGTERM');
  expect(await c.exited).toBe(1);
  expect(c.output()).toContain('stop did not finish within 0.3 s');
});

test('exit: false sets the exit code and lets Node exit by itself once the servers are stopped', async () => {
  const c = await startChild({ OPTS: { exit: false } });
  c.kill('SIGTERM');
  expect(await c.exited).toBe(0);
  expect(c.output()).toContain('stopped');
});

test('the returned function removes the handlers (once; calling it again does nothing)', () => {
  const before = process.listenerCount('SIGUSR2');
  const remove = stopOnSignals({ stop: async () => undefined }, { signals: ['SIGUSR2'] });
  expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
  remove();
  remove();
  expect(process.listenerCount('SIGUSR2')).toBe(before);
});

test('misuse throws ERR_MWS_INVALID_OPTION naming the option', () => {
  const srv = { stop: async () => undefined };
  const listeners = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
  const msg = (fn: () => unknown): string => {
    try { fn(); } catch (err) { return `${(err as { code?: string }).code}: ${(err as Error).message}`; }
    return 'no throw';
  };
  expect(msg(() => stopOnSignals([]))).toMatch(/^ERR_MWS_INVALID_OPTION: stopOnSignals servers must be a server or a non-empty array/);
  expect(msg(() => stopOnSignals({} as never))).toMatch(/stopOnSignals servers must be .* got "an object without stop\(\)"/);
  expect(msg(() => stopOnSignals(srv, { signals: [] }))).toMatch(/stopOnSignals signals must be a non-empty array/);
  expect(msg(() => stopOnSignals(srv, { signals: ['SIGKILL'] }))).toMatch(/stopOnSignals signals .* got "SIGKILL"/);
  expect(msg(() => stopOnSignals(srv, { signals: ['SIGNOPE' as NodeJS.Signals] }))).toMatch(/got "SIGNOPE"/);
  expect(msg(() => stopOnSignals(srv, { timeoutSec: 0 }))).toMatch(/stopOnSignals timeoutSec must be a number of seconds above 0/);
  expect(msg(() => stopOnSignals(srv, { onStopped: 'x' as never }))).toMatch(/stopOnSignals onStopped must be a function/);
  expect(msg(() => stopOnSignals(srv, { exit: 'yes' as never }))).toMatch(/stopOnSignals exit must be true or false, got "yes"/);
  // Nothing was registered by the calls that threw.
  expect(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM')).toBe(listeners);
});
