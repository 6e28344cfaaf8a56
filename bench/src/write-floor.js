'use strict';
// The floor under a fan-out in Node (issue 15): what one write to a loopback socket costs when nothing but
// the write happens. N server-side sockets (readers in a child process drain them), one `writeBuffer` on
// each socket's handle per event-loop turn — the call a fan-out makes per subscriber per turn, without any
// of our code around it — and the process's user and system CPU per write (`process.cpuUsage`).
// Compare with the fan-out scenario's server CPU per message × messages per write (16 per turn).
// Usage: node bench/src/write-floor.js [N=1000] [turns=300] [bytes=1056]
const net = require('node:net');
const { fork } = require('node:child_process');

const N = Number(process.argv[2] || 1000);
const TURNS = Number(process.argv[3] || 300);
const BYTES = Number(process.argv[4] || 1056); // 16 frames of a 64 B message (2 B header each)

if (process.argv[5] === 'child') {
  // The readers: raw sockets reading into one shared buffer (no allocation per read), as fanout-client.js.
  const port = Number(process.argv[6]);
  const buf = Buffer.allocUnsafe(65536);
  let open = 0;
  for (let i = 0; i < N; i++) {
    const s = net.connect({ port, host: '127.0.0.1', onread: { buffer: buf, callback: () => true } });
    s.on('connect', () => { if (++open === N) process.send('ready'); });
    s.on('error', () => undefined);
  }
  process.on('message', (m) => { if (m === 'exit') process.exit(0); });
} else {
  // Node's internal stream binding, as packages/xasync/src/direct-write.ts uses it.
  const binding = process.binding('stream_wrap');
  const socks = [];
  const srv = net.createServer((s) => { s.setNoDelay(true); socks.push(s); });
  srv.listen(0, '127.0.0.1', () => {
    const child = fork(__filename, [String(N), String(TURNS), String(BYTES), 'child', String(srv.address().port)]);
    child.once('message', () => setTimeout(() => {
      const data = Buffer.alloc(BYTES, 0x61);
      const req = new binding.WriteWrap();
      req.oncomplete = () => undefined;
      let turn = 0;
      let writes = 0;
      let partial = 0;
      const u0 = process.cpuUsage();
      const step = () => {
        for (const s of socks) {
          req.handle = s._handle; // Node's own private member, as direct-write.ts reads it
          s._handle.writeBuffer(req, data);
          writes++;
          if (binding.streamBaseState[binding.kLastWriteWasAsync] !== 0) partial++;
        }
        if (++turn < TURNS) { setImmediate(step); return; }
        const u = process.cpuUsage(u0);
        console.log(`N=${N} writes of ${BYTES} B: ${writes} (${partial} not taken whole)  user ${(u.user / writes).toFixed(2)} µs/write  system ${(u.system / writes).toFixed(2)} µs/write  total ${((u.user + u.system) / writes).toFixed(2)} µs/write`);
        child.send('exit');
        srv.close();
        for (const s of socks) s.destroy();
      };
      step();
    }, 300));
  });
}
