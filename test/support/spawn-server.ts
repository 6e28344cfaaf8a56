import { spawn, type ChildProcess } from 'node:child_process';

/** A server script started as its user starts it (`node <script>`), from the built packages (dist/). */
export interface SpawnedServer {
  child: ChildProcess;
  /** Every URL the script printed (`http://…` / `https://…` / `ws://…` / `tcp://…`), in order. */
  urls: string[];
  /** What the script printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends `signal` (default SIGINT, i.e. Ctrl-C) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * Resolves with the output once it contains `what` (a log line written after a response may reach the
   * pipe after the client already has the response); rejects after `timeoutMs` showing the output.
   */
  waitForOutput(what: string | RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * Starts `node <script>` with `env` added to the environment (PORT=0 by default, so the OS picks a free
 * port) and resolves once its output has shown `urlCount` URLs (the script says where it listens).
 * Rejects with the output if the script exits first or says nothing within `timeoutMs`.
 */
export function spawnServer(script: string, opts: { env?: Record<string, string>; urlCount?: number; timeoutMs?: number; args?: string[]; cwd?: string } = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [script, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { ...process.env, PORT: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const server: SpawnedServer = {
    child,
    urls: [],
    output: () => out,
    async stop(signal = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    waitForOutput(what, timeoutMs = 5000) {
      const found = () => (typeof what === 'string' ? out.includes(what) : what.test(out));
      if (found()) return Promise.resolve(out);
      return new Promise<string>((resolve, reject) => {
        const check = () => { if (found()) { done(); resolve(out); } };
        const timer = setTimeout(() => { done(); reject(new Error(`${script}: no ${String(what)} in its output after ${timeoutMs} ms:\n${out}`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); child.stdout!.off('data', check); child.stderr!.off('data', check); };
        // Registered after spawnServer's own listeners, so `out` already holds the new chunk.
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
      });
    },
  };
  const want = opts.urlCount ?? 1;
  return new Promise<SpawnedServer>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} did not start: ${out}`)); }, opts.timeoutMs ?? 15000);
    const onData = (d: Buffer) => {
      out += d.toString();
      server.urls = [...out.matchAll(/\b(?:https?|wss?|tcp):\/\/[\w.-]+:\d+\/?/g)].map((m) => m[0].replace(/\/$/, ''));
      if (server.urls.length >= want) { clearTimeout(timer); resolve(server); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited (${code}) before it listened: ${out}`)); });
  });
}
