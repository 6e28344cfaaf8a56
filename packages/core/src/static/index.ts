/** Static files: the pipeline's step after routes for GET/HEAD, and its settings. */
export { serveStatic, serveStaticFile } from './serve-static';
export { staticResource, type StaticResourceOptions } from './static-resource';
export {
  type StaticOptions, DEFAULT_PAGES, DEFAULT_STATIC_CACHE_CONTROL, DEFAULT_MAX_RANGES, defaultStaticOptions,
  checkDefaultPage, checkDefaultPages, checkStaticCacheControl, checkStaticMaxRanges, checkBoolean,
} from './options';
export { type StaticSite, StaticCaches, cachesOf } from './site';
export { parseStaticPath, type StaticPath } from './safe-path';
export { parseHttpDate, type Validators } from './validators';
