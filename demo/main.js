'use strict';
// The MicroWebSrv-TS demo: the Node counterpart of MicroWebSrv2's main.py. Static files from www/, routes,
// a form, JSON, a redirect, a download, a template page, WebSocket echo and chat pages, and a live
// dashboard fed by server-sent events.
//   PORT        HTTP port (default 8080; 0 picks a free one)
//   HTTPS_PORT  HTTPS port (default 8443, or 0 when PORT is 0), served only when a certificate is given:
//   TLS_CERT / TLS_KEY  PEM files; by default certs/localhost-{cert,key}.pem if present (`npx -y pnpm@10.34.9 cert` makes them)
//   REDIS_URL   redis://host:port: topics through Redis, so the chat and the dashboard span every demo process
//               and machine on that Redis (demo/cross-process.js)
// Ctrl-C or SIGTERM stops gracefully (in-flight responses finish), and so does stopping the `npx … demo`
// or pnpm process that started it.
const fs = require('node:fs');
const path = require('node:path');
const { XAsyncSocketsPool } = require('@microwebsrv/xasync');
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { TemplatePages } = require('@microwebsrv/mods-template');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { configureFiles, filesBanner } = require('./files'); // the file manager at /fs/ (demo/files.js)

const WWW = path.join(__dirname, 'www');
const CERTS = path.join(__dirname, '..', 'certs');

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/style.css"></head><body><header><h1>${title}</h1></header>${body}<p><a href="/">home</a></p></body></html>`;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// A tiny module of our own: it sees every request before the routes and passes (answers nothing).
// Modules run in load order, so it is loaded before the template module that answers .jshtml pages.
let visits = 0;
class VisitCounter {
  constructor() { this.templates = null; }
  onRequest(_server, req) { if (this.templates && req.path.endsWith('.jshtml')) this.templates.setGlobalVar('visits', ++visits); }
}

// ---- live: the dashboard (server-sent events) and the chat topic (issue 15) ---------------------------
// Both servers (HTTP and HTTPS) share one bus, so a topic spans them: the chat is the topic `demo/chat`,
// and one ticker publishes the stats of every server on `demo/stats` each second, which each server's
// `GET /events` streams to its dashboards (event `stats`, JSON data, increasing ids). Page: /dashboard.html.
const { InProcessBus } = require('@microwebsrv/core');
const { ServerSentEvents } = require('@microwebsrv/mods-sse');
// REDIS_URL=redis://…: topics through Redis, the chat and the dashboard span every demo process (cross-process.js).
const xp = require('./cross-process').crossProcess((msg, level) => console.log(`${level} ${msg}`));
// In a cluster (WORKERS=n) startCluster moves servers left on the in-process bus to its ClusterBus (a RedisBus stays).
const liveBus = xp?.bus ?? new InProcessBus();
// Each process's dashboards show that process's servers (with REDIS_URL: every process's, merged).
const STATS_TOPIC = xp?.statsTopic ?? (require('node:cluster').isWorker ? `demo/stats/${require('node:cluster').worker.id}` : 'demo/stats');
const live = []; // { srv, ws, sse, last } per server
const chatSay = (text) => live[0]?.srv.publish('demo/chat', text);
const chatCount = () => live.reduce((n, l) => n + l.srv.subscribers('demo/chat'), 0);

/** Puts `srv` on the shared bus and mounts its `/events` stream (called by configure). */
function configureLive(srv, wsMod) {
  srv.topics.bus = liveBus;
  const sse = srv.loadModule(ServerSentEvents, { maxStreams: 64 });
  sse.event('/events', { topic: STATS_TOPIC, history: { count: 60 } });
  live.push({ srv, ws: wsMod, sse, last: null });
}

/** Publishes every server's counters once a second (rates from the previous sample). */
function startStatsTicker() {
  const tick = () => {
    const now = Date.now();
    const servers = live.map((l) => {
      const st = l.srv.stats;
      const tr = l.srv.traffic;
      const prev = l.last;
      const dt = prev ? (now - prev.at) / 1000 : 1;
      let errors = 0; // 4xx and 5xx responses (srv.stats.byMethod)
      for (const row of Object.values(st.byMethod)) errors += row['4xx'] + row['5xx'];
      l.last = { at: now, requests: st.requests, errors, bytesIn: tr.bytesIn, bytesOut: tr.bytesOut };
      return {
        name: l.srv.isSSLEnabled ? 'https' : 'http', port: l.srv.address[1], connections: st.connections,
        slots: { inUse: st.slots?.inUse ?? 0, free: st.slots?.available ?? 0 },
        requestsPerSec: prev ? Math.round((st.requests - prev.requests) / dt) : 0,
        errorsPerSec: prev ? Math.round((errors - prev.errors) / dt) : 0, refused: st.refused,
        webSockets: l.ws.count, eventStreams: l.sse.count,
        bytesIn: tr.bytesIn, bytesOut: tr.bytesOut,
        bytesInPerSec: prev ? Math.round((tr.bytesIn - prev.bytesIn) / dt) : 0,
        bytesOutPerSec: prev ? Math.round((tr.bytesOut - prev.bytesOut) / dt) : 0,
      };
    });
    if (live.length > 0) live[0].srv.publish(STATS_TOPIC, { time: now, servers: xp ? xp.merge(servers) : servers }, { event: 'stats' });
  };
  tick();
  setInterval(tick, 1000).unref();
}
// ---- end of live ------------------------------------------------------------------------------------

/** Loads the demo's modules and routes into `srv` (the HTTP and the HTTPS server serve the same site). */
function configure(srv) {
  srv.rootPath = WWW;
  const counter = srv.loadModule(VisitCounter);
  // Template pages: GET /template.jshtml renders www/template.jshtml (JavaScript expressions, on Eta).
  const templates = srv.loadModule(TemplatePages, { showDebug: true });
  templates.setGlobalVar('appName', 'MicroWebSrv-TS');
  counter.templates = templates;

  // WebSockets: an echo at /ws-echo and a multi-user chat at /ws-chat (pages in www/).
  const wsMod = srv.loadModule(WebSockets, { paths: ['/ws-echo', '/ws-chat'] });
  configureLive(srv, wsMod);
  wsMod.onWebSocketAccepted = (_server, ws) => {
    const who = ws.request.userAddress.join(':');
    if (ws.request.path === '/ws-echo') {
      ws.onTextMessage = (w, text) => w.sendTextMessage(`echo: ${text}`);
      ws.onBinaryMessage = (w, data) => w.sendBinaryMessage(data);
      return;
    }
    ws.subscribe('demo/chat');
    chatSay(`* ${who} joined (${chatCount()} here)`);
    ws.onTextMessage = (_w, text) => chatSay(`${who}: ${text.slice(0, 500)}`);
    ws.onClosed = () => chatSay(`* ${who} left`);
  };

  srv.registerRoute((_s, req) => {
    req.response.returnOk(page('A form', `
<form action="/test-post" method="post">
  <p><label>First name <input name="firstname"></label></p>
  <p><label>Last name <input name="lastname"></label></p>
  <button type="submit">Send</button>
</form>`));
  }, 'GET', '/test-post');

  srv.registerRoute((_s, req) => {
    const form = req.getPostedURLEncodedForm();
    req.response.returnOk(page('Posted', `<p>Hello <b>${escape(form.firstname ?? '')} ${escape(form.lastname ?? '')}</b>!</p>`));
  }, 'POST', '/test-post');

  // Route arguments: <name> is any segment, <times:int> only an integer (else 404). Named, so its path can be built.
  srv.registerRoute((_s, req, { name, times }) => {
    req.response.returnOkJSON({ greeting: Array(Math.min(times, 5)).fill(`hello ${name}`), name, times });
  }, 'GET', '/api/hello/<name>/<times:int>', 'hello');

  srv.registerRoute((_s, req) => {
    req.response.returnOkJSON({
      name: req.queryParams.name ?? null, time: new Date().toISOString(), server: 'MicroWebSrv-TS', secure: req.isSSL,
      example: srv.pathFromRoute('hello', { name: 'Ada Lovelace', times: 2 }),
    });
  }, 'GET', '/api/info');

  srv.registerRoute((_s, req) => req.response.returnRedirect('/download'), 'GET', '/test-redir');

  srv.registerRoute((_s, req) => req.response.returnFile(path.join(WWW, 'hello.txt'), 'hello.txt'), 'GET', '/download');

  srv.registerRoute((_s, req) => {
    const rows = ['method', 'path', 'queryString', 'httpVer', 'host', 'userAgent', 'isKeepAlive', 'isSSL']
      .map((k) => `<tr><td><code>${k}</code></td><td>${escape(JSON.stringify(req[k]))}</td></tr>`).join('');
    req.response.returnOk(page('Your request', `<table>${rows}</table><p>from ${escape(req.userAddress.join(':'))}</p>`));
  }, 'GET', '/request');

  configureRepl(srv);
  configureFiles(srv);
}

// ---- REPL (issue 17) ------------------------------------------------------------------------------
// Only when DEMO_REPL_PASSWORD is set: a password-protected Node REPL over WebSocket at /repl
// (@microwebsrv/mods-repl, docs/repl.md) and its terminal page (xterm.js) at GET /repl. Never otherwise.
const REPL_PASSWORD = process.env.DEMO_REPL_PASSWORD;
function configureRepl(srv) {
  // The index asks whether to show its link (a request that always answers: no 404 in the browser's console).
  srv.registerRoute(() => ({ repl: Boolean(REPL_PASSWORD) }), 'GET', '/api/repl-enabled');
  if (!REPL_PASSWORD) return;
  const { WebSocketRepl } = require('@microwebsrv/mods-repl');
  const { staticResource } = require('@microwebsrv/core');
  const xterm = path.dirname(require.resolve('@xterm/xterm/package.json'));
  srv.loadModule(WebSocketRepl, { password: REPL_PASSWORD, path: '/repl' });
  srv.registerRoute((_s, req) => staticResource(req, req.response, { staticBase: __dirname, path: '/repl.html' }), 'GET', '/repl');
  srv.registerRoute((_s, req) => staticResource(req, req.response, { staticBase: path.join(xterm, 'lib'), path: '/xterm.js' }), 'GET', '/repl/xterm.js');
  srv.registerRoute((_s, req) => staticResource(req, req.response, { staticBase: path.join(xterm, 'css'), path: '/xterm.css' }), 'GET', '/repl/xterm.css');
}
// ---- end of REPL -----------------------------------------------------------------------------------

/** The certificate to serve HTTPS with: TLS_CERT/TLS_KEY, else certs/ if `npx -y pnpm@10.34.9 cert` made one, else none. */
function findCertificate() {
  const { TLS_CERT, TLS_KEY } = process.env;
  if (!TLS_CERT !== !TLS_KEY) throw new Error('TLS_CERT and TLS_KEY go together: give both PEM files, or neither');
  const certFile = TLS_CERT ?? path.join(CERTS, 'localhost-cert.pem');
  const keyFile = TLS_KEY ?? path.join(CERTS, 'localhost-key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return { certFile, keyFile };
  if (TLS_CERT) throw new Error(`TLS_CERT/TLS_KEY: ${certFile} or ${keyFile} does not exist`);
  return null;
}

/** The demo's servers, configured, not started: HTTP, and HTTPS when a certificate is found. */
function buildServers() {
  const servers = [];
  const port = Number(process.env.PORT ?? 8080);
  const http = new MicroWebSrv();
  http.bindAddress = ['0.0.0.0', port];
  configure(http);
  servers.push(http);
  const cert = findCertificate();
  if (cert) {
    const https = new MicroWebSrv();
    https.enableSSL(cert);
    https.bindAddress = ['0.0.0.0', Number(process.env.HTTPS_PORT ?? (port === 0 ? 0 : 8443))];
    configure(https);
    servers.push(https);
  }
  return { servers, cert };
}

async function main() {
  // One pool drives both servers: one coarse timer, one place to stop.
  const pool = new XAsyncSocketsPool();
  const { servers, cert } = buildServers();
  const http = servers[0];
  try {
    for (const srv of servers) await srv.startInPool(pool);
  } catch (err) {
    // All or nothing: a demo serving HTTP while its HTTPS port failed would look started.
    await Promise.all(servers.map((s) => s.stop()));
    await pool.stop();
    throw err;
  }
  startStatsTicker();
  console.log(`MicroWebSrv-TS demo on http://localhost:${http.address[1]}/  (Ctrl-C stops)`);
  if (cert) console.log(`  and on https://localhost:${servers[1].address[1]}/  (certificate ${path.relative(process.cwd(), cert.certFile)})`);
  else console.log('  (no certificate: run `npx -y pnpm@10.34.9 cert` for HTTPS on a second port)');
  console.log(filesBanner());

  // Ctrl-C (SIGINT) or SIGTERM (kill, systemd, Docker, npx): the servers drain their in-flight
  // responses, then the shared pool stops, then exit 0. A second signal exits at once.
  stopOnSignals(servers, {
    onStopped: async (signal) => { await pool.stop(); await xp?.close(); console.log(`stopped (${signal})`); },
  });
  stopWhenOrphaned(() => console.log('the process that started the demo is gone: stopping'));
}

/**
 * Stops the demo (as on SIGTERM) once the chain of processes that started it breaks, checked every
 * second. `npx -y pnpm@… demo` runs npm → sh → pnpm → sh → node, and a SIGTERM to npx or to pnpm
 * (measured with pnpm 10.34.9 and npm 11) ends at most the shell below it, which does not pass it on:
 * `kill <pnpm or npx pid>` used to leave this process running on its port, a child of init. A parent
 * or grandparent that exits (or is re-parented because its own parent exited) is the sign. The
 * grandparents are read from /proc (Linux); elsewhere only the parent is watched.
 */
function stopWhenOrphaned(onOrphaned, levels = 3) {
  const parentOf = (pid) => {
    if (pid === process.pid) return process.ppid;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces or ')', so split after the last ')'.
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return null; // gone, or no /proc
    }
  };
  const chain = [];
  for (let pid = process.pid; chain.length < levels && pid > 1;) {
    const parent = parentOf(pid);
    if (parent === null) break;
    chain.push([pid, parent]);
    pid = parent;
  }
  const timer = setInterval(() => {
    if (chain.every(([pid, parent]) => parentOf(pid) === parent)) return;
    clearInterval(timer);
    onOrphaned();
    process.kill(process.pid, 'SIGTERM'); // the same graceful stop as a `kill`
  }, 1000);
  timer.unref(); // never what keeps the demo alive
}

// WORKERS=n: the same servers on n processes (demo/cluster.js, docs/scaling.md).
if (process.env.WORKERS) require('./cluster').runOnWorkers({ buildServers, startStatsTicker, stopWhenOrphaned });
else main().catch((err) => { console.error(err.message); process.exitCode = 1; });
