'use strict';
// A server to benchmark: your own routes on MicroWebSrv, started alone, with a load tool pointed at it
// from another terminal. On Ctrl-C it prints how many requests it served and its CPU time per request.
const { MicroWebSrv } = require('@microwebsrv/core');

const srv = new MicroWebSrv();
srv.setNormalConfig();         // the preset you will run with (512 slots: at most 512 connections)
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
srv.logLevel = 'WARNING';      // no access-log line per request: it would cost more than the request

// The routes to measure: replace them with yours.
srv.registerRoute((_srv, req) => req.response.returnOk('Hello World!'), 'GET', '/');
srv.registerRoute((_srv, req, args) => {
  req.response.returnOkJSON({ id: args.id, name: `user ${args.id}`, double: args.id * 2 });
}, 'GET', '/users/<id:int>');
srv.registerRoute((_srv, req) => {
  req.response.contentType = 'application/octet-stream';
  req.response.returnOk(req.content);        // echoes the body
}, 'POST', '/echo');

let cpuAtStart;
srv.startManaged().then(() => {
  cpuAtStart = process.cpuUsage();
  const url = `http://localhost:${srv.address[1]}/users/42`;
  console.log(`listening on ${url}`);
  console.log(`load it from another terminal: npx autocannon -c 50 -d 10 ${url}  (or: wrk -t 1 -c 50 -d 10s ${url})`);
}, (err) => { console.error(err.message); process.exitCode = 1; });

process.once('SIGINT', () => {
  const { requests } = srv.stats;
  const { user, system } = process.cpuUsage(cpuAtStart);
  srv.stop().then(() => {
    const perRequest = requests > 0 ? ((user + system) / requests).toFixed(2) : '-';
    console.log(`stopped: ${requests} requests served, ${perRequest} µs of CPU per request`);
  });
});
