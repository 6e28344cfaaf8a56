'use strict';
// Node floor: accepted TCP handle driven directly, user buffer, canned response per request (count \r\n\r\n).
const net = require('node:net');
const b = process.binding('stream_wrap');
const RESP = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: Mon, 07 Dec 2026 14:00:00 GMT\r\n\r\nHello, World!');
const sym = (h) => Object.getOwnPropertySymbols(h).find((x) => x.description === 'owner_symbol');
function onread() {
  const st = this[S];
  const n = b.streamBaseState[b.kReadBytesOrError];
  if (n <= 0) { if (n < 0) this.close(); return; }
  // count requests: occurrences of \r\n\r\n
  const buf = st.buf; let c = 0; let i = 0;
  while ((i = buf.indexOf('\r\n\r\n', i, 'latin1')) !== -1 && i < n) { c++; i += 4; }
  const out = c === 1 ? RESP : Buffer.concat(Array(c).fill(RESP));
  const req = new b.WriteWrap(); req.handle = this; req.oncomplete = () => {}; req.buffer = out;
  this.writeBuffer(req, out);
  return st.buf;
}
let S;
const srv = net.createServer({ pauseOnConnect: true, noDelay: true }, (sock) => {
  const h = sock._handle; S = S || sym(h); sock._handle = null; sock.destroy();
  h[S] = { buf: Buffer.alloc(16384) }; h.onread = onread; h.useUserBuffer(h[S].buf); h.setNoDelay(true); h.readStart();
});
srv.listen(+process.argv[2], '127.0.0.1', () => console.log('READY'));
