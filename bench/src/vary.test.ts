// The varying-head load (scenarios plaintext-vary and pipelined-vary): both load tools, run for real against
// a node:http server that records the header, must send a value no other request of the run had.
export {}; // a module, not a global script (isolatedModules)
const http = require('node:http');
const { runWrk, wrkVersion } = require('./wrk-client');
const { runAutocannon } = require('./autocannon-client');

type Seen = { values: string[]; server: any; port: number };

function recordingServer(): Promise<Seen> {
  const seen: Seen = { values: [], server: null, port: 0 };
  seen.server = http.createServer((req: any, res: any) => {
    seen.values.push(String(req.headers['x-request-id']));
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '12' });
    res.end('Hello World!');
  });
  return new Promise((resolve) => seen.server.listen(0, '127.0.0.1', () => { seen.port = seen.server.address().port; resolve(seen); }));
}

async function withServer(fn: (seen: Seen) => Promise<void>): Promise<void> {
  const seen = await recordingServer();
  try {
    await fn(seen);
  } finally {
    await new Promise((resolve) => { seen.server.close(resolve); seen.server.closeAllConnections(); });
  }
}

const distinct = (xs: string[]) => new Set(xs).size;

describe('a header that differs on every request', () => {
  // CI installs wrk (.ci/run); a machine without it has no wrk scenario to check either.
  const wrkTest = wrkVersion() ? test : test.skip;

  wrkTest.each([1, 4])('wrk (vary.lua), %i request(s) per batch: every head has its own 16-digit value', async (depth) => {
    await withServer(async (seen) => {
      const { result } = await runWrk({ url: `http://127.0.0.1:${seen.port}/`, vary: 'X-Request-Id', connections: 2, pipelining: depth, duration: 1 }, { pin: false });
      expect(result.requests).toBeGreaterThan(100);
      expect(result.errors).toBe(0);
      expect(seen.values.length).toBeGreaterThanOrEqual(result.requests);
      expect(seen.values.every((v) => /^[0-9a-f]{16}$/.test(v))).toBe(true);
      // Two connections share one wrk thread, so one counter: no value twice.
      expect(distinct(seen.values)).toBe(seen.values.length);
    });
  }, 20000);

  test('wrk: a varying header with a body is refused at once', () => {
    expect(() => runWrk({ url: 'http://127.0.0.1:1/', vary: 'X-Request-Id', body: 'x', connections: 1, pipelining: 1, duration: 1 }, { pin: false }))
      .toThrow(/without a body/);
  });

  test('autocannon: every request gets a fresh id', async () => {
    await withServer(async (seen) => {
      const r = await runAutocannon({ url: `http://127.0.0.1:${seen.port}/`, vary: 'X-Request-Id', connections: 2, pipelining: 1, duration: 1 });
      expect(r.requests).toBeGreaterThan(100);
      expect(seen.values.length).toBeGreaterThanOrEqual(r.requests);
      expect(seen.values.some((v) => v.includes('[<id>]'))).toBe(false);
      expect(distinct(seen.values)).toBe(seen.values.length);
    });
  }, 20000);
});
