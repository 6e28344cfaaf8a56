'use strict';
// The README's "xasync in 20 lines": a line echo on 128 pre-allocated slots. Try it: nc localhost 8080
const { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots } = require('@microwebsrv/xasync');

async function main() {
  const pool = new XAsyncSocketsPool();
  const slots = new XBufferSlots(128, 4096, true);          // 128 connections × 4 KiB, allocated now
  const srv = await XAsyncTCPServer.create(pool, ['0.0.0.0', Number(process.env.PORT ?? 8080)], 64, slots,
    { refusalResponse: Buffer.from('busy\n') });            // sent when all 128 slots are taken
  srv.onClientAccepted = (_srv, client) => {
    client.onClosed = (_c, reason) => console.log('closed:', reason); // Error | ClosedByHost | ClosedByPeer | Timeout
    const onLine = (c, line) => { c.asyncSendData(`echo ${line}\n`); c.asyncRecvLine(onLine, 30); };
    client.asyncRecvLine(onLine, 30);                       // 30 s receive timeout
  };
  console.log(`listening on tcp://localhost:${srv.address.port}/`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => pool.stop());                // closes everything, then Node exits by itself
  }
}
main().catch((err) => { console.error(err.message); process.exitCode = 1; });
