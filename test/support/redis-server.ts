/**
 * A real `redis-server` for a test (Debian's package, /usr/bin/redis-server): on a free loopback port,
 * no persistence, stopped by the test. `restart()` brings it back on the same port (a Redis restart as
 * clients see it: connections dropped, every subscription and key gone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** True when `redis-server` runs here (see ci.ts: under CI a missing one fails the suite). */
export function hasRedisServer(): boolean {
  const r = spawnSync(REDIS_SERVER, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /Redis server/.test(r.stdout);
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  readonly port: number;
  private _child: ChildProcess | null = null;
  private _out = '';

  private readonly _extraArgs: string[];

  private constructor(port: number, extraArgs: string[]) { this.port = port; this._extraArgs = extraArgs; }

  /** Starts one on a free port and resolves once it accepts connections (`extraArgs`: more config, e.g. `['--rename-command', 'EVAL', '']`). */
  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const r = new RedisServer(await freePort(), extraArgs);
    await r.startAgain();
    return r;
  }

  get url(): string { return `redis://127.0.0.1:${this.port}`; }
  get running(): boolean { return this._child !== null; }
  /** What it printed (for failure messages). */
  output(): string { return this._out; }

  /** (Re)starts it on its port. */
  startAgain(timeoutMs = 10000): Promise<void> {
    if (this._child !== null) return Promise.resolve();
    const child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...this._extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this._child = child;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`redis-server did not start on ${this.port}:\n${this._out}`)); }, timeoutMs);
      const onData = (d: Buffer): void => {
        this._out += d.toString();
        if (/Ready to accept connections/.test(this._out.slice(-4096))) { clearTimeout(timer); child.stdout!.off('data', onData); child.stdout!.resume(); resolve(); }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => { this._out += d.toString(); });
      child.once('exit', (code) => {
        if (this._child === child) this._child = null;
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${this._out}`));
      });
    });
  }

  /** Stops it (SIGKILL by default: a crash, as clients see it; SIGTERM for a clean shutdown). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this._child;
    if (child === null) return;
    this._child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill(signal); });
  }

  /** Stops it and starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.startAgain();
  }
}
