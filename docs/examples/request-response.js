'use strict';
// The request and response API: what a request tells, posted forms and JSON, headers, cookies,
// Basic auth, redirects, files and streams. Run: npx -y pnpm@10.34.9 build && node docs/examples/request-response.js
const { Readable } = require('node:stream');
const { MicroWebSrv } = require('@microwebsrv/core');

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];

srv.registerRoute((_server, req) => {
  req.response.returnOkJSON({
    method: req.method, path: req.path, queryParams: req.queryParams, httpVer: req.httpVer,
    host: req.host, userAgent: req.userAgent, accept: req.accept, cookies: req.cookies,
    custom: req.getHeader('X-Custom') ?? null, userAddress: req.userAddress, isSSL: req.isSSL,
    prefers: req.acceptsType(['application/json', 'text/html']), // the best for Accept, or null
  });
}, 'GET', '/echo');

srv.registerRoute((_server, req) => {
  const form = req.getPostedURLEncodedForm();   // urlencoded or multipart fields; {} otherwise
  req.response.returnOkJSON({ hello: form.name ?? null });
}, 'POST', '/form');

srv.registerRoute((_server, req) => {
  const obj = req.getPostedJSONObject();        // malformed JSON: 400 for you (ERR_MWS_BAD_JSON)
  req.response.returnJSON(201, { received: obj, bytes: req.content.length });
}, 'POST', '/json');

srv.registerRoute((_server, req) => {
  const resp = req.response;
  if (!req.checkBasicAuth('admin', 'secret')) return resp.returnBasicAuthRequired('admin area');
  resp.setCookie('session', 'abc123', { httpOnly: true, sameSite: 'Lax', path: '/' });
  resp.setCookie('theme', 'dark', { path: '/', maxAge: 86400 }); // one Set-Cookie field per cookie
  resp.contentType = 'text/plain';
  resp.returnOk(`welcome, ${req.basicAuthUser}\n`);
}, 'GET', '/admin');

srv.registerRoute((_server, req) => req.response.returnRedirect('/echo?from=old'), 'GET', '/old');

srv.registerRoute((_server, req) => req.response.returnFile(__filename, 'example.js'), 'GET', '/download');

srv.registerRoute((_server, req) => {
  req.response.contentType = 'text/plain';      // no length given: sent chunked
  req.response.returnStream(200, Readable.from(['one\n', 'two\n', 'three\n']));
}, 'GET', '/stream');

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/echo  (Ctrl-C stops)`);
}, (err) => {
  console.error(`${err.code}: ${err.message}`);
  process.exitCode = 1;
});

process.once('SIGINT', () => {
  srv.stop().then(() => console.log('stopped'));
});
