'use strict';
// The scenarios: which servers, which load. `o` is the parsed command line (cli.js). An HTTP scenario's
// `request` (requests.js) is what is sent and the answer every server must give (checked before measuring).
const { REQUESTS } = require('./requests');

const HTTP_PEERS = ['ceiling', 'uws', 'node-http', 'fastify', 'microwebsrv'];
// The ceiling answers one canned response to every request head without parsing: a bound for GET /, not a
// server that routes, reads bodies or serves files, so it is left out where those are what is measured.
const ROUTED_PEERS = ['uws', 'node-http', 'fastify', 'microwebsrv'];
// uWebSockets.js has no static-file service (a hand-written one would measure that code, not uWS).
const STATIC_PEERS = ['node-http', 'fastify', 'microwebsrv'];

const keepAlive = (o) => ({ connections: o.connections, pipelining: 1, workers: o.workers });

const SCENARIOS = {
  plaintext: {
    description: (o) => `GET / "Hello World!", keep-alive, ${o.connections} connections, no pipelining`,
    kind: 'http',
    // With the single-handler mode beside the route (issue 17: a handler must be at least as fast).
    servers: [...HTTP_PEERS, 'microwebsrv-handler'],
    request: REQUESTS.plaintext,
    load: keepAlive,
  },
  pipelined: {
    description: (o) => `GET / "Hello World!", keep-alive, ${o.connections} connections, ${o.pipelining} requests pipelined per connection`,
    kind: 'http',
    servers: HTTP_PEERS,
    request: REQUESTS.plaintext,
    load: (o) => ({ connections: o.connections, pipelining: o.pipelining, workers: o.workers }),
  },
  // Heads that all differ (an X-Request-Id the load tool makes per request): a server cannot take a head it
  // has read before again, as the plain scenarios' identical requests let it.
  'plaintext-vary': {
    description: (o) => `GET / "Hello World!" with an X-Request-Id that differs on every request (no two heads alike), keep-alive, ${o.connections} connections, no pipelining`,
    kind: 'http',
    servers: HTTP_PEERS,
    request: REQUESTS['plaintext-vary'],
    load: keepAlive,
  },
  'pipelined-vary': {
    description: (o) => `the same, ${o.pipelining} requests pipelined per connection`,
    kind: 'http',
    servers: HTTP_PEERS,
    request: REQUESTS['plaintext-vary'],
    load: (o) => ({ connections: o.connections, pipelining: o.pipelining, workers: o.workers }),
  },
  json: {
    description: (o) => `GET /json/bench/21 (a route with two arguments, a string and an integer) → 200 application/json {"name":"bench","n":21,"double":42}, keep-alive, ${o.connections} connections`,
    kind: 'http',
    servers: ROUTED_PEERS,
    request: REQUESTS.json,
    load: keepAlive,
  },
  'post-echo': {
    description: (o) => `POST /echo with a 1,024-byte body (Content-Length, application/octet-stream) → 200, the body echoed, keep-alive, ${o.connections} connections`,
    kind: 'http',
    servers: ROUTED_PEERS,
    request: REQUESTS['post-echo'],
    load: keepAlive,
  },
  static: {
    description: (o) => `GET /file-4k.txt, a 4,096-byte file from each server's static-file service → 200 text/plain, keep-alive, ${o.connections} connections`,
    kind: 'http',
    servers: STATIC_PEERS,
    request: REQUESTS.static,
    load: keepAlive,
  },
  'static-304': {
    description: (o) => `GET /file-4k.txt with If-None-Match: <the ETag that server gave> → 304 Not Modified, keep-alive, ${o.connections} connections`,
    kind: 'http',
    servers: STATIC_PEERS,
    request: REQUESTS['static-304'],
    load: keepAlive,
  },
  template: {
    description: (o) => `GET /page.jshtml, a 20-row table rendered per request (escaped values, a loop, a condition) → 200 text/html; ` +
      `MicroWebSrv-TS by URL through its template module, the peers with Eta on the same page in Eta's syntax; keep-alive, ${o.connections} connections`,
    kind: 'http',
    servers: ['uws', 'node-http', 'fastify', 'microwebsrv+templates'],
    request: REQUESTS.template,
    load: keepAlive,
  },
  presets: {
    // 16 connections at most: the Embedded preset has 16 slots, and a 17th connection is refused (503) by design.
    description: (o) => `MicroWebSrv-TS with each MWS_PRESET, plaintext load (${Math.min(o.connections, 16)} connections: Embedded has 16 slots); node:http for reference`,
    kind: 'http',
    servers: ['microwebsrv@embedded', 'microwebsrv@light', 'microwebsrv@normal', 'microwebsrv@large', 'node-http'],
    request: REQUESTS.plaintext,
    load: (o) => ({ connections: Math.min(o.connections, 16), pipelining: 1, workers: o.workers }),
  },
  echo: {
    description: (o) => `TCP echo, ${o.connections} connections, each sending 64 bytes and waiting for them back`,
    kind: 'echo',
    servers: ['xasync-echo', 'net-echo'],
    load: (o) => ({ connections: o.connections, size: 64 }),
  },
  'ws-echo': {
    description: (o) => `WebSocket echo on ws://…/echo, ${o.connections} connections, each keeping ${o.wsWindow} binary messages of ${o.wsSize} bytes in flight`,
    kind: 'ws',
    servers: ['microwebsrv-ws', 'ws-bare'],
    load: (o) => ({ connections: o.connections, window: o.wsWindow, size: o.wsSize }),
  },
  fanout: {
    // Run by fanout.js: one publish to N subscribers; delivered msg/s, server CPU µs per delivered message, RSS.
    description: (o, counts) => `one publish to ${(counts || o.fanoutSubs).map((n) => n.toLocaleString('en-US')).join(' and ')} subscribers of a topic, ` +
      `messages of ${o.fanoutSizes.map((s) => `${s.toLocaleString('en-US')} B`).join(' and ')}, published in batches of 16 per event-loop turn, ` +
      `bursts of ${o.fanoutBurst.toLocaleString('en-US')} deliveries; WebSocket and SSE subscribers`,
    kind: 'fanout',
    servers: ['fanout-mws-ws', 'fanout-uws', 'fanout-ws-loop', 'fanout-mws-sse', 'fanout-better-sse'],
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
  upload: {
    // Run by upload.js (not a load): one upload at a time, a fresh server per measure (issue 14).
    description: (o) => `one ${o.uploadMiB} MiB upload at a time (Content-Length), streamed to /dev/null, to a temp file, and as one file part of a multipart/form-data body to /dev/null (node:http + busboy, fastify + @fastify/multipart)`,
    kind: 'upload',
    servers: ['upload-node-http', 'upload-fastify', 'upload-microwebsrv', 'upload-microwebsrv@large'],
  },
};

module.exports = { SCENARIOS };
