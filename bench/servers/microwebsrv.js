'use strict';
// MicroWebSrv-TS (this project, @microwebsrv/core from its built dist/): GET / -> 200 text/plain
// "Hello World!". Usage: [MWS_PRESET=embedded|light|normal|large] node microwebsrv.js <port>
// Until core exports MicroWebSrv this script fails to load; the runner reports it as unavailable.
const { portArg, ready, onStop } = require('./lib/lifecycle');

const core = require('@microwebsrv/core');
const { MicroWebSrv } = core;
if (typeof MicroWebSrv !== 'function') {
  throw new Error('@microwebsrv/core does not export MicroWebSrv yet (not landed, or dist/ is stale: run pnpm build)');
}

const PRESETS = { embedded: 'setEmbeddedConfig', light: 'setLightConfig', normal: 'setNormalConfig', large: 'setLargeConfig' };

async function main() {
  const port = portArg();
  const preset = (process.env.MWS_PRESET || 'normal').toLowerCase();
  if (!(preset in PRESETS)) throw new Error(`MWS_PRESET must be one of ${Object.keys(PRESETS).join('|')}, got ${preset}`);
  const srv = new MicroWebSrv(); // the Normal preset by default
  if (preset !== 'normal' || typeof srv.setNormalConfig === 'function') {
    if (typeof srv[PRESETS[preset]] !== 'function') throw new Error(`MicroWebSrv has no ${PRESETS[preset]}()`);
    srv[PRESETS[preset]]();
  }
  srv.bindAddress = ['127.0.0.1', port];
  srv.logLevel = 'WARNING'; // no access-log line per request during a benchmark
  srv.registerRoute((server, request) => {
    request.response.contentType = 'text/plain';
    request.response.returnOk('Hello World!');
  }, 'GET', '/');
  await srv.startManaged(); // resolves when listening
  onStop(() => srv.stop());
  ready(port);
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
