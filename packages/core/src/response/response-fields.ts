import { invalidOption } from '../base/errors';
import { isFieldValue, isToken } from '../http/fields';

/*
 * A response's own fields, kept as one flat list (name, value, name, value, …) in its state, and the
 * checks of what may go into the head (CR/LF there would split the response).
 */

/** Properties that end up in the head are checked when set: CR/LF there would split the response. */
export function checkedValue(name: string, v: string | null): string | null {
  if (v === null || v === lastChecked) return v;
  if (typeof v !== 'string' || !isFieldValue(v)) throw invalidOption(name, 'a string without CR, LF or control characters, or null', v);
  lastChecked = v; // handlers set the same few values on every request: check each once
  return v;
}
let lastChecked: string | null = null;

/** setHeader's checks: `name` an HTTP token, `value` (as a string) a field value; returns that string. */
export function checkedField(name: string, value: string | number): string {
  const v = String(value);
  if (typeof name !== 'string' || !isToken(name)) throw invalidOption('setHeader name', 'an HTTP token (RFC 9110 §5.1)', name);
  if (!isFieldValue(v)) throw invalidOption(`setHeader value of ${name}`, 'a field value without CR, LF or control characters', v);
  return v;
}

/** Sets `name` in field list `h`, replacing an earlier value, except Set-Cookie: one field per cookie (RFC 6265 §3). */
export function setField(h: string[], name: string, v: string): void {
  const lower = name.toLowerCase();
  if (lower !== 'set-cookie') {
    for (let i = 0; i < h.length; i += 2) {
      if (h[i].toLowerCase() === lower) { h[i + 1] = v; return; }
    }
  }
  h.push(name, v);
}

/** The value of `name` in field list `h`, or undefined. */
export function fieldOf(h: string[] | null, name: string): string | undefined {
  if (h === null) return undefined;
  const lower = name.toLowerCase();
  for (let i = 0; i < h.length; i += 2) if (h[i].toLowerCase() === lower) return h[i + 1];
  return undefined;
}

/** `WWW-Authenticate: <typeName> realm="<realm>"`'s value (RFC 9110 §11.6.1), for returnUnauthorized. */
export function authenticateValue(typeName: string, realm: string | undefined): string {
  if (!isToken(typeName)) throw invalidOption('returnUnauthorized typeName', 'an auth scheme token such as Basic or Bearer', typeName);
  return typeName + (realm === undefined ? '' : ` realm="${realm.replace(/["\\\r\n]/g, '_')}"`);
}
