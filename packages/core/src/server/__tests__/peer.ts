/** A raw client socket for the availability tests: everything it received, and when it closed. */
import * as net from 'node:net';

export class Peer {
  readonly sock: net.Socket;
  data = '';
  closed = false;
  private readonly _ready: Promise<void>;

  constructor(port: number, opts: { host?: string; localAddress?: string } = {}) {
    this.sock = net.connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
    this.sock.setEncoding('latin1');
    this.sock.on('data', (d: string) => { this.data += d; });
    this.sock.on('error', () => { /* resets are expected from evictions */ });
    this.sock.on('close', () => { this.closed = true; });
    this._ready = new Promise((r) => this.sock.once('connect', () => r()));
  }

  connected(): Promise<void> { return this._ready; }

  async send(s: string | Buffer): Promise<void> {
    await this._ready;
    this.sock.write(s);
  }

  /** Waits until `cond` holds (polling), at most `ms`; returns whether it held. */
  async until(cond: (p: Peer) => boolean, ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!cond(this) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return cond(this);
  }

  status(): number { const m = /^HTTP\/1\.1 (\d{3}) /.exec(this.data); return m ? Number(m[1]) : 0; }

  destroy(): void { this.sock.destroy(); }
}

/** Waits until `cond()` holds (polling), at most `ms`; returns whether it held. */
export async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}
