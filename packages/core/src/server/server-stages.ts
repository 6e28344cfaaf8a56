import { invalidOption } from '../base/errors';
import type { ServerRef } from '../base/refs';
import type { MwsModule, MwsModuleClass } from '../modules/module';
import { AccessStage, type AccessCheck } from '../pipeline/access-stage';
import { ModuleStage } from '../pipeline/module-stage';
import { OptionsStage } from '../pipeline/options-stage';
import { HandlerStage, type RequestHandler } from '../pipeline/handler-stage';
import { FallbackStage, RouteStage, type RouteHandler } from '../pipeline/route-stage';
import type { Stage, StagePosition } from '../pipeline/stage';
import { StaticStage } from '../pipeline/static-stage';
import { RouteTable, type RouteMatch, type RouteOptions } from '../routes/route-table';
import { defaultLogger } from './logging';
import { checkRequestHandler, type HandlerSetting } from './request-handler';
import type { ServerHost } from './server-host';
import { ServerLogger } from './server-logger';
import { ServerSettings } from './settings';
import { StageList } from './stage-list';
import { globalRoutes } from './web-route';

/*
 * What answers a request, the middle of MicroWebSrv's class chain (settings.ts below it; micro-web-srv.ts,
 * logging and the lifecycle, above): access control, modules, added stages, the single handler, routes —
 * the stage list a started server's Pipeline runs, and the data its stages read. Apart because it is
 * configured before a start and only read after, by the stages; it imports nothing above it (the server
 * is `ServerRef` here, which MicroWebSrv completes).
 */

/** The stages half of {@link MicroWebSrv} (use that class; this one is not exported from the package). */
export abstract class ServerStages extends ServerSettings {
  /** Own routes first, then the global registry (WebRoute / registerRoute). */
  protected readonly _routes = new RouteTable<RouteHandler>(globalRoutes);
  protected readonly _modules: Array<{ name: string; instance: MwsModule }> = [];
  /** What the access stage reads per request: data the setters keep up to date. */
  protected readonly _access: { server: ServerRef; basicAuth: { user: string; pass: string; realm: string } | null; onAccessCheck: AccessCheck | null } = { server: this.#self, basicAuth: null, onAccessCheck: null };
  protected readonly _logger: ServerLogger = new ServerLogger<ServerRef>(this.#self, defaultLogger);
  protected _handler: HandlerSetting | null = null;
  protected readonly _stageList: StageList;
  /** The narrow interface every connection of this server talks to (made by MicroWebSrv). */
  protected abstract readonly _host: ServerHost;

  constructor() {
    super();
    const log = this._logger;
    this._stageList = new StageList([
      new AccessStage(this._access),
      new RouteStage(this._routes, this.#self, log),
      new StaticStage(this.#self),
      new OptionsStage(this._defaults, this._routes),
      new FallbackStage(this._routes),
    ]);
  }

  /** This object as lower layers name it: the only subclass is MicroWebSrv, which `ServerRef` extends. */
  get #self(): ServerRef { return this as unknown as ServerRef; }

  // ---- access control, modules and stages ------------------------------------------------------

  /**
   * Requires Basic credentials on every request (uhttpd's server-wide protection), checked before
   * modules and routes in constant time; others get 401 with `WWW-Authenticate: Basic realm="…"`.
   * `null` removes the requirement.
   */
  requireBasicAuth(user: string | null, pass?: string, realm = 'Restricted'): void {
    if (user === null) { this._access.basicAuth = null; return; }
    if (typeof user !== 'string' || user.includes(':')) throw invalidOption('requireBasicAuth user', "a user name without ':' (RFC 7617 §2)", user);
    if (typeof pass !== 'string') throw invalidOption('requireBasicAuth pass', 'a string', pass);
    this._access.basicAuth = { user, pass, realm };
  }

  /**
   * Loads a module on this server (not globally, unlike the original): `new ModuleClass(server, options)`.
   * Its `onRequest` becomes the stage `module:<ClassName>`, after the modules loaded before it and
   * before the routes; stages the module adds in its constructor (default position) follow it. Returns
   * the instance.
   */
  loadModule<M extends MwsModule, O>(ModuleClass: MwsModuleClass<M, O>, options?: O): M {
    if (typeof ModuleClass !== 'function') throw invalidOption('loadModule ModuleClass', 'a class whose instances implement onRequest/onStart/onStop', ModuleClass);
    this._notRunning('loadModule');
    let name = ModuleClass.name || 'module';
    // Two instances of one class (e.g. two template roots) get distinct stage names.
    for (let n = 2; this._stageList.names.includes(`module:${name}`); n++) name = `${ModuleClass.name || 'module'}#${n}`;
    // Its place is taken before construction, so that stages the module adds come after its onRequest.
    const stageName = `module:${name}`;
    this._stageList.insert({ name: stageName, run: () => false }, { before: 'routes' });
    let instance: M;
    try {
      instance = new ModuleClass(this.#self, options as O);
    } catch (err) {
      this._stageList.remove(stageName);
      throw err;
    }
    this._modules.push({ name, instance });
    this._stageList.replace(stageName, new ModuleStage(name, instance, this.#self, this._logger));
    if (typeof instance.onRequestBody === 'function') this._host.bodyModules.push(instance);
    return instance;
  }

  /** The loaded module instances, in load order. */
  get modules(): MwsModule[] { return this._modules.map((m) => m.instance); }

  /**
   * Adds a stage to the request pipeline (default: before 'routes', after the modules loaded so far).
   * Stage names: `access`, `module:<Name>`, `routes`, `static`, `options`, `fallback`, and those added.
   * Throws ERR_MWS_RUNNING while the server runs, ERR_MWS_INVALID_OPTION for a bad stage or position.
   */
  addStage(stage: Stage, position?: StagePosition): void {
    this._notRunning('addStage');
    this._stageList.insert(stage, position);
  }

  /** The pipeline's stage names, in order. */
  get stageNames(): string[] { return this._stageList.names; }

  // ---- single-handler mode (picohttp) ----------------------------------------------------------

  /**
   * One handler for every request that nothing else answers (picohttp's `HttpServer(port, handler,
   * args)`): `handler(request, response, ...args)`. It becomes the stage `handler`, before `fallback`:
   * access checks, modules, routes, OPTIONS answers (and static files, when `rootPath` was set) come
   * first, so with none of them configured it takes every request. It may be async and may return a
   * value (answered as a route's). `null` removes it. Throws ERR_MWS_INVALID_OPTION for a handler that
   * is not a function, ERR_MWS_RUNNING while the server runs.
   */
  setRequestHandler<A extends unknown[]>(handler: RequestHandler<A> | null, ...args: A): void {
    this._notRunning('setRequestHandler');
    if (handler === null) {
      this._stageList.remove('handler');
      this._handler = null;
      return;
    }
    const setting = checkRequestHandler(handler, args);
    const stage = new HandlerStage(setting.handler, setting.args, this._logger);
    if (this._handler !== null) this._stageList.replace('handler', stage);
    else this._stageList.insert(stage, { before: 'fallback' });
    this._handler = setting;
  }

  /** The handler set by `setRequestHandler` and its extra arguments, or null. */
  get requestHandler(): { handler: RequestHandler; args: readonly unknown[] } | null { return this._handler; }

  // ---- routes ----------------------------------------------------------------------------------

  /**
   * Registers `handler` for `method` and a path pattern on this server only: `/users/<id>` (an
   * integer-looking value arrives as a number), typed `<n:int>`, `<x:float>`, `<d:digit>`, `<s:string>`,
   * and `<rest:path>` last. Own routes win over global ones (`WebRoute`, module-level `registerRoute`).
   * A duplicate method + pattern, or name, throws ERR_MWS_ROUTE_DUPLICATE. The fourth argument is the
   * route's name, or {@link RouteOptions}: `{ name?, body?: 'buffer' | 'stream', maxBodyBytes? }` — a
   * streamed route's handler runs as soon as the head is in (after the access checks) and reads the body
   * itself (`request.read()`, `request.body`, `request.pipeTo()`, `request.multipart()`).
   */
  registerRoute(handler: RouteHandler, method: string, path: string, nameOrOptions?: string | RouteOptions): void {
    this._routes.add(handler, method, path, nameOrOptions);
  }

  /** The route that would serve `method path` (the path as sent, percent-encoded; HEAD falls back to GET), or null. */
  resolveRoute(method: string, path: string): RouteMatch<RouteHandler> | null {
    return this._routes.find(method.toUpperCase(), path);
  }

  /** Builds the path of the route named `name` with `args` (values percent-encoded; names match in any case). */
  pathFromRoute(name: string, args?: Readonly<Record<string, unknown>>): string {
    return this._routes.pathFromRoute(name, args);
  }
}
