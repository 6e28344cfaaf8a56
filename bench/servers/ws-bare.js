'use strict';
// The WebSocket reference: a bare `ws` WebSocketServer on node:http, echoing every message as it came
// (binary stays binary). No permessage-deflate (ws's server default; the MicroWebSrv module's too).
// Usage: node ws-bare.js <port>
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const server = http.createServer((req, res) => { res.writeHead(404, { 'Content-Length': '0' }); res.end(); });
const wss = new WebSocketServer({ server, maxPayload: 1 << 20 });
wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));

server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => resolve());
  server.closeAllConnections();
}));
