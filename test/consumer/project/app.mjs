// A consumer's ES module server: the four packages by named imports, one route, a template page, a WebSocket echo.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XBufferSlots } from '@microwebsrv/xasync';
import { MicroWebSrv } from '@microwebsrv/core';
import { WebSockets } from '@microwebsrv/mods-websockets';
import { TemplatePages } from '@microwebsrv/mods-template';

const srv = new MicroWebSrv();
srv.setEmbeddedConfig();
srv.bindAddress = ['127.0.0.1', 0];
srv.rootPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'www');
srv.loadModule(TemplatePages, { globals: { flavour: 'esm' } });
const wsMod = srv.loadModule(WebSockets, { paths: ['/echo'] });
wsMod.onWebSocketAccepted = (_srv, ws) => { ws.onTextMessage = (w, text) => w.sendTextMessage(`esm:${text}`); };
srv.registerRoute((_srv, req) => ({ flavour: 'esm', name: req.queryParams.name, slots: typeof XBufferSlots }), 'GET', '/hello');

srv.startManaged().then(() => console.log(`listening on http://127.0.0.1:${srv.address[1]}/`),
  (err) => { console.error(err); process.exitCode = 1; });
process.once('SIGINT', () => { srv.stop().then(() => process.exit(0)); });
