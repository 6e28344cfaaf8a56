'use strict';
// A MicroWebSrv set up by hand: a preset, then single settings, timeouts, a logger, start, graceful stop.
// Run: npx -y pnpm@10.34.9 build && node docs/examples/server-and-presets.js   (PORT=9000 for another port)
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');

const srv = new MicroWebSrv();                  // starts with the Normal preset
srv.setLightConfig();                           // 511 queued, 128 slots × 1 KiB, bodies up to 512 KiB
srv.maxRequestContentLength = 64 * 1024;        // then change single settings: bodies up to 64 KiB
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)]; // the default is ['0.0.0.0', 80]
srv.requestsTimeoutSec = 5;                     // head, body stall and keep-alive idle (default 2)
srv.keepAliveTimeoutSec = 30;                   // ... or one of them on its own
srv.logLevel = 'INFO';                          // 'DEBUG', 'INFO' (default), 'WARNING', 'ERROR'
srv.onLogging = (_server, msg, type) => console.log(`[${type}] ${msg}`);

srv.registerRoute((server) => ({
  preset: [server.connQueueCapacity, server.bufferSlotsCount, server.bufferSlotSize, server.maxRequestContentLength],
  running: server.isRunning,
  stats: server.stats,
}), 'GET', '/settings');
srv.registerRoute((_server, req) => ({ received: req.contentLength }), 'POST', '/upload');

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/settings  (Ctrl-C stops)`);
  try {
    srv.setLargeConfig();                       // the pool is built: this throws while running
  } catch (err) {
    console.log(`as expected: ${err.code}`);    // ERR_MWS_RUNNING
  }
}, (err) => {
  console.error(`${err.code}: ${err.message}`); // ERR_MWS_LISTEN: port in use, or below 1024 without root
  process.exitCode = 1;
});

// Ctrl-C or SIGTERM (kill, systemd, Docker): stop() lets in-flight responses finish, then exit 0.
stopOnSignals(srv, { onStopped: () => console.log('stopped') });
