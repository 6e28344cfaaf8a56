'use strict';
// uWebSockets.js (C++ HTTP engine, via @trufflesuite/uws-js-unofficial, an OPTIONAL dependency):
// Usage: node uws.js <port>
//   GET /               -> 200 text/plain "Hello World!"
//   GET /json/:name/:n  -> 200 application/json {name, n, double} (n an integer, else 404)
//   POST /echo          -> 200 application/octet-stream, the body (collected with onData; each chunk is
//                          copied: uWS reuses its memory after the callback)
//   GET /page.jshtml    -> 200 text/html, fixtures/www/page.eta rendered by Eta (its cache on: compiled once)
// No static files: uWS has no file service, and a hand-written one would measure that code, not uWS.
// The package silently falls back to a pure-Node implementation when its native binary does not load;
// benchmarking that would be a lie, so the native binary is required directly and SKIP is printed
// (exit 0) when it is missing or incompatible with this Node.
// Its HTTP idle timeout (10 s, HTTP_IDLE_TIMEOUT_S in its C++ source) cannot be changed from JS: the memory
// scenario's samples finish well within it, and check that every connection is still open at the end.
const path = require('node:path');
const { portArg, ready, skip, onStop } = require('./lib/lifecycle');
const { Eta } = require('eta');
const { STATIC_ROOT, jsonAnswer, parseIntSegment, TEMPLATE_URL, TEMPLATE_ROWS, ensureTemplateFixture } = require('./lib/fixtures');

let uWS;
try {
  const dir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
  const bin = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  uWS = require(path.join(dir, 'binaries', bin));
} catch (err) {
  skip(`uWebSockets.js native binary unavailable: ${err.message.split('\n')[0]}`);
}

if (uWS) {
  const port = portArg();
  ensureTemplateFixture();
  const eta = new Eta({ views: STATIC_ROOT, cache: true });
  let listenSocket = null;
  uWS.App()
    .get('/', (res) => {
      res.writeHeader('Content-Type', 'text/plain').end('Hello World!');
    })
    .get('/json/:name/:n', (res, req) => {
      const n = parseIntSegment(req.getParameter(1));
      let name = null;
      try { name = decodeURIComponent(req.getParameter(0)); } catch { /* malformed: 404 */ }
      if (n === null || name === null) { res.writeStatus('404 Not Found').end(); return; }
      res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(jsonAnswer(name, n)));
    })
    .get(TEMPLATE_URL, (res) => {
      res.writeHeader('Content-Type', 'text/html; charset=UTF-8').end(eta.render('./page', { rows: TEMPLATE_ROWS }));
    })
    .post('/echo', (res) => {
      const chunks = [];
      res.onAborted(() => { res.aborted = true; });
      res.onData((chunk, isLast) => {
        chunks.push(Buffer.from(chunk.slice(0))); // copy: the ArrayBuffer is only valid during this call
        if (!isLast || res.aborted) return;
        res.writeHeader('Content-Type', 'application/octet-stream').end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      });
    })
    .any('/*', (res) => { res.writeStatus('404 Not Found').end(); })
    .listen('127.0.0.1', port, (token) => {
      if (!token) { console.error(`uWS could not listen on 127.0.0.1:${port}`); process.exit(1); }
      listenSocket = token;
      ready(uWS.us_socket_local_port(token));
    });
  onStop(() => { if (listenSocket) uWS.us_listen_socket_close(listenSocket); });
}
