'use strict';
// One request before measuring: a server that answers wrongly is reported as failed, not benchmarked.
const http = require('node:http');
const net = require('node:net');

const TIMEOUT_MS = 3000;

/** Resolves null when GET / is 200, text/plain, "Hello World!"; else a reason. */
function checkHttp(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { body += d; });
      res.on('end', () => {
        const type = String(res.headers['content-type'] || '');
        if (res.statusCode !== 200) resolve(`GET / answered ${res.statusCode}`);
        else if (!/^text\/plain\b/i.test(type)) resolve(`GET / Content-Type is ${JSON.stringify(type)}`);
        else if (body !== 'Hello World!') resolve(`GET / body is ${JSON.stringify(body.slice(0, 40))}`);
        else resolve(null);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve(`GET / failed: ${err.message}`));
  });
}

/** Resolves null when 64 bytes sent come back unchanged; else a reason. */
function checkEcho(port) {
  return new Promise((resolve) => {
    const msg = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) msg[i] = (i * 37 + 11) & 0xff; // every byte value class, incl. > 0x7f
    let got = Buffer.alloc(0);
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(msg));
    const done = (reason) => { clearTimeout(t); s.destroy(); resolve(reason); };
    const t = setTimeout(() => done(`echo: no answer within ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 64) done(got.equals(msg) ? null : 'echo: bytes came back changed');
    });
    s.on('error', (err) => done(`echo failed: ${err.message}`));
  });
}

module.exports = { checkHttp, checkEcho };
