/** `EventEndpoint`: an event-stream URL mounted in one line (uhttpd's `event(url)`), and its `dispatch`. */
import type { HttpRequest, MicroWebSrv, PublishData } from '@microwebsrv/core';
import type { EventStream } from './event-stream';
import type { EventEndpointOptions } from './options';

export class EventEndpoint {
  /** The path it answers (exact match, GET and HEAD). */
  readonly url: string;
  /** The topic (or pattern) its streams subscribe to. */
  readonly topic: string;
  /** @internal Its options. */
  readonly options: EventEndpointOptions;
  /** @internal Its open streams. */
  readonly streams = new Set<EventStream>();
  private readonly _server: MicroWebSrv;

  /** @internal Made by `sse.event(url, options)`. */
  constructor(server: MicroWebSrv, url: string, topic: string, options: EventEndpointOptions) {
    this._server = server;
    this.url = url;
    this.topic = topic;
    this.options = options;
  }

  /** Open streams of this endpoint. */
  get count(): number { return this.streams.size; }

  /**
   * Sends an event to every stream of the endpoint (uhttpd's `dispatch(data, event)`): a publish on its
   * topic, so the history keeps it for reconnecting clients and servers sharing the bus get it too.
   * Returns false when no stream of this endpoint listens (the event is still kept in the history).
   */
  dispatch(data: PublishData, event?: string): boolean {
    this._server.publish(this.topic, data, event === undefined ? undefined : { event });
    return this.streams.size > 0;
  }

  /** @internal For the onOpen hook. */
  static opened(ep: EventEndpoint, stream: EventStream, request: HttpRequest): void | Promise<void> {
    return ep.options.onOpen?.(stream, request);
  }
}
