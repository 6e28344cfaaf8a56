import { MwsError } from '@microwebsrv/core';

/** An ERR_MWS_INVALID_OPTION naming the option, what it allows and what it got (never a password's value). */
export function invalid(name: string, allowed: string, got: unknown, secret = false): MwsError {
  let shown: string;
  try {
    shown = secret ? `a ${typeof got}` : typeof got === 'function' ? 'a function' : got === undefined ? 'undefined' : JSON.stringify(got) ?? String(got);
  } catch { shown = typeof got; }
  return new MwsError('ERR_MWS_INVALID_OPTION', `${name} must be ${allowed}, got ${shown}`);
}
