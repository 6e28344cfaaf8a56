'use strict';
// A consumer's CommonJS server: the four packages from require(), one route, a template page, a WebSocket echo.
const path = require('node:path');
const { XBufferSlots } = require('@microwebsrv/xasync');
const { MicroWebSrv } = require('@microwebsrv/core');
const { WebSockets } = require('@microwebsrv/mods-websockets');
const { TemplatePages } = require('@microwebsrv/mods-template');

const srv = new MicroWebSrv();
srv.setEmbeddedConfig();
srv.bindAddress = ['127.0.0.1', 0];
srv.rootPath = path.join(__dirname, 'www');
srv.loadModule(TemplatePages, { globals: { flavour: 'cjs' } });
const wsMod = srv.loadModule(WebSockets, { paths: ['/echo'] });
wsMod.onWebSocketAccepted = (_srv, ws) => { ws.onTextMessage = (w, text) => w.sendTextMessage(`cjs:${text}`); };
srv.registerRoute((_srv, req) => ({ flavour: 'cjs', name: req.queryParams.name, slots: typeof XBufferSlots }), 'GET', '/hello');

srv.startManaged().then(() => console.log(`listening on http://127.0.0.1:${srv.address[1]}/`),
  (err) => { console.error(err); process.exitCode = 1; });
process.once('SIGINT', () => { srv.stop().then(() => process.exit(0)); });
