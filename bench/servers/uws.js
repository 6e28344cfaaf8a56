'use strict';
// uWebSockets.js (C++ HTTP engine, via @trufflesuite/uws-js-unofficial, an OPTIONAL dependency):
// GET / -> 200 text/plain "Hello World!". Usage: node uws.js <port>
// The package silently falls back to a pure-Node implementation when its native binary does not load;
// benchmarking that would be a lie, so the native binary is required directly and SKIP is printed
// (exit 0) when it is missing or incompatible with this Node.
// Its HTTP idle timeout (10 s, HTTP_IDLE_TIMEOUT_S in its C++ source) cannot be changed from JS: the memory
// scenario's samples finish well within it, and check that every connection is still open at the end.
const path = require('node:path');
const { portArg, ready, skip, onStop } = require('./lib/lifecycle');

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
  let listenSocket = null;
  uWS.App()
    .get('/', (res) => {
      res.writeHeader('Content-Type', 'text/plain').end('Hello World!');
    })
    .any('/*', (res) => { res.writeStatus('404 Not Found').end(); })
    .listen('127.0.0.1', port, (token) => {
      if (!token) { console.error(`uWS could not listen on 127.0.0.1:${port}`); process.exit(1); }
      listenSocket = token;
      ready(uWS.us_socket_local_port(token));
    });
  onStop(() => { if (listenSocket) uWS.us_listen_socket_close(listenSocket); });
}
