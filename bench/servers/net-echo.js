'use strict';
// Echo on plain node:net (the reference for xasync-echo.js): every chunk read is written back.
// Usage: node net-echo.js <port>
const net = require('node:net');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const conns = new Set();
const server = net.createServer({ noDelay: true }, (socket) => {
  conns.add(socket);
  socket.on('data', (d) => socket.write(d)); // `d` is a fresh Buffer per read: no copy needed
  socket.on('end', () => socket.end());
  socket.on('error', () => socket.destroy());
  socket.on('close', () => conns.delete(socket));
});
server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((resolve) => {
  server.close(() => resolve());
  for (const s of conns) s.destroy();
}));
