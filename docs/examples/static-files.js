'use strict';
// Static files from docs/examples/www: default pages, MIME types, validators and 304, ranges,
// precompressed siblings, Cache-Control. Run: npx -y pnpm@10.34.9 build && node docs/examples/static-files.js
const path = require('node:path');
const { MicroWebSrv } = require('@microwebsrv/core');

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];
srv.rootPath = path.join(__dirname, 'www');   // the default 'www' is relative to the working directory
srv.addDefaultPage('home.html');              // tried after index.html, index.htm, default.html, default.htm
srv.addMimeType('.md', 'text/plain');         // wins over the database (text/markdown): browsers show it
srv.staticCacheControl = 'max-age=600';       // default 'max-age=3600'; null sends none
srv.staticMaxRanges = 4;                      // default 16; 0 turns ranges off
// Defaults kept: staticPrecompressed = true (style.css.gz for gzip clients), serveDotFiles = false.

// Routes come first: a GET route shadows a file at the same path.
srv.registerRoute((_server, req) => req.response.returnOkJSON({ time: new Date().toISOString() }), 'GET', '/api/time');

srv.startManaged().then(() => {
  console.log(`listening on http://localhost:${srv.address[1]}/  (Ctrl-C stops)`);
}, (err) => {
  console.error(`${err.code}: ${err.message}`);
  process.exitCode = 1;
});

process.once('SIGINT', () => {
  srv.stop().then(() => console.log('stopped'));
});
