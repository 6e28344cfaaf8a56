/**
 * @microwebsrv/bus-redis — core's pub/sub `Bus` over Redis (channels and PSUBSCRIBE), so topics span
 * server processes and machines, and a Redis-streams history for mods-sse's Last-Event-ID replay.
 */
export { RedisBus, type RedisBusOptions, type RedisBusState, type RedisBusStats, type RedisBusLog } from './redis-bus';
export { RedisHistory, type RedisHistoryOptions } from './redis-history';
export { patternToGlob, escapeGlob, isPattern } from './glob';
