import * as http from 'node:http';
import { MicroWebSrv } from '@microwebsrv/core';
import { WebSockets } from '@microwebsrv/mods-websockets';
import { ServerSentEvents } from '@microwebsrv/mods-sse';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { Metrics } from './index';

// GET /metrics on a real server: the Prometheus text a scraper reads, after real traffic (fetch,
// a WebSocket, an event stream), behind the server's access check; the same numbers in srv.stats.

const started: MicroWebSrv[] = [];
afterEach(async () => { await Promise.all(started.splice(0).map((s) => s.stop())); });

async function start(configure: (srv: MicroWebSrv) => void): Promise<{ srv: MicroWebSrv; base: string }> {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', 0];
  configure(srv);
  await srv.startManaged();
  started.push(srv);
  return { srv, base: `http://127.0.0.1:${srv.address[1]}` };
}

/** The value of the series `name{labels…}` in `text` (labels matched as a substring of the label set). */
function value(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const set = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return null;
}

test('GET /metrics: Prometheus text with the server\'s numbers, behind the access check', async () => {
  const registry = new Registry();
  let ws!: WebSockets;
  const { srv, base } = await start((s) => {
    s.onAccessCheck = (_s, req) => req.path !== '/metrics' || req.getHeader('authorization') === 'Bearer scrape';
    s.loadModule(Metrics, { registry });
    ws = s.loadModule(WebSockets, { paths: ['/ws'] });
    ws.onWebSocketAccepted = (_s, sock) => { sock.subscribe('t'); };
    s.loadModule(ServerSentEvents, { heartbeatSec: 0 }).event('/events', { topic: 't' });
    s.registerRoute(() => 'ok', 'GET', '/ok');
    s.registerRoute(() => ({ posted: true }), 'POST', '/p');
  });
  const server = `http:${srv.address[1]}`;
  const auth = { headers: { authorization: 'Bearer scrape' } };

  expect((await fetch(`${base}/metrics`)).status).toBe(403); // the server's access check guards it
  for (let i = 0; i < 3; i++) expect((await fetch(`${base}/ok`)).status).toBe(200);
  expect((await fetch(`${base}/missing`)).status).toBe(404);
  expect((await fetch(`${base}/p`, { method: 'POST', body: 'x' })).status).toBe(200);
  const sock = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  await new Promise((r) => sock.once('open', r));
  const sse = await new Promise<http.IncomingMessage>((r) => http.get(`${base}/events`, r));
  const got: string[] = [];
  sock.on('message', (d) => got.push(d.toString()));
  try {
    while (ws.count < 1 || srv.subscribers('t') < 2) await new Promise((r) => setTimeout(r, 5));
    srv.publish('t', 'hello');
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));

    const res = await fetch(`${base}/metrics`, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^# TYPE mws_http_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE mws_http_request_duration_seconds histogram$/m);
    expect(value(text, 'mws_http_requests_total', { server, method: 'GET', status_class: '2xx' })).toBe(3);
    expect(value(text, 'mws_http_requests_total', { server, method: 'GET', status_class: '4xx' })).toBe(2); // 404 + the 403
    expect(value(text, 'mws_http_requests_total', { server, method: 'POST', status_class: '2xx' })).toBe(1);
    expect(value(text, 'mws_http_request_duration_seconds_count', { server })).toBeGreaterThanOrEqual(6);
    expect(value(text, 'mws_http_request_duration_seconds_bucket', { server, le: '+Inf' })).toBe(value(text, 'mws_http_request_duration_seconds_count', { server }));
    expect(value(text, 'mws_http_request_duration_seconds_sum', { server })).toBeGreaterThan(0);
    expect(value(text, 'mws_websocket_clients', { server })).toBe(1);
    expect(value(text, 'mws_sse_clients', { server })).toBe(1);
    expect(value(text, 'mws_connections_open', { server })).toBeGreaterThanOrEqual(2);
    expect(value(text, 'mws_connections_accepted_total', { server })).toBeGreaterThanOrEqual(4);
    expect(value(text, 'mws_connections_refused_total', { server })).toBe(0);
    const slots = value(text, 'mws_slots', { server })!;
    expect(slots).toBeGreaterThan(0);
    expect(value(text, 'mws_slots_in_use', { server })! + value(text, 'mws_slots_free', { server })!).toBe(slots);
    expect(value(text, 'mws_received_bytes_total', { server })).toBeGreaterThan(100);
    expect(value(text, 'mws_sent_bytes_total', { server })).toBeGreaterThan(100);
    expect(value(text, 'mws_pubsub_published_total', { server })).toBe(1);
    expect(value(text, 'mws_pubsub_delivered_total', { server })).toBe(2); // the WebSocket and the event stream
    expect(value(text, 'mws_pubsub_dropped_total', { server })).toBe(0);
    expect(value(text, 'mws_bus_state', { state: 'ready' })).toBe(1);
    expect(value(text, 'mws_bus_state', { state: 'down' })).toBe(0);
    expect(value(text, 'nodejs_eventloop_lag_seconds')).not.toBeNull(); // prom-client's default collectors
    // the same numbers as a JS API
    const st = srv.stats;
    expect(st.byMethod.GET['2xx']).toBe(4); // and the scrape itself
    expect(st.byMethod.POST['2xx']).toBe(1);
    expect(st.durations.count).toBeGreaterThanOrEqual(6);
    expect(srv.topics.stats).toEqual({ published: 1, delivered: 2, dropped: 0 });
    // HEAD and other methods
    expect((await fetch(`${base}/metrics`, { method: 'DELETE', ...auth })).status).toBe(405);
  } finally {
    sock.terminate();
    sse.destroy();
  }
});

test('path and prefix are options; two servers of a process share a registry, told apart by `server`', async () => {
  const registry = new Registry();
  const a = await start((s) => s.loadModule(Metrics, { registry, path: '/m', prefix: 'app_', defaultMetrics: false }));
  const b = await start((s) => s.loadModule(Metrics, { registry, path: '/m', prefix: 'app_', defaultMetrics: false }));
  await fetch(`${b.base}/nothing`);
  expect((await fetch(`${a.base}/metrics`)).status).toBe(404);
  const text = await (await fetch(`${a.base}/m`)).text();
  expect(value(text, 'app_http_requests_total', { server: `http:${b.srv.address[1]}`, status_class: '4xx' })).toBe(1);
  expect(value(text, 'app_slots', { server: `http:${a.srv.address[1]}` })).toBeGreaterThan(0);
  expect(value(text, 'nodejs_eventloop_lag_seconds')).toBeNull();
});

test('misuse throws ERR_MWS_INVALID_OPTION naming the option', async () => {
  const srv = new MicroWebSrv();
  expect(() => srv.loadModule(Metrics, { path: 'metrics' })).toThrow(/Metrics options.path must be a path starting with \//);
  expect(() => srv.loadModule(Metrics, { prefix: '1x' })).toThrow(/options.prefix/);
  expect(() => srv.loadModule(Metrics, { registry: {} as Registry })).toThrow(/options.registry/);
  // The value is shown as written: an object as JSON (never "[object Object]"), a string quoted.
  expect(() => srv.loadModule(Metrics, { registry: { name: 'mine' } as unknown as Registry })).toThrow('Metrics options.registry must be a prom-client Registry (of this package\'s prom-client), got {"name":"mine"}');
  expect(() => srv.loadModule(Metrics, { clusterTimeoutMs: [5] as unknown as number })).toThrow('Metrics options.clusterTimeoutMs must be an integer >= 1, got [5]');
  expect(() => srv.loadModule(Metrics, null as unknown as object)).toThrow('Metrics options must be an object, got null');
  let code: unknown = null;
  try { srv.loadModule(Metrics, { path: 'm' }); } catch (err) { code = (err as { code?: unknown }).code; }
  expect(code).toBe('ERR_MWS_INVALID_OPTION');
  expect(() => { srv.measureDurations = 'yes' as unknown as boolean; }).toThrow(/measureDurations must be true or false/);
});
