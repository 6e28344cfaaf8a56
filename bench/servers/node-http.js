'use strict';
// node:http baseline: GET / -> 200 text/plain "Hello World!". Usage: node node-http.js <port>
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

server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
