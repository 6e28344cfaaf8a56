'use strict';
// The benchmark servers (bench/servers/*.js), by name. `name@variant` passes the variant through the
// server's own environment variable (microwebsrv@light -> MWS_PRESET=light).
const path = require('node:path');

const SERVERS_DIR = path.join(__dirname, '..', 'servers');

const SERVERS = {
  ceiling: { label: 'ceiling (bare net + onread)', kind: 'http' },
  uws: { label: 'uWebSockets.js', kind: 'http' },
  'node-http': { label: 'node:http', kind: 'http' },
  fastify: { label: 'fastify', kind: 'http' },
  microwebsrv: { label: 'MicroWebSrv-TS', kind: 'http', variantEnv: 'MWS_PRESET' },
  'xasync-echo': { label: 'xasync echo', kind: 'echo', variantEnv: 'ECHO_COPY' },
  'net-echo': { label: 'node:net echo', kind: 'echo' },
};

/** {id, name, variant, label, kind, script, env} for "name" or "name@variant". */
function resolveServer(id) {
  const [name, variant] = id.split('@');
  const def = SERVERS[name];
  if (!def) throw new Error(`unknown server ${name}: ${Object.keys(SERVERS).join(', ')}`);
  if (variant && !def.variantEnv) throw new Error(`server ${name} has no variants`);
  return {
    id,
    name,
    variant: variant || null,
    label: variant ? `${def.label} [${variant}]` : def.label,
    kind: def.kind,
    script: path.join(SERVERS_DIR, `${name}.js`),
    env: variant ? { [def.variantEnv]: variant } : {},
  };
}

module.exports = { SERVERS, resolveServer };
