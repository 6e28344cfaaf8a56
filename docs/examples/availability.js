'use strict';
// A server hardened for a hostile network: the defences of docs/availability.md set explicitly, and
// their counters served on /stats. Run: npx -y pnpm@10.34.9 build && node docs/examples/availability.js
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');

const srv = new MicroWebSrv();
srv.setLightConfig();                        // 128 slots: the most connections held at once
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];
srv.headersTimeoutSec = 5;                   // a head must be complete 5 s after the wait began (slowloris)
srv.minBodyRateBytesPerSec = 500;            // after the grace period, a body averages 500 B/s or gets 408 (RUDY)
srv.bodyRateGraceSec = 3;
srv.minSendRateBytesPerSec = 1024;           // a response drains at 1 KiB/s per 3 s window, or is closed (slow read)
srv.maxConnectionsPerAddress = 32;           // one address (an IPv6 /64) holds at most 32 of the 128 slots
srv.maxBufferedBodyBytes = 4 * 1024 * 1024;  // bodies being buffered hold at most 4 MiB: beyond, 503 + Retry-After
srv.evictWhenPoolFull = true;                // (the default) a full pool evicts idle, then stalled connections
srv.fairShareEviction = true;                // (the default) …and a stalled reader of an address holding over half of it, for another address
srv.poolFullWaitSec = 1;                     // (the default) with nothing to evict, a newcomer waits up to 1 s for a slot, then 503

srv.registerRoute((server) => server.stats, 'GET', '/stats');
srv.registerRoute((_server, req) => ({ received: req.content.length }), 'POST', '/upload');

srv.startManaged().then(() => {
  console.log(`listening on http://127.0.0.1:${srv.address[1]}/stats  (Ctrl-C stops)`);
});
stopOnSignals(srv, { onStopped: () => console.log('stopped') });
