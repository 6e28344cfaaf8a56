'use strict';
// Request bodies as streams: uploads of any size through a 4 KiB slot, multipart forms through busboy.
// Run: npx -y pnpm@10.34.9 build && node docs/examples/uploads.js
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { createHash } = require('node:crypto');
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-'));
const srv = new MicroWebSrv();                   // Normal preset: 4 KiB slots, 2 MiB buffered bodies
srv.bindAddress = ['127.0.0.1', Number(process.env.PORT ?? 8080)];

// PUT /files/<name>: the body streams to a file as it arrives (no size limit but the route's).
srv.registerRoute(async (_srv, req, { name }) => {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) return req.response.returnBadRequest('bad name');
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    const bytes = await req.pipeTo(fs.createWriteStream(tmp));   // backpressure: disk → slot → socket
    fs.renameSync(tmp, path.join(dir, name));
    req.response.returnJSON(201, { name, bytes });
  } catch (err) {
    fs.rmSync(tmp, { force: true });             // client gone (AbortError), 413, 408: nothing half-written
    throw err;
  }
}, 'PUT', '/files/<name>', { body: 'stream', maxBodyBytes: 1024 ** 3 });

// POST /hash: read it piece by piece (uhttpd's read); 100 Continue goes out at the first read.
srv.registerRoute(async (_srv, req) => {
  const hash = createHash('sha256');
  let bytes = 0;
  for (let piece; (piece = await req.read()) !== null;) { hash.update(piece); bytes += piece.length; }
  return { bytes, sha256: hash.digest('hex') };
}, 'POST', '/hash', { body: 'stream' });

// POST /form: multipart/form-data, part by part; files stream through, limits answer 413.
srv.registerRoute(async (_srv, req) => {
  const parts = [];
  for await (const part of req.multipart({ files: 2, fileSize: 10 * 1024 * 1024 })) {
    if (part.kind === 'field') { parts.push({ field: part.name, value: part.value }); continue; }
    let bytes = 0;
    for await (const chunk of part.stream) bytes += chunk.length;
    parts.push({ file: part.name, filename: part.filename, type: part.mimeType, bytes });
  }
  return parts;
}, 'POST', '/form', { body: 'stream' });

srv.startManaged().then(() => {
  stopOnSignals(srv);
  console.log(`uploads on http://localhost:${srv.address[1]}/files/<name>, /hash, /form (stored in ${dir})`);
}, (err) => { console.error(err.message); process.exitCode = 1; });
