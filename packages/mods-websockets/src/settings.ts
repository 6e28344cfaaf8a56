/**
 * Per-socket settings: their defaults, the checks of the module's and a route's options (misuse throws
 * at once, naming the option), and the settings a new socket gets (route's, else module's, else default).
 */
import { invalid } from './errors';

/** Per-socket settings (the module's options give the defaults). */
export interface WebSocketSettings {
  /** Idle timeout (s): after this long without a frame the server pings; no answer within as long → close 1001. 0: none. */
  waitFrameTimeoutSec: number;
  /** Largest message accepted (bytes); above it → close 1009 (RFC 6455 §7.4.1). */
  maxRecvMessageLength: number;
  /** Bound of the send queue (bytes): a message that would go beyond it is refused (send… returns false). */
  maxSendQueueBytes: number;
  /** Messages above this size are sent as fragments of this size (RFC 6455 §5.4); 0: never fragment. */
  fragmentSize: number;
  /** How long (s) to wait for the peer's Close frame after ours (RFC 6455 §7.1.1) before dropping the connection. */
  closeTimeoutSec: number;
  /** Data frames of one message, at most (RFC 6455 §5.4 fragments); more → close 1009. */
  maxMessageFragments: number;
  /** Message handlers whose promise is pending, at most: reading pauses at this many until one settles. */
  maxPendingHandlers: number;
}

/** Defaults of the settings (maxRecvMessageLength defaults to the server's maxRequestContentLength). */
export const SETTING_DEFAULTS = { waitFrameTimeoutSec: 300, maxSendQueueBytes: 4 * 1024 * 1024, fragmentSize: 0, closeTimeoutSec: 5, maxMessageFragments: 1024, maxPendingHandlers: 1 } as const;

function checkSeconds(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid(name, 'a number of seconds >= 0', v);
}
function checkInt(name: string, v: unknown, min: number): void {
  if (!Number.isSafeInteger(v) || (v as number) < min) throw invalid(name, `an integer >= ${min}`, v);
}

/** Checks the settings given in `o`; `prefix` names where they came from in the messages ('' or 'route options.'). */
export function checkSettings(o: Partial<WebSocketSettings>, prefix = ''): void {
  if (o.waitFrameTimeoutSec !== undefined) checkSeconds(`${prefix}waitFrameTimeoutSec`, o.waitFrameTimeoutSec);
  if (o.closeTimeoutSec !== undefined) checkSeconds(`${prefix}closeTimeoutSec`, o.closeTimeoutSec);
  if (o.maxRecvMessageLength !== undefined) checkInt(`${prefix}maxRecvMessageLength`, o.maxRecvMessageLength, 1);
  if (o.maxSendQueueBytes !== undefined) checkInt(`${prefix}maxSendQueueBytes`, o.maxSendQueueBytes, 1);
  if (o.fragmentSize !== undefined) checkInt(`${prefix}fragmentSize`, o.fragmentSize, 0);
  if (o.maxMessageFragments !== undefined) checkInt(`${prefix}maxMessageFragments`, o.maxMessageFragments, 1);
  if (o.maxPendingHandlers !== undefined) checkInt(`${prefix}maxPendingHandlers`, o.maxPendingHandlers, 1);
}

/** The settings of a new socket: the route's, else the module's, else the defaults. */
export function resolveSettings(route: Partial<WebSocketSettings>, mod: Partial<WebSocketSettings>, maxRecvDefault: number): WebSocketSettings {
  return {
    waitFrameTimeoutSec: route.waitFrameTimeoutSec ?? mod.waitFrameTimeoutSec ?? SETTING_DEFAULTS.waitFrameTimeoutSec,
    maxRecvMessageLength: route.maxRecvMessageLength ?? mod.maxRecvMessageLength ?? maxRecvDefault,
    maxSendQueueBytes: route.maxSendQueueBytes ?? mod.maxSendQueueBytes ?? SETTING_DEFAULTS.maxSendQueueBytes,
    fragmentSize: route.fragmentSize ?? mod.fragmentSize ?? SETTING_DEFAULTS.fragmentSize,
    closeTimeoutSec: route.closeTimeoutSec ?? mod.closeTimeoutSec ?? SETTING_DEFAULTS.closeTimeoutSec,
    maxMessageFragments: route.maxMessageFragments ?? mod.maxMessageFragments ?? SETTING_DEFAULTS.maxMessageFragments,
    maxPendingHandlers: route.maxPendingHandlers ?? mod.maxPendingHandlers ?? SETTING_DEFAULTS.maxPendingHandlers,
  };
}
