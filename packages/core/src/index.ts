/**
 * @microwebsrv/core — MicroWebSrv: an HTTP/1.1 server engine on the xasync buffer-slot pool.
 * The public entry: modules and applications import only this (see docs/modules.md).
 */
export * from './pubsub';
export { type TrafficStats } from './server/traffic';
export { COUNTED_METHODS, STATUS_CLASSES, DURATION_BUCKETS, type CountedMethod, type StatusClass, type DurationStats, type RequestCounts } from './server/request-stats';
export { MicroWebSrv, type SSLFiles, type LoggingCallback, type ServerStats } from './server/micro-web-srv';
export { stopOnSignals, type StopOnSignalsOptions, type Stoppable } from './server/shutdown';
export { startCluster } from './cluster/start-cluster';
export { type ClusterOptions, type RestartOptions } from './cluster/options';
export { type ClusterSetup, type SetupContext, type SetupResult, type PrimaryContext } from './cluster/context';
export { type ClusterPrimary, type WorkerInfo } from './cluster/primary';
export { type ClusterWorker } from './cluster/worker';
export { ClusterBus, clusterBus, type ClusterBusStats, type ClusterChannel } from './cluster/cluster-bus';
export { PRESETS, type PresetName, type PresetValues } from './server/presets';
export { LogLevel, type LogLevelName, type LogFields, type Logger } from './base/logger';
export { type StructuredLogger } from './server/server-logger';
export { DEFAULT_MIME_TYPES } from './server/mime-types';
export { HttpRequest } from './request/http-request';
export { type PipeToOptions } from './request/body-stream';
export { type MultipartPart, type MultipartLimits } from './request/multipart';
export { HttpResponse, type ResponseSink } from './response/http-response';
export { serializeCookie, type CookieOptions } from './response/cookie';
export { OpenStream, type OpenStreamOptions } from './response/open-stream';
export { type ResponseDefaults, responseDefaults } from './response/response-defaults';
export { RouteTable, type RouteOptions, type RouteBody, type RouteMatch, type RouteArgs, type RouteArgValue, type ArgType } from './routes/route-table';
export { type RouteHandler } from './pipeline/route-stage';
export { type RequestHandler } from './pipeline/handler-stage';
export { type PicoRequestView } from './request/pico-view';
export { type Stage, type StageOutcome, type StagePosition } from './pipeline/stage';
export { WebRoute, createWebRoute, registerRoute, resolveRoute, pathFromRoute, globalRoutes, type RouteDecorator, type RouteMethod } from './server/web-route';
export { type MwsModule, type MwsModuleClass, type BodyReceiver } from './modules/module';
export { type ServerRef, type RequestRef } from './base/refs';
/** The misuse catalogue: modules throw these too (`invalidOption` and the asserts name the option and the value). */
export { MwsError, MwsErrorCodes, type MwsErrorCode, invalidOption, assertIntOption, assertNumberOption, shownValue } from './base/errors';
export * from './http';
export { serveStaticFile } from './static/serve-static';
export { staticResource, type StaticResourceOptions } from './static/static-resource';
export { type StaticOptions, DEFAULT_PAGES } from './static/options';
export { type StaticSite } from './static/site';
/** Static path safety, for modules that serve files of their own (templates): decode once, refuse traversal. */
export { hasDotComponent, isInside, parseStaticPath, realInside, realRootOf, type StaticPath } from './static/safe-path';
/** The strong ETag and Last-Modified core's static files send for a file's stat: modules that write files (mods-files) answer and compare the same. */
export { validatorsOf, type Validators } from './static/validators';
/**
 * Conditional requests as core's static files answer them (RFC 9110 §13.2.2 order: If-Match, else
 * If-Unmodified-Since → 412; If-None-Match, else If-Modified-Since for GET / HEAD → 304): modules that
 * read or write files of their own (mods-files) evaluate the same fields the same way.
 */
export { evaluatePreconditions, type Conditions as Preconditions } from './static/validators';
