/**
 * @microwebsrv/core — MicroWebSrv: an HTTP/1.1 server engine on the xasync buffer-slot pool.
 */
export { MicroWebSrv, type SSLFiles, type LoggingCallback } from './server/micro-web-srv';
export { PRESETS, type PresetName, type PresetValues } from './server/presets';
export { LogLevel, type LogLevelName } from './server/logging';
export { DEFAULT_MIME_TYPES } from './server/mime-types';
export { HttpRequest } from './request/http-request';
export { HttpResponse } from './response/http-response';
export { serializeCookie, type CookieOptions } from './response/cookie';
export { RouteTable, type RouteHandler, type RouteMatch, type RouteArgs, type RouteArgValue, type ArgType } from './routes/route-table';
export { WebRoute, createWebRoute, registerRoute, resolveRoute, pathFromRoute, globalRoutes, type RouteDecorator, type RouteMethod } from './routes/web-route';
export { type MwsModule, type MwsModuleClass } from './modules/module';
export { MwsError, MwsErrorCodes, type MwsErrorCode } from './errors';
export * from './http';
export { serveStaticFile } from './static/serve-static';
export { type StaticOptions, DEFAULT_PAGES } from './static/options';
/** Static path safety, for modules that serve files of their own (templates): decode once, refuse traversal. */
export { hasDotComponent, isInside, parseStaticPath, realInside, realRootOf, type StaticPath } from './static/safe-path';
