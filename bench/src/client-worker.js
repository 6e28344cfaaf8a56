'use strict';
// The load-client process (started pinned to the client CPU by client-process.js). Takes commands over
// IPC, one at a time: {id, kind: 'autocannon' | 'echo' | 'ws-echo' | 'idle-open' | 'idle-status' | 'idle-close', opts}
// -> {id, result} or {id, error}. The idle-* commands hold the memory scenario's idle connections
// (idle-client.js) between commands.
const { runAutocannon } = require('./autocannon-client');
const { runEcho } = require('./echo-client');
const { runWsEcho } = require('./ws-echo-client');
const { openIdle, idleStatus, closeIdle } = require('./idle-client');

const RUN = {
  autocannon: (o) => runAutocannon(o),
  echo: (o) => runEcho(o),
  'ws-echo': (o) => runWsEcho(o),
  'idle-open': (o) => openIdle(o),
  'idle-status': () => idleStatus(),
  'idle-close': () => closeIdle(),
};

process.on('message', async (m) => {
  try {
    if (!RUN[m.kind]) throw new Error(`unknown client command ${m.kind}`);
    const result = await RUN[m.kind](m.opts);
    process.send({ id: m.id, result });
  } catch (err) {
    process.send({ id: m.id, error: String(err && err.message ? err.message : err) });
  }
});
process.on('disconnect', () => process.exit(0));
