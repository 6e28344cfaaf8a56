// A consumer's TypeScript: the public API of the four packages, type-checked (never run) against the
// packed declarations. The test checks it as app.ts (CommonJS under node16: the scratch package.json has
// no "type") and as a copy app.mts (an ES module importing the CommonJS packages by name).
import { XBufferSlots, XAsyncSocketsPool, XClosedReason, type XAddressLike } from '@microwebsrv/xasync';
import { MicroWebSrv, HttpRequest, MwsError, type RouteHandler, type MwsModule } from '@microwebsrv/core';
import { WebSockets, WebSocket, type WebSocketsOptions } from '@microwebsrv/mods-websockets';
import { TemplatePages, type TemplatePagesOptions } from '@microwebsrv/mods-template';

const slots: XBufferSlots = new XBufferSlots(4, 1024, false);
const pool = new XAsyncSocketsPool();
const reason: XClosedReason = XClosedReason.Timeout;
const where: XAddressLike = ['127.0.0.1', 0];

const srv = new MicroWebSrv();
srv.setLightConfig();
srv.bindAddress = ['127.0.0.1', 0];
const hello: RouteHandler = (_server: MicroWebSrv, request: HttpRequest) => ({ name: request.queryParams.name ?? 'world' });
srv.registerRoute(hello, 'GET', '/hello/<name>', 'hello');
const helloPath: string = srv.pathFromRoute('hello', { name: 'Ada L' });

const wsOptions: WebSocketsOptions = { paths: ['/echo'], maxRecvMessageLength: 4096 };
const wsMod: WebSockets = srv.loadModule(WebSockets, wsOptions);
wsMod.onWebSocketAccepted = (_server, ws: WebSocket) => {
  ws.onTextMessage = (w, text: string) => { w.sendTextMessage(text); };
};
const pageOptions: TemplatePagesOptions = { showDebug: false, globals: { appName: 'consumer' } };
const pages: TemplatePages = srv.loadModule(TemplatePages, pageOptions);
pages.setGlobalVar('startedAt', Date.now());

class Noop implements MwsModule {
  onRequest(): boolean { return false; }
}
srv.loadModule(Noop);

// The declarations are really in force (not `any`): each of these lines must be an error.
// @ts-expect-error a handler is a function
srv.registerRoute(42, 'GET', '/nope');
// @ts-expect-error the slot count is a number
new XBufferSlots('4', 1024, false);
// @ts-expect-error broadcastText takes a string
wsMod.broadcastText(1);

export async function run(): Promise<void> {
  try {
    await srv.startManaged();
  } catch (err) {
    if (err instanceof MwsError) console.error(err.code);
  }
  console.log(helloPath, slots.stats, pool, reason, where);
  await srv.stop();
}
