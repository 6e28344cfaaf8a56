import type { Logger } from '../base/logger';
import type { ServerRef } from '../base/refs';
import type { BodyReceiver } from '../request/body-receiver';
import type { HttpRequest } from '../request/http-request';
import type { HttpResponse } from '../response/http-response';
import type { ResponseDefaults } from '../response/response-defaults';
import type { BodyBudget } from './body-budget';

/** The timeouts and limits a connection applies, read when each phase starts (a change applies next time). */
export interface ConnectionLimits {
  readonly headersTimeoutSec: number;
  readonly bodyTimeoutSec: number;
  readonly keepAliveTimeoutSec: number;
  readonly maxRequestContentLength: number;
}

/**
 * How a body is taken when no module's receiver claims it (a route's body options, or a module's
 * `'stream'`): streamed to the request's handler, or buffered; and the most bytes (undefined: the
 * server's maxRequestContentLength when buffered, no limit when streamed).
 */
export interface BodyPolicy {
  readonly body: 'buffer' | 'stream';
  readonly maxBodyBytes?: number;
}

/** What the server knows of one connection (for its log lines and bookkeeping). */
export interface ConnectionInfo {
  readonly remoteHost: string;
  readonly remotePort: number;
  readonly isSSL: boolean;
}

/**
 * What a connection needs of its server, and all it may call (undici's `connectH1(client, socket)` way:
 * the engine never imports the server). The server gives each connection the same host object.
 */
export interface ConnectionHost {
  /** Handed to requests (`request.server`) and to `onSent` callbacks. */
  readonly server: ServerRef;
  readonly logger: Logger;
  readonly defaults: ResponseDefaults;
  readonly limits: ConnectionLimits;
  /** The server-wide budget of memory for request bodies being buffered (maxBufferedBodyBytes). */
  readonly bodyBudget: BodyBudget;
  /** True once a graceful stop began: responses then close their connection. */
  readonly stopping: boolean;
  /** True when the access line wants a duration (a structured logger): the connection then times requests. */
  readonly timing: boolean;
  /** Runs a complete request down the pipeline. */
  dispatch(request: HttpRequest): void;
  /**
   * Asks the modules whether one takes this request's body as it arrives, else the route's body options
   * (null: buffer it up to maxRequestContentLength).
   */
  bodyReceiver(request: HttpRequest): BodyReceiver | BodyPolicy | null;
  /** A response was sent whole (the access line, counters); `startedAt`: performance.now() at its head, or 0. */
  responded(conn: ConnectionInfo, response: HttpResponse, startedAt: number): void;
  /** The connection closed (`err` when it failed). */
  closed(conn: ConnectionInfo, err: Error | null): void;
}
