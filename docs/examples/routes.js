'use strict';
// Routes: arguments and their types, named routes and pathFromRoute, return values, async handlers,
// and the global registry (MicroWebSrv2's @WebRoute). Run: npx -y pnpm@10.34.9 build && node docs/examples/routes.js
const { MicroWebSrv, WebRoute, registerRoute } = require('@microwebsrv/core');

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];

// <id> is one path segment; an integer-looking value arrives as a number. Named 'user' for pathFromRoute.
srv.registerRoute((_server, _req, args) => ({ id: args.id, type: typeof args.id }), 'GET', '/users/<id>', 'user');
srv.registerRoute((_server, req, args) => req.response.returnOk(`deleted ${args.id}\n`), 'DELETE', '/users/<id>');

// Typed arguments: a value of the wrong type does not match (here: 404, no other route fits).
srv.registerRoute((_server, _req, args) => [`${args.n * 2}\n`, 200, 'text/plain'], 'GET', '/double/<n:int>');
srv.registerRoute((_server, _req, args) => ({ file: args.rest }), 'GET', '/files/<rest:path>');

// Build links from route names instead of writing paths by hand (values are percent-encoded).
srv.registerRoute((server) => ({ link: server.pathFromRoute('user', { id: 'ada lovelace' }) }), 'GET', '/link');

// Async handlers: answer when ready; the connection's next requests wait their turn.
srv.registerRoute(async (_server, req) => {
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  req.response.returnOkJSON({ waitedMs: Date.now() - started });
}, 'GET', '/slow');

// The global registry: every server sees these routes, after its own.
registerRoute((_server, req) => req.response.returnOk('pong\n'), 'GET', '/ping', 'ping');
WebRoute('GET', '/hello/<name:string>')((_server, _req, args) => [`Hello ${args.name}\n`, 200, 'text/plain']);

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/users/42  (Ctrl-C stops)`);
}, (err) => {
  console.error(`${err.code}: ${err.message}`);
  process.exitCode = 1;
});

process.once('SIGINT', () => {
  srv.stop().then(() => console.log('stopped'));
});
