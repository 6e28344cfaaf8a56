import { spawn, type ChildProcess } from 'node:child_process';

/** A server script started as its user starts it (`node <script>`), from the built packages (dist/). */
export interface SpawnedServer {
  child: ChildProcess;
  /** Every URL the script printed (`http://…` / `https://…` / `ws://…`), in order. */
  urls: string[];
  /** What the script printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends `signal` (default SIGINT, i.e. Ctrl-C) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node <script>` with `env` added to the environment (PORT=0 by default, so the OS picks a free
 * port) and resolves once its output has shown `urlCount` URLs (the script says where it listens).
 * Rejects with the output if the script exits first or says nothing within `timeoutMs`.
 */
export function spawnServer(script: string, opts: { env?: Record<string, string>; urlCount?: number; timeoutMs?: number; args?: string[] } = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [script, ...(opts.args ?? [])], {
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
  };
  const want = opts.urlCount ?? 1;
  return new Promise<SpawnedServer>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} did not start: ${out}`)); }, opts.timeoutMs ?? 15000);
    const onData = (d: Buffer) => {
      out += d.toString();
      server.urls = [...out.matchAll(/\b(?:https?|wss?):\/\/[\w.-]+:\d+\/?/g)].map((m) => m[0].replace(/\/$/, ''));
      if (server.urls.length >= want) { clearTimeout(timer); resolve(server); }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited (${code}) before it listened: ${out}`)); });
  });
}
