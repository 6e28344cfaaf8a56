'use strict';
// MicroWebSrv-TS (this project, @microwebsrv/core from its built dist/), as its README shows it.
// Usage: [MWS_PRESET=embedded|light|normal|large] node microwebsrv.js <port>
//   GET /                        -> 200 text/plain "Hello World!"
//   GET /json/<name:string>/<n:int> -> 200 application/json {name, n, double} (returnOkJSON). `:string`, not the
//                                   plain `<name>`, which turns an integer-looking name into a number: the
//                                   peers keep it a string.
//   POST /echo                   -> 200 application/octet-stream, request.content (the body) sent back
//   GET /<file>                  -> the static-file service (rootPath = fixtures/www: ETag, Last-Modified, 304)
// MWS_HANDLER=1: the same answers from one handler (setRequestHandler, picohttp's single-handler mode) and
//   no route; files through staticResource({ staticBase: fixtures/www }), the static stage left out.
// MWS_TEMPLATES=1 (server microwebsrv+templates, the template scenario): the template module loaded
//   (@microwebsrv/mods-template, as its README shows it), with the page's rows as a global variable:
//   GET /page.jshtml renders fixtures/www/page.jshtml (a freshness check of the file per render, as served).
// Overrides used by the memory scenario (each applied after the preset; unset: the preset's value):
//   MWS_SLOTS=<n>        bufferSlotsCount (one slot per live connection: N idle connections need N slots)
//   MWS_QUEUE=<n>        connQueueCapacity (the listen backlog)
//   MWS_IDLE_SEC=<s>     requestsTimeoutSec and keepAliveTimeoutSec (idle connections must outlive the measure)
//   MWS_PREFAULT=1       after start, write one byte in every 4 KiB page of the slot memory, so that all of it
//                        is resident (in RSS) before any connection; without it the kernel maps the pages of
//                        the up-front allocation only when a request is first read into them.
// Until core exports MicroWebSrv this script fails to load; the runner reports it as unavailable.
const { portArg, ready, onStop, setMemInfo } = require('./lib/lifecycle');
const { STATIC_ROOT, ensureStaticFixture, jsonAnswer, TEMPLATE_ROWS, ensureTemplateFixture } = require('./lib/fixtures');

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
  const intEnv = (name) => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return null;
    if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a positive integer, got ${raw}`);
    return Number(raw);
  };
  const slots = intEnv('MWS_SLOTS');
  if (slots !== null) srv.bufferSlotsCount = slots;
  const queue = intEnv('MWS_QUEUE');
  if (queue !== null) srv.connQueueCapacity = queue;
  const idle = intEnv('MWS_IDLE_SEC');
  if (idle !== null) {
    srv.requestsTimeoutSec = idle;
    srv.keepAliveTimeoutSec = idle;
  }
  srv.bindAddress = ['127.0.0.1', port];
  srv.logLevel = 'WARNING'; // no access-log line per request during a benchmark
  ensureStaticFixture();
  if (process.env.MWS_HANDLER === '1') useHandler(srv, core);
  else useRoutes(srv);
  if (process.env.MWS_TEMPLATES === '1') {
    ensureTemplateFixture();
    const { TemplatePages } = require('@microwebsrv/mods-template');
    srv.loadModule(TemplatePages, { globals: { rows: TEMPLATE_ROWS } });
  }
  await srv.startManaged(); // resolves when listening
  const prefaulted = process.env.MWS_PREFAULT === '1' ? prefault(srv) : null;
  setMemInfo(() => ({
    preset,
    bufferSlotsCount: srv.bufferSlotsCount,
    bufferSlotSize: srv.bufferSlotSize,
    keepAllocBufferSlots: srv.keepAllocBufferSlots,
    slotMemoryBytes: srv.bufferSlotsCount * srv.bufferSlotSize,
    connQueueCapacity: srv.connQueueCapacity,
    prefaultedBytes: prefaulted,
    stats: srv.stats, // {connections, requests, refused, slots: {inUse, allocatedBytes, ...}}
  }));
  onStop(() => srv.stop());
  ready(srv.address[1]); // the bound port (port 0: the one the OS chose)
}

/** The routes (and the static stage over rootPath). */
function useRoutes(srv) {
  srv.registerRoute((server, request) => {
    request.response.contentType = 'text/plain';
    request.response.returnOk('Hello World!');
  }, 'GET', '/');
  srv.registerRoute((server, request, args) => {
    request.response.returnOkJSON(jsonAnswer(args.name, args.n));
  }, 'GET', '/json/<name:string>/<n:int>');
  srv.registerRoute((server, request) => {
    request.response.contentType = 'application/octet-stream';
    request.response.returnOk(request.content);
  }, 'POST', '/echo');
  srv.rootPath = STATIC_ROOT;
}

const JSON_PATH = /^\/json\/([^/]+)\/(-?\d+)$/;

/**
 * One handler for everything, as a picohttp application writes it: the plaintext answer first (the
 * scenario compared with a route), then the JSON and echo answers, then files.
 */
function useHandler(srv, core) {
  if (typeof srv.setRequestHandler !== 'function') throw new Error('MWS_HANDLER=1: this MicroWebSrv has no setRequestHandler (stale dist/: run pnpm build)');
  const staticBase = STATIC_ROOT;
  srv.setRequestHandler((request, response, base) => {
    const p = request.rawPath;
    if (p === '/' && request.method === 'GET') {
      response.contentType = 'text/plain';
      response.returnOk('Hello World!');
      return;
    }
    if (request.method === 'POST' && p === '/echo') {
      response.contentType = 'application/octet-stream';
      response.returnOk(request.content);
      return;
    }
    const m = request.method === 'GET' ? JSON_PATH.exec(p) : null;
    if (m !== null) {
      response.returnOkJSON(jsonAnswer(decodeURIComponent(m[1]), Number(m[2])));
      return;
    }
    return core.staticResource(request, response, { staticBase: base });
  }, staticBase);
}

/**
 * Touches every page of the slot pool's one up-front allocation (keepAllocBufferSlots), so that the slot
 * memory is resident before any connection. The backing buffer is internal to XBufferSlots (`_backing`,
 * reached through the server's `_slots`): a benchmark-only peek, checked, that changes no slot's state.
 * Returns the bytes touched, or throws when the internals are not where this expects them.
 */
function prefault(srv) {
  const backing = srv._slots && srv._slots._backing;
  if (!Buffer.isBuffer(backing)) throw new Error('MWS_PREFAULT: no up-front slot allocation to touch (keepAllocBufferSlots off, or internals moved)');
  for (let i = 0; i < backing.length; i += 4096) backing[i] = 0;
  if (backing.length > 0) backing[backing.length - 1] = 0;
  return backing.length;
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
