'use strict';
// The MicroWebSrv-TS demo. Until the HTTP layer lands (see the README's status), it shows the xasync
// socket pool: a line-echo server on port 8080 (PORT to change it). Try: nc localhost 8080
const { XAsyncSocketsPool, XAsyncTCPServer, XBufferSlots } = require('@microwebsrv/xasync');

async function main() {
  const port = Number(process.env.PORT ?? 8080);
  const pool = new XAsyncSocketsPool();
  const slots = new XBufferSlots(64, 1024);
  const srv = await XAsyncTCPServer.create(pool, ['0.0.0.0', port], 64, slots, { refusalResponse: Buffer.from('busy, try later\n') });
  srv.onClientAccepted = (_srv, client) => {
    const who = `${client.remoteAddress.host}:${client.remoteAddress.port}`;
    console.log(`[demo] ${who} connected (slot ${client.slot.index}, ${slots.available} free)`);
    client.onClosed = (_c, reason) => console.log(`[demo] ${who} closed: ${reason}`);
    client.asyncSendData('xasync echo demo: type a line, "quit" to leave\n');
    const onLine = (c, line) => {
      if (line === 'quit') { c.asyncSendData('bye\n'); c.close(); return; }
      c.asyncSendData(`echo: ${line}\n`);
      c.asyncRecvLine(onLine, 300);
    };
    client.asyncRecvLine(onLine, 300);
  };
  console.log(`[demo] xasync echo server on port ${srv.address.port} — try: nc localhost ${srv.address.port}  (Ctrl-C stops)`);
  process.once('SIGINT', async () => {
    console.log('\n[demo] stopping…');
    await pool.stop();
    console.log('[demo] stopped');
  });
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
