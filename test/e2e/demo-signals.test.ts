import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawnServer } from '../support/spawn-server';

// How the demo stops. Ctrl-C and SIGTERM (kill, systemd, Docker) drain it and exit 0; and stopping the
// `npx -y pnpm@10.34.9 demo` of the README's quick start, or the pnpm under it, with SIGTERM must not
// leave `node demo/main.js` running on its port (neither forwards the signal to it: the demo watches
// the processes that started it). The process tree is read from /proc: Linux only.
const ROOT = path.resolve(__dirname, '../..');
const DEMO = path.join(ROOT, 'demo/main.js');
const PNPM = 'pnpm@10.34.9'; // the README's pinned pnpm
jest.setTimeout(90_000);

test('SIGTERM: an upload in flight is answered (drain), then exit code 0', async () => {
  const demo = await spawnServer(DEMO);
  const { port } = new URL(demo.urls[0]);
  const body = 'firstname=Ada&lastname=Lovelace';
  const sock = net.connect(Number(port), '127.0.0.1');
  let got = '';
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => { got += d; });
  const closed = new Promise((r) => sock.once('close', r));
  await new Promise((r) => sock.once('connect', r));
  sock.write(`POST /test-post HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
  await new Promise((r) => setTimeout(r, 200)); // the request is in the server, its body half-received
  const exited = demo.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  sock.write(body.slice(10));
  await closed;
  expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  expect(got).toContain('Hello <b>Ada Lovelace</b>!');
  expect(await exited).toBe(0);
  expect(demo.output()).toContain('stopped (SIGTERM)');
});

/** pid → [ppid, state, command line] of every process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string; cmd: string }> {
  const table = new Map<number, { ppid: number; state: string; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim();
      table.set(Number(name), { ppid: Number(ppid), state, cmd });
    } catch { /* exited while we looked */ }
  }
  return table;
}

/** The pids below `root`, with their command lines. */
function descendants(root: number): Array<{ pid: number; cmd: string }> {
  const table = processTable();
  const found: Array<{ pid: number; cmd: string }> = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [pid, p] of table) if (p.ppid === parent) { found.push({ pid, cmd: p.cmd }); queue.push(pid); }
  }
  return found;
}

/** Alive: it exists and is not a zombie (an orphan's zombie may wait for a reaper that never comes). */
const alive = (pid: number): boolean => { const p = processTable().get(pid); return p !== undefined && p.state !== 'Z'; };

const portFree = (port: number): Promise<boolean> => new Promise((resolve) => {
  const c = net.connect(port, '127.0.0.1');
  c.once('connect', () => { c.destroy(); resolve(false); });
  c.once('error', () => resolve(true));
});

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

(process.platform === 'linux' ? describe : describe.skip)('`npx -y pnpm@10.34.9 demo` stopped with SIGTERM', () => {
  let npx: ChildProcess | null = null;
  let started: number[] = [];

  afterEach(() => {
    // Whatever the outcome, nothing of ours keeps running (the test fails on its own if it did).
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (npx && npx.exitCode === null && npx.signalCode === null) npx.kill('SIGKILL');
  });

  /** Starts the quick start's command as a user's shell does (no npm_* variables); resolves once it listens. */
  async function startViaPnpm(): Promise<{ port: number; output: () => string; pnpmPid: number; demoPid: number }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^PNPM_|^INIT_CWD$/i.test(k)));
    const npxBin = path.join(path.dirname(process.execPath), 'npx');
    npx = spawn(existsSync(npxBin) ? npxBin : 'npx', ['-y', PNPM, 'demo'], { cwd: ROOT, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npx.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    npx.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    await until('the demo prints its URL (output so far: see the error)', () => /http:\/\/localhost:\d+\//.test(out) || npx!.exitCode !== null, 60_000)
      .catch((err: Error) => { throw new Error(`${err.message}\n${out}`); });
    const port = Number(/http:\/\/localhost:(\d+)\//.exec(out)?.[1]);
    const below = descendants(npx.pid!);
    started = below.map((p) => p.pid);
    const pnpm = below.find((p) => /\bpnpm\b.*\bdemo$/.test(p.cmd) && !p.cmd.startsWith('sh '));
    const demo = below.find((p) => p.cmd.includes('demo/main.js') && !p.cmd.startsWith('sh '));
    if (!port || !pnpm || !demo) throw new Error(`no port, pnpm or demo process found:\n${out}\n${JSON.stringify(below, null, 1)}`);
    return { port, output: () => out, pnpmPid: pnpm.pid, demoPid: demo.pid };
  }

  test('kill -TERM <pnpm pid>: the demo stops too, its port is free', async () => {
    const run = await startViaPnpm();
    expect(await portFree(run.port)).toBe(false);
    process.kill(run.pnpmPid, 'SIGTERM');
    await until('no node demo/main.js left', () => !alive(run.demoPid), 10_000);
    await until('the port is free', () => portFree(run.port), 5_000);
    expect(run.output()).toContain('stopped (SIGTERM)'); // a graceful stop, not a kill
  });

  test('kill -TERM <npx pid>: the demo stops too, its port is free, and no pnpm is left either', async () => {
    const run = await startViaPnpm();
    process.kill(npx!.pid!, 'SIGTERM');
    await until('no node demo/main.js left', () => !alive(run.demoPid), 10_000);
    await until('the port is free', () => portFree(run.port), 5_000);
    await until('no pnpm left', () => !alive(run.pnpmPid), 10_000);
  });
});
