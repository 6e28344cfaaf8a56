/**
 * @microwebsrv/mods-sse — server-sent events for MicroWebSrv (HTML §9.2, `text/event-stream`): endpoints
 * (`event(url)`, `dispatch`), streams from any route, topics shared with WebSockets, Last-Event-ID replay.
 */
export { ServerSentEvents } from './module';
export { EventEndpoint } from './endpoint';
export { EventStream, type SlowPolicy } from './event-stream';
export { type HistoryOptions, type HistoryStore } from './history';
export { type EventStreamOptions, type EventEndpointOptions, type ServerSentEventsOptions } from './options';
export { encodeEvent, encodeComment, type EventMessage } from './wire';
