'use strict';
// A loopback port that was free a moment ago (the OS picks it; the server binds it right after).
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * `start(port)` on a port `freePort()` found, again on another one when that port was taken in the
 * meantime (jest runs test files in parallel: another test may bind it between the two steps).
 */
async function onFreePort(start, tries = 3) {
  for (let i = 1; ; i++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      if (i >= tries || !/already in use|EADDRINUSE/.test(String(err && err.message))) throw err;
    }
  }
}

module.exports = { freePort, onFreePort };
