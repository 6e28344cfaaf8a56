'use strict';
// A line echo server on xasync: one buffer slot per connection, a receive timeout, a clean refusal when
// every slot is taken, and a graceful stop. Try it: nc localhost 8080
const { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots } = require('@microwebsrv/xasync');

async function main() {
  const pool = new XAsyncSocketsPool();
  const slots = new XBufferSlots(16, 1024);  // at most 16 connections × 1 KiB, allocated now
  const server = await XAsyncTCPServer.create(pool, ['0.0.0.0', Number(process.env.PORT ?? 8080)], 32, slots, {
    refusalResponse: Buffer.from('busy, try again later\n'),  // sent to a 17th connection, then closed
  });

  server.onClientAccepted = (_server, client) => {
    const { host, port } = client.remoteAddress;
    client.onClosed = (_c, reason) => console.log(`${host}:${port} closed: ${reason}`);  // once, whatever the cause
    const onLine = (c, line) => {
      if (line === 'quit') { c.asyncSendData('bye\n'); c.close(); return; }
      c.asyncSendData(`echo: ${line}\n`);
      c.asyncRecvLine(onLine, 30);  // one receive at a time: ask for the next line
    };
    client.asyncSendData(`hello ${host}, ${slots.available} slot(s) free; "quit" to leave\n`);
    client.asyncRecvLine(onLine, 30);  // 30 s without a line: closed with reason Timeout
  };
  server.onClientRefused = (_server, remote) => console.log(`${remote.host}:${remote.port} refused: no free slot`);

  console.log(`echo server on tcp://localhost:${server.address.port}/  (Ctrl-C stops)`);
  process.once('SIGINT', async () => {
    const { accepted, refused } = server.stats;
    await pool.stop();  // stops listening, closes every connection gracefully, resolves when all are closed
    console.log(`stopped: ${accepted} accepted, ${refused} refused, at most ${slots.stats.highWater} at once`);
  });
}

main().catch((err) => { console.error(err.message); process.exitCode = 1; });
