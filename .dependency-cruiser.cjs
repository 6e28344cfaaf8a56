/**
 * The import-graph check (run by the test command, `pnpm depcheck`): no cycle in any package, type-only
 * imports included (they are layering too), and inside core and xasync each folder imports only the
 * layers below it (docs/ARCHITECTURE.md, "Layers"). Tests are left out: a test may start a whole server.
 */
const CORE = '^packages/core/src/';
/** core's layers, lowest first; a folder may import its own folder and the ones listed for it. */
const coreAllowed = {
  base: [],
  http: ['base'],
  request: ['base', 'http', 'response'],
  response: ['base', 'http'],
  routes: ['base', 'http'],
  pubsub: ['base'],
  static: ['base', 'http', 'request', 'response'],
  modules: ['base', 'http', 'request', 'response'],
  pipeline: ['base', 'http', 'request', 'response', 'routes', 'static', 'modules'],
  engine: ['base', 'http', 'request', 'response'],
  server: ['base', 'http', 'request', 'response', 'routes', 'static', 'modules', 'pipeline', 'engine', 'pubsub'],
  // Above the server: runs servers on several processes (node:cluster); nothing below knows of it.
  cluster: ['base', 'pubsub', 'server'],
};
const coreRules = Object.entries(coreAllowed).map(([folder, allowed]) => ({
  name: `core-${folder}-layer`,
  comment: `core/${folder} may import only ${allowed.length ? allowed.join(', ') : 'nothing of core'} (and itself)`,
  severity: 'error',
  from: { path: `${CORE}${folder}/` },
  to: { path: CORE, pathNot: [`${CORE}(${[folder, ...allowed].join('|')})/`] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle (type-only imports included) means two files know each other: give the lower one a narrow interface.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...coreRules,
    {
      name: 'core-index-only-for-users',
      comment: 'Nothing inside core imports its public entry (it sits on top of every layer).',
      severity: 'error',
      from: { path: `${CORE}.+/` },
      to: { path: `${CORE}index\\.ts$` },
    },
    {
      name: 'mods-public-entry-only',
      comment: 'Modules reach core and xasync only through their public entries (no deep imports).',
      severity: 'error',
      from: { path: '^packages/mods-' },
      to: { path: '^packages/(core|xasync)/(?!src/index\\.ts$|dist/index\\.(js|d\\.ts)$)' },
    },
    {
      name: 'bus-redis-public-entry-only',
      comment: 'The Redis bus reaches core only through its public entry, like a module, and knows no module.',
      severity: 'error',
      from: { path: '^packages/bus-redis/' },
      to: { path: '^packages/(core/(?!src/index\\.ts$|dist/index\\.(js|d\\.ts)$)|xasync/|mods-)' },
    },
    {
      name: 'mods-websockets-public-entry-only',
      comment: 'Other modules (mods-repl) reach the WebSockets module only through its public entry.',
      severity: 'error',
      from: { path: '^packages/mods-(?!websockets/)' },
      to: { path: '^packages/mods-websockets/(?!src/index\\.ts$|dist/index\\.(js|d\\.ts)$)' },
    },
    {
      name: 'xasync-helpers-below-classes',
      comment: "xasync's helpers work on ClientState / PoolMember; only the public classes (and the client's base, tcp-client-socket) and index sit above them (docs/ARCHITECTURE.md, Layers).",
      severity: 'error',
      from: { path: '^packages/xasync/src/(?!tcp-client|tcp-server|udp-datagram|index)[^/]+\\.ts$' },
      to: { path: '^packages/xasync/src/(tcp-client|tcp-client-socket|tcp-server|udp-datagram|index)\\.ts$' },
    },
    {
      name: 'xasync-knows-no-http',
      comment: 'xasync knows nothing of HTTP or of any module.',
      severity: 'error',
      from: { path: '^packages/xasync/' },
      to: { path: '^packages/(core|mods-)' },
    },
    {
      name: 'core-knows-no-module',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: '^packages/(mods-|bus-)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(\\.test\\.ts$|/__tests__/|/dist/|node_modules)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
