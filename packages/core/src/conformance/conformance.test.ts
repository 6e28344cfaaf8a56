/**
 * Socket-level HTTP/1.1 conformance: every case of conformance.table.ts is sent as raw bytes to a real
 * server, over plain TCP and over TLS, and the responses (statuses in order, bodies, fields) and whether
 * the server closed the connection are checked.
 */
import { CASES, MAX_BODY, type ConformanceCase, type ExpectedResponse } from './__tests__/conformance.table';
import { exchange, field, show, type Exchange, type RawResponse, type Transport } from './__tests__/raw';
import { startTestServer, type TestServer } from './__tests__/server';

/** Failure message for a case: what was sent and what came back. */
function explain(c: ConformanceCase, x: Exchange, what: string): string {
  const sent = typeof c.send === 'string' ? c.send : c.send.join('');
  return `${c.rfc} ${c.name}: ${what}\n  sent: ${show(sent)}\n  got:  ${show(x.bytes)}\n  closed=${x.closed}${x.error ? ` parse error: ${x.error}` : ''}`;
}

function checkResponse(c: ConformanceCase, x: Exchange, i: number, r: RawResponse, e: ExpectedResponse): void {
  const statuses = Array.isArray(e.status) ? e.status : [e.status];
  if (!statuses.includes(r.status)) throw new Error(explain(c, x, `response ${i}: status ${r.status}, expected ${statuses.join(' or ')}`));
  if (e.body !== undefined && r.body.toString('latin1') !== e.body) {
    throw new Error(explain(c, x, `response ${i}: body ${show(r.body, 80)}, expected ${show(e.body, 80)}`));
  }
  if (e.framing !== undefined && r.framing !== e.framing) throw new Error(explain(c, x, `response ${i}: framing ${r.framing}, expected ${e.framing}`));
  for (const [name, want] of Object.entries(e.headers ?? {})) {
    const got = field(r, name);
    const ok = want === null ? got === undefined : typeof want === 'string' ? got === want : got !== undefined && want.test(got);
    if (!ok) throw new Error(explain(c, x, `response ${i}: ${name}: ${got === undefined ? '(absent)' : JSON.stringify(got)}, expected ${want === null ? '(absent)' : String(want)}`));
  }
}

/** Runs one case and throws a descriptive error on any difference. */
async function runCase(ts: TestServer, c: ConformanceCase): Promise<void> {
  const finals = c.expect.filter((e) => !(typeof e.status === 'number' && e.status < 200)).length;
  const x = await exchange(ts.ep, c.send, { methods: c.methods, expectFinal: finals, pauseMs: 30 });
  if (x.error !== null) throw new Error(explain(c, x, `unparseable response bytes: ${x.error}`));
  const got = x.responses.map((r) => r.status);
  if (got.length !== c.expect.length) {
    throw new Error(explain(c, x, `statuses [${got.join(', ')}], expected ${c.expect.length} responses [${c.expect.map((e) => String(e.status)).join(', ')}]`));
  }
  c.expect.forEach((e, i) => checkResponse(c, x, i, x.responses[i]!, e));
  if (x.rest.length > 0) throw new Error(explain(c, x, `${x.rest.length} stray bytes after the responses`));
  if (x.closed !== c.closed) throw new Error(explain(c, x, c.closed ? 'the connection stayed open' : 'the server closed the connection'));
  // Every response to HTTP/1.x is HTTP/1.1 (RFC 9110 §2.5: the highest version the server conforms to).
  for (const r of x.responses) if (r.version !== 'HTTP/1.1') throw new Error(explain(c, x, `status line version ${r.version}`));
}

test('the table is large enough and its names are unique', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(80);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
});

describe.each([['tcp'], ['tls']] as Array<[Transport]>)('RFC 9112 / 9110 conformance over %s', (transport) => {
  let ts: TestServer;

  beforeAll(async () => {
    ts = await startTestServer(transport, (srv) => { srv.maxRequestContentLength = MAX_BODY; });
  });

  afterAll(async () => {
    await ts.srv.stop();
  });

  test('the checker rejects wrong expectations (status, body, field, close)', async () => {
    const base: ConformanceCase = { name: 'probe', rfc: '-', send: 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', expect: [{ status: 200, body: 'hello' }], closed: false };
    await expect(runCase(ts, base)).resolves.toBeUndefined();
    await expect(runCase(ts, { ...base, expect: [{ status: 404 }] })).rejects.toThrow(/status 200/);
    await expect(runCase(ts, { ...base, expect: [{ status: 200, body: 'hellO' }] })).rejects.toThrow(/body/);
    await expect(runCase(ts, { ...base, expect: [{ status: 200, headers: { 'content-length': null } }] })).rejects.toThrow(/content-length/);
    await expect(runCase(ts, { ...base, closed: true })).rejects.toThrow(/stayed open/);
    await expect(runCase(ts, { ...base, expect: [base.expect[0]!, base.expect[0]!] })).rejects.toThrow(/expected 2 responses/);
  });

  for (const c of CASES) {
    const t = c.bug !== undefined ? test.failing : test;
    t(`${c.rfc} ${c.name}`, async () => {
      await runCase(ts, c);
    });
  }

  test('the server is not left with open connections or slots', async () => {
    const deadline = Date.now() + 2000;
    while (ts.srv.stats.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ts.srv.stats.connections).toBe(0);
    expect(ts.srv.stats.slots?.inUse).toBe(0);
    // Nothing the clients sent may reach the error log (handlers threw, responses aborted).
    expect(ts.logs.filter((l) => l.type === 'ERROR')).toEqual([]);
  });
});
