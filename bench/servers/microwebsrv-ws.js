'use strict';
// MicroWebSrv-TS with its WebSockets module (@microwebsrv/mods-websockets), echoing every message as it
// came (binary stays binary, text stays text). Usage: node microwebsrv-ws.js <port>
// 1,024 slots so that the connection count is never the limit; WS_BENCH_SLOT (default 64 KiB) is the slot
// size, which bounds one read: Node's net reads up to 64 KiB at a time, so a smaller slot means more reads
// for large messages.
// mods-websockets is not a declared dependency of the bench (the bench is where it is measured, not where it
// is used): it is loaded from its built dist/ by path; core resolves to the same dist/ either way.
const path = require('node:path');
const { MicroWebSrv } = require('@microwebsrv/core');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const { WebSockets } = require(path.join(__dirname, '..', '..', 'packages', 'mods-websockets', 'dist', 'index.js'));

async function main() {
  const srv = new MicroWebSrv();
  srv.bindAddress = ['127.0.0.1', portArg()];
  srv.logLevel = 'ERROR';
  srv.bufferSlotsCount = 1024;
  srv.bufferSlotSize = Number(process.env.WS_BENCH_SLOT || 64 * 1024);
  srv.loadModule(WebSockets, {
    maxRecvMessageLength: 1 << 20,
    onWebSocketAccepted: (_s, ws) => {
      ws.onBinaryMessage = (w, d) => { w.sendBinaryMessage(d); };
      ws.onTextMessage = (w, t) => { w.sendTextMessage(t); };
    },
  });
  await srv.startManaged();
  onStop(() => srv.stop());
  ready(srv.address[1]);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
