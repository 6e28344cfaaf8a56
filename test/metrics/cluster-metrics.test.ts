import * as http from 'node:http';
import * as path from 'node:path';
import { spawnServer, type SpawnedServer } from '../support/spawn-server';

// One scrape covers every worker: requests spread over 2 cluster workers, then /metrics from either
// worker answers the sum (prom-client's AggregatorRegistry in the primary, asked over IPC).

jest.setTimeout(60000);

/** GET on a connection of its own (node:cluster hands each connection to the next worker). */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      let t = '';
      res.on('data', (d: Buffer) => { t += d.toString(); });
      res.on('end', () => resolve(t));
    }).on('error', reject);
  });
}

function value(text: string, line: RegExp): number {
  const m = line.exec(text);
  if (m === null) throw new Error(`no ${line} in:\n${text.slice(0, 2000)}`);
  return Number(m[1]);
}

let app: SpawnedServer;
beforeAll(async () => { app = await spawnServer(path.join(__dirname, 'cluster-app.js'), { env: { DEFAULT_METRICS: '1' } }); });
afterAll(async () => { expect(await app.stop('SIGTERM')).toBe(0); });

test('requests on both workers, one scrape: the sum of both', async () => {
  const base = app.urls[0]!;
  const pids = new Set<string>();
  for (let i = 0; i < 20; i++) pids.add(await get(`${base}/`));
  expect(pids.size).toBe(2); // both workers answered
  const port = new URL(base).port;
  const scrapes = [await get(`${base}/metrics`), await get(`${base}/metrics`)];
  for (const [i, text] of scrapes.entries()) {
    // Each scrape counts the 20 requests, plus the scrapes answered before it (a response is counted once sent).
    expect(value(text, new RegExp(`^mws_http_requests_total\\{server="http:${port}",method="GET",status_class="2xx"\\} (\\d+)$`, 'm'))).toBe(20 + i);
    expect(value(text, new RegExp(`^mws_slots\\{server="http:${port}"\\} (\\d+)$`, 'm'))).toBeGreaterThan(0);
    expect(value(text, /^nodejs_eventloop_lag_seconds (\S+)$/m)).toBeGreaterThanOrEqual(0); // the default collectors too
  }
  // slots are per worker: the cluster's total is twice one worker's preset (Normal: 512 each)
  expect(value(scrapes[0]!, new RegExp(`^mws_slots\\{server="http:${port}"\\} (\\d+)$`, 'm'))).toBe(1024);
});
