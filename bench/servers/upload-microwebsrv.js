'use strict';
// Upload: MicroWebSrv-TS streamed routes take an upload (bench `upload` scenario). Usage:
// [MWS_PRESET=embedded|light|normal|large] node upload-microwebsrv.js <port>
// The same answers as upload-node-http.js: PUT /devnull and PUT /disk (request.pipeTo a WriteStream),
// POST /multipart (request.multipart(), each file part piped to /dev/null).
const fs = require('node:fs');
const { pipeline } = require('node:stream/promises');
const { MicroWebSrv } = require('@microwebsrv/core');
const { portArg, ready, onStop } = require('./lib/lifecycle');
const { tempFile } = require('./lib/upload-fixtures');

const PRESETS = { embedded: 'setEmbeddedConfig', light: 'setLightConfig', normal: 'setNormalConfig', large: 'setLargeConfig' };
const srv = new MicroWebSrv();
srv[PRESETS[(process.env.MWS_PRESET || 'normal').toLowerCase()]]();
srv.bindAddress = ['127.0.0.1', portArg()];
srv.onLogging = () => {};
const STREAM = { body: 'stream' };

async function toFile(req, file) {
  const n = await req.pipeTo(fs.createWriteStream(file));
  if (file !== '/dev/null') fs.rmSync(file);
  req.response.contentType = 'text/plain';
  req.response.returnOk(String(n));
}
srv.registerRoute((_s, req) => toFile(req, '/dev/null'), 'PUT', '/devnull', STREAM);
srv.registerRoute((_s, req) => toFile(req, tempFile()), 'PUT', '/disk', STREAM);
srv.registerRoute(async (_s, req) => {
  let n = 0;
  for await (const part of req.multipart()) {
    if (part.kind !== 'file') continue;
    part.stream.on('data', (c) => { n += c.length; });
    await pipeline(part.stream, fs.createWriteStream('/dev/null'));
  }
  req.response.contentType = 'text/plain';
  req.response.returnOk(String(n));
}, 'POST', '/multipart', STREAM);

srv.startManaged().then(() => ready(srv.address[1]));
onStop(() => srv.stop());
