'use strict';
// Upload peer: node:http as a plain application takes an upload (bench `upload` scenario). Usage: node upload-node-http.js <port>
//   PUT  /devnull    -> the body piped to fs.createWriteStream('/dev/null'), 200 "<bytes>"
//   PUT  /disk       -> the body piped to a temp file (then removed), 200 "<bytes>"
//   POST /multipart  -> busboy: each file part piped to /dev/null, 200 "<bytes of files>"
const fs = require('node:fs');
const http = require('node:http');
const { pipeline } = require('node:stream/promises');
const busboy = require('busboy');
const { portArg, ready, onStop } = require('./lib/lifecycle');
const { tempFile } = require('./lib/upload-fixtures');

async function handle(req, res) {
  let n = 0;
  if (req.url === '/multipart') {
    const bb = busboy({ headers: req.headers });
    const files = [];
    bb.on('file', (_name, stream) => {
      stream.on('data', (c) => { n += c.length; });
      files.push(pipeline(stream, fs.createWriteStream('/dev/null')));
    });
    await pipeline(req, bb);
    await Promise.all(files);
  } else {
    const file = req.url === '/disk' ? tempFile() : '/dev/null';
    req.on('data', (c) => { n += c.length; });
    await pipeline(req, fs.createWriteStream(file));
    if (file !== '/dev/null') fs.rmSync(file);
  }
  const text = String(n);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => { handle(req, res).catch((err) => { res.writeHead(500); res.end(String(err)); }); });
server.listen(portArg(), '127.0.0.1', () => ready(server.address().port));
onStop(() => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }));
