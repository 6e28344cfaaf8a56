import { XAsyncError } from './errors';

/** A host and port. `host` '' or '0.0.0.0' binds every IPv4 interface, '::' every interface. */
export interface XAddress {
  host: string;
  port: number;
}

/** What the API accepts for an address: `{ host, port }`, `[host, port]` (the original's tuple), or a port. */
export type XAddressLike = XAddress | readonly [string, number] | number;

export function toAddress(name: string, a: XAddressLike, defaultHost = '0.0.0.0'): XAddress {
  let host: unknown;
  let port: unknown;
  if (typeof a === 'number') {
    host = defaultHost; port = a;
  } else if (Array.isArray(a)) {
    [host, port] = a;
  } else if (a !== null && typeof a === 'object') {
    host = (a as XAddress).host; port = (a as XAddress).port;
  }
  if (typeof host !== 'string' || typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new XAsyncError('ERR_XAS_INVALID_ARG',
      `${name} must be { host: string, port: 0..65535 }, [host, port] or a port number, got ${JSON.stringify(a)}`);
  }
  return { host: host === '' ? defaultHost : host, port };
}
