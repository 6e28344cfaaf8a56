'use strict';
// A password-protected REPL over WebSocket. Run: REPL_PASSWORD='a long secret' node docs/examples/repl.js
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { WebSocketRepl } = require('@microwebsrv/mods-repl');

const password = process.env.REPL_PASSWORD;
if (!password) {
  console.error('set REPL_PASSWORD (8 characters or more): the REPL never runs without a password');
  process.exit(1);
}

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];   // loopback: the REPL accepts only local clients anyway
const stats = { started: new Date().toISOString() };
srv.registerRoute(() => stats, 'GET', '/stats');

// The process's own context by default; here a vm context holding only `srv` and `stats`.
const repl = srv.loadModule(WebSocketRepl, {
  password,
  path: '/repl',
  context: { srv, stats },
  idleTimeoutSec: 300,
});

srv.startManaged().then(() => {
  stopOnSignals(srv);
  console.log(`REPL on ws://localhost:${srv.address[1]}${repl.path} (send the password first)`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
