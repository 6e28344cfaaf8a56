'use strict';
// One upload (bench `upload` scenario): node upload-client.js <port> <devnull|disk|multipart> <bytes>. Sends
// the body as fast as the server takes it (64 KiB pieces, generated as sent, waiting for 'drain'), reads the
// answer, prints {status, body, seconds} as JSON.
const net = require('node:net');

const [port, target, total] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
const piece = Buffer.alloc(65536, 'x');
const boundary = 'mwsbenchboundary';
const pre = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
const post = Buffer.from(`\r\n--${boundary}--\r\n`);
const multipart = target === 'multipart';
const length = multipart ? pre.length + total + post.length : total;
const head = multipart
  ? `POST /multipart HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`
  : `PUT /${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

const t0 = process.hrtime.bigint();
const s = net.connect(port, '127.0.0.1', () => {
  s.write(head);
  if (multipart) s.write(pre);
  let sent = 0;
  (function pump() {
    while (sent < total) {
      const n = Math.min(piece.length, total - sent);
      sent += n;
      if (!s.write(n === piece.length ? piece : piece.subarray(0, n))) { s.once('drain', pump); return; }
    }
    if (multipart) s.write(post);
  })();
});
const chunks = [];
s.on('data', (d) => chunks.push(d));
s.on('error', (err) => { console.log(JSON.stringify({ status: 0, body: String(err), seconds: 0 })); process.exit(1); });
s.on('close', () => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const text = Buffer.concat(chunks).toString('latin1');
  const status = Number(text.split(' ')[1]);
  console.log(JSON.stringify({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4), seconds }));
});
