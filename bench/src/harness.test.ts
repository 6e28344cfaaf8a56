// Unit tests of the benchmark harness's pure parts (the harness is plain CommonJS, loaded with require).
export {}; // a module, not a global script (isolatedModules)
const path = require('node:path');
const { parseWrk } = require('./wrk-client');
const { median, medians } = require('./stats');
const { statCpuMicros, clockTicks } = require('./proc-stat');
const { parseArgs } = require('./cli');
const { Histogram } = require('./histogram');
const { resolveServer } = require('./servers');
const { warningsFor } = require('./warnings');
const { completeResponse } = require('./idle-client');
const { memoryComparisons, addMemoryRatios, envFor } = require('./memory');
const { tableOf } = require('./report');
const { SCENARIOS } = require('./scenarios');
const { startServer, ServerUnavailable } = require('./server-process');
const { checkHttp, checkWs } = require('./sanity');
const { svgChart, axis } = require('./chart');
const { measureFanoutOnce, addFanoutRatios, perBurst } = require('./fanout');
const { printScenario } = require('./report');
const { compareRuns } = require('./compare');
const { planFor } = require('./cluster-pin');

const WRK_OUT = `Running 5s test @ http://127.0.0.1:40001/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   475.12us  120.50us   4.25ms   90.00%
    Req/Sec   102.75k     3.10k  108.00k    70.00%
  Latency Distribution
     50%  301.00us
     75%  500.00us
     90%    1.10ms
     99%    4.25ms
  513750 requests in 5.00s, 62.71MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec: 102750.00
Transfer/sec:     12.54MB
`;

describe('bench harness', () => {
  test('parseWrk reads counts, duration, latency percentiles and errors', () => {
    const r = parseWrk(WRK_OUT, 5);
    expect(r.requests).toBe(513750);
    expect(r.duration).toBe(5);
    expect(r.perSec).toBeCloseTo(102750, 0);
    expect(r.latencyMs.p50).toBeCloseTo(0.301, 6);
    expect(r.latencyMs.p99).toBeCloseTo(4.25, 6);
    expect(r.errors).toBe(2);
    expect(r.timeouts).toBe(1);
    expect(r.non2xx).toBe(7);
  });

  test('parseWrk drops a p99 below the p50 (wrk prints 0.00us under pipelining)', () => {
    const r = parseWrk(WRK_OUT.replace('99%    4.25ms', '99%    0.00us'), 5);
    expect(r.latencyMs.p50).toBeCloseTo(0.301, 6);
    expect(r.latencyMs.p99).toBeNull();
  });

  test('cluster bench pinning: a CPU per worker and wrk on the rest, "cores shared" when they do not fit', () => {
    expect(planFor(1, true, 2, true)).toMatchObject({ pinned: true, shared: false, serverCpus: [0], clientCpus: [1], wrkThreads: 1 });
    expect(planFor(2, true, 4, true)).toMatchObject({ pinned: true, serverCpus: [0, 1], clientCpus: [2, 3], wrkThreads: 2 });
    const shared = planFor(2, true, 2, true);
    expect(shared).toMatchObject({ pinned: false, shared: true, serverCpus: [], clientCpus: [] });
    expect(shared.text).toMatch(/^cores shared: 2 server process\(es\) \+ wrk on 2 cores/);
    expect(planFor(1, false, 8, true)).toMatchObject({ pinned: false, shared: false, text: 'unpinned (--no-pin)' });
    expect(planFor(1, true, 8, false)).toMatchObject({ pinned: false, text: 'unpinned (taskset not found)' });
  });

  test('median and medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5])).toBe(5);
    expect(median([])).toBeNull();
    expect(medians([{ a: 1, b: null }, { a: 3, b: null }, { a: 2, b: null }])).toEqual({ a: 2, b: null });
  });

  test('statCpuMicros reads utime+stime (and the children when asked) after the command name', () => {
    // pid (comm with ") " inside) state ... utime=14 stime=15 cutime=16 cstime=17 (1-based fields)
    const fields = ['S', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '100', '50', '20', '10', '20', '0'];
    const line = `123 (weird) name) ${fields.join(' ')}`;
    const us = 1e6 / clockTicks();
    expect(statCpuMicros(line, false)).toBeCloseTo(150 * us, 6);
    expect(statCpuMicros(line, true)).toBeCloseTo(180 * us, 6);
  });

  test('parseArgs: smoke defaults, repeatable scenarios, server lists', () => {
    const o = parseArgs(['--smoke', '--scenario', 'echo', '--scenario=plaintext', '--servers', 'node-http, microwebsrv@light']);
    expect(o.duration).toBe(1);
    expect(o.rounds).toBe(1);
    expect(o.scenarios).toEqual(['echo', 'plaintext']);
    expect(o.servers).toEqual(['node-http', 'microwebsrv@light']);
    expect(o.out).toBe('smoke');
    expect(parseArgs(['--smoke', '--rounds', '2']).rounds).toBe(2);
    expect(parseArgs([]).scenarios).toEqual(['plaintext', 'pipelined', 'plaintext-vary', 'pipelined-vary', 'json', 'post-echo', 'static', 'static-304', 'template', 'presets', 'echo', 'ws-echo', 'fanout', 'memory', 'upload']);
    expect(parseArgs(['--ws-size', '16384', '--ws-window', '4'])).toMatchObject({ wsSize: 16384, wsWindow: 4 });
    expect(parseArgs([]).idleConns).toEqual([1000, 10000]);
    expect(parseArgs([]).memoryRounds).toBe(1);
    expect(parseArgs(['--rounds', '2']).memoryRounds).toBe(2);
    expect(parseArgs(['--smoke']).idleConns).toEqual([200]);
    expect(parseArgs(['--smoke', '--idle-conns', '50,100']).idleConns).toEqual([50, 100]);
    expect(parseArgs(['--scenario', 'memory']).out).toBe('latest-memory');
    expect(() => parseArgs(['--idle-conns', '0'])).toThrow(/--idle-conns/);
    expect(parseArgs([]).out).toBe('latest');
    expect(parseArgs(['--scenario', 'pipelined', '--scenario', 'plaintext', '--client', 'wrk']).out).toBe('latest-pipelined-plaintext-wrk');
    expect(() => parseArgs(['--scenario', 'nope'])).toThrow(/unknown scenario/);
    expect(() => parseArgs(['--rounds', '0'])).toThrow(/--rounds/);
  });

  test('Histogram percentiles in µs', () => {
    const h = new Histogram();
    expect(h.percentile(50)).toBeNull();
    for (let i = 1; i <= 100; i++) h.record(i);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(99)).toBe(99);
    h.record(1e9);
    expect(h.percentile(100)).toBe(100001);
  });

  test('resolveServer maps variants to the server\'s environment variable', () => {
    expect(resolveServer('microwebsrv@light').env).toEqual({ MWS_PRESET: 'light' });
    expect(resolveServer('xasync-echo@buffer').env).toEqual({ ECHO_COPY: 'buffer' });
    expect(resolveServer('microwebsrv@large+prefault').env).toEqual({ MWS_PRESET: 'large', MWS_PREFAULT: '1' });
    expect(resolveServer('microwebsrv@large+prefault').label).toBe('MicroWebSrv-TS [large, prefault]');
    expect(resolveServer('microwebsrv+templates').env).toEqual({ MWS_TEMPLATES: '1' }); // the template scenario's
    // The single-handler variant runs microwebsrv.js with MWS_HANDLER=1 (presets still apply).
    const h = resolveServer('microwebsrv-handler@light');
    expect([path.basename(h.script), h.env]).toEqual(['microwebsrv.js', { MWS_HANDLER: '1', MWS_PRESET: 'light' }]);
    expect(() => resolveServer('ceiling+prefault')).toThrow(/no flag/);
    expect(() => resolveServer('node-http@x')).toThrow(/no variants/);
    expect(() => resolveServer('nginx')).toThrow(/unknown server/);
  });

  test('warnings: client at its limit, server not saturated, close to the ceiling, other load', () => {
    const m = (perSec: number, extra: object = {}) => ({
      perSec, serverCoreBusyPct: 99, clientCoreBusyPct: 80, serverCpuPct: 90, clientCpuPct: 70, otherLoadPct: 0, errors: 0, non2xx: 0, ...extra,
    });
    const rows = [
      { name: 'ceiling', label: 'ceiling', status: 'ok', median: m(100000) },
      { name: 'uws', label: 'uws', status: 'ok', median: m(95000, { clientCoreBusyPct: 99 }) },
      { name: 'node-http', label: 'node:http', status: 'ok', median: m(50000, { serverCoreBusyPct: 70, otherLoadPct: 30 }) },
      { name: 'microwebsrv', label: 'mws', status: 'unavailable', median: null },
    ];
    const w = warningsFor({ kind: 'http' }, rows, { tool: 'autocannon 9.0.0', pinned: true }).join('\n');
    expect(w).toMatch(/uws reached 95% of the ceiling/);
    expect(w).toMatch(/uws: the client's core was 99% busy/);
    expect(w).toMatch(/node:http: the server's core was only 70% busy/);
    expect(w).toMatch(/node:http: other processes/);
    expect(w).not.toMatch(/mws/);
  });

  test('idle client: a response is complete once its head and Content-Length body are in', () => {
    const r = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 12\r\n\r\nHello World!';
    expect(completeResponse(r.slice(0, 30))).toBeNull();
    expect(completeResponse(r.slice(0, -1))).toBeNull();
    expect(completeResponse(r)).toEqual({ status: 200, total: r.length });
    expect(completeResponse('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n').status).toBe(503);
  });

  test('memory: server environment, ratios to node:http and the claim line', () => {
    expect(envFor(resolveServer('microwebsrv@normal'), 1000)).toEqual({ MWS_SLOTS: '1100', MWS_QUEUE: '1024', MWS_IDLE_SEC: '600' });
    expect(envFor(resolveServer('node-http'), 1000)).toEqual({ HTTP_IDLE_SEC: '600' });
    expect(envFor(resolveServer('ceiling'), 1000)).toEqual({});
    const row = (id: string, idle: number, extra: object = {}) => {
      const s = resolveServer(id);
      return { id, name: s.name, label: s.label, n: 1000, status: 'ok', median: { idlePerConn: idle, rssPerConn: idle, heapPerConn: 1000, extPerConn: 0, slotMemoryMB: 4.3, slotCount: 1100, slotSize: 4096, ...extra } };
    };
    const rows = [row('microwebsrv@normal', 9000), row('microwebsrv@normal+prefault', 5000, { prefaulted: 1 }), row('node-http', 6000), row('ceiling', 7000, { extPerConn: 16388 }), row('net-echo', 4800)];
    addMemoryRatios(rows);
    expect((rows[1] as any).ratios.idlePerConn).toBeCloseTo(5000 / 6000, 6);
    const [line] = memoryComparisons(rows);
    expect(line).toMatch(/9,000 B as shipped \(of which ≈ 4,000 B are the slot pages/);
    expect(line).toMatch(/5,000 B beyond the slot memory/);
    expect(line).toMatch(/1\.04× \(\+200 B\/conn\) → \*\*DOES NOT HOLD\*\* \(issue 19's goal: ≤ 1\.00×\)/);
    expect((rows[1] as any).ratios.idleNet).toBeCloseTo(5000 / 4800, 6);
    expect((rows[0] as any).ratios.idleNet).toBeCloseTo(9000 / 4800, 6);
    const table = tableOf('memory', rows);
    expect(table.head[table.head.length - 1]).toBe('idle ×bare socket');
    expect(table.body[1][table.body[1].length - 1]).toBe('1.04× (beyond slots)');
    expect(table.body[0][table.body[0].length - 1]).toBe('1.88×');
    (rows[4] as any).median.idlePerConn = 5000;
    addMemoryRatios(rows);
    expect(memoryComparisons(rows)[0]).toMatch(/1\.00× \(\+0 B\/conn\) → \*\*HOLDS\*\*/);
    expect(line).toMatch(/as shipped .* 1\.29× \(\+2,000 B\/conn\)/);
    (rows[4] as any).median.idlePerConn = 2000;
    addMemoryRatios(rows);
    expect(memoryComparisons(rows)[0]).toMatch(/2\.50× \(\+3,000 B\/conn\) → \*\*DOES NOT HOLD\*\*/);
  });

  test('chart: one bar per server relative to the reference, labels escaped, memory left out', () => {
    const row = (id: string, perSec: number) => ({ id, name: id, label: id === 'fastify' ? 'a & <b>' : id, status: 'ok', median: { perSec, serverCpuUsPerOp: 10, heapBytesPerOp: id === 'microwebsrv' ? 1234 : null } });
    const run = {
      outName: 'x', date: 'd', command: 'c', machine: {}, pinning: 'p', options: {},
      scenarios: [
        { name: 'plaintext', kind: 'http', rows: [row('node-http', 1000), row('microwebsrv', 1500), row('fastify', 500), { id: 'uws', name: 'uws', label: 'uws', status: 'skipped', reason: 'no binary', median: null }] },
        { name: 'memory', kind: 'memory', rows: [] },
      ],
    };
    const svg = svgChart(run, { http: 'node-http' });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('1.50×');
    expect(svg).toContain('a &amp; &lt;b&gt;');
    expect(svg).toContain('1,234 B heap/req');
    expect(svg).toContain('skipped: no binary');
    expect(svg).not.toContain('memory');
    expect(svgChart({ ...run, scenarios: [run.scenarios[1]] }, { http: 'node-http' })).toBeNull();
    expect(axis(1.8)).toEqual({ end: 2, step: 0.25 });
    expect(axis(9.6)).toEqual({ end: 10, step: 1 });
  });

  test('before/after: rate, CPU and heap per request of the servers both runs measured', () => {
    const row = (id: string, perSec: number, cpu: number, heap: number, status = 'ok') => ({ id, label: id, status, median: { perSec, serverCpuUsPerOp: cpu, heapBytesPerOp: heap } });
    const before = { date: 'd0', command: 'c0', scenarios: [
      { name: 'plaintext', kind: 'http', rows: [row('microwebsrv', 1000, 10, 800), row('uws', 1200, 8, 90), row('fastify', 1, 1, 1, 'failed')] },
      { name: 'memory', kind: 'memory', rows: [row('microwebsrv', 1, 1, 1)] },
    ] };
    const after = { date: 'd1', command: 'c1', scenarios: [
      { name: 'plaintext', kind: 'http', rows: [row('microwebsrv', 1500, 8, 200), row('uws', 1200, 8, 90), row('fastify', 5, 5, 5), row('node-http', 700, 20, 3000)] },
      { name: 'json', kind: 'http', rows: [row('microwebsrv', 1, 1, 1)] },
      { name: 'memory', kind: 'memory', rows: [row('microwebsrv', 2, 2, 2)] },
    ] };
    const tables = compareRuns(before, after);
    expect(tables.map((t: any) => t.name)).toEqual(['plaintext']); // json: not in before; memory: not a rate
    expect(tables[0].body.map((r: string[]) => r[0])).toEqual(['microwebsrv', 'uws']); // fastify failed before, node-http new
    expect(tables[0].body[0]).toEqual(['microwebsrv', '1,000', '1,500', '1.50×', '10.00', '8.00', '0.80×', '800', '200', '0.25×']);
    expect(compareRuns(before, { scenarios: [] })).toEqual([]);
  });

  test('fanout: options, server variants, bursts, ratios to the peers of the same N and size', () => {
    const o = parseArgs(['--scenario', 'fanout', '--fanout-subs', '1000,10000', '--fanout-sizes=64', '--fanout-burst', '5000']);
    expect([o.fanoutSubs, o.fanoutSizes, o.fanoutBurst, o.fanoutRounds]).toEqual([[1000, 10000], [64], 5000, 1]);
    const smoke = parseArgs(['--smoke', '--scenario', 'fanout']);
    expect([smoke.fanoutSubs, smoke.fanoutBurst]).toEqual([[200], 20000]);
    expect(parseArgs(['--scenario', 'fanout', '--rounds', '3']).fanoutRounds).toBe(3);
    expect(() => parseArgs(['--fanout-sizes', ''])).toThrow(/--fanout-sizes needs/);
    const before = resolveServer('fanout-mws-ws@dist-before');
    expect([before.kind, before.sub, before.env]).toEqual(['fanout', 'ws', { FANOUT_KIND: 'mws-ws', FANOUT_MWS_DIR: 'dist-before' }]);
    expect(resolveServer('fanout-better-sse').sub).toBe('sse');
    expect([perBurst(200000, 1000), perBurst(200000, 10000), perBurst(100, 10000)]).toEqual([200, 20, 2]);
    const row = (id: string, n: number, perSec: number) => ({ id, label: id, sub: resolveServer(id).sub, n, size: 64, status: 'ok', median: { perSec } });
    const rows: any[] = [row('fanout-mws-ws', 1000, 900), row('fanout-uws', 1000, 1000), row('fanout-ws-loop', 1000, 100), row('fanout-uws', 10000, 10),
      row('fanout-mws-sse', 1000, 300), row('fanout-better-sse', 1000, 200)];
    addFanoutRatios(rows);
    expect(rows[0].ratios).toEqual({ 'fanout-uws': 0.9, 'fanout-ws-loop': 9 });
    expect(rows[4].ratios).toEqual({ 'fanout-better-sse': 1.5 });
  });

  // Real servers and subscribers (unpinned, short): every fan-out server delivers every message to every
  // subscriber, measured as the scenario measures it (the first burst is checked: count and size).
  test('every fan-out server delivers each publish to every subscriber', async () => {
    const ctx = { pin: false, pinned: false, log: () => {} };
    const o = { warmup: 0, duration: 0.3, fanoutBurst: 60, pin: false };
    const failures: string[] = [];
    const rows: any[] = [];
    for (const id of SCENARIOS.fanout.servers) {
      const spec = resolveServer(id);
      for (const size of id === 'fanout-mws-ws' ? [64, 4096] : [64]) {
        try {
          const s = await measureFanoutOnce(ctx, spec, 20, size, o);
          if (s.lost !== 0 || s.bad !== 0 || !(s.delivered >= 60)) failures.push(`${id} ${size}: ${JSON.stringify(s)}`);
          rows.push({ id, label: spec.label, sub: spec.sub, n: 20, size, status: 'ok', median: s });
        } catch (err: any) {
          if (!(err instanceof ServerUnavailable && err.status === 'skipped')) failures.push(`${id} ${size}: ${err.message}`); // uws without its binary: skipped
        }
      }
    }
    expect(failures).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    addFanoutRatios(rows);
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      printScenario({ name: 'fanout', description: 'd', kind: 'fanout', tool: 't', fdNote: 'f', rounds: 1, duration: 0.3, rows, warnings: [] });
      expect(log.mock.calls[0]![0]).toMatch(/MicroWebSrv-TS topics \(WebSocket\)\s+\d/);
    } finally { log.mockRestore(); }
  }, 60000);

  // Real servers on port 0 (their READY line gives the port), unpinned, all at once: each answers every
  // request of every scenario it is listed in as the scenario expects, checked as the runner checks it.
  test('every server answers its scenarios\' requests (json, post-echo, static, static-304, template, ws-echo, plaintext)', async () => {
    const ids = [...new Set(Object.values(SCENARIOS).filter((sc: any) => sc.kind === 'http' || sc.kind === 'ws')
      .flatMap((sc: any) => sc.servers).map((id: string) => id.split('@')[0]))];
    const started = await Promise.allSettled(ids.map((id) => startServer(resolveServer(id), 0, { pin: false })));
    const servers = new Map<string, any>();
    started.forEach((r, i) => {
      if (r.status === 'fulfilled') servers.set(ids[i], r.value);
      else if (!(r.reason instanceof ServerUnavailable && r.reason.status === 'skipped')) throw r.reason; // uws without its binary: skipped
    });
    try {
      const failures: string[] = [];
      for (const [name, sc] of Object.entries(SCENARIOS) as [string, any][]) {
        if (sc.kind !== 'http' && sc.kind !== 'ws') continue;
        for (const id of sc.servers) {
          const srv = servers.get(id.split('@')[0]);
          if (!srv) continue;
          const req = sc.kind === 'http' && sc.request.prepare ? await sc.request.prepare(srv.port, sc.request) : sc.request;
          const bad = sc.kind === 'ws' ? await checkWs(srv.port, 64) : await checkHttp(srv.port, req);
          if (bad) failures.push(`${name} ${id}: ${bad}`);
        }
      }
      expect(failures).toEqual([]);
      expect(servers.size).toBeGreaterThanOrEqual(ids.length - 1);
    } finally {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    }
  }, 20000);
});
