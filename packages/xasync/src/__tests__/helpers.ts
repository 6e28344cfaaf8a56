import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** Self-signed certificate for localhost / 127.0.0.1, for tests only. */
export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures');
export const TLS_KEY = fs.readFileSync(path.join(FIXTURES, 'localhost-key.pem'));
export const TLS_CERT = fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem'));

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until `cond()` is true, polling; fails after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A plain net client connected to port, collecting what it receives. */
export type RawClient = net.Socket & { received: () => Buffer; ended: Promise<void> };

export function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ port, host: '127.0.0.1' }) as RawClient;
    s.received = () => Buffer.concat(chunks);
    s.ended = new Promise((r) => s.once('close', () => r()));
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => undefined);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}
