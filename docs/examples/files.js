'use strict';
// docs/files.md: a file manager at /fs/ over a folder. Run: npx -y pnpm@10.34.9 build && node docs/examples/files.js
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');
const { FileManager } = require('@microwebsrv/mods-files');

// FILES_DIR to serve a folder of yours; by default a fresh, empty one.
const base = process.env.FILES_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'files-'));
fs.mkdirSync(path.join(base, 'public'), { recursive: true });

const srv = new MicroWebSrv();
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];
srv.loadModule(FileManager, {
  prefix: '/fs',                      // GET /fs/ lists the folder, GET /fs/a.txt downloads, PUT stores …
  base,
  uploadEndpoint: '/upload',          // uhttpd's form: Content-Disposition: attachment; filename="/path"
  maxFileBytes: 100 * 1024 * 1024,    // one file: 100 MiB (413 beyond)
  maxTotalBytes: 1024 * 1024 * 1024,  // the whole folder: 1 GiB (507 beyond)
  // uhttpd's file_acl: everyone reads; writing needs admin / s3cret; /public/ is read-only for all.
  acl: (p, access, request) => {
    if (p.startsWith('/public/')) return 'ro';
    if (access === 'read') return 'rw';
    return request.checkBasicAuth('admin', 's3cret') ? 'rw' : 401;
  },
});

srv.startManaged().then(() => {
  stopOnSignals(srv);                 // Ctrl-C: uploads in progress are dropped (no temp file left), then exit 0
  console.log(`${base} on http://127.0.0.1:${srv.address[1]}/fs/`);
});
