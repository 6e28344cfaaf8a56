'use strict';
// node:http baseline: GET / -> 200 text/plain "Hello World!". Usage: node node-http.js <port>
// HTTP_IDLE_SEC=<s> (memory scenario): keepAliveTimeout, headersTimeout and requestTimeout raised to s
// seconds, so idle keep-alive connections outlive the measure (defaults: 5 s, 60 s, 300 s).
const http = require('node:http');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const BODY = 'Hello World!';
const HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(BODY)) };

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  } else {
    res.writeHead(404);
    res.end();
  }
});

const idle = process.env.HTTP_IDLE_SEC;
if (idle !== undefined && idle !== '') {
  if (!/^\d+$/.test(idle)) throw new Error(`HTTP_IDLE_SEC must be a positive integer, got ${idle}`);
  const ms = Number(idle) * 1000;
  server.keepAliveTimeout = ms;
  server.requestTimeout = ms;
  server.headersTimeout = ms; // not above requestTimeout
}

server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
