'use strict';
// The scenarios: which servers, which load. `o` is the parsed command line (cli.js).
const HTTP_PEERS = ['ceiling', 'uws', 'node-http', 'fastify', 'microwebsrv'];

const SCENARIOS = {
  plaintext: {
    description: (o) => `GET / "Hello World!", keep-alive, ${o.connections} connections, no pipelining`,
    kind: 'http',
    servers: HTTP_PEERS,
    load: (o) => ({ connections: o.connections, pipelining: 1, workers: o.workers }),
  },
  pipelined: {
    description: (o) => `GET / "Hello World!", keep-alive, ${o.connections} connections, ${o.pipelining} requests pipelined per connection`,
    kind: 'http',
    servers: HTTP_PEERS,
    load: (o) => ({ connections: o.connections, pipelining: o.pipelining, workers: o.workers }),
  },
  presets: {
    // 16 connections at most: the Embedded preset has 16 slots, and a 17th connection is refused (503) by design.
    description: (o) => `MicroWebSrv-TS with each MWS_PRESET, plaintext load (${Math.min(o.connections, 16)} connections: Embedded has 16 slots); node:http for reference`,
    kind: 'http',
    servers: ['microwebsrv@embedded', 'microwebsrv@light', 'microwebsrv@normal', 'microwebsrv@large', 'node-http'],
    load: (o) => ({ connections: Math.min(o.connections, 16), pipelining: 1, workers: o.workers }),
  },
  echo: {
    description: (o) => `TCP echo, ${o.connections} connections, each sending 64 bytes and waiting for them back`,
    kind: 'echo',
    servers: ['xasync-echo', 'net-echo'],
    load: (o) => ({ connections: o.connections, size: 64 }),
  },
  memory: {
    // Run by memory.js (not a load): N idle keep-alive connections, the server's memory before and after.
    // microwebsrv twice per preset: as shipped, and with its slot memory prefaulted (resident before any
    // connection), whose RSS growth is then the cost beyond the slot memory. net-echo is the bare
    // node:net socket (it answers the request by echoing it), the ceiling a bare socket + 16 KB buffer.
    description: (o, counts) => `${(counts || []).map((n) => n.toLocaleString('en-US')).join(' and ')} idle keep-alive connections (one GET / answered on each), ` +
      'server memory after full GCs before and after',
    kind: 'memory',
    servers: ['microwebsrv@normal', 'microwebsrv@normal+prefault', 'microwebsrv@large', 'microwebsrv@large+prefault',
      'node-http', 'ceiling', 'uws', 'net-echo'],
  },
};

module.exports = { SCENARIOS };
