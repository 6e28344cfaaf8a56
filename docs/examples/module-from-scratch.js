'use strict';
// A module written from scratch on core's public interface: a file drop. Run: npx -y pnpm@10.34.9 build && node docs/examples/module-from-scratch.js
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { MicroWebSrv, stopOnSignals } = require('@microwebsrv/core');

class FileDrop {
  constructor(server, options) {
    this.server = server;
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.watchers = new Set();                         // open /drop/events streams
    // A stage of its own, after the routes and static files: GET /drop lists what was stored.
    server.addStage({ name: 'drop-list', run: (request) => this.list(request) }, { before: 'options' });
  }

  // PUT /drop/<name>: the body goes to disk as it arrives (with backpressure), never into memory whole.
  onRequestBody(server, request) {
    const name = request.method === 'PUT' && /^\/drop\/([\w.-]{1,64})$/.exec(request.path)?.[1];
    if (!name || name.startsWith('.')) return null;    // not ours: the server buffers the body as usual
    const tmp = path.join(this.dir, `.${name}.${process.pid}.${Date.now()}.part`);
    const out = fs.createWriteStream(tmp);
    let resume = () => {};
    out.on('drain', () => resume());
    request.dropped = { name, tmp, out, done: new Promise((ok, fail) => { out.on('finish', ok); out.on('error', fail); }) };
    return {
      maxBytes: this.maxBytes,                         // more → 413 and close
      onStart: (r) => { resume = r; },
      // `chunk` is a view of the connection's slot, reused once onData returns: the stream keeps a copy.
      onData: (chunk) => out.write(Buffer.from(chunk)), // false pauses the socket until 'drain'
      onEnd: () => out.end(),
      onAbort: () => { out.destroy(); fs.rm(tmp, { force: true }, () => {}); },
    };
  }

  // Answers the PUT once its file is complete: renamed into place, so a reader never sees half a file.
  async onRequest(server, request) {
    const d = request.dropped;
    if (d === undefined) {
      if (request.method === 'GET' && request.path === '/drop/events') this.watch(request);
      return;
    }
    await d.done;
    await fs.promises.rename(d.tmp, path.join(this.dir, d.name));
    server.log(`stored ${d.name}`, 'INFO', { file: d.name, bytes: d.out.bytesWritten });
    for (const w of this.watchers) w.write(`stored ${d.name} ${d.out.bytesWritten}\n`);
    request.response.returnOkJSON({ stored: d.name, bytes: d.out.bytesWritten });
  }

  // An open-ended response: one line per stored file, until the client leaves or the server stops.
  watch(request) {
    const stream = request.response.openStream(200, {
      contentType: 'text/plain',
      onStop: (s) => s.write('server stopping\n'),   // the graceful stop ends the stream after this line
    });
    this.watchers.add(stream);
    stream.signal.addEventListener('abort', () => this.watchers.delete(stream));
  }

  list(request) {
    if (request.method !== 'GET' || request.path !== '/drop') return false;
    const files = fs.readdirSync(this.dir).filter((f) => !f.startsWith('.'));
    request.response.returnOkJSON({ files, connections: this.server.stats.connections });
    return true;
  }

  onStop() { this.watchers.clear(); }
}

const srv = new MicroWebSrv();
srv.setLightConfig();                                  // 1 KiB slots: uploads of any size still fit
srv.bindAddress = ['0.0.0.0', Number(process.env.PORT ?? 8080)];
const dir = process.env.DROP_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'drop-'));
srv.loadModule(FileDrop, { dir, maxBytes: 64 * 1024 * 1024 });

async function main() {
  await srv.startManaged();
  stopOnSignals(srv);
  console.log(`listening on http://localhost:${srv.address[1]}/drop (files in ${dir})`);
}
main().catch((err) => { console.error(err.message); process.exitCode = 1; });
