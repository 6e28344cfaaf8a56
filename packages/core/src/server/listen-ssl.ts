import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { MwsError } from '../base/errors';
import type { SSLFiles } from './settings';

/** Reads the PEM files of `enableSSL` (at start) into a secure context; errors name the file. */
export function loadSecureContext(files: SSLFiles): tls.SecureContext {
  const read = (what: string, p: string): Buffer => {
    try { return fs.readFileSync(p); } catch (err) {
      throw new MwsError('ERR_MWS_SSL', `enableSSL ${what} "${p}" cannot be read: ${(err as Error).message}`, { cause: err });
    }
  };
  const cert = read('certFile', files.certFile);
  const key = read('keyFile', files.keyFile);
  const ca = files.caFile ? read('caFile', files.caFile) : undefined;
  try {
    return tls.createSecureContext({ cert, key, ca });
  } catch (err) {
    throw new MwsError('ERR_MWS_SSL', `enableSSL: the certificate or key is invalid: ${(err as Error).message}`, { cause: err });
  }
}

/** A listen failure as ERR_MWS_LISTEN, saying what to do (a privileged port, a port in use). */
export function listenError(err: unknown, [host, port]: [string, number]): MwsError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES') return new MwsError('ERR_MWS_LISTEN', `bindAddress port ${port} needs root (ports below 1024 are privileged): use a port from 1024 up, such as 8080`, { cause: err });
  if (e.code === 'EADDRINUSE') return new MwsError('ERR_MWS_LISTEN', `bindAddress ${host}:${port} is already in use: pick another port, or 0 for a free one`, { cause: err });
  return new MwsError('ERR_MWS_LISTEN', `cannot listen on ${host}:${port}: ${e.message}`, { cause: err });
}
