'use strict';
// Echo on @microwebsrv/xasync: 256 slots of 4 KiB, raw receive, every arrival sent back.
// Usage: [ECHO_COPY=latin1|buffer] node xasync-echo.js <port>
//
// The received bytes are a view of the connection's slot, valid only during the callback: the next read
// lands in the same memory. If the kernel does not take a Buffer write at once, Node queues a reference
// to it, so passing buf.subarray(start, end) uncopied could send bytes that a later read overwrote.
// The echo must therefore copy. Two correct copies:
//   latin1 (default): buf.latin1Slice(start, end) -> one immutable JS string, written with 'latin1'
//                     (lossless for any byte; Node writes short strings without making a Buffer);
//   buffer:           Buffer.from(buf.subarray(start, end)) -> a view plus a copy from Node's 8 KB pool.
// Measured (Node 20.20, 2 cores, two runs of 10 alternating rounds of 2 s, 50 connections x 64 B):
//   node bench/src/run.js --scenario echo --servers xasync-echo,xasync-echo@buffer --duration 2 --rounds 10
// Server CPU per message: no difference beyond the machine's noise (medians 7.09 vs 7.37 us in one run,
// 7.40 vs 7.10 in the other; latin1 was the cheaper in 15 of the 20 paired rounds). V8 heap per
// message: latin1 306 B, buffer 416 B plus 64 B off-heap from the pool. latin1 is the default.
const { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots } = require('@microwebsrv/xasync');
const { portArg, ready, onStop } = require('./lib/lifecycle');

const COPY = process.env.ECHO_COPY || 'latin1';
if (COPY !== 'latin1' && COPY !== 'buffer') throw new Error(`ECHO_COPY must be latin1 or buffer, got ${COPY}`);

const echoLatin1 = (client, buf, start, end) => {
  client.asyncSendData(buf.latin1Slice(start, end), null, 'latin1');
  return end - start;
};
const echoBuffer = (client, buf, start, end) => {
  client.asyncSendData(Buffer.from(buf.subarray(start, end)));
  return end - start;
};

async function main() {
  const pool = new XAsyncSocketsPool();
  const slots = new XBufferSlots(256, 4096, true);
  const srv = await XAsyncTCPServer.create(pool, ['127.0.0.1', portArg()], 256, slots);
  const onRecv = COPY === 'latin1' ? echoLatin1 : echoBuffer;
  srv.onClientAccepted = (_srv, client) => client.asyncRecvRaw(onRecv);
  onStop(() => pool.stop({ graceSec: 1 }));
  ready(srv.address.port);
}

main().catch((err) => { console.error(err); process.exit(1); });
