'use strict';
// Two modules of our own. Modules see every request before the routes, in load order.
const { MicroWebSrv } = require('@microwebsrv/core');

// Passes every request on, after adding a header to whatever answers it.
class PoweredBy {
  constructor(server, options) { this.value = options.value; }
  onRequest(server, request) { request.response.setHeader('X-Powered-By', this.value); }
}

// Answers GET /stats itself, and takes over the connections that ask for `Upgrade: echo`.
class StatsAndEcho {
  constructor(server, options = {}) {
    this.path = options.path ?? '/stats';
    this.requests = 0;
    this.echoes = new Set();
  }
  onStart(server) { this.startedAt = Date.now(); }
  onRequest(server, request) {
    this.requests++;
    if (request.path === this.path) {   // answering stops the chain: no later module, no route
      request.response.returnOkJSON({ requests: this.requests, echoes: this.echoes.size, upSec: (Date.now() - this.startedAt) / 1000 });
    } else if (request.isUpgrade && request.upgrade.toLowerCase() === 'echo') {
      request.response.switchingProtocols('echo');   // 101 Switching Protocols, Upgrade: echo
      const client = request.detachConnection();      // the XAsyncTCPClient: HTTP is done with it
      this.echoes.add(client);
      client.onClosed = () => this.echoes.delete(client);
      const onLine = (c, line) => { c.asyncSendData(`echo: ${line}\n`); c.asyncRecvLine(onLine, 60); };
      client.asyncRecvLine(onLine, 60);               // bytes sent right after the request come first
    }
    // Otherwise nothing answered: the request goes on to the next module, the routes, static files.
  }
  onStop(server) {                                    // stop() begins: say goodbye before closing
    for (const c of this.echoes) { c.asyncSendData('bye\n'); c.close(); }
  }
}

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
srv.loadModule(PoweredBy, { value: 'MicroWebSrv-TS' });   // first: it sees requests first
const stats = srv.loadModule(StatsAndEcho, { path: '/stats' });
srv.registerRoute(() => `<p>Hello! ${stats.requests} requests so far.</p>`, 'GET', '/');

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/  (Ctrl-C stops)`);
}, (err) => { console.error(err.message); process.exitCode = 1; });

process.once('SIGINT', () => { srv.stop().then(() => console.log('stopped')); });
