'use strict';
// The README's "Embedding in 20 lines". Run: npx -y pnpm@10.34.9 build && node docs/examples/embedding.js
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');

const notes = [];                              // stands in for your database
const srv = new MicroWebSrv();                 // the Normal preset: 512 slots × 4 KiB, 2 MiB bodies
srv.setLightConfig();                          // or a smaller budget: 128 slots × 1 KiB
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)]; // the default is port 80, which needs root
srv.registerRoute((server, request) => {
  request.response.returnOkJSON({ hello: request.queryParams.name ?? 'world' });
}, 'GET', '/hello');
srv.registerRoute((server, request) => {
  const note = request.getPostedJSONObject(); // malformed JSON → 400 unless you catch it
  notes.push(note);
  request.response.returnOkJSON({ saved: notes.length });
}, 'POST', '/notes');

async function main() {
  await srv.startManaged();                    // resolves when listening
  stopOnSignals(srv);                          // Ctrl-C or kill: in-flight responses finish, then exit 0
  console.log(`listening on http://localhost:${srv.address[1]}/hello`);
}
main().catch((err) => { console.error(err.message); process.exitCode = 1; });
