'use strict';
// HTTP and HTTPS side by side in one socket pool (MicroWebSrv2's dual server). Make a local certificate
// first with `npx -y pnpm@10.34.9 cert` (certs/localhost-*.pem), or point TLS_CERT / TLS_KEY at yours.
// Run: npx -y pnpm@10.34.9 build && node docs/examples/tls.js   (PORT, default 8080; HTTPS_PORT, default 8443)
const path = require('node:path');
const { XAsyncSocketsPool } = require('@microwebsrv/xasync');
const { MicroWebSrv, registerRoute } = require('@microwebsrv/core');

const certs = path.join(__dirname, '..', '..', 'certs');
const certFile = process.env.TLS_CERT ?? path.join(certs, 'localhost-cert.pem');
const keyFile = process.env.TLS_KEY ?? path.join(certs, 'localhost-key.pem');
const port = Number(process.env.PORT ?? 8080);

const https = new MicroWebSrv();
https.enableSSL({ certFile, keyFile });       // read at start; port 80 would switch to 443
https.bindAddress = ['127.0.0.1', Number(process.env.HTTPS_PORT ?? (port === 0 ? 0 : 8443))];

const http = new MicroWebSrv();
http.bindAddress = ['127.0.0.1', port];

// Each server's own routes: the HTTP one sends logins over to HTTPS.
http.registerRoute((_server, req) => {
  req.response.returnRedirect(`https://localhost:${https.address[1]}/login`);
}, 'GET', '/login');
https.registerRoute(() => ['log in here\n', 200, 'text/plain'], 'GET', '/login');

// Global routes are served by both servers; req.isSSL tells them apart.
registerRoute((_server, req) => ({ secure: req.isSSL, path: req.path }), 'GET', '/');

const pool = new XAsyncSocketsPool();
const stopAll = () => Promise.all([http.stop(), https.stop()]).then(() => pool.stop());

https.startInPool(pool)                       // first: it fails if the certificate cannot be read
  .then(() => http.startInPool(pool))
  .then(() => {
    console.log(`listening on http://localhost:${http.address[1]}/ and https://localhost:${https.address[1]}/  (Ctrl-C stops)`);
  }, (err) => {
    console.error(`${err.code}: ${err.message}`);
    if (err.code === 'ERR_MWS_SSL') console.error('no certificate? make one with: npx -y pnpm@10.34.9 cert');
    process.exitCode = 1;
    stopAll();
  });

process.once('SIGINT', () => {
  stopAll().then(() => console.log('stopped'));
});
