'use strict';
// The benchmark servers (bench/servers/*.js), by name. `name@variant` passes the variant through the
// server's own environment variable (microwebsrv@light -> MWS_PRESET=light); `+flag` suffixes add the
// server's flag environment (microwebsrv@normal+prefault -> MWS_PRESET=normal MWS_PREFAULT=1).
const path = require('node:path');

const SERVERS_DIR = path.join(__dirname, '..', 'servers');

const SERVERS = {
  ceiling: { label: 'ceiling (bare net + onread)', kind: 'http' },
  // Lower still: the accepted handle driven without a net.Socket, as xasync's HandleSocket does (not a server).
  'node-floor': { label: 'floor (raw libuv handle)', kind: 'http' },
  uws: { label: 'uWebSockets.js', kind: 'http' },
  'node-http': { label: 'node:http', kind: 'http' },
  fastify: { label: 'fastify', kind: 'http' },
  microwebsrv: { label: 'MicroWebSrv-TS', kind: 'http', variantEnv: 'MWS_PRESET', flags: { prefault: { MWS_PREFAULT: '1' }, templates: { MWS_TEMPLATES: '1' } } },
  // The same script in single-handler mode (picohttp's style: one handler answers everything, no route).
  'microwebsrv-handler': { label: 'MicroWebSrv-TS handler', kind: 'http', script: 'microwebsrv', env: { MWS_HANDLER: '1' }, variantEnv: 'MWS_PRESET' },
  'xasync-echo': { label: 'xasync echo', kind: 'echo', variantEnv: 'ECHO_COPY' },
  'net-echo': { label: 'node:net echo', kind: 'echo' },
  'microwebsrv-ws': { label: 'MicroWebSrv-TS WebSockets', kind: 'ws' },
  'ws-bare': { label: 'ws (bare, on node:http)', kind: 'ws' },
  // The upload scenario's servers (PUT /devnull, PUT /disk, POST /multipart).
  'upload-node-http': { label: 'node:http (+ busboy)', kind: 'upload' },
  'upload-fastify': { label: 'fastify (+ @fastify/multipart)', kind: 'upload' },
  'upload-microwebsrv': { label: 'MicroWebSrv-TS', kind: 'upload', variantEnv: 'MWS_PRESET' },
  // The fan-out scenario's servers: one script (servers/fanout.js), FANOUT_KIND says which; `sub` is what
  // the subscribers speak (WebSocket or SSE).
  // fanout-mws-ws@<dir>: the WebSockets module from packages/mods-websockets/<dir> instead of dist (a before/after
  // comparison in one run: copy dist to dist-before, git-ignored and not packed, before changing the module).
  'fanout-mws-ws': { label: 'MicroWebSrv-TS topics (WebSocket)', kind: 'fanout', sub: 'ws', script: 'fanout', env: { FANOUT_KIND: 'mws-ws' }, variantEnv: 'FANOUT_MWS_DIR' },
  'fanout-uws': { label: 'uWebSockets.js app.publish', kind: 'fanout', sub: 'ws', script: 'fanout', env: { FANOUT_KIND: 'uws' } },
  'fanout-ws-loop': { label: 'ws, a loop over its clients', kind: 'fanout', sub: 'ws', script: 'fanout', env: { FANOUT_KIND: 'ws-loop' } },
  'fanout-mws-sse': { label: 'MicroWebSrv-TS topics (SSE)', kind: 'fanout', sub: 'sse', script: 'fanout', env: { FANOUT_KIND: 'mws-sse' } },
  'fanout-better-sse': { label: 'better-sse Channel', kind: 'fanout', sub: 'sse', script: 'fanout', env: { FANOUT_KIND: 'better-sse' } },
};

/** {id, name, variant, flags, label, kind, script, env} for "name", "name@variant", "name@variant+flag". */
function resolveServer(id) {
  const [base, ...flags] = id.split('+');
  const [name, variant] = base.split('@');
  const def = SERVERS[name];
  if (!def) throw new Error(`unknown server ${name}: ${Object.keys(SERVERS).join(', ')}`);
  if (variant && !def.variantEnv) throw new Error(`server ${name} has no variants`);
  const env = { ...def.env, ...(variant ? { [def.variantEnv]: variant } : {}) };
  for (const f of flags) {
    if (!def.flags || !def.flags[f]) throw new Error(`server ${name} has no flag +${f}${def.flags ? ` (flags: ${Object.keys(def.flags).join(', ')})` : ''}`);
    Object.assign(env, def.flags[f]);
  }
  const tags = [variant, ...flags].filter(Boolean);
  return {
    id,
    name,
    variant: variant || null,
    flags,
    label: tags.length ? `${def.label} [${tags.join(', ')}]` : def.label,
    kind: def.kind,
    sub: def.sub || null,
    script: path.join(SERVERS_DIR, `${def.script || name}.js`),
    env,
  };
}

module.exports = { SERVERS, resolveServer };
