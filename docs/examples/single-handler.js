'use strict';
// One handler for every request, picohttp's style. Run: npx -y pnpm@10.34.9 build && node docs/examples/single-handler.js
const path = require('node:path');
const { MicroWebSrv, staticResource, stopOnSignals } = require('@microwebsrv/core');

// Extra arguments come after (request, response): here a tiny "database" and a config object.
const notes = new Map([[1, 'buy milk']]);
const config = { staticBase: path.join(__dirname, 'www'), name: 'notes' };

async function handler(request, response, db, cfg) {
  const { method, path: segments, query } = request.picoView;   // picohttp's request view
  if (segments[0] === 'api' && segments[1] === 'notes') {
    if (method === 'GET' && segments.length === 2) return { app: cfg.name, notes: [...db.values()], q: query.q ?? null };
    if (method === 'POST' && segments.length === 2) {
      const text = request.picoView.data.toString('utf8').trim();
      if (text === '') return ['empty note\n', 400, 'text/plain'];   // [body, status, type]
      db.set(db.size + 1, text);
      return ['saved\n', 201, 'text/plain'];
    }
    response.returnMethodNotAllowed(['GET', 'POST']);
    return;
  }
  // Everything else is a file under staticBase (ETag, 304, ranges; traversal refused), or 404.
  await staticResource(request, response, { staticBase: cfg.staticBase, defaultResource: 'index.html' });
}

const srv = new MicroWebSrv();
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
srv.setRequestHandler(handler, notes, config);
// Routes still come first when there are some: this one answers before the handler.
srv.registerRoute(() => ({ status: 'up' }), 'GET', '/health');

srv.startManaged().then(() => {
  stopOnSignals(srv);
  console.log(`listening on http://localhost:${srv.address[1]}/`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
